"""Payment to door credential on the guest's page: from Stripe's `checkout.session.completed` reaching the web
process to the guest's open `/access/<token>` tab receiving its QR code, with one RQ worker and the TTLock simulator
answering at once.

    .venv/bin/python bench/door_credential.py [--payments 40]

Starts the simulators, one web process and one worker on a throwaway database, adds `--payments` doors on QR-capable
locks of the TTLock simulator and starts each door's checkout on the Stripe simulator. Then, one payment at a time,
it opens the guest's access page (`bench/guest_tab.py`: Reflex's websocket protocol, no browser) as the browser
would after Stripe's redirect, waits until it shows "waiting for the payment", posts the signed webhook and takes
the time the pushed update carrying the credential arrives. The first payment warms up and is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid

from stack import (
    PORT,
    configure,
    cpu_seconds,
    percentile,
    post_paid_checkout,
    throwaway,
)

DB_NAME = f"bench_door_{uuid.uuid4().hex[:8]}"
configure(DB_NAME)


def showing(status: str):
    def check(tab) -> bool:
        return tab.hydrated and tab.var("access_state", "status") == status

    return check


async def one_payment(payment) -> tuple[float, float]:
    """(ms until the page shows the credential, ms the page took to load before paying)."""
    from guest_tab import GuestTab

    tab = GuestTab("127.0.0.1", PORT, f"/access/{payment.guest_token}")
    opened = time.perf_counter()
    await tab.open()
    await tab.wait_until(showing("awaiting_payment"), timeout=60)
    load_ms = (time.perf_counter() - opened) * 1000
    sent = await asyncio.to_thread(post_paid_checkout, payment)
    await tab.wait_until(lambda t: showing("ready")(t) and t.var("access_state", "qr_image"), timeout=60)
    shown = time.time()
    await tab.close()
    return (shown - sent) * 1000, load_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--payments", type=int, default=40)
    args = parser.parse_args()

    from sqlmodel import select

    from hygate_app.config import get_settings
    from hygate_app.db import session_scope
    from hygate_app.integrations.stripe_gateway import StripeGateway
    from hygate_app.models import Payment
    from hygate_app.services import checkout
    from tests.support.doors import add_lock, new_door

    with throwaway(DB_NAME) as made:
        running = made.start()
        settings = get_settings()
        gateway = StripeGateway(settings.stripe_secret_key, api_base=running.stripe)
        payments = []
        with session_scope() as db:
            for _ in range(args.payments + 1):
                door = new_door(db, add_lock(settings.ttlock_base, has_gateway=True, supports_qr=True), minutes=60)
                started = checkout.start_door_checkout(db, gateway, door_uid=door.uid, email=None,
                                                       base_url=running.url)
                payments.append(db.exec(select(Payment).where(Payment.guest_token == started.guest_token)).one())
        shown, loads = [], []
        pids = {name: running.processes[name].pid for name in ("web", "worker")}
        cpu_before: dict[str, float] = {}
        for n, payment in enumerate(payments):
            if n == 1:
                cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
            shown_ms, load_ms = asyncio.run(one_payment(payment))
            shown.append(shown_ms)
            loads.append(load_ms)
        shown, loads = shown[1:], loads[1:]
        cpu_ms = {name: (cpu_seconds(pid) - cpu_before[name]) * 1000 / args.payments for name, pid in pids.items()}
        print(f"{args.payments} door payments, one at a time; one worker; TTLock simulator answering at once")
        print(f"credential on the guest's /access page, ms from the webhook post: p50 {statistics.median(shown):.0f}, "
              f"p95 {percentile(shown, 95):.0f}, p99 {percentile(shown, 99):.0f}, max {max(shown):.0f}")
        print(f"(the access page itself loaded in p50 {statistics.median(loads):.0f} ms before the payment)")
        print(f"CPU per payment: web process {cpu_ms['web']:.0f} ms (page load, webhook, push), worker "
              f"{cpu_ms['worker']:.0f} ms (two jobs: the event, then the credential)")


if __name__ == "__main__":
    main()
