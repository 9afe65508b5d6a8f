"""The door flow on the real stack: PostgreSQL, Redis, the web process, an RQ worker, and the Stripe and
TTLock simulators over HTTP — payment → webhook → credential job → what the guest's page shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlmodel import select

from hygate_app.config import get_settings
from hygate_app.models import DoorAccess, DoorAccessStatus, Payment, PaymentStatus, Refund, RefundStatus
from hygate_app.services.guest_access import load_access_view
from jobs.maintenance import session_cleanup
from tests.support.doors import add_lock, issued_for, new_door
from tests.support.purchases import access_of, pay_for_door, settled
from tests.support.stack import wait_for


def ttlock() -> str:
    return get_settings().ttlock_base


def test_paid_door_gets_its_credential_from_the_lock_cloud_and_the_page_shows_it(stack, pg):
    lock = add_lock(ttlock(), has_gateway=True)
    door = new_door(pg, lock, minutes=30)
    payment = pay_for_door(stack, pg, door)

    access = settled(pg, payment, DoorAccessStatus.active)
    [issued] = issued_for(ttlock(), lock)
    assert issued["kind"] == "gateway_passcode" and issued["deleted"] is False
    assert (access.passcode, access.ttlock_credential_id) == (issued["code"], str(issued["id"]))
    assert access.valid_until == datetime.fromtimestamp(issued["end_ms"] / 1000, UTC)
    view = load_access_view(pg, payment.guest_token)
    assert (view.status, view.passcode, view.door_name) == ("ready", issued["code"], door.name)
    assert view.valid_from and view.valid_until


def test_webhook_delivered_three_times_gives_one_access_and_one_credential(stack, pg):
    lock = add_lock(ttlock(), has_gateway=False)
    payment = pay_for_door(stack, pg, new_door(pg, lock))
    events = httpx.get(f"{stack.stripe}/_sim/events", timeout=5).json()["data"]
    [completed] = [e for e in events if e["type"] == "checkout.session.completed"
                   and e["event"]["data"]["object"]["id"] == payment.stripe_checkout_session_id]
    for _ in range(2):
        httpx.post(f"{stack.stripe}/_sim/events/{completed['id']}/redeliver", timeout=5).raise_for_status()

    settled(pg, payment, DoorAccessStatus.active)
    wait_for(lambda: all(e["delivery"]["status"] == "delivered"
                         for e in httpx.get(f"{stack.stripe}/_sim/events", timeout=5).json()["data"]
                         if e["id"] == completed["id"]), timeout=10, message="all three deliveries")
    pg.expire_all()
    assert len(pg.exec(select(DoorAccess).where(DoorAccess.payment_id == payment.id)).all()) == 1
    [issued] = issued_for(ttlock(), lock)
    assert issued["kind"] == "cloud_passcode"


def test_a_busy_lock_cloud_is_retried_by_the_worker_until_the_credential_is_made(stack, pg):
    lock = add_lock(ttlock(), supports_qr=True)
    door = new_door(pg, lock)
    httpx.post(f"{ttlock()}/_sim/faults", json={"mode": "errcode", "errcode": 90000, "count": 2},
               timeout=5).raise_for_status()
    try:
        payment = pay_for_door(stack, pg, door)
        access = settled(pg, payment, DoorAccessStatus.active)
    finally:
        httpx.post(f"{ttlock()}/_sim/faults", json={"mode": "ok"}, timeout=5).raise_for_status()
    assert access.qr_payload == issued_for(ttlock(), lock)[0]["code"]
    assert load_access_view(pg, payment.guest_token).qr_image.startswith("data:image/svg+xml")


def test_a_credential_that_cannot_be_made_refunds_the_guest(stack, pg):
    door = new_door(pg, 6_999_999)  # the account has no such lock: a permanent error
    payment = pay_for_door(stack, pg, door)

    access = settled(pg, payment, DoorAccessStatus.failed)
    assert access.failure_reason
    refund = wait_for(lambda: (pg.expire_all() or True) and pg.exec(
        select(Refund).where(Refund.payment_id == payment.id, Refund.status == RefundStatus.succeeded)).first(),
        timeout=30, message="the refund to reach Stripe")
    assert refund.amount_minor == payment.amount_minor
    wait_for(lambda: (pg.expire_all() or True) and pg.get(Payment, payment.id).status == PaymentStatus.refunded,
             timeout=10, message="the payment to be refunded")
    view = load_access_view(pg, payment.guest_token)
    assert view.status == "failed" and "has been refunded" in view.refund_text


def test_session_cleanup_expires_an_overdue_access_whose_job_was_lost(stack, pg):
    lock = add_lock(ttlock(), has_gateway=True)
    payment = pay_for_door(stack, pg, new_door(pg, lock))
    access = settled(pg, payment, DoorAccessStatus.active)
    access.valid_until = datetime.now(UTC) - timedelta(seconds=5)
    pg.commit()

    result = session_cleanup()

    assert result["expired_accesses"] >= 1
    assert access_of(pg, payment).status == DoorAccessStatus.expired
    [issued] = issued_for(ttlock(), lock)
    assert issued["deleted"] is True
    assert load_access_view(pg, payment.guest_token).status == "expired"
