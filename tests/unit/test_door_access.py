"""The door flow's services against the Stripe and TTLock simulators over HTTP: checkout, exactly one access
per paid payment, the credential chosen per lock, retries, refund on failure, expiry, and the guest's view."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import select

from hygate_app.integrations.ttlock import HOUR_MS, TTLockClient
from hygate_app.models import (
    AuditLog,
    CredentialKind,
    Door,
    DoorAccess,
    DoorAccessStatus,
    DoorMode,
    Payment,
    PaymentKind,
    PaymentStatus,
    Refund,
    Role,
)
from hygate_app.services import audit, checkout, door_access
from hygate_app.services.door_access import AccessDeps
from hygate_app.services.errors import Conflict, InvalidInput, NotFound, RetryLater
from hygate_app.services.guest_access import load_access_view
from tests.support import records
from tests.support.doors import add_lock, issued_for, new_door
from tests.support.fakes import RecordingQueue, RecordingUpdates
from tests.support.staff import new_staff
from tests.support.ttlock import TTLOCK_ACCOUNT
from tests.support.webhooks import checkout_event, deliver

FRONT, GYM = 7100001, 7100002  # the demo door's lock (gateway online) and one without a gateway


@pytest.fixture
def access_deps(ttlock_sim) -> AccessDeps:
    httpx.post(f"{ttlock_sim.url}/_sim/reset").raise_for_status()
    client = TTLockClient(ttlock_sim.url, TTLOCK_ACCOUNT["client_id"], TTLOCK_ACCOUNT["client_secret"],
                          TTLOCK_ACCOUNT["username"], password=TTLOCK_ACCOUNT["password"], min_interval=0)
    yield AccessDeps(ttlock=client, queue=RecordingQueue(), updates=RecordingUpdates())
    client.close()


def buy(db, gateway, door_uid: str = "demo-door", email: str | None = None) -> Payment:
    started = checkout.start_door_checkout(db, gateway, door_uid=door_uid, email=email, base_url="http://guest.test")
    return db.exec(select(Payment).where(Payment.guest_token == started.guest_token)).one()


def paid_access(db, deps, payment: Payment) -> DoorAccess:
    deliver(db, deps, checkout_event(payment))
    return db.exec(select(DoorAccess).where(DoorAccess.payment_id == payment.id)).one()


def fault(ttlock_url: str, **body) -> None:
    httpx.post(f"{ttlock_url}/_sim/faults", json=body).raise_for_status()


def actions(db) -> list[str]:
    return [row.action for row in db.exec(select(AuditLog).order_by(AuditLog.id)).all()]


# --- checkout ----------------------------------------------------------------------------------


def test_door_checkout_records_the_door_price_and_minutes_before_stripe(db, demo, gateway, stripe_sim):
    payment = buy(db, gateway, email=" Guest@Example.com ")
    door = db.exec(select(Door).where(Door.uid == "demo-door")).one()
    assert (payment.kind, payment.door_id, payment.device_id, payment.usage_plan_id) == (
        PaymentKind.door, door.id, None, None)
    assert (payment.amount_minor, payment.currency, payment.duration_minutes) == (200, "eur", 60)
    assert payment.status == PaymentStatus.pending and payment.customer_email == "Guest@example.com"
    session = httpx.get(f"{stripe_sim.url}/v1/checkout/sessions/{payment.stripe_checkout_session_id}",
                        headers={"Authorization": "Bearer sk_test_unit"}).json()
    assert session["amount_total"] == 200
    assert session["success_url"] == f"http://guest.test/access/{payment.guest_token}"
    assert session["cancel_url"] == "http://guest.test/pay/demo-door"


@pytest.mark.parametrize(("mode", "lock", "message"), [
    (DoorMode.passage, "7100001", "nothing to pay"),
    (DoorMode.maintenance, "7100001", "temporarily unavailable"),
    (DoorMode.active, None, "cannot be opened online"),
])
def test_a_door_that_cannot_be_sold_takes_no_payment(db, demo, gateway, mode, lock, message):
    door = db.exec(select(Door).where(Door.uid == "demo-door")).one()
    door.mode, door.ttlock_lock_id = mode, lock
    db.commit()
    with pytest.raises(Conflict, match=message):
        buy(db, gateway)
    assert db.exec(select(Payment)).all() == []


def test_a_wrong_email_creates_nothing(db, demo, gateway):
    with pytest.raises(InvalidInput):
        buy(db, gateway, email="not-an-email")
    assert db.exec(select(Payment)).all() == []


# --- webhook: exactly one access ---------------------------------------------------------------


def test_paid_door_payment_gives_exactly_one_access_whatever_stripe_redelivers(db, demo, gateway, deps):
    payment = buy(db, gateway)
    event = checkout_event(payment)
    for _ in range(3):
        deliver(db, deps, event)
    deliver(db, deps, checkout_event(payment, "checkout.session.async_payment_succeeded"))
    deliver(db, deps, checkout_event(payment, "checkout.session.expired", status="expired"))

    [access] = db.exec(select(DoorAccess).where(DoorAccess.payment_id == payment.id)).all()
    db.refresh(payment)
    assert payment.status == PaymentStatus.paid
    assert access.status == DoorAccessStatus.pending
    assert access.valid_until - access.valid_from == timedelta(minutes=60)
    assert deps.queue.named(door_access.ISSUE_JOB) == [(access.id,)]
    assert actions(db).count("door_access.created") == 1


def test_the_access_keeps_the_minutes_sold_even_if_the_door_changes_after_checkout(db, demo, gateway, deps):
    payment = buy(db, gateway)
    door = db.get(Door, payment.door_id)
    door.access_minutes = 5
    db.commit()
    access = paid_access(db, deps, payment)
    assert access.valid_until - access.valid_from == timedelta(minutes=60)


# --- the credential, per lock ------------------------------------------------------------------


def test_a_gateway_lock_gets_a_passcode_exact_to_the_minute(db, demo, gateway, deps, access_deps, ttlock_sim):
    payment = buy(db, gateway)
    access = paid_access(db, deps, payment)
    paid_until = access.valid_until
    door_access.issue_credential(db, access.id, access_deps, final_attempt=False)

    db.refresh(access)
    [issued] = issued_for(ttlock_sim.url, FRONT)
    assert issued["kind"] == "gateway_passcode"
    assert (access.status, access.credential_kind) == (DoorAccessStatus.active, CredentialKind.passcode)
    assert (access.passcode, access.ttlock_credential_id) == (issued["code"], str(issued["id"]))
    assert access.valid_until == datetime.fromtimestamp(issued["end_ms"] / 1000, UTC)
    assert timedelta(0) <= access.valid_until - paid_until < timedelta(minutes=1)
    assert access_deps.updates.tokens == [payment.guest_token]
    [(when, func, args, _)] = access_deps.queue.scheduled
    assert (when, func, args) == (access.valid_until, door_access.EXPIRE_JOB, (access.id,))
    assert "door_access.credential_created" in actions(db)


def test_a_qr_lock_gets_a_qr_code_shown_as_an_image(db, demo, gateway, deps, access_deps, ttlock_sim):
    lock = add_lock(ttlock_sim.url, supports_qr=True)
    door = new_door(db, lock)
    payment = buy(db, gateway, door.uid)
    access = paid_access(db, deps, payment)
    door_access.issue_credential(db, access.id, access_deps, final_attempt=False)

    db.refresh(access)
    [issued] = issued_for(ttlock_sim.url, lock)
    assert (issued["kind"], access.credential_kind, access.passcode) == ("qr_code", CredentialKind.qr, None)
    assert access.qr_payload == issued["code"]
    view = load_access_view(db, payment.guest_token)
    assert view.status == "ready" and view.passcode == ""
    assert view.qr_image.startswith("data:image/svg+xml;base64,")


def test_a_door_set_to_passcodes_gets_a_passcode_even_on_a_qr_lock(db, demo, gateway, deps, access_deps,
                                                                    ttlock_sim):
    lock = add_lock(ttlock_sim.url, supports_qr=True)
    door = new_door(db, lock)
    door.credential_kind = CredentialKind.passcode
    db.commit()
    access = paid_access(db, deps, buy(db, gateway, door.uid))
    door_access.issue_credential(db, access.id, access_deps, final_attempt=False)
    db.refresh(access)
    [issued] = issued_for(ttlock_sim.url, lock)
    assert (issued["kind"], access.credential_kind, access.passcode) == (
        "gateway_passcode", CredentialKind.passcode, issued["code"])


def test_a_lock_that_refuses_qr_codes_after_all_gets_a_passcode(access_deps, ttlock_sim):
    detail = access_deps.ttlock.lock_detail(FRONT)
    claims_qr = replace(detail, supports_qr=True)  # the feature bit says yes; the lock answers -4043
    start = datetime.now(UTC)
    credential = door_access.make_credential(access_deps.ttlock, claims_qr, start, start + timedelta(minutes=30),
                                             "Hygate test")
    assert credential.kind.value == "gateway_passcode"
    assert [c["kind"] for c in issued_for(ttlock_sim.url, FRONT)] == ["gateway_passcode"]


def test_a_lock_without_a_gateway_gets_an_hour_window_on_its_own_clock(db, demo, gateway, deps, access_deps,
                                                                       ttlock_sim):
    lock = add_lock(ttlock_sim.url, has_gateway=False, timezone_offset_ms=19_800_000)  # UTC+5:30
    door = new_door(db, lock)
    payment = buy(db, gateway, door.uid)
    access = paid_access(db, deps, payment)
    paid_from, paid_until = access.valid_from, access.valid_until
    door_access.issue_credential(db, access.id, access_deps, final_attempt=False)

    db.refresh(access)
    [issued] = issued_for(ttlock_sim.url, lock)
    assert issued["kind"] == "cloud_passcode" and access.passcode == issued["code"]
    # The lock honours whole hours of its clock: the stored window is that real one, and covers the visit.
    assert (issued["start_ms"] + 19_800_000) % HOUR_MS == 0 and (issued["end_ms"] + 19_800_000) % HOUR_MS == 0
    assert access.valid_from <= paid_from and access.valid_until >= paid_until
    assert access.valid_until == datetime.fromtimestamp(issued["end_ms"] / 1000, UTC)


def test_a_gateway_that_is_offline_falls_back_to_the_cloud_passcode(db, demo, gateway, deps, access_deps, ttlock_sim):
    httpx.post(f"{ttlock_sim.url}/_sim/locks/{FRONT}", json={"gateway_online": False}).raise_for_status()
    access = paid_access(db, deps, buy(db, gateway))
    door_access.issue_credential(db, access.id, access_deps, final_attempt=False)
    [issued] = issued_for(ttlock_sim.url, FRONT)
    assert issued["kind"] == "cloud_passcode"
    assert issued["start_ms"] % HOUR_MS == 0


def test_the_credential_is_made_once_even_if_the_job_runs_twice(db, demo, gateway, deps, access_deps, ttlock_sim):
    access = paid_access(db, deps, buy(db, gateway))
    door_access.issue_credential(db, access.id, access_deps, final_attempt=False)
    door_access.issue_credential(db, access.id, access_deps, final_attempt=False)
    assert len(issued_for(ttlock_sim.url, FRONT)) == 1


# --- retries and refund ------------------------------------------------------------------------


def test_a_transient_error_asks_for_a_retry_and_changes_nothing(db, demo, gateway, deps, access_deps, ttlock_sim):
    access = paid_access(db, deps, buy(db, gateway))
    # As many failures as the client's own attempts: what outlasts them is the job's to retry.
    fault(ttlock_sim.url, mode="errcode", errcode=90000, count=3)
    with pytest.raises(RetryLater):
        door_access.issue_credential(db, access.id, access_deps, final_attempt=False)
    db.refresh(access)
    assert access.status == DoorAccessStatus.pending
    assert db.exec(select(Refund)).all() == []

    door_access.issue_credential(db, access.id, access_deps, final_attempt=False)  # the retry
    db.refresh(access)
    assert access.status == DoorAccessStatus.active


def test_still_failing_on_the_last_try_fails_the_access_and_refunds_in_full(db, demo, gateway, deps, access_deps,
                                                                            ttlock_sim):
    payment = buy(db, gateway)
    access = paid_access(db, deps, payment)
    fault(ttlock_sim.url, mode="error500", count=5)
    door_access.issue_credential(db, access.id, access_deps, final_attempt=True)

    db.refresh(access)
    assert access.status == DoorAccessStatus.failed
    assert "could not be created" in access.failure_reason
    [refund] = db.exec(select(Refund)).all()
    assert (refund.payment_id, refund.amount_minor) == (payment.id, 200)
    assert access_deps.queue.named("jobs.refunds.send_refund") == [(refund.id,)]
    assert access_deps.updates.tokens == [payment.guest_token]
    assert {"door_access.failed", "payment.refund_requested"} <= set(actions(db))
    view = load_access_view(db, payment.guest_token)
    assert (view.status, view.passcode) == ("failed", "")
    assert "refund of €2.00 is on its way" in view.refund_text


def test_a_permanent_error_refunds_at_once_without_retrying(db, demo, gateway, deps, access_deps, ttlock_sim):
    httpx.post(f"{ttlock_sim.url}/_sim/reset").raise_for_status()
    door = new_door(db, 79_999_990)  # a lock the account does not have
    access = paid_access(db, deps, buy(db, gateway, door.uid))
    door_access.issue_credential(db, access.id, access_deps, final_attempt=False)
    db.refresh(access)
    assert access.status == DoorAccessStatus.failed
    assert len(db.exec(select(Refund)).all()) == 1


# --- expiry ------------------------------------------------------------------------------------


def _active(db, gateway, deps, access_deps, door_uid: str = "demo-door") -> DoorAccess:
    access = paid_access(db, deps, buy(db, gateway, door_uid))
    door_access.issue_credential(db, access.id, access_deps, final_attempt=False)
    db.refresh(access)
    return access


def _over(db, access: DoorAccess) -> None:
    access.valid_until = datetime.now(UTC) - timedelta(seconds=1)
    db.commit()


def test_at_the_end_the_credential_is_deleted_from_the_lock(db, demo, gateway, deps, access_deps, ttlock_sim):
    access = _active(db, gateway, deps, access_deps)
    _over(db, access)
    door_access.expire_access(db, access.id, access_deps, final_attempt=False)

    db.refresh(access)
    assert access.status == DoorAccessStatus.expired
    [issued] = issued_for(ttlock_sim.url, FRONT)
    assert issued["deleted"] is True
    view = load_access_view(db, db.get(Payment, access.payment_id).guest_token)
    assert (view.status, view.passcode) == ("expired", "")


def test_a_qr_code_and_a_cloud_code_are_deleted_too(db, demo, gateway, deps, access_deps, ttlock_sim):
    qr_lock, cloud_lock = add_lock(ttlock_sim.url, supports_qr=True), add_lock(ttlock_sim.url, has_gateway=False)
    for lock in (qr_lock, cloud_lock):
        access = _active(db, gateway, deps, access_deps, new_door(db, lock).uid)
        _over(db, access)
        door_access.expire_access(db, access.id, access_deps, final_attempt=False)
        [issued] = issued_for(ttlock_sim.url, lock)
        assert issued["deleted"] is True


def test_a_credential_already_gone_from_the_lock_still_expires_cleanly(db, demo, gateway, deps, access_deps,
                                                                       ttlock_sim):
    access = _active(db, gateway, deps, access_deps)
    access_deps.ttlock.delete_passcode(FRONT, int(access.ttlock_credential_id))  # by hand, in the TTLock app
    _over(db, access)
    door_access.expire_access(db, access.id, access_deps, final_attempt=True)
    db.refresh(access)
    assert access.status == DoorAccessStatus.expired
    expired = db.exec(select(AuditLog).where(AuditLog.action == "door_access.expired")).one()
    assert json.loads(expired.details)["credential_deleted"] is True
    assert "door_access.delete_failed" not in actions(db)


def test_an_early_expiry_job_reschedules_itself(db, demo, gateway, deps, access_deps, ttlock_sim):
    access = _active(db, gateway, deps, access_deps)
    door_access.expire_access(db, access.id, access_deps, final_attempt=False)
    db.refresh(access)
    assert access.status == DoorAccessStatus.active
    assert issued_for(ttlock_sim.url, FRONT)[0]["deleted"] is False
    assert [s[3] for s in access_deps.queue.scheduled] == [f"door-expire-{access.id}", None]


def test_expiry_retries_a_transient_error_and_on_the_last_try_expires_anyway(db, demo, gateway, deps, access_deps,
                                                                             ttlock_sim):
    access = _active(db, gateway, deps, access_deps)
    _over(db, access)
    fault(ttlock_sim.url, mode="error500", count=10)
    with pytest.raises(RetryLater):
        door_access.expire_access(db, access.id, access_deps, final_attempt=False)
    db.refresh(access)
    assert access.status == DoorAccessStatus.active
    door_access.expire_access(db, access.id, access_deps, final_attempt=True)
    db.refresh(access)
    assert access.status == DoorAccessStatus.expired
    assert "door_access.delete_failed" in actions(db)


def test_cleanup_finds_overdue_and_stuck_accesses(db, demo, gateway, deps, access_deps):
    overdue = _active(db, gateway, deps, access_deps)
    _over(db, overdue)
    stuck = paid_access(db, deps, buy(db, gateway))
    now = datetime.now(UTC)
    assert door_access.overdue_accesses(db, now) == [overdue.id]
    assert door_access.stuck_pending_accesses(db, now) == []
    assert door_access.stuck_pending_accesses(db, now + timedelta(minutes=3)) == [stuck.id]


# --- the guest's view --------------------------------------------------------------------------


def test_the_view_follows_the_payment_before_there_is_an_access(db, demo, gateway):
    payment = buy(db, gateway)
    assert load_access_view(db, payment.guest_token).status == "awaiting_payment"
    payment.status = PaymentStatus.expired
    db.commit()
    assert load_access_view(db, payment.guest_token).status == "cancelled"


def test_the_window_is_shown_on_the_location_clock_across_a_dst_change(db):
    location = records.new_location(db, timezone="Europe/Berlin")
    door = records.new_door(db, location)
    payment = records.add_payment(db, door, paid_at=records.utc(2026, 3, 29, 0, 30), amount=200)
    access = records.add_door_access(db, payment, minutes=60)
    access.passcode = "4711"
    db.commit()
    view = load_access_view(db, payment.guest_token)
    # 00:30 UTC is 01:30 CET; an hour later the clocks have jumped: 03:30 CEST.
    assert (view.valid_from, view.valid_until) == ("Sun, Mar 29, 2026, 01:30", "Sun, Mar 29, 2026, 03:30")
    assert view.time_zone == "Europe/Berlin"
    assert view.status == "expired" and view.passcode == ""
    german = load_access_view(db, payment.guest_token, "de")
    assert (german.valid_from, german.valid_until) == ("So., 29. März 2026, 01:30", "So., 29. März 2026, 03:30")
    assert german.amount == "2,00\xa0€"


def test_a_cloud_code_across_the_spring_dst_change_covers_the_visit_on_the_locations_clock(db, access_deps,
                                                                                          ttlock_sim):
    """A Berlin lock without a gateway (its raw offset is CET's, +1 h): a visit from 01:30 CET to 03:30 CEST
    (one real hour, the night the clocks jump) gets a code from 01:00 to 04:00 local, on whole hours."""
    lock = add_lock(ttlock_sim.url, has_gateway=False, timezone_offset_ms=3_600_000)
    detail = access_deps.ttlock.lock_detail(lock)
    paid_from = records.utc(2026, 3, 29, 0, 30)
    credential = door_access.make_credential(access_deps.ttlock, detail, paid_from, paid_from + timedelta(hours=1),
                                             "Hygate DST")
    assert credential.kind.value == "cloud_passcode"
    assert (credential.valid_from, credential.valid_until) == (records.utc(2026, 3, 29, 0), records.utc(2026, 3, 29, 2))

    location = records.new_location(db, timezone="Europe/Berlin")
    payment = records.add_payment(db, records.new_door(db, location), paid_at=paid_from, amount=200)
    access = records.add_door_access(db, payment, minutes=60)
    access.valid_from, access.valid_until = credential.valid_from, credential.valid_until
    db.commit()
    view = load_access_view(db, payment.guest_token, "de")
    assert (view.valid_from, view.valid_until) == ("So., 29. März 2026, 01:00", "So., 29. März 2026, 04:00")


def test_a_device_token_is_not_a_door_access(db, demo, payment):
    with pytest.raises(NotFound):
        load_access_view(db, payment.guest_token)


# --- staff ending an access early ------------------------------------------------------------------


def test_staff_end_an_active_access_and_the_expiry_job_wipes_the_code(db, demo, gateway, deps, access_deps,
                                                                      ttlock_sim):
    access = _active(db, gateway, deps, access_deps)
    staff = new_staff(db, Role.operator)
    message = door_access.force_end_access(db, audit.Actor("user", str(staff.id)), access_deps.queue, access.id)
    assert "being removed" in message
    db.refresh(access)
    assert access.status == DoorAccessStatus.active and access.valid_until <= datetime.now(UTC)
    assert access_deps.queue.named(door_access.EXPIRE_JOB)[-1] == (access.id,)
    door_access.expire_access(db, access.id, access_deps, final_attempt=True)  # what that job does
    db.refresh(access)
    assert access.status == DoorAccessStatus.expired
    assert issued_for(ttlock_sim.url, FRONT)[0]["deleted"] is True
    ended = db.exec(select(AuditLog).where(AuditLog.action == "door_access.force_ended")).one()
    assert ended.actor_id == str(staff.id) and staff.email in json.loads(ended.details)["reason"]
    with pytest.raises(Conflict):
        door_access.force_end_access(db, audit.Actor("user", str(staff.id)), access_deps.queue, access.id)


def test_staff_end_a_pending_access_and_the_guest_is_refunded_in_full(db, demo, gateway, deps, access_deps):
    access = paid_access(db, deps, buy(db, gateway))
    door_access.force_end_access(db, audit.SYSTEM, access_deps.queue, access.id)
    db.refresh(access)
    assert access.status == DoorAccessStatus.cancelled
    refund = db.exec(select(Refund).where(Refund.payment_id == access.payment_id)).one()
    assert refund.amount_minor == db.get(Payment, access.payment_id).amount_minor
    door_access.issue_credential(db, access.id, access_deps, final_attempt=False)  # a late job makes nothing
    db.refresh(access)
    assert access.status == DoorAccessStatus.cancelled and access.ttlock_credential_id is None


def test_ending_an_unknown_access_is_not_found(db, access_deps):
    with pytest.raises(NotFound):
        door_access.force_end_access(db, audit.SYSTEM, access_deps.queue, 999_999)
