"""Staff lists at scale: what the Payments, Sessions, Reports, Audit Logs pages and the dashboard ask of
PostgreSQL when the workspace holds up to a million payments, sessions and audit rows.

    .venv/bin/python bench/history_pages.py [--payments 1000000] [--repeat 7] [--explain-over 100] [--drop]

Fills a database with the real migrations and SQL `generate_series` (two years of history over 12 locations in
several time zones), then times each service call the pages make, and the whole server side of the three busiest
pages (what their states run on load): the median and the slowest of `--repeat` warm runs, in milliseconds. The
full CSV export runs once. For every case whose median is over `--explain-over` ms, and for the three pages, it
prints `EXPLAIN (ANALYZE, BUFFERS)` of that case's slowest SQL statement. Audit rows are inserted without their
hash chain (the chain walk is a separate daily job, not a page).

The database is kept (`bench_history_1m` for a million payments) and reused by the next run with the same
`--payments`, so reruns skip the fill; `--drop` drops it at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import UTC, date, datetime

import psycopg
import stack
from sqlalchemy import event

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "Asia/Tokyo", "UTC", "Australia/Sydney"]

FILL = """
INSERT INTO locations (name, timezone, created_at)
SELECT 'Bench location ' || i, (%(zones)s::text[])[1 + i %% array_length(%(zones)s::text[], 1)], now()
FROM generate_series(1, 12) i;

INSERT INTO devices (uid, display_code, location_id, name, shelly_device_id, channel, mode, online, created_at,
                     updated_at)
SELECT 'bench-dev-' || i, 'D' || lpad(i::text, 5, '0'), 1 + i %% 12, 'Washer ' || i, 'shelly-bench-' || i, 0,
       'active', true, now(), now()
FROM generate_series(1, 60) i;

INSERT INTO usage_plans (device_id, name, duration_minutes, delay_minutes, price_minor, currency, sort_order, active,
                         created_at)
SELECT id, 'Standard', 45, 2, 450, 'eur', 0, true, now() FROM devices;

INSERT INTO doors (uid, display_code, location_id, name, price_minor, currency, access_minutes, mode, online,
                   credential_kind, created_at, updated_at)
SELECT 'bench-door-' || i, 'K' || lpad(i::text, 5, '0'), 1 + i %% 12, 'Door ' || i, 300, 'eur', 60, 'active',
       true, 'qr', now(), now()
FROM generate_series(1, 24) i;

-- Two years back from NOW, newest first; 70 %% device payments, 30 %% door payments, a few refunds and expiries.
INSERT INTO payments (guest_token, kind, device_id, usage_plan_id, door_id, location_id, item_name, amount_minor,
                      duration_minutes, delay_minutes, amount_refunded_minor, currency, status, idempotency_key,
                      stripe_checkout_session_id, stripe_payment_intent_id, customer_email, created_at, paid_at,
                      updated_at)
SELECT 'bench-' || i,
       CASE WHEN i %% 10 < 7 THEN 'device' ELSE 'door' END,
       CASE WHEN i %% 10 < 7 THEN 1 + i %% 60 END,
       CASE WHEN i %% 10 < 7 THEN 1 + i %% 60 END,
       CASE WHEN i %% 10 >= 7 THEN 1 + i %% 24 END,
       CASE WHEN i %% 10 < 7 THEN 1 + (1 + i %% 60) %% 12 ELSE 1 + (1 + i %% 24) %% 12 END,
       CASE WHEN i %% 10 < 7 THEN 'Washer ' || (1 + i %% 60) || ' · Standard' ELSE 'Door ' || (1 + i %% 24) END,
       CASE WHEN i %% 10 < 7 THEN 450 ELSE 300 END,
       CASE WHEN i %% 10 < 7 THEN 45 END, CASE WHEN i %% 10 < 7 THEN 2 END,
       CASE WHEN i %% 97 = 0 THEN (CASE WHEN i %% 10 < 7 THEN 450 ELSE 300 END) ELSE 0 END,
       CASE WHEN i %% 13 = 0 THEN 'chf' ELSE 'eur' END,
       CASE WHEN i %% 97 = 0 THEN 'refunded' WHEN i %% 31 = 0 THEN 'expired' ELSE 'paid' END,
       'bench-key-' || i, 'cs_bench_' || i, 'pi_bench_' || i,
       CASE WHEN i %% 5 = 0 THEN 'guest' || i || '@example.com' END,
       %(now)s - make_interval(secs => i * %(spacing)s),
       CASE WHEN i %% 31 <> 0 OR i %% 97 = 0 THEN %(now)s - make_interval(secs => i * %(spacing)s - 20) END,
       %(now)s - make_interval(secs => i * %(spacing)s)
FROM generate_series(1, %(payments)s) i;

INSERT INTO device_sessions (payment_id, device_id, usage_plan_id, status, duration_minutes, delay_minutes, paid_at,
                             starts_at, ends_at, created_at, updated_at)
SELECT id, device_id, usage_plan_id, 'completed', 45, 2, paid_at, paid_at + interval '2 minutes',
       paid_at + interval '47 minutes', paid_at, paid_at
FROM payments WHERE kind = 'device' AND paid_at IS NOT NULL;

INSERT INTO door_accesses (payment_id, door_id, status, credential_kind, valid_from, valid_until, created_at,
                           updated_at)
SELECT id, door_id, 'expired', 'qr', paid_at, paid_at + interval '60 minutes', paid_at, paid_at
FROM payments WHERE kind = 'door' AND paid_at IS NOT NULL;

ALTER TABLE audit_log DISABLE TRIGGER USER;
INSERT INTO audit_log (created_at, actor_type, actor_id, action, target_type, target_id, ip, details, prev_hash,
                       row_hash)
SELECT %(now)s - make_interval(secs => i * %(spacing)s), 'stripe', NULL,
       (ARRAY['payment.paid', 'device_session.created', 'relay.on', 'relay.off', 'auth.sign_in'])[1 + i %% 5],
       'payment', (i / 5)::text, '203.0.113.' || (i %% 250), '{}', md5(i::text), md5('row' || i::text) || md5(i::text)
FROM generate_series(1, %(payments)s) i;
ALTER TABLE audit_log ENABLE TRIGGER USER;
"""


def fill(url: str, payments: int) -> None:
    two_years = 2 * 365 * 24 * 3600
    # Client-side binding: the fill is several statements in one round trip.
    with psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor) as conn:
        conn.execute(FILL, {"zones": ZONES, "now": NOW, "payments": payments, "spacing": two_years / payments})
        # What autovacuum does to a live table: statistics, and the visibility map index-only scans need.
        conn.execute("VACUUM (ANALYZE)")


class CpuMeter:
    """CPU seconds used so far by this process and by every PostgreSQL backend serving the database: with other work
    on the machine, CPU per page is the figure a dedicated machine would show as time (parallel workers are not
    counted, so `--serial` turns parallel query off for it)."""

    def __init__(self, db_name: str) -> None:
        self.db_name = db_name
        self.admin = psycopg.connect(stack.ADMIN_URL, autocommit=True)

    def __call__(self) -> float:
        pids = self.admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.db_name,)).fetchall()
        backends = 0.0
        for (pid,) in pids:
            try:
                backends += stack.cpu_seconds(pid)
            except FileNotFoundError:
                pass  # closed since
        return time.process_time() + backends


def timed(repeat: int, fn, cpu: CpuMeter | None, warm: bool = True) -> tuple[float, float, float, object]:
    """Median and slowest wall ms, median CPU ms (0 without a meter), and the last result."""
    if warm:
        fn()  # plans cached, pages in memory, as on a page someone keeps using
    runs, cpu_runs, result = [], [], None
    for _ in range(repeat):
        cpu_start, start = cpu() if cpu else 0.0, time.perf_counter()
        result = fn()
        runs.append((time.perf_counter() - start) * 1000)
        cpu_runs.append(((cpu() if cpu else 0.0) - cpu_start) * 1000)
    return statistics.median(runs), max(runs), statistics.median(cpu_runs), result


class StatementLog:
    """The SQL statements the engine runs, with their time, so a slow case's slowest one can be EXPLAINed."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.runs: list[tuple[float, str, object]] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        started = conn.info["bench_started"].pop()
        self.runs.append(((time.perf_counter() - started) * 1000, statement, parameters))

    def explain_slowest(self) -> str:
        """EXPLAIN (ANALYZE, BUFFERS) of every distinct statement the case ran (with its last parameters); the plan
        of the one PostgreSQL took longest over, and the others' execution times."""
        last: dict[str, object] = {}
        for _, statement, parameters in self.runs:
            last[statement] = parameters
        plans = []
        with self.engine.connect() as conn:
            for statement, parameters in last.items():
                plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).scalars().all()
                ms = float(next(line for line in plan if line.startswith("Execution Time")).split()[2])
                plans.append((ms, statement, plan))
        plans.sort(key=lambda p: p[0], reverse=True)
        ms, statement, plan = plans[0]
        others = ", ".join(f"{p[0]:.1f}" for p in plans[1:]) or "none"
        return "\n".join(["    " + line for line in [*statement.splitlines(), "", *plan,
                                                    f"(the case's other statements: {others} ms)"]])


def open_database(payments: int) -> str:
    """The kept database for this size, migrated to head; filled unless it already holds `payments` payments."""
    name = f"bench_history_{payments // 1_000_000}m" if payments % 1_000_000 == 0 else f"bench_history_{payments}"
    stack.configure(name)
    if not stack.database_exists(name):
        with psycopg.connect(stack.ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    from hygate_app.cli import migrate

    migrate()
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        held = conn.execute("SELECT count(*) FROM payments").fetchone()[0]
    if held != payments:
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            conn.execute("TRUNCATE payments, device_sessions, door_accesses, audit_log, usage_plans, devices, doors, "
                         "locations RESTART IDENTITY CASCADE")
        started = time.perf_counter()
        fill(os.environ["DATABASE_URL"], payments)
        print(f"{name}: filled {payments} payments (+ sessions, accesses, audit rows) in "
              f"{time.perf_counter() - started:.1f} s")
    else:
        print(f"{name}: reusing its {payments} payments (+ sessions, accesses, audit rows)")
    return name


def serial(db_name: str, on: bool) -> None:
    """Parallel query off (or back to the server's default) for the connections the bench opens next."""
    setting = "SET max_parallel_workers_per_gather = 0" if on else "RESET max_parallel_workers_per_gather"
    with psycopg.connect(stack.ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{db_name}" {setting}')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--payments", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--explain-over", type=float, default=100.0, help="EXPLAIN cases slower than this (ms)")
    parser.add_argument("--serial", action="store_true",
                        help="no parallel query, and report the CPU each case costs (this process + PostgreSQL)")
    parser.add_argument("--only", default="", help="run only the cases whose name contains this")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end instead of keeping it")
    args = parser.parse_args()

    name = open_database(args.payments)
    serial(name, args.serial)
    from hygate_app.db import get_engine, session_scope
    from hygate_app.services.audit_log_view import AuditFilters, list_audit_rows
    from hygate_app.services.dashboard import dashboard_summary
    from hygate_app.services.paging import PageRequest
    from hygate_app.services.payment_history import PaymentFilters, list_payments, payments_csv
    from hygate_app.services.report_view import Kind, ReportRequest
    from hygate_app.services.reports import GroupBy, Period, ReportQuery, revenue_report, usage_report
    from hygate_app.services.session_history import SessionFilters, list_sessions
    from hygate_app.states.dashboard import _snapshot
    from hygate_app.states.history_lists import load_list
    from hygate_app.states.payments import PAYMENTS_LIST
    from hygate_app.states.reports import _report

    try:
        deep = args.payments // 25 // 2
        month = (date(2026, 10, 1), date(2026, 10, 31))
        year_by_month = ReportQuery(Period.month, GroupBy.location, date(2025, 11, 1), date(2026, 10, 31))
        pages = {
            # What each page's state runs on load (its own database session), rows formatted for the page.
            "page: dashboard": lambda db: _snapshot(),
            "page: payments, first page": lambda db: load_list(PAYMENTS_LIST, {}),
            "page: report, revenue by day and location, 1 month": lambda db: _report(
                ReportRequest(Kind.revenue, ReportQuery(Period.day, GroupBy.location, *month)), 1),
            "page: report, revenue by month and location, 1 year": lambda db: _report(
                ReportRequest(Kind.revenue, year_by_month), 1),
        }
        cases = {
            **pages,
            "payments: first page": lambda db: list_payments(db, PaymentFilters(), PageRequest()),
            f"payments: page {deep} (deep offset)": lambda db: list_payments(db, PaymentFilters(),
                                                                            PageRequest(page=deep)),
            "payments: status refunded": lambda db: list_payments(db, PaymentFilters(status="refunded"),
                                                                  PageRequest()),
            "payments: one location, one month": lambda db: list_payments(
                db, PaymentFilters(date_from=month[0], date_to=month[1], location_id=3), PageRequest()),
            "payments: one device": lambda db: list_payments(db, PaymentFilters(device_id=7), PageRequest()),
            "payments: search e-mail part": lambda db: list_payments(db, PaymentFilters(search="guest1234"),
                                                                     PageRequest()),
            "payments: sort by amount": lambda db: list_payments(db, PaymentFilters(),
                                                                 PageRequest(sort="amount")),
            "payments CSV: one location, one month": lambda db: sum(1 for _ in payments_csv(
                db, PaymentFilters(date_from=month[0], date_to=month[1], location_id=3))),
            "payments CSV: everything": lambda db: sum(1 for _ in payments_csv(db, PaymentFilters())),
            "sessions: first page (both kinds)": lambda db: list_sessions(db, SessionFilters(), PageRequest(),
                                                                          now=NOW),
            f"sessions: page {deep} (deep offset)": lambda db: list_sessions(db, SessionFilters(),
                                                                            PageRequest(page=deep), now=NOW),
            "sessions: one device": lambda db: list_sessions(db, SessionFilters(device_id=7), PageRequest(),
                                                             now=NOW),
            "reports: revenue by month and location, 1 year": lambda db: revenue_report(db, year_by_month),
            "reports: revenue by day, 1 year": lambda db: revenue_report(db, ReportQuery(
                Period.day, GroupBy.none, date(2025, 11, 20), date(2026, 11, 19))),
            "reports: usage by week and device, 1 year": lambda db: usage_report(db, ReportQuery(
                Period.week, GroupBy.device, date(2025, 11, 20), date(2026, 11, 19))),
            "audit: first page": lambda db: list_audit_rows(db, AuditFilters(), PageRequest()),
            "audit: one action": lambda db: list_audit_rows(db, AuditFilters(action="relay.off"), PageRequest()),
            "audit: one target": lambda db: list_audit_rows(db, AuditFilters(target_type="payment",
                                                                             target_id="777"), PageRequest()),
            "dashboard summary": lambda db: dashboard_summary(db, now=NOW),
        }
        once = {"payments CSV: everything"}  # a throughput figure (rows/s), not a page
        log = StatementLog(get_engine())
        cpu = CpuMeter(name) if args.serial else None
        plans: list[tuple[str, str]] = []
        print(f"{'query':<55} {'median ms':>10} {'max ms':>8} {'CPU ms' if cpu else '':>7}  result")
        for name_, case in cases.items():
            if args.only not in name_:
                continue
            log.runs.clear()
            with session_scope() as db:
                median, slowest, cpu_ms, result = timed(1 if name_ in once else args.repeat,
                                                        lambda c=case, d=db: c(d), cpu, warm=name_ not in once)
            shown = (f"{len(result.rows)} of {result.total}" if hasattr(result, "total")
                     else f"{len(result)} rows" if isinstance(result, list)
                     else f"{result} lines" if isinstance(result, int)
                     else f"{len(result['rows'])} rows shown" if isinstance(result, dict) and "rows" in result
                     else f"{len(result)} page vars" if isinstance(result, dict) else type(result).__name__)
            cpu_text = f"{cpu_ms:.1f}" if cpu else ""
            print(f"{name_:<55} {median:>10.1f} {slowest:>8.1f} {cpu_text:>7}  {shown}", flush=True)
            if name_ not in once and (name_ in pages or median > args.explain_over):
                plans.append((name_, log.explain_slowest()))
        for name_, plan in plans:
            print(f"\n-- {name_}: its slowest statement in PostgreSQL\n{plan}")
    finally:
        get_engine().dispose()  # before the drop, and so nothing holds the kept database open
        serial(name, False)
        if args.drop:
            stack.drop_database(name)


if __name__ == "__main__":
    main()
