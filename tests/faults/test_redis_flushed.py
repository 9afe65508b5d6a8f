"""Redis flushed (or lost, and replaced by an empty one) while sessions run, start and are being paid for: every
queued and scheduled job is gone. The database still knows everything: the cleanup pass, run as the cron runs
it, queues again what never ran and ends what is over."""

from __future__ import annotations

import httpx
import pytest
from rq import Worker
from sqlmodel import select

from hygate_app import providers
from hygate_app.config import get_settings
from hygate_app.models import DeviceSessionStatus, DoorAccessStatus, Payment, PaymentStatus, WebhookEvent
from jobs.door_access import issue_door_credential
from jobs.relay import switch_relay_on
from jobs.stripe_events import process_stripe_event
from tests.support.catalogue import new_device
from tests.support.doors import add_lock, new_door
from tests.support.faults import worker_stopped
from tests.support.purchases import access_of, pay_for, pay_for_door, session_of
from tests.support.stack import wait_for

pytestmark = pytest.mark.faults
S, A = DeviceSessionStatus, DoorAccessStatus


def recorded_event(pg, payment: Payment) -> str:
    """The id of the payment's Stripe event, once the web process has recorded it."""
    def recorded():
        pg.expire_all()
        return pg.exec(select(WebhookEvent.stripe_event_id)
                       .where(WebhookEvent.object_id == payment.stripe_checkout_session_id)).first()

    return wait_for(recorded, timeout=15, message="the webhook to be recorded")


def test_redis_flushed_while_sessions_are_active(run, stack, pg):
    ttlock = get_settings().ttlock_base
    running, starting, unapplied, offline = (new_device(pg, stack.shelly, minutes=30) for _ in range(4))
    open_door, waiting_door = (new_door(pg, add_lock(ttlock, has_gateway=True), minutes=30) for _ in range(2))
    httpx.post(f"{stack.shelly}/_sim/devices/{offline.shelly_device_id}/online", json={"online": False},
               timeout=5).raise_for_status()
    redis = providers.redis()

    with worker_stopped(stack):
        paid = {name: pay_for(stack, pg, device) for name, device in
                (("running", running), ("starting", starting), ("unapplied", unapplied), ("offline", offline))}
        paid |= {"open": pay_for_door(stack, pg, open_door), "waiting": pay_for_door(stack, pg, waiting_door)}
        events = {name: recorded_event(pg, payment) for name, payment in paid.items()}
        # Part of the work is done (here, as the worker would do it); the rest waits in Redis.
        for name in ("running", "starting", "offline", "open", "waiting"):
            process_stripe_event(events[name])
        switch_relay_on(session_of(pg, paid["running"]).id)  # its OFF job is scheduled for the paid end
        switch_relay_on(session_of(pg, paid["offline"]).id)  # fails: a refund is queued
        issue_door_credential(access_of(pg, paid["open"]).id)  # its expiry job is scheduled
        redis.flushdb()

    # Lost again, under the running worker this time.
    wait_for(lambda: Worker.all(connection=redis), timeout=30, message="the worker to start")
    redis.flushdb()
    with pytest.raises(AssertionError, match="still pending"):
        run.check_invariants()

    run.minutes_pass(11)  # long enough for every kind of lost job to be looked for again
    run.cleanup()
    run.settle()

    assert {name: session_of(pg, paid[name]).status for name in ("running", "starting", "unapplied", "offline")} == {
        "running": S.active, "starting": S.active, "unapplied": S.active, "offline": S.failed}
    assert {name: access_of(pg, paid[name]).status for name in ("open", "waiting")} == {
        "open": A.active, "waiting": A.active}
    pg.expire_all()
    assert pg.get(Payment, paid["offline"].id).status == PaymentStatus.refunded

    run.minutes_pass(25)  # every paid end is now six minutes ago, and each OFF or expiry job was lost
    run.cleanup()
    run.check_invariants()
