"""Payment to relay ON: from Stripe's `checkout.session.completed` reaching the web process to the Shelly simulator
receiving the ON command, with one RQ worker.

    .venv/bin/python bench/relay_latency.py [--payments 60] [--spacing 1.0]

Starts the simulators, one web process and one worker on a throwaway database, adds `--payments` devices (each
bought once, so none is busy) through the catalogue service and the Shelly simulator, and starts each device's
checkout on the Stripe simulator. Then, one payment at a time, it posts the signed webhook and takes the time the
simulator recorded the ON command; the next payment waits until the relay job is done and `--spacing` seconds more
(Shelly Cloud takes one request per second per account, and the job reads the relay back after switching it), so
each figure is one payment's own path. The stages come from the database: the event applied by the worker
(`webhook_events.processed_at`) and the relay job calling Shelly (`device_sessions.relay_on_at`, stamped just
before the call).
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid

from stack import (
    configure,
    cpu_seconds,
    percentile,
    post_paid_checkout,
    throwaway,
    wait_until,
)

DB_NAME = f"bench_relay_{uuid.uuid4().hex[:8]}"
configure(DB_NAME)


def on_commands(shelly_url: str) -> dict[str, dict]:
    """The first accepted ON command per Shelly device id, as the simulator recorded it."""
    import httpx

    first: dict[str, dict] = {}
    for command in httpx.get(f"{shelly_url}/_sim/commands", timeout=10).json()["commands"]:
        if (command["endpoint"].endswith("relay/control") and command["params"].get("turn") == "on"
                and command["outcome"] == "ok"):
            first.setdefault(command["device_id"], command)
    return first


def rate_limited(shelly_url: str) -> int:
    import httpx

    return sum(c["outcome"] == "rate_limited" for c in httpx.get(f"{shelly_url}/_sim/commands", timeout=10).json()[
        "commands"])


def relay_job_done(payment) -> bool:
    from sqlmodel import select

    from hygate_app.db import session_scope
    from hygate_app.models import DeviceSession

    with session_scope() as db:
        session = db.exec(select(DeviceSession).where(DeviceSession.payment_id == payment.id)).first()
        return session is not None and session.relay_on_at is not None


def summary(name: str, values_ms: list[float]) -> str:
    return (f"{name:<38} p50 {statistics.median(values_ms):7.0f}  p95 {percentile(values_ms, 95):7.0f}  "
            f"p99 {percentile(values_ms, 99):7.0f}  max {max(values_ms):7.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--payments", type=int, default=60)
    parser.add_argument("--spacing", type=float, default=1.0, help="pause after a relay job before the next payment")
    args = parser.parse_args()

    from sqlmodel import select

    from hygate_app.config import get_settings
    from hygate_app.db import session_scope
    from hygate_app.integrations.stripe_gateway import StripeGateway
    from hygate_app.models import DeviceSession, Payment, WebhookEvent
    from hygate_app.services import checkout
    from tests.support.catalogue import first_plan, new_device

    with throwaway(DB_NAME) as made:
        running = made.start()
        gateway = StripeGateway(get_settings().stripe_secret_key, api_base=running.stripe)
        bought = []
        with session_scope() as db:
            for _ in range(args.payments + 1):
                device = new_device(db, running.shelly, minutes=45)
                started = checkout.start_device_checkout(db, gateway, device_uid=device.uid,
                                                         plan_id=first_plan(db, device).id, email=None,
                                                         base_url=running.url)
                payment = db.exec(select(Payment).where(Payment.guest_token == started.guest_token)).one()
                bought.append((device.shelly_device_id, payment))
        sent_at: dict[str, float] = {}
        pids = {name: running.processes[name].pid for name in ("web", "worker")}
        cpu_before: dict[str, float] = {}
        for n, (shelly_id, payment) in enumerate(bought):
            if n == 1:
                cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
            sent_at[shelly_id] = post_paid_checkout(payment)
            # Measured alone: the next payment waits until this relay job (ON, then Shelly's read-back) is done
            # and the cloud's one-request-per-second window has passed.
            wait_until(lambda p=payment: relay_job_done(p), timeout=60, interval=0.05,
                       message=f"the relay job of payment {payment.id}")
            time.sleep(args.spacing)
        cpu_ms = {name: (cpu_seconds(pid) - cpu_before[name]) * 1000 / args.payments for name, pid in pids.items()}
        commands = on_commands(running.shelly)
        to_relay, to_event, to_active = [], [], []
        with session_scope() as db:
            for shelly_id, payment in bought[1:]:
                sent = sent_at[shelly_id]
                to_relay.append((commands[shelly_id]["at"] - sent) * 1000)
                event = db.exec(select(WebhookEvent).where(
                    WebhookEvent.object_id == payment.stripe_checkout_session_id)).one()
                to_event.append((event.processed_at.timestamp() - sent) * 1000)
                session = db.exec(select(DeviceSession).where(DeviceSession.payment_id == payment.id)).one()
                to_active.append((session.relay_on_at.timestamp() - sent) * 1000)
        print(f"{args.payments} payments, one at a time (the first, a warm-up, not counted); one worker; "
              f"milliseconds from the webhook post")
        print(summary("event applied by the worker", to_event))
        print(summary("relay job calls Shelly", to_active))
        print(summary("relay ON received by Shelly", to_relay))
        print(f"CPU per payment: web process {cpu_ms['web']:.0f} ms, worker {cpu_ms['worker']:.0f} ms (two jobs: the "
              f"event, then the relay with Shelly's read-back)")
        print(f"Shelly requests refused by the rate limit: {rate_limited(running.shelly)}")


if __name__ == "__main__":
    main()
