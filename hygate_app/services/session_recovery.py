"""When a running device session stops delivering: the relay switched back ON, or the session interrupted.

A transient fault (the device went offline, the relay could not be switched back ON) interrupts the session
and offers the guest a free restart of the unused paid seconds for RESTART_WINDOW; when the window ends
unused, those seconds are refunded pro rata. Any other fault fails the session with that refund at once.
Exactly one of restart or refund happens: both are transitions out of `interrupted`, taken under the
session's row lock, and the refund has one key per session.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlmodel import Session, select

from hygate_app.integrations.shelly import ShellyDeviceOffline, ShellyError, ShellyRateLimited
from hygate_app.models import Device, DeviceSession, DeviceSessionStatus, Payment
from hygate_app.models.columns import utcnow
from hygate_app.services import audit, refunds
from hygate_app.services.device_sessions import (
    RELAY_ON_RETRIES,
    SessionDeps,
    fail_session,
    mark_failed,
    schedule_relay_off,
    transition,
    unused_seconds,
)
from hygate_app.services.errors import Conflict, NotFound
from hygate_app.services.guest_updates import GuestUpdates
from hygate_app.services.queue import JobQueue
from hygate_app.services.translations import N_

S = DeviceSessionStatus
RESTART_WINDOW = timedelta(minutes=10)
OFFER_RETRIES = [10, 60, 300]


def is_transient(exc: ShellyError) -> bool:
    """Worth a restart later: the device is offline or the cloud stumbled (a stuck relay or a refused key is not)."""
    return exc.is_transient or isinstance(exc, ShellyDeviceOffline)


def interrupt(db: Session, session: DeviceSession, why: str, deps: SessionDeps, *, now: datetime,
              since: datetime, transient: bool) -> DeviceSessionStatus:
    """A running session stopped delivering at `since`: offer the free restart, or fail it with the refund."""
    if not transient:
        fail_session(db, session, why, deps, now=now, since=since)
        return S.failed
    unused = unused_seconds(session, since)
    transition(session, S.interrupted, now)
    session.interrupted_at = since
    session.unused_seconds = unused
    session.restart_until = now + RESTART_WINDOW
    session.failure_reason = why[:500]
    audit.record(db, "device_session.interrupted", target_type="device_session", target_id=session.id,
                 details={"reason": why[:200], "unused_seconds": unused,
                          "restart_until": session.restart_until.isoformat()})
    db.commit()
    deps.queue.enqueue_at(session.restart_until, "jobs.restart_offers.end_restart_offer", session.id,
                          job_id=f"restart-offer-{session.id}-{int(session.restart_until.timestamp())}",
                          retries=OFFER_RETRIES)
    deps.updates.changed(db.get(Payment, session.payment_id).guest_token)
    return S.interrupted


def _relay_on_for_the_rest(device: Device, session: DeviceSession, deps: SessionDeps, now: datetime) -> None:
    remaining = math.ceil((session.ends_at - now).total_seconds())
    deps.shelly.set_relay(device.shelly_device_id, True, channel=device.channel,
                          auto_off_seconds=remaining + deps.auto_off_margin_seconds)
    device.relay_on, device.online, device.last_seen_at = True, True, now


def restore_relay(db: Session, session: DeviceSession, device: Device, deps: SessionDeps, *, now: datetime,
                  since: datetime) -> str:
    """An active session's relay was found OFF before its end: ON again with the auto-off for the time left.

    Returns "restored", "interrupted", "failed", or "skipped" when the cloud refused the call for its rate
    limit (Hygate's own budget, not the guest's fault: the next pass tries again).
    """
    try:
        _relay_on_for_the_rest(device, session, deps, now)
    except ShellyRateLimited:
        db.rollback()
        return "skipped"
    except ShellyError as exc:
        device.online = not isinstance(exc, ShellyDeviceOffline)
        outcome = interrupt(db, session, f"The device stopped and could not be switched on again ({exc}).", deps,
                            now=now, since=since, transient=is_transient(exc))
        return outcome.value
    audit.record(db, "device_session.relay_restored", target_type="device_session", target_id=session.id,
                 details={"device_id": device.id, "off_since_at_most": since.isoformat(),
                          "ends_at": session.ends_at.isoformat()})
    db.commit()
    return "restored"


def resume(db: Session, session: DeviceSession, device: Device, deps: SessionDeps, *, now: datetime) -> str:
    """An interrupted session's relay is seen ON again before its end (the device was only cut off from the
    cloud): it runs on to its original end. Returns "resumed", or "skipped" when the relay could not be set."""
    try:
        _relay_on_for_the_rest(device, session, deps, now)
    except ShellyError:
        db.rollback()
        return "skipped"
    transition(session, S.active, now)
    session.restart_until = None
    session.failure_reason = None
    audit.record(db, "device_session.resumed", target_type="device_session", target_id=session.id,
                 details={"device_id": device.id, "ends_at": session.ends_at.isoformat()})
    db.commit()
    schedule_relay_off(deps.queue, session)
    deps.updates.changed(db.get(Payment, session.payment_id).guest_token)
    return "resumed"


def restart(db: Session, guest_token: str, queue: JobQueue, updates: GuestUpdates) -> DeviceSession:
    """The guest takes the free restart: the unused seconds become a new run from now, through the usual
    relay-ON job (which refunds them pro rata if the device cannot be started)."""
    payment = db.exec(select(Payment).where(Payment.guest_token == guest_token)).first()
    if payment is None:
        raise NotFound("This session does not exist.", message_id=N_("not_found.session"))
    session = db.exec(select(DeviceSession).where(DeviceSession.payment_id == payment.id).with_for_update()).first()
    if session is None or session.status != S.interrupted:
        raise Conflict("There is no interrupted session to restart.", message_id=N_("restart.none"))
    now = utcnow()
    if now >= session.restart_until:
        raise Conflict("The free restart has ended: the unused minutes are refunded to your card.",
                       message_id=N_("restart.ended"))
    if not db.get(Device, session.device_id).online:
        raise Conflict("The device is still offline. Try again in a minute, or wait for the refund.",
                       message_id=N_("restart.offline"))
    transition(session, S.pending, now)
    session.starts_at = now
    session.ends_at = now + timedelta(seconds=session.unused_seconds or 0)
    session.restart_until = None
    session.failure_reason = None
    audit.record(db, "device_session.restarted", target_type="device_session", target_id=session.id,
                 details={"unused_seconds": session.unused_seconds, "ends_at": session.ends_at.isoformat()})
    db.commit()
    queue.enqueue("jobs.relay.switch_relay_on", session.id, job_id=f"relay-on-{session.id}-{int(now.timestamp())}",
                  retries=RELAY_ON_RETRIES)
    updates.changed(guest_token)
    return session


def end_restart_offer(db: Session, session_id: int, queue: JobQueue, updates: GuestUpdates) -> bool:
    """The window is over and the guest did not restart: the unused seconds are refunded. True if it ended now."""
    session = db.exec(select(DeviceSession).where(DeviceSession.id == session_id).with_for_update()).first()
    now = utcnow()
    if session is None or session.status != S.interrupted or now < session.restart_until:
        db.rollback()  # restarted, resumed or already refunded; or early: session cleanup comes back
        return False
    why = session.failure_reason or "The session was interrupted."
    refund = mark_failed(db, session, f"{why} The free restart was not used."[:500], now=now)
    db.commit()
    if refund is not None:
        refunds.enqueue_send(queue, refund)
    updates.changed(db.get(Payment, session.payment_id).guest_token)
    return True


def expired_restart_offers(db: Session, now: datetime) -> list[int]:
    """Interrupted sessions whose window is over: session cleanup ends them if their scheduled job was lost."""
    return list(db.exec(
        select(DeviceSession.id)
        .where(DeviceSession.status == S.interrupted, DeviceSession.restart_until <= now)
        .order_by(DeviceSession.restart_until)
    ).all())
