"""The fault suite's invariant check can fail: each broken promise, built on purpose, is reported by name,
and the healthy state next to it passes."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from hygate_app.integrations.ttlock import TTLockClient
from hygate_app.models import AuditLog, DeviceSession, DoorAccess, DoorAccessStatus, Payment, PaymentStatus
from hygate_app.models.columns import utcnow
from hygate_app.services import checkout, device_sessions, door_access
from hygate_app.services.door_access import AccessDeps
from tests.support.fakes import RecordingQueue, RecordingUpdates
from tests.support.invariants import check_invariants
from tests.support.ttlock import TTLOCK_ACCOUNT
from tests.support.webhooks import checkout_event, deliver


@pytest.fixture
def running(db, deps, paid_session) -> DeviceSession:
    device_sessions.switch_relay_on(db, paid_session.id, deps, final_attempt=False)
    db.refresh(paid_session)
    return paid_session


def broken(db, **urls) -> str:
    with pytest.raises(AssertionError) as caught:
        check_invariants(db, after_payment_id=0, **urls)
    return str(caught.value)


def test_a_running_session_keeps_every_promise(db, shelly_sim, running):
    check_invariants(db, after_payment_id=0, shelly_url=shelly_sim.url)


def test_a_relay_still_on_one_cleanup_period_after_the_paid_end_is_reported(db, shelly_sim, running):
    running.ends_at = utcnow() - timedelta(minutes=1)
    db.commit()
    check_invariants(db, after_payment_id=0, shelly_url=shelly_sim.url)  # within one cleanup period: allowed

    running.ends_at = utcnow() - timedelta(minutes=6)
    db.commit()
    message = broken(db, shelly_url=shelly_sim.url)
    assert f"device session #{running.id} is still active, 6 min after its paid end" in message
    assert "relay of device shelly-demo-washer is ON" in message


def test_a_completed_session_whose_relay_stayed_on_is_reported(db, shelly_sim, running):
    running.status = device_sessions.S.completed
    db.commit()
    assert f"relay of device shelly-demo-washer is ON although session #{running.id} ended" in broken(
        db, shelly_url=shelly_sim.url)


def test_a_session_without_a_paid_payment_is_reported(db, shelly_sim, payment):
    payment.paid_at = utcnow()  # a session made while the payment is still pending
    device_sessions.create_for_payment(db, payment)
    db.commit()
    assert f"its payment #{payment.id} is pending" in broken(db, shelly_url=shelly_sim.url)


def test_a_paid_payment_that_got_nothing_is_reported(db, shelly_sim, payment):
    payment.status, payment.paid_at = PaymentStatus.paid, utcnow()
    db.commit()
    assert f"paid payment #{payment.id} has no device session and 0 of 100 refunded" in broken(
        db, shelly_url=shelly_sim.url)


def test_a_failed_session_whose_refund_was_never_sent_is_reported(db, deps, shelly_sim, paid_session, payment):
    httpx.post(f"{shelly_sim.url}/_sim/devices/shelly-demo-washer/online", json={"online": False}).raise_for_status()
    device_sessions.switch_relay_on(db, paid_session.id, deps, final_attempt=False)
    message = broken(db, shelly_url=shelly_sim.url)
    assert f"paid payment #{payment.id}: refund #" in message and "is pending" in message
    assert f"device session #{paid_session.id} is failed but only 0 of 100 was refunded" in message


def test_money_taken_by_stripe_but_never_recorded_is_reported(db, shelly_sim, stripe_sim, payment):
    httpx.post(f"{stripe_sim.url}/_sim/checkout/{payment.stripe_checkout_session_id}/pay").raise_for_status()
    check_invariants(db, after_payment_id=0, shelly_url=shelly_sim.url)  # the database alone cannot tell
    assert f"Stripe took the money for payment #{payment.id}" in broken(
        db, shelly_url=shelly_sim.url, stripe_url=stripe_sim.url)


def test_a_live_code_on_a_lock_that_no_access_holds_is_reported(db, demo, deps, gateway, shelly_sim, ttlock_sim):
    httpx.post(f"{ttlock_sim.url}/_sim/reset").raise_for_status()
    started = checkout.start_door_checkout(db, gateway, door_uid="demo-door", email=None, base_url="http://t")
    payment = db.exec(select(Payment).where(Payment.guest_token == started.guest_token)).one()
    deliver(db, deps, checkout_event(payment))
    access = db.exec(select(DoorAccess).where(DoorAccess.payment_id == payment.id)).one()
    with TTLockClient(ttlock_sim.url, TTLOCK_ACCOUNT["client_id"], TTLOCK_ACCOUNT["client_secret"],
                      TTLOCK_ACCOUNT["username"], password=TTLOCK_ACCOUNT["password"], min_interval=0) as client:
        door_access.issue_credential(db, access.id, AccessDeps(client, RecordingQueue(), RecordingUpdates()),
                                     final_attempt=False)
    check_invariants(db, after_payment_id=0, shelly_url=shelly_sim.url, ttlock_url=ttlock_sim.url)

    access.status = DoorAccessStatus.expired  # as if its end came and the code was never wiped from the lock
    db.commit()
    assert "on lock 7100001 opens the door until" in broken(db, shelly_url=shelly_sim.url, ttlock_url=ttlock_sim.url)


def test_a_broken_audit_chain_is_reported(db, demo, shelly_sim):
    row = db.exec(select(AuditLog).order_by(AuditLog.id)).first()
    row.action = "something.else"
    db.commit()
    assert f"the audit chain is broken at row #{row.id}" in broken(db, shelly_url=shelly_sim.url)
