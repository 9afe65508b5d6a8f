"""The door-access state machine: a TTLock credential made right after payment, deleted at the paid end.

Transitions: pending → active → expired, pending → failed/cancelled. One access per payment (unique
`door_accesses.payment_id`); the credential is chosen per lock at the moment it is made: a QR code where
the lock reads them, else a passcode exact to the minute through an online gateway, else a cloud passcode,
which the lock honours on whole hours of its own clock only. The window stored is the one the lock really
honours, so the guest page never promises less (or more) than the door will do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from hygate_app.integrations.ttlock import (
    Credential,
    LockDetail,
    TTLockClient,
    TTLockError,
    TTLockGatewayOffline,
    TTLockNotFound,
    TTLockUnsupported,
)
from hygate_app.integrations.ttlock import CredentialKind as LockCredentialKind
from hygate_app.models import CredentialKind, Door, DoorAccess, DoorAccessStatus, Payment, Refund
from hygate_app.models.columns import utcnow
from hygate_app.services import audit, refunds
from hygate_app.services.errors import Conflict, NotFound, RetryLater
from hygate_app.services.guest_updates import GuestUpdates
from hygate_app.services.queue import JobQueue

A = DoorAccessStatus
CREDENTIAL_RETRIES = [2, 5, 10]
DELETE_RETRIES = [5, 15, 60]
ISSUE_JOB = "jobs.door_access.issue_door_credential"
EXPIRE_JOB = "jobs.door_access.expire_door_access"


@dataclass(frozen=True)
class AccessDeps:
    """What the credential steps need from outside: the TTLock client, the queue and the push port."""

    ttlock: TTLockClient
    queue: JobQueue
    updates: GuestUpdates


def create_for_payment(db: Session, payment: Payment) -> DoorAccess:
    """The paid window (paid_at + the minutes sold at checkout); the credential widens it when made."""
    door = db.get(Door, payment.door_id)
    access = DoorAccess(
        payment_id=payment.id,
        door_id=payment.door_id,
        credential_kind=door.credential_kind,
        valid_from=payment.paid_at,
        valid_until=payment.paid_at + timedelta(minutes=payment.duration_minutes or door.access_minutes),
    )
    db.add(access)
    db.flush()
    return access


def enqueue_issue(queue: JobQueue, access_id: int) -> None:
    queue.enqueue(ISSUE_JOB, access_id, job_id=f"door-credential-{access_id}", retries=CREDENTIAL_RETRIES)


def _locked(db: Session, access_id: int) -> DoorAccess | None:
    return db.exec(select(DoorAccess).where(DoorAccess.id == access_id).with_for_update()).first()


def make_credential(ttlock: TTLockClient, lock: LockDetail, start: datetime, end: datetime, name: str, *,
                    prefer_qr: bool = True) -> Credential:
    """QR where the lock has a reader (unless staff set the door to passcodes); else a minute-exact passcode
    through an online gateway; else a cloud passcode on whole hours of the lock's clock (the only kind a lock
    without a gateway can take)."""
    if prefer_qr and lock.supports_qr:
        try:
            return ttlock.create_qr_code(lock.lock_id, start, end, name)
        except TTLockUnsupported:
            pass  # the feature bit said yes, the lock says no: a passcode still lets the guest in
    if lock.gateway_online:
        try:
            return ttlock.create_timed_passcode(lock.lock_id, start, end, name, exact=True)
        except TTLockGatewayOffline:
            pass  # the gateway dropped between the detail and the call: the cloud still issues a code
    return ttlock.create_timed_passcode(lock.lock_id, start, end, name, exact=False,
                                        timezone_offset_ms=lock.timezone_offset_ms)


def issue_credential(db: Session, access_id: int, deps: AccessDeps, *, final_attempt: bool) -> None:
    """Ask TTLock for the paid visit's credential; transient errors retry, a final failure refunds."""
    access = _locked(db, access_id)
    if access is None or access.status != A.pending:
        return
    door = db.get(Door, access.door_id)
    payment = db.get(Payment, access.payment_id)
    now = utcnow()
    if access.valid_until <= now:
        fail_access(db, access, "The paid time was over before the access could be created.", deps, now=now)
        return
    if not door.ttlock_lock_id or not door.ttlock_lock_id.isdigit():
        fail_access(db, access, "The door is not connected to a lock.", deps, now=now)
        return
    lock_id = int(door.ttlock_lock_id)
    try:
        lock = deps.ttlock.lock_detail(lock_id)
        credential = make_credential(deps.ttlock, lock, max(now, access.valid_from), access.valid_until,
                                     f"Hygate {payment.id}", prefer_qr=door.credential_kind == CredentialKind.qr)
    except TTLockError as exc:
        if exc.is_transient and not final_attempt:
            db.rollback()
            raise RetryLater(str(exc)) from exc
        fail_access(db, access, f"The door access could not be created ({exc}).", deps, now=now)
        return
    qr = credential.kind is LockCredentialKind.qr_code
    access.credential_kind = CredentialKind.qr if qr else CredentialKind.passcode
    access.ttlock_credential_id = str(credential.credential_id)
    access.passcode = None if qr else credential.code
    access.qr_payload = (credential.code or credential.link) if qr else None
    access.valid_from, access.valid_until = credential.valid_from, credential.valid_until
    access.status = A.active
    access.updated_at = now
    audit.record(db, "door_access.credential_created", target_type="door_access", target_id=access.id,
                 details={"door_id": door.id, "lock_id": lock_id, "kind": credential.kind.value,
                          "valid_from": credential.valid_from.isoformat(),
                          "valid_until": credential.valid_until.isoformat()})
    db.commit()
    schedule_expiry(deps.queue, access)
    deps.updates.changed(payment.guest_token)


def schedule_expiry(queue: JobQueue, access: DoorAccess, *, first: bool = True) -> None:
    """The first job has a fixed id; a re-run that came early gets its own (the running job owns the id)."""
    queue.enqueue_at(access.valid_until, EXPIRE_JOB, access.id, job_id=f"door-expire-{access.id}" if first else None,
                     retries=DELETE_RETRIES)


def _credential_of(access: DoorAccess, lock_id: int) -> Credential:
    qr = access.credential_kind == CredentialKind.qr
    kind = LockCredentialKind.qr_code if qr else LockCredentialKind.cloud_passcode
    return Credential(kind, lock_id, int(access.ttlock_credential_id), access.passcode, access.valid_from,
                      access.valid_until)


def expire_access(db: Session, access_id: int, deps: AccessDeps, *, final_attempt: bool) -> None:
    """At the paid end: the credential is wiped from the lock and the access is `expired`. Early calls
    reschedule; a lock that cannot be reached is recorded (the lock still ends the code at its window)."""
    access = _locked(db, access_id)
    if access is None or access.status != A.active:
        return
    now = utcnow()
    if now < access.valid_until:
        db.rollback()
        schedule_expiry(deps.queue, access, first=False)
        return
    door = db.get(Door, access.door_id)
    payment = db.get(Payment, access.payment_id)
    deleted = _delete_credential(db, access, door, deps, final_attempt=final_attempt)
    access.status = A.expired
    access.updated_at = now
    audit.record(db, "door_access.expired", target_type="door_access", target_id=access.id,
                 details={"door_id": door.id, "credential_deleted": deleted})
    db.commit()
    deps.updates.changed(payment.guest_token)


def _delete_credential(db: Session, access: DoorAccess, door: Door, deps: AccessDeps, *,
                       final_attempt: bool) -> bool:
    if not access.ttlock_credential_id or not (door.ttlock_lock_id or "").isdigit():
        return False
    credential = _credential_of(access, int(door.ttlock_lock_id))
    try:
        try:
            deps.ttlock.delete_credential(credential, lock_has_gateway=True)
        except TTLockGatewayOffline:
            # Without a gateway only the cloud forgets the code; the lock ends it at its window anyway.
            deps.ttlock.delete_credential(credential, lock_has_gateway=False)
    except TTLockNotFound:
        return True  # already gone (deleted by hand in the TTLock app, or a previous try got through)
    except TTLockError as exc:
        if exc.is_transient and not final_attempt:
            db.rollback()
            raise RetryLater(str(exc)) from exc
        audit.record(db, "door_access.delete_failed", target_type="door_access", target_id=access.id,
                     details={"error": str(exc)[:200]})
        return False
    return True


def fail_access(db: Session, access: DoorAccess, why: str, deps: AccessDeps, *, now: datetime) -> None:
    """The guest got nothing: mark the access failed, refund in full, tell the guest's page."""
    refund = mark_failed(db, access, why, now=now)
    db.commit()
    if refund is not None:
        refunds.enqueue_send(deps.queue, refund)
    deps.updates.changed(db.get(Payment, access.payment_id).guest_token)


def mark_failed(db: Session, access: DoorAccess, why: str, *, now: datetime) -> Refund | None:
    """In the caller's transaction: failed + a full refund request (sent after commit)."""
    payment = db.get(Payment, access.payment_id)
    access.status = A.failed
    access.failure_reason = why[:500]
    access.updated_at = now
    audit.record(db, "door_access.failed", target_type="door_access", target_id=access.id,
                 details={"reason": why[:200]})
    return refunds.request_refund(db, payment, payment.amount_minor - payment.amount_refunded_minor,
                                  reason="access not delivered", key_suffix="not-delivered")


def force_end_access(db: Session, actor: audit.Actor, queue: JobQueue, access_id: int, *,
                     updates: GuestUpdates | None = None) -> str:
    """Staff end a door access now. An active one's window closes at once and the expiry job wipes its credential
    from the lock (if that job is lost, the cleanup pass finds the access overdue); a pending one never got its
    credential, so it is cancelled and refunded in full. Returns what happened, for the page."""
    access = _locked(db, access_id)
    if access is None:
        raise NotFound("This door access does not exist.")
    if access.status not in (A.pending, A.active):
        raise Conflict(f"This door access has already ended ({access.status.value}).")
    now = utcnow()
    payment = db.get(Payment, access.payment_id)
    before = (access.status.value, access.valid_until.isoformat())
    refund = None
    if access.status == A.pending:
        access.status = A.cancelled
        refund = refunds.request_refund(db, payment, payment.amount_minor - payment.amount_refunded_minor,
                                        reason="force ended before the access was ready", key_suffix="not-delivered")
    access.valid_until = min(access.valid_until, now)
    access.valid_from = min(access.valid_from, access.valid_until)
    access.updated_at = now
    audit.record(db, "door_access.force_ended", actor=actor, target_type="door_access", target_id=access.id,
                 details={"door_id": access.door_id, "reason": f"force ended by {audit.actor_label(db, actor)}"[:200],
                          "status": [before[0], access.status.value],
                          "valid_until": [before[1], access.valid_until.isoformat()],
                          "refund_id": None if refund is None else refund.id})
    db.commit()
    if refund is not None:
        refunds.enqueue_send(queue, refund)
    else:
        queue.enqueue(EXPIRE_JOB, access.id, retries=DELETE_RETRIES)
    if updates is not None:
        updates.changed(payment.guest_token)
    if refund is not None:
        return "The access was cancelled before its code was made; the payment is being refunded in full."
    return "The access is ending: its code is being removed from the lock."


def overdue_accesses(db: Session, now: datetime, limit: int = 500) -> list[int]:
    """Active accesses past their window: the cleanup pass expires them (the expiry job may be lost)."""
    return list(
        db.exec(
            select(DoorAccess.id)
            .where(DoorAccess.status == A.active, DoorAccess.valid_until <= now)
            .order_by(DoorAccess.valid_until)
            .limit(limit)
        ).all()
    )


def stuck_pending_accesses(db: Session, now: datetime, older_than: timedelta = timedelta(minutes=2)) -> list[int]:
    """Paid accesses whose credential job never ran (lost with Redis, or a killed worker)."""
    return list(
        db.exec(
            select(DoorAccess.id)
            .where(DoorAccess.status == A.pending, DoorAccess.created_at <= now - older_than)
            .order_by(DoorAccess.created_at)
        ).all()
    )
