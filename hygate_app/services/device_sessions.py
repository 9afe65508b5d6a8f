"""The device-session state machine: timing, relay ON at payment, relay OFF at the paid end.

Transitions: pending → active → completed, pending → failed/cancelled, active → failed, and
active → interrupted → pending (free restart) / active (the relay came back) / failed (refund of the
unused minutes): see services/session_recovery.py.
Every relay command is absolute (ON or OFF, never a toggle) and every ON carries the device's
own auto-off timer, so the relay goes OFF even if Hygate is down at the paid end.
"""

from __future__ import annotations

import enum
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from hygate_app.integrations.shelly import ShellyClient, ShellyDeviceOffline, ShellyError
from hygate_app.models import Device, DeviceSession, DeviceSessionStatus, Payment, Refund
from hygate_app.models.columns import utcnow
from hygate_app.services import audit, refunds
from hygate_app.services.errors import Conflict, RetryLater
from hygate_app.services.guest_updates import GuestUpdates
from hygate_app.services.queue import JobQueue

log = logging.getLogger(__name__)
S = DeviceSessionStatus
ALLOWED = {
    S.pending: {S.active, S.failed, S.cancelled},
    S.active: {S.completed, S.failed, S.interrupted},
    S.interrupted: {S.pending, S.active, S.failed},
    S.completed: set(),
    S.cancelled: set(),
    S.failed: set(),
}
# Paid and not over: these hold the device (an interrupted one is kept for its guest's free restart).
OCCUPYING = (S.pending, S.active, S.interrupted)
RELAY_ON_RETRIES = [2, 5, 10]
RELAY_OFF_RETRIES = [5, 15, 60]


class GuestPhase(enum.StrEnum):
    awaiting_payment = "awaiting_payment"
    starting = "starting"
    grace = "grace"
    running = "running"
    finishing = "finishing"
    interrupted = "interrupted"
    complete = "complete"
    cancelled = "cancelled"
    failed = "failed"


def session_window(paid_at: datetime, delay_minutes: int, duration_minutes: int) -> tuple[datetime, datetime]:
    """(starts_at, ends_at): the paid minutes count from paid_at + delay, for duration minutes."""
    starts_at = paid_at + timedelta(minutes=delay_minutes)
    return starts_at, starts_at + timedelta(minutes=duration_minutes)


def finishing_seconds(duration_minutes: int) -> float:
    """`finishing` is the last 10 % of the paid time, at most the last minute (a 1-minute plan still runs)."""
    return min(duration_minutes * 60 * 0.10, 60.0)


def guest_phase(session: DeviceSession | None, payment_status: str, now: datetime) -> GuestPhase:
    if session is None:
        if payment_status in ("expired",):
            return GuestPhase.cancelled
        if payment_status in ("failed",):
            return GuestPhase.failed
        return GuestPhase.awaiting_payment
    if session.status == S.pending:
        return GuestPhase.starting
    if session.status == S.completed:
        return GuestPhase.complete
    if session.status == S.cancelled:
        return GuestPhase.cancelled
    if session.status == S.failed:
        return GuestPhase.failed
    if session.status == S.interrupted:
        return GuestPhase.interrupted
    if now < session.starts_at:
        return GuestPhase.grace
    if (session.ends_at - now).total_seconds() <= finishing_seconds(session.duration_minutes):
        return GuestPhase.finishing
    return GuestPhase.running


def paid_seconds(session: DeviceSession) -> int:
    return session.duration_minutes * 60


def unused_seconds(session: DeviceSession, since: datetime) -> int:
    """The paid seconds of the session's window after `since` (all of them while it had not started)."""
    left = (session.ends_at - max(since, session.starts_at)).total_seconds()
    return max(0, min(math.floor(left), paid_seconds(session)))


def transition(session: DeviceSession, new: DeviceSessionStatus, now: datetime) -> None:
    if new not in ALLOWED[session.status]:
        raise Conflict(f"A {session.status.value} session cannot become {new.value}.")
    session.status = new
    session.updated_at = now


@dataclass(frozen=True)
class SessionDeps:
    """What the relay steps need from outside: the Shelly client, the queue and the push port."""

    shelly: ShellyClient
    queue: JobQueue
    updates: GuestUpdates
    auto_off_margin_seconds: int = 120


def _locked(db: Session, session_id: int) -> DeviceSession | None:
    return db.exec(select(DeviceSession).where(DeviceSession.id == session_id).with_for_update()).first()


def create_for_payment(db: Session, payment: Payment) -> DeviceSession:
    """The minutes are the ones the payment recorded at checkout, whatever the plan says now."""
    start, end = session_window(payment.paid_at, payment.delay_minutes, payment.duration_minutes)
    session = DeviceSession(
        payment_id=payment.id,
        device_id=payment.device_id,
        usage_plan_id=payment.usage_plan_id,
        duration_minutes=payment.duration_minutes,
        delay_minutes=payment.delay_minutes,
        paid_at=payment.paid_at,
        starts_at=start,
        ends_at=end,
    )
    db.add(session)
    db.flush()
    return session


def switch_relay_on(db: Session, session_id: int, deps: SessionDeps, *, final_attempt: bool) -> None:
    """Turn the paid relay ON with its auto-off fail-safe; fail and refund when it cannot be done."""
    session = _locked(db, session_id)
    if session is None or session.status != S.pending:
        return
    device = db.get(Device, session.device_id)
    payment = db.get(Payment, session.payment_id)
    now = utcnow()
    remaining = (session.ends_at - now).total_seconds()
    if remaining <= 0:
        _make_sure_relay_is_off(deps, device)
        fail_session(db, session, "The paid time was over before the device could be started.", deps, now=now)
        return
    try:
        deps.shelly.set_relay(
            device.shelly_device_id,
            True,
            channel=device.channel,
            auto_off_seconds=math.ceil(remaining) + deps.auto_off_margin_seconds,
        )
    except ShellyError as exc:
        if exc.is_transient and not final_attempt:
            db.rollback()
            raise RetryLater(str(exc)) from exc
        device.online = not isinstance(exc, ShellyDeviceOffline)
        if device.online:
            _make_sure_relay_is_off(deps, device)
        fail_session(db, session, f"The device could not be started ({exc}).", deps, now=now)
        return
    transition(session, S.active, now)
    session.relay_on_at = now
    device.relay_on, device.online, device.last_seen_at = True, True, now
    audit.record(db, "device_session.relay_on", target_type="device_session", target_id=session.id,
                 details={"device_id": device.id, "ends_at": session.ends_at.isoformat()})
    db.commit()
    schedule_relay_off(deps.queue, session)
    deps.updates.changed(payment.guest_token)


def _make_sure_relay_is_off(deps: SessionDeps, device: Device) -> None:
    """Before a session fails and is refunded: an earlier try may have switched the relay ON and died before it
    committed (a killed worker, an answer lost to a timeout, a relay whose read-back was wrong). If this OFF fails
    too, the device's own auto-off timer and reconciliation still switch it OFF."""
    try:
        deps.shelly.set_relay(device.shelly_device_id, False, channel=device.channel)
        device.relay_on = False
    except ShellyError as exc:
        log.warning("could not make sure the relay of %s is OFF: %s", device.shelly_device_id, exc)


def schedule_relay_off(queue: JobQueue, session: DeviceSession, *, first: bool = True) -> None:
    """The first OFF job has a fixed id; a re-run that came early gets its own (the running job owns the id)."""
    queue.enqueue_at(session.ends_at, "jobs.relay.switch_relay_off", session.id,
                     job_id=f"relay-off-{session.id}" if first else None, retries=RELAY_OFF_RETRIES)


def switch_relay_off(
    db: Session, session_id: int, deps: SessionDeps, *, final_attempt: bool, reason: str = "paid time over"
) -> bool:
    """Relay OFF and `completed`, at the paid end (or later, by cleanup); early calls reschedule. True when the
    session was completed by this call."""
    session = _locked(db, session_id)
    if session is None or session.status != S.active:
        return False
    now = utcnow()
    if now < session.ends_at:
        db.rollback()
        schedule_relay_off(deps.queue, session, first=False)
        return False
    return _relay_off_and_complete(db, session, deps, now=now, final_attempt=final_attempt, reason=reason)


def _relay_off_and_complete(db: Session, session: DeviceSession, deps: SessionDeps, *, now: datetime,
                            final_attempt: bool, reason: str) -> bool:
    device = db.get(Device, session.device_id)
    payment = db.get(Payment, session.payment_id)
    try:
        deps.shelly.set_relay(device.shelly_device_id, False, channel=device.channel)
        device.relay_on, device.last_seen_at = False, now
        session.relay_off_at = now
    except ShellyError as exc:
        if not final_attempt:
            db.rollback()
            raise RetryLater(str(exc)) from exc
        if exc.is_transient:
            # Busy or unreachable cloud: the session stays active and overdue, so the next cleanup pass tries
            # again (the device's own auto-off timer switches it OFF meanwhile).
            db.rollback()
            log.warning("relay OFF of session %s failed, the next cleanup pass tries again: %s", session.id, exc)
            return False
        # Refused for good (offline, a relay that does not follow): the device's own timer, and reconciliation
        # once the device answers again, switch it OFF.
        audit.record(db, "device_session.relay_off_failed", target_type="device_session", target_id=session.id,
                     details={"error": str(exc)[:200]})
    transition(session, S.completed, now)
    session.ended_at = now
    session.end_reason = session.end_reason or reason  # a force end recorded its own reason first
    audit.record(db, "device_session.completed", target_type="device_session", target_id=session.id,
                 details={"reason": session.end_reason, "relay_off_confirmed": session.relay_off_at is not None})
    db.commit()
    deps.updates.changed(payment.guest_token)
    return True


def fail_session(db: Session, session: DeviceSession, why: str, deps: SessionDeps, *, now: datetime,
                 since: datetime | None = None) -> None:
    """The guest did not get (all of) the paid time: mark the session failed, refund, tell the guest's page."""
    refund = mark_failed(db, session, why, now=now, since=since)
    db.commit()
    if refund is not None:
        refunds.enqueue_send(deps.queue, refund)
    deps.updates.changed(db.get(Payment, session.payment_id).guest_token)


def mark_failed(db: Session, session: DeviceSession, why: str, *, now: datetime,
                since: datetime | None = None) -> Refund | None:
    """In the caller's transaction: failed + a refund request (sent after commit) for what was not delivered.

    A session whose relay never came ON is refunded in full. One that ran gets the paid seconds it did not
    use back pro rata: after `since` (when delivery stopped; default now) for an active one, the recorded
    unused seconds for an interrupted one, the whole restarted window for a restart that never came ON.
    Each kind has its own refund key, so it is requested once whoever calls this again.
    """
    payment = db.get(Payment, session.payment_id)
    if session.status == S.interrupted:
        unused = session.unused_seconds or 0
    elif session.status == S.pending:
        unused = unused_seconds(session, session.starts_at)
    else:
        unused = unused_seconds(session, since or now)
    transition(session, S.failed, now)
    session.failure_reason = why[:500]
    session.ended_at = now
    session.unused_seconds = unused
    session.restart_until = None
    audit.record(db, "device_session.failed", target_type="device_session", target_id=session.id,
                 details={"reason": why[:200], "unused_seconds": unused})
    outstanding = payment.amount_minor - payment.amount_refunded_minor
    if session.relay_on_at is None:
        return refunds.request_refund(db, payment, outstanding, reason="access not delivered",
                                      key_suffix="not-delivered")
    return request_unused_refund(db, payment, session, unused, reason="unused minutes of an interrupted session")


def request_unused_refund(db: Session, payment: Payment, session: DeviceSession, unused: int, *,
                          reason: str) -> Refund | None:
    """The pro-rata refund of a session's unused paid seconds: at most one per session (one key per payment)."""
    amount = min(refunds.pro_rata_minor(payment.amount_minor, unused, paid_seconds(session)),
                 payment.amount_minor - payment.amount_refunded_minor)
    return refunds.request_refund(db, payment, amount, reason=reason, key_suffix="unused-minutes")


def overdue_sessions(db: Session, now: datetime, limit: int = 500) -> list[int]:
    """Active sessions past their end: the cleanup pass switches them OFF (the OFF job may be lost)."""
    return list(
        db.exec(
            select(DeviceSession.id)
            .where(DeviceSession.status == S.active, DeviceSession.ends_at <= now)
            .order_by(DeviceSession.ends_at)
            .limit(limit)
        ).all()
    )


def stuck_pending_sessions(db: Session, now: datetime, older_than: timedelta = timedelta(minutes=2)) -> list[int]:
    """Paid (or restarted) sessions whose relay-ON job never ran (lost with Redis, or a killed worker)."""
    return list(
        db.exec(
            select(DeviceSession.id)
            .where(DeviceSession.status == S.pending, DeviceSession.updated_at <= now - older_than)
            .order_by(DeviceSession.updated_at)
        ).all()
    )

