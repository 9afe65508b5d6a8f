"""Staff lists at scale: what the Payments, Sessions, Reports, Audit Logs pages and the dashboard ask of
PostgreSQL when the workspace holds 100,000+ payments, sessions and audit rows.

    .venv/bin/python bench/history_pages.py [--payments 120000] [--repeat 7]

Builds a throwaway database (dropped at the end) with the real migrations, fills it with SQL
`generate_series` (two years of history over 12 locations in several time zones), then times each service
call the pages make: the median and the slowest of `--repeat` warm runs, in milliseconds. Audit rows are
inserted without their hash chain (the chain walk is a separate daily job, not a page).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ADMIN_URL = os.environ.get("BENCH_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = f"hygate_bench_{uuid.uuid4().hex[:8]}"
os.environ["DATABASE_URL"] = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
os.environ.setdefault("ENCRYPTION_KEY", "YmVuY2gtb25seS1rZXktMzItYnl0ZXMtbG9uZyEhISE=")

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
ANALYZE;
"""


def fill(url: str, payments: int) -> None:
    two_years = 2 * 365 * 24 * 3600
    # Client-side binding: the fill is several statements in one round trip.
    with psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor) as conn:
        conn.execute(FILL, {"zones": ZONES, "now": NOW, "payments": payments, "spacing": two_years / payments})


def timed(repeat: int, fn) -> tuple[float, float, object]:
    fn()  # warm: plans cached, pages in memory, as on a page someone keeps using
    runs, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs), max(runs), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--payments", type=int, default=120_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    from hygate_app.cli import migrate
    from hygate_app.db import get_engine, session_scope
    from hygate_app.services.audit_log_view import AuditFilters, list_audit_rows
    from hygate_app.services.dashboard import dashboard_summary
    from hygate_app.services.paging import PageRequest
    from hygate_app.services.payment_history import PaymentFilters, list_payments, payments_csv
    from hygate_app.services.reports import GroupBy, Period, ReportQuery, revenue_report, usage_report
    from hygate_app.services.session_history import SessionFilters, list_sessions

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    try:
        migrate()
        started = time.perf_counter()
        fill(os.environ["DATABASE_URL"], args.payments)
        print(f"filled {args.payments} payments (+ sessions, accesses, audit rows) in "
              f"{time.perf_counter() - started:.1f} s")
        deep = args.payments // 25 // 2
        month = (date(2026, 10, 1), date(2026, 10, 31))
        cases = {
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
            "reports: revenue by month and location, 1 year": lambda db: revenue_report(db, ReportQuery(
                Period.month, GroupBy.location, date(2025, 11, 1), date(2026, 10, 31))),
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
        print(f"{'query':<50} {'median ms':>10} {'max ms':>8}  result")
        for name, case in cases.items():
            with session_scope() as db:
                median, slowest, result = timed(args.repeat, lambda c=case, d=db: c(d))
            shown = (f"{len(result.rows)} of {result.total}" if hasattr(result, "total")
                     else f"{len(result)} rows" if isinstance(result, list)
                     else f"{result} lines" if isinstance(result, int) else type(result).__name__)
            print(f"{name:<50} {median:>10.1f} {slowest:>8.1f}  {shown}")
    finally:
        get_engine().dispose()
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
