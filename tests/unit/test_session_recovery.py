"""The free restart of an interrupted session and its alternative, the pro-rata refund at the end of the offer
(exactly one of the two), and staff's choice to refund the unused minutes on force end."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from hygate_app.models import AuditLog, Device, DeviceSessionStatus, Payment, Refund
from hygate_app.models.columns import utcnow
from hygate_app.services import audit, catalogue_admin, device_sessions, guest_sessions, session_recovery
from hygate_app.services.errors import Conflict
from tests.support.recovery import WASHER, age, running_wash, sim

S = DeviceSessionStatus
ACTOR = audit.Actor("user", "3", "198.51.100.4", "test browser")


@pytest.fixture
def interrupted(db, demo, deps, shelly_sim, gateway):
    """A 45-minute wash for 4.50, cut off 15 minutes in when its device went offline: 30 minutes unused."""
    session = running_wash(db, deps, gateway)
    seen = age(db, session, minutes=20, seconds=0, seen_after=15 * 60)
    sim(shelly_sim, f"devices/{WASHER}/online", {"online": False})
    device = db.get(Device, session.device_id)
    assert session_recovery.interrupt(db, session, "The device went offline during the session.", deps,
                                      now=utcnow(), since=seen, transient=True) == S.interrupted
    device.online = False
    db.commit()
    assert session.unused_seconds == 30 * 60
    return session


def back_online(db, shelly_sim, session) -> None:
    sim(shelly_sim, f"devices/{WASHER}/online", {"online": True})
    sim(shelly_sim, f"devices/{WASHER}/relay", {"on": False})
    db.get(Device, session.device_id).online = True
    db.commit()


def token(db, session) -> str:
    return db.get(Payment, session.payment_id).guest_token


def offer_over(db, session) -> None:
    session.restart_until = utcnow() - timedelta(seconds=1)
    db.commit()


def test_the_guest_page_offers_the_restart_and_says_what_is_refunded_otherwise(db, interrupted):
    view = guest_sessions.load_session_view(db, token(db, interrupted))
    assert (view.status, view.phase) == ("interrupted", device_sessions.GuestPhase.interrupted)
    assert view.restart_minutes == 30
    assert view.restart_refund == "€3.00"
    # On the location's clock (the demo laundry is in Berlin), in the guest's language (English by default).
    assert view.restart_until == interrupted.restart_until.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M")


def test_a_restart_runs_the_unused_minutes_from_now_and_refunds_nothing(db, deps, shelly_sim, interrupted):
    back_online(db, shelly_sim, interrupted)
    before, queued = utcnow(), len(deps.queue.jobs)
    session_recovery.restart(db, token(db, interrupted), deps.queue, deps.updates)
    db.refresh(interrupted)
    assert interrupted.status == S.pending
    assert interrupted.ends_at - interrupted.starts_at == timedelta(minutes=30)
    assert interrupted.starts_at >= before
    [(func, (session_id,), _)] = deps.queue.jobs[queued:]
    assert (func, session_id) == ("jobs.relay.switch_relay_on", interrupted.id)
    assert token(db, interrupted) in deps.updates.tokens

    device_sessions.switch_relay_on(db, session_id, deps, final_attempt=True)  # what the job does

    db.refresh(interrupted)
    assert interrupted.status == S.active
    assert session_recovery.end_restart_offer(db, interrupted.id, deps.queue, deps.updates) is False
    offer_over(db, interrupted)  # even a late offer job changes nothing now
    assert session_recovery.end_restart_offer(db, interrupted.id, deps.queue, deps.updates) is False
    assert db.exec(select(Refund)).all() == []
    assert db.exec(select(AuditLog).where(AuditLog.action == "device_session.restarted")).one()
    with pytest.raises(Conflict):
        session_recovery.restart(db, token(db, interrupted), deps.queue, deps.updates)


def test_an_unused_offer_ends_in_the_pro_rata_refund_once_and_no_restart_after(db, deps, shelly_sim, interrupted):
    assert session_recovery.end_restart_offer(db, interrupted.id, deps.queue, deps.updates) is False  # not yet
    offer_over(db, interrupted)
    assert interrupted.id in session_recovery.expired_restart_offers(db, utcnow())
    assert session_recovery.end_restart_offer(db, interrupted.id, deps.queue, deps.updates) is True
    db.refresh(interrupted)
    assert interrupted.status == S.failed
    [refund] = db.exec(select(Refund)).all()
    assert refund.amount_minor == 300  # 4.50 × 30 / 45
    assert deps.queue.named("jobs.refunds.send_refund") == [(refund.id,)]
    assert session_recovery.end_restart_offer(db, interrupted.id, deps.queue, deps.updates) is False
    assert session_recovery.expired_restart_offers(db, utcnow()) == []
    back_online(db, shelly_sim, interrupted)
    with pytest.raises(Conflict):
        session_recovery.restart(db, token(db, interrupted), deps.queue, deps.updates)
    assert len(db.exec(select(Refund)).all()) == 1


def test_a_restart_after_the_window_is_refused(db, deps, shelly_sim, interrupted):
    back_online(db, shelly_sim, interrupted)
    offer_over(db, interrupted)
    with pytest.raises(Conflict, match="ended"):
        session_recovery.restart(db, token(db, interrupted), deps.queue, deps.updates)
    db.refresh(interrupted)
    assert interrupted.status == S.interrupted
    assert not any(job_id and job_id != f"relay-on-{interrupted.id}" for _, _, job_id in deps.queue.jobs)


def test_a_restart_while_the_device_is_still_offline_is_refused_and_the_offer_stands(db, deps, interrupted):
    with pytest.raises(Conflict, match="offline"):
        session_recovery.restart(db, token(db, interrupted), deps.queue, deps.updates)
    db.refresh(interrupted)
    assert interrupted.status == S.interrupted and interrupted.restart_until is not None


def test_a_restart_that_cannot_start_the_device_refunds_the_unused_minutes_not_the_whole(db, deps, shelly_sim,
                                                                                        interrupted):
    back_online(db, shelly_sim, interrupted)
    session_recovery.restart(db, token(db, interrupted), deps.queue, deps.updates)
    sim(shelly_sim, f"devices/{WASHER}/online", {"online": False})
    device_sessions.switch_relay_on(db, interrupted.id, deps, final_attempt=True)
    db.refresh(interrupted)
    assert interrupted.status == S.failed
    [refund] = db.exec(select(Refund)).all()
    assert (refund.amount_minor, refund.idempotency_key.split(":")[-1]) == (300, "unused-minutes")


def test_a_relay_that_cannot_be_set_again_for_a_cloud_fault_interrupts(db, demo, deps, shelly_sim, gateway):
    session = running_wash(db, deps, gateway)
    sim(shelly_sim, "faults", {"mode": "error500", "count": 3})  # every in-call attempt
    device = db.get(Device, session.device_id)
    outcome = session_recovery.restore_relay(db, session, device, deps, now=utcnow(), since=session.relay_on_at)
    assert outcome == "interrupted"
    db.refresh(session)
    assert session.status == S.interrupted
    assert session.unused_seconds == int((session.ends_at - session.relay_on_at).total_seconds())


def test_force_end_can_refund_the_unused_minutes_pro_rata(db, demo, deps, gateway):
    session = running_wash(db, deps, gateway)
    age(db, session, minutes=9)  # 36 of 45 minutes left: 3.60 of 4.50, less the seconds this test takes
    ended = catalogue_admin.force_end_session(db, ACTOR, deps.queue, session.id, refund_unused=True)
    [refund] = db.exec(select(Refund)).all()
    assert 355 <= refund.amount_minor <= 360
    assert ended.refund_requested and "being refunded" in ended.message
    entry = db.exec(select(AuditLog).where(AuditLog.action == "device_session.force_ended")).one()
    assert f'"refund_minor":{refund.amount_minor}' in entry.details.replace(" ", "")
    assert deps.queue.named("jobs.refunds.send_refund") == [(refund.id,)]


def test_force_end_without_the_choice_refunds_nothing(db, demo, deps, gateway):
    session = running_wash(db, deps, gateway)
    ended = catalogue_admin.force_end_session(db, ACTOR, deps.queue, session.id)
    assert not ended.refund_requested
    assert db.exec(select(Refund)).all() == []


def test_force_ending_a_restart_before_it_comes_on_refunds_the_unused_minutes_only(db, deps, shelly_sim, interrupted):
    back_online(db, shelly_sim, interrupted)
    session_recovery.restart(db, token(db, interrupted), deps.queue, deps.updates)
    ended = catalogue_admin.force_end_session(db, ACTOR, deps.queue, interrupted.id)
    assert ended.status == S.cancelled
    [refund] = db.exec(select(Refund)).all()
    assert (refund.amount_minor, refund.idempotency_key.split(":")[-1]) == (300, "unused-minutes")


def test_staff_ending_an_interrupted_session_withdraws_the_restart_and_refund_the_unused_minutes_once(
        db, deps, shelly_sim, interrupted):
    ended = catalogue_admin.force_end_session(db, ACTOR, deps.queue, interrupted.id)
    db.refresh(interrupted)
    assert (ended.status, interrupted.status) == (S.failed, S.failed)
    assert interrupted.restart_until is None and "force ended by" in interrupted.failure_reason
    [refund] = db.exec(select(Refund)).all()
    assert (refund.amount_minor, refund.idempotency_key.split(":")[-1]) == (300, "unused-minutes")
    assert ended.refund_requested and "€3.00" in ended.message
    assert deps.queue.named("jobs.refunds.send_refund") == [(refund.id,)]
    entry = db.exec(select(AuditLog).where(AuditLog.action == "device_session.force_ended")).one()
    assert entry.actor_id == "3" and '"status":["interrupted","failed"]' in entry.details.replace(" ", "")
    # Neither the lapsing offer nor a second click pays again, and the guest cannot restart any more.
    assert not session_recovery.end_restart_offer(db, interrupted.id, deps.queue, deps.updates)
    with pytest.raises(Conflict):
        catalogue_admin.force_end_session(db, ACTOR, deps.queue, interrupted.id)
    with pytest.raises(Conflict):
        session_recovery.restart(db, token(db, interrupted), deps.queue, deps.updates)
    assert len(db.exec(select(Refund)).all()) == 1
