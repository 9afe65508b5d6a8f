"""Reconciliation of many devices under Shelly Cloud's rate limit: how long until every device has been read once,
how fast the wrong relays are put right, and whether the account's limit is ever exceeded.

    .venv/bin/python bench/reconcile_devices.py [--devices 10000] [--sessions 300] [--budget 60]

Fills a throwaway database with `--devices` devices in ten locations (bulk SQL, not the catalogue service: ten
thousand devices through it would take longer than the bench) and registers the same devices on the Shelly
simulator (one bulk control call), which runs in its own process with the real limit, one request a second per
account. The mix: `--sessions` paid sessions running (relay ON), 20 relays ON that nobody paid for (Hygate last saw
them OFF: a button pressed, a power restore that came back ON), 10 sessions whose relay went OFF unexpectedly, the
rest OFF; all placed at random (fixed seed) among the devices.

Then it runs the product's reconciliation job (jobs/reconcile.py: the real ShellyClient paced through Redis, the
Redis lock and cursor) with `--budget` read calls a pass, pass after pass, until every device has been read once
(`devices.last_seen_at`). Passes run back to back: the product starts one every two minutes, and a pass here is
bounded by the cloud's pace anyway, so "at the schedule" figures are passes x 2 minutes. Refused calls and the
request rate come from the simulator's own log of every request it received.
"""

from __future__ import annotations

import argparse
import os
import random
import time
import uuid
from datetime import timedelta

from stack import configure, throwaway

DB_NAME = f"bench_reconcile_{uuid.uuid4().hex[:8]}"
configure(DB_NAME)

UNPAID_ON = 20
WRONGLY_OFF = 10
LOCATIONS = 10
SCHEDULE_SECONDS = 120  # jobs/schedule.py: a pass every two minutes


def fill(n_devices: int, n_sessions: int, seed: int = 7) -> dict[str, list[str]]:
    """Devices, plans, paid payments and active sessions by bulk insert. Returns the Shelly ids per role."""
    from sqlalchemy import insert

    from hygate_app.db import session_scope
    from hygate_app.models import Device, DeviceSession, Location, Payment, UsagePlan
    from hygate_app.models.columns import utcnow
    from hygate_app.models.payments import PaymentKind, PaymentStatus
    from hygate_app.models.sessions import DeviceSessionStatus

    rng = random.Random(seed)
    order = list(range(n_devices))
    rng.shuffle(order)
    running = set(order[:n_sessions])
    wrongly_off = set(order[n_sessions:n_sessions + WRONGLY_OFF])
    unpaid_on = set(order[n_sessions + WRONGLY_OFF:n_sessions + WRONGLY_OFF + UNPAID_ON])
    now = utcnow()
    seen = now - timedelta(minutes=30)
    shelly_ids = [f"shelly-bench-{n:05d}" for n in range(n_devices)]
    with session_scope() as db:
        db.execute(insert(Location), [{"name": f"Bench location {n + 1}", "timezone": "UTC", "created_at": now}
                                      for n in range(LOCATIONS)])
        location_ids = [row[0] for row in db.execute(Location.__table__.select().with_only_columns(
            Location.id).order_by(Location.id)).all()]
        db.execute(insert(Device), [{
            "uid": uuid.uuid4().hex, "display_code": f"B{n:06d}", "location_id": location_ids[n % LOCATIONS],
            "name": f"Washer {n + 1}", "shelly_device_id": shelly_ids[n], "channel": 0, "online": True,
            # What Hygate last saw: ON for the sessions (also the ten whose relay has since dropped), OFF for
            # the rest, including the twenty switched ON behind its back.
            "relay_on": n in running or n in wrongly_off, "last_seen_at": seen, "created_at": now, "updated_at": now,
        } for n in range(n_devices)])
        device_ids = dict(db.execute(Device.__table__.select().with_only_columns(
            Device.shelly_device_id, Device.id)).all())
        db.execute(insert(UsagePlan), [{
            "device_id": device_ids[sid], "name": "Wash", "duration_minutes": 120, "delay_minutes": 0,
            "price_minor": 400, "currency": "eur", "sort_order": 0, "active": True, "created_at": now,
        } for sid in shelly_ids])
        plan_ids = dict(db.execute(UsagePlan.__table__.select().with_only_columns(
            UsagePlan.device_id, UsagePlan.id)).all())
        sold = sorted(running | wrongly_off)
        paid_at = now - timedelta(minutes=10)
        db.execute(insert(Payment), [{
            "guest_token": uuid.uuid4().hex, "kind": PaymentKind.device, "device_id": device_ids[shelly_ids[n]],
            "usage_plan_id": plan_ids[device_ids[shelly_ids[n]]], "location_id": location_ids[n % LOCATIONS],
            "item_name": "Wash", "amount_minor": 400, "duration_minutes": 120, "delay_minutes": 0,
            "currency": "eur", "status": PaymentStatus.paid, "idempotency_key": uuid.uuid4().hex,
            "stripe_checkout_session_id": f"cs_bench_{n}", "created_at": paid_at, "paid_at": paid_at,
            "updated_at": paid_at,
        } for n in sold])
        payment_ids = dict(db.execute(Payment.__table__.select().with_only_columns(
            Payment.device_id, Payment.id)).all())
        # Two hours from ten minutes ago: every session outlasts the bench.
        db.execute(insert(DeviceSession), [{
            "payment_id": payment_ids[device_ids[shelly_ids[n]]], "device_id": device_ids[shelly_ids[n]],
            "usage_plan_id": plan_ids[device_ids[shelly_ids[n]]], "status": DeviceSessionStatus.active,
            "duration_minutes": 120, "delay_minutes": 0, "paid_at": paid_at, "starts_at": paid_at,
            "ends_at": paid_at + timedelta(minutes=120), "relay_on_at": paid_at, "created_at": paid_at,
            "updated_at": paid_at,
        } for n in sold])
        db.commit()
    return {
        "all": shelly_ids,
        "on": [shelly_ids[n] for n in range(n_devices) if n in running or n in unpaid_on],
        "unpaid_on": [shelly_ids[n] for n in sorted(unpaid_on)],
        "wrongly_off": [shelly_ids[n] for n in sorted(wrongly_off)],
    }


def register_on_simulator(shelly_url: str, roles: dict[str, list[str]]) -> None:
    import httpx

    on = set(roles["on"])
    specs = [{"id": sid, "name": sid, "online": True, "on": sid in on} for sid in roles["all"]]
    httpx.post(f"{shelly_url}/_sim/devices/bulk", json={"devices": specs}, timeout=60).raise_for_status()


def simulator_log(shelly_url: str) -> list[dict]:
    import httpx

    return httpx.get(f"{shelly_url}/_sim/commands", timeout=30).json()["commands"]


def devices_read_since(started) -> int:
    from sqlmodel import func, select

    from hygate_app.db import session_scope
    from hygate_app.models import Device

    with session_scope() as db:
        return db.exec(select(func.count()).select_from(Device).where(Device.last_seen_at >= started)).one()


def peak_in_window(times: list[float], window: float) -> int:
    """The most requests whose arrival falls in any half-open window of `window` seconds."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def first_command(log: list[dict], device_ids: list[str], turn: str) -> dict[str, float]:
    wanted = set(device_ids)
    found: dict[str, float] = {}
    for entry in log:
        if (entry["endpoint"] == "/device/relay/control" and entry["outcome"] == "ok"
                and entry["params"].get("turn") == turn and entry["device_id"] in wanted):
            found.setdefault(entry["device_id"], entry["at"])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=300, help="running paid sessions, relay ON")
    parser.add_argument("--budget", type=int, default=60, help="read calls a pass (RECONCILE_READ_CALLS)")
    parser.add_argument("--max-passes", type=int, default=200)
    args = parser.parse_args()
    os.environ["RECONCILE_READ_CALLS"] = str(args.budget)

    from hygate_app.models.columns import utcnow
    from jobs.reconcile import reconcile_relays

    with throwaway(DB_NAME) as made:
        shelly = made.start(worker=False, web=False).shelly
        filled = time.monotonic()
        roles = fill(args.devices, args.sessions)
        register_on_simulator(shelly, roles)
        print(f"{args.devices} devices in {LOCATIONS} locations, {args.sessions} running sessions, {UNPAID_ON} "
              f"relays ON unpaid, {WRONGLY_OFF} sessions with the relay OFF: filled and registered in "
              f"{time.monotonic() - filled:.1f} s; read budget {args.budget} calls a pass "
              f"({args.budget * 10} devices); passes back to back", flush=True)
        print(f"{'pass':>4} {'wall s':>7} {'calls':>6} {'priority':>8} {'sweep':>6} {'refused':>7} {'unpaid off':>10} "
              f"{'restored':>8} {'other':>6} {'read once':>9}", flush=True)
        started_wall, started_at = time.time(), utcnow()
        seen_log = 0
        passes = []
        while len(passes) < args.max_passes:
            began = time.time()
            summary = reconcile_relays()
            ended = time.time()
            wall = ended - began
            log = simulator_log(shelly)
            new, seen_log = log[seen_log:], len(log)
            refused = sum(e["outcome"] == "rate_limited" for e in new)
            covered = devices_read_since(started_at)
            other = sum(summary[k] for k in ("resumed", "interrupted", "failed", "unpaid_off_failed", "read_errors"))
            passes.append((wall, summary, refused, covered, began, ended))
            print(f"{len(passes):>4} {wall:>7.1f} {summary['api_calls']:>6} {summary['priority']:>8} "
                  f"{summary['swept']:>6} {refused:>7} {summary['unpaid_off']:>10} {summary['restored']:>8} "
                  f"{other:>6} {covered:>9}", flush=True)
            if summary.get("error"):
                print(f"     pass error: {summary['error']}")
            if covered >= args.devices:
                break
        total_wall = time.time() - started_wall
        log = simulator_log(shelly)
        offs = first_command(log, roles["unpaid_on"], "off")
        ons = first_command(log, roles["wrongly_off"], "on")
        arrivals = [e["at"] for e in log]
        accepted = sorted(e["at"] for e in log if e["outcome"] != "rate_limited")
        gaps = [b - a for a, b in zip(accepted, accepted[1:], strict=False)]
        calls = sum(p[1]["api_calls"] for p in passes)
        print()
        scheduled_min = len(passes) * SCHEDULE_SECONDS / 60
        print(f"every device read once: {len(passes)} passes, {total_wall / 60:.1f} min back to back; at the "
              f"product's schedule (one pass every {SCHEDULE_SECONDS // 60} min) {scheduled_min:.0f} min")
        print(f"API calls: {calls} in all, {calls / len(passes):.1f} a pass on average "
              f"(reads, plus a read-back and a command with its read-back per action); longest pass "
              f"{max(p[0] for p in passes):.1f} s, shortest {min(p[0] for p in passes):.1f} s")
        print(f"devices read: priority {sum(p[1]['priority'] for p in passes)}, sweep "
              f"{sum(p[1]['swept'] for p in passes)} (over all passes)")
        print(f"unpaid ON relays switched OFF: {len(offs)}/{UNPAID_ON}; the last "
              f"{(max(offs.values()) - started_wall) / 60 if offs else float('nan'):.1f} min after the first pass "
              f"began (pass {_pass_of(passes, max(offs.values())) if offs else '-'})")
        print(f"sessions with the relay OFF switched ON again: {len(ons)}/{WRONGLY_OFF}; the last "
              f"{max(ons.values()) - started_wall if ons else float('nan'):.1f} s after the first pass began")
        print(f"the simulator received {len(log)} requests, refused {sum(e['outcome'] == 'rate_limited' for e in log)}"
              f" for the rate limit; peak arrivals in any 1 s window: {peak_in_window(arrivals, 1.0)}, in any 60 s "
              f"window: {peak_in_window(arrivals, 60.0)}; shortest gap between accepted requests "
              f"{min(gaps):.3f} s" if gaps else "no requests")


def _pass_of(passes: list, at: float) -> int:
    """The pass during which `at` (time.time()) fell."""
    return next((n for n, p in enumerate(passes, 1) if at <= p[5]), len(passes))


if __name__ == "__main__":
    main()
