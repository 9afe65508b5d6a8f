"""The Sessions module of the admin: device sessions and door accesses, active and past, filtered and paged,
and one session's detail with its timeline (its own timestamps and the audit rows about it and its payment).

Date filters select by the start of the paid window (a device session's `starts_at`, a door access's
`valid_from`), in the zone chosen as for payments (see `payment_history`). The location is the device's or
door's: the session tables have no location of their own, and filtering through the small places tables keeps
the location filter an index walk (through `payments.location_id` it scanned every session of the other kind).
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, and_, asc, case, cast, desc, func, literal_column, or_, type_coerce, union_all
from sqlmodel import Session, select

from hygate_app.models import (
    AuditLog,
    CredentialKind,
    Device,
    DeviceSession,
    DeviceSessionStatus,
    Door,
    DoorAccess,
    DoorAccessStatus,
    Location,
    Payment,
    PaymentStatus,
    UsagePlan,
    User,
)
from hygate_app.models.columns import utcnow
from hygate_app.services.errors import InvalidInput, NotFound
from hygate_app.services.paging import Page, PageRequest
from hygate_app.services.payment_history import time_zone_for, utc_bounds

# "Active" means still occupying the device, or still able to open the door.
_OPEN = ("pending", "active")
_OPEN_DEVICE = (*_OPEN, "interrupted")  # an interrupted session keeps its device for the guest's free restart
_DEVICE_STATUSES = frozenset(s.value for s in DeviceSessionStatus)
_DOOR_STATUSES = frozenset(s.value for s in DoorAccessStatus)
MAX_TIMELINE_AUDIT_ROWS = 200
SORT_COLUMNS = {"starts": "starts_at", "ends": "ends_at", "paid": "paid_at", "amount": "amount_minor",
                "status": "status"}
AUDIT_LABELS = {
    "device_session.created": "Session created",
    "device_session.relay_on": "Relay ON confirmed",
    "device_session.relay_off_failed": "Relay OFF failed (the device's own timer switches it off)",
    "device_session.completed": "Session completed",
    "device_session.failed": "Session failed",
    "device_session.force_ended": "Session ended by staff",
    "device_session.relay_restored": "Relay found OFF early and switched ON again",
    "device_session.interrupted": "Session interrupted (free restart offered)",
    "device_session.resumed": "Session resumed (the device came back ON)",
    "device_session.restarted": "Free restart taken by the guest",
    "door_access.created": "Door access created",
    "door_access.credential_created": "Door credential created on the lock",
    "door_access.failed": "Door access failed",
    "door_access.expired": "Door access expired",
    "door_access.delete_failed": "Deleting the credential from the lock failed (the lock ends it at its window)",
    "payment.paid": "Payment confirmed by Stripe",
    "payment.amount_mismatch": "Paid amount differs from the price",
    "payment.refund_requested": "Refund requested",
    "payment.refund_failed": "Refund failed",
    "payment.refunded": "Refund sent to Stripe",
    "payment.refund_recorded": "Refund recorded from Stripe",
    "receipt.emailed": "Receipt e-mailed to the guest",
    "receipt.email_failed": "Receipt e-mail failed",
}


class SessionKind(enum.StrEnum):
    all = "all"
    device = "device"
    door = "door"


@dataclass(frozen=True)
class SessionFilters:
    kind: SessionKind = SessionKind.all
    # A DeviceSessionStatus or DoorAccessStatus value; a kind without that status contributes no rows.
    status: str | None = None
    location_id: int | None = None
    device_id: int | None = None
    door_id: int | None = None
    active_only: bool = False
    date_from: date | None = None
    date_to: date | None = None
    time_zone: str | None = None


@dataclass(frozen=True)
class SessionRow:
    kind: SessionKind  # device or door
    id: int
    status: DeviceSessionStatus | DoorAccessStatus
    place_name: str  # the device's or the door's name
    location_name: str
    paid_at: datetime | None
    starts_at: datetime
    ends_at: datetime
    amount_minor: int
    currency: str
    payment_id: int


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    code: str  # a session step ("paid", "relay_on", …) or the audit action
    label: str
    source: str  # "session" (the row's own timestamps) or "audit"
    reason: str | None = None
    actor_type: str | None = None
    actor_name: str | None = None  # staff member's name or e-mail when a user acted
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DeviceSessionDetail:
    id: int
    status: DeviceSessionStatus
    device_id: int
    device_name: str
    location_name: str
    usage_plan_name: str
    duration_minutes: int
    delay_minutes: int
    paid_at: datetime
    starts_at: datetime
    ends_at: datetime
    relay_on_at: datetime | None
    relay_off_at: datetime | None
    ended_at: datetime | None
    end_reason: str | None
    failure_reason: str | None
    payment_id: int
    payment_status: PaymentStatus
    amount_minor: int
    amount_refunded_minor: int
    currency: str
    timeline: tuple[TimelineEvent, ...]


@dataclass(frozen=True)
class DoorAccessDetail:
    id: int
    status: DoorAccessStatus
    door_id: int
    door_name: str
    location_name: str
    credential_kind: CredentialKind
    ttlock_credential_id: str | None
    valid_from: datetime
    valid_until: datetime
    failure_reason: str | None
    created_at: datetime
    payment_id: int
    payment_status: PaymentStatus
    paid_at: datetime | None
    amount_minor: int
    amount_refunded_minor: int
    currency: str
    timeline: tuple[TimelineEvent, ...]


def list_sessions(db: Session, filters: SessionFilters, request: PageRequest,
                  now: datetime | None = None) -> Page[SessionRow]:
    """Device sessions and/or door accesses in one list, newest start first; sortable by "starts", "ends",
    "paid", "amount" and "status".

    Not `paginate()`: PostgreSQL does not push ORDER BY … LIMIT into the halves of a UNION ALL, so every page
    would join and sort every session. Each half is cut to its own first page × per_page rows in the wanted
    order (an index scan), those are merged and paged; the total is the sum of the halves' counts.
    """
    now = now or utcnow()
    request = request.clamped()
    bounds = utc_bounds(filters.date_from, filters.date_to, time_zone_for(db, filters.time_zone, filters.location_id))
    _check_status(filters.status)
    parts = [part for part in (_device_part(filters, bounds), _door_part(filters, bounds, now)) if part is not None]
    if not parts:
        return Page([], 0, request.page, request.per_page)
    total = sum(db.exec(select(func.count()).select_from(part.subquery())).one() for part in parts)
    key = SORT_COLUMNS.get(request.sort, SORT_COLUMNS["starts"])
    direction = desc if request.descending else asc
    tops = [_first_rows(part, key, direction, request.page * request.per_page) for part in parts]
    c = (tops[0] if len(tops) == 1 else union_all(*tops)).subquery("session_rows").c
    # Device and door ids overlap: this tie-breaker is unique across both, so pages never overlap.
    unique_id = c.id * 2 + case((c.kind == "door", 1), else_=0)
    rows = db.exec(select(*c).order_by(direction(c[key]), direction(unique_id))
                   .offset((request.page - 1) * request.per_page).limit(request.per_page)).all()
    return Page([_session_row(row) for row in rows], total, request.page, request.per_page)


def _first_rows(part, key: str, direction, limit: int):
    """The first `limit` rows of one half in the page's order, wrapped so SQLite accepts it inside a UNION."""
    rows = part.subquery()
    first = select(*rows.c).order_by(direction(rows.c[key]), direction(rows.c.id)).limit(limit).subquery()
    return select(*first.c)


def list_device_sessions(db: Session, filters: SessionFilters, request: PageRequest,
                         now: datetime | None = None) -> Page[SessionRow]:
    return list_sessions(db, replace(filters, kind=SessionKind.device), request, now)


def list_door_accesses(db: Session, filters: SessionFilters, request: PageRequest,
                       now: datetime | None = None) -> Page[SessionRow]:
    return list_sessions(db, replace(filters, kind=SessionKind.door), request, now)


def device_session_detail(db: Session, session_id: int, now: datetime | None = None) -> DeviceSessionDetail:
    session = db.get(DeviceSession, session_id)
    if session is None:
        raise NotFound("This device session does not exist.")
    payment = db.get(Payment, session.payment_id)
    device = db.get(Device, session.device_id)
    plan = db.get(UsagePlan, session.usage_plan_id)
    location = db.get(Location, device.location_id)
    timeline = _device_steps(session, now or utcnow()) + _audit_events(
        db, [("device_session", session.id), ("payment", payment.id)])
    return DeviceSessionDetail(
        id=session.id, status=session.status, device_id=device.id, device_name=device.name,
        location_name=location.name, usage_plan_name=plan.name, duration_minutes=session.duration_minutes,
        delay_minutes=session.delay_minutes, paid_at=session.paid_at, starts_at=session.starts_at,
        ends_at=session.ends_at, relay_on_at=session.relay_on_at, relay_off_at=session.relay_off_at,
        ended_at=session.ended_at, end_reason=session.end_reason, failure_reason=session.failure_reason,
        payment_id=payment.id, payment_status=payment.status, amount_minor=payment.amount_minor,
        amount_refunded_minor=payment.amount_refunded_minor, currency=payment.currency,
        timeline=_in_order(timeline),
    )


def door_access_detail(db: Session, access_id: int, now: datetime | None = None) -> DoorAccessDetail:
    access = db.get(DoorAccess, access_id)
    if access is None:
        raise NotFound("This door access does not exist.")
    payment = db.get(Payment, access.payment_id)
    door = db.get(Door, access.door_id)
    location = db.get(Location, door.location_id)
    timeline = _door_steps(access, payment, now or utcnow()) + _audit_events(
        db, [("door_access", access.id), ("payment", payment.id)])
    return DoorAccessDetail(
        id=access.id, status=access.status, door_id=door.id, door_name=door.name, location_name=location.name,
        credential_kind=access.credential_kind, ttlock_credential_id=access.ttlock_credential_id,
        valid_from=access.valid_from, valid_until=access.valid_until, failure_reason=access.failure_reason,
        created_at=access.created_at, payment_id=payment.id, payment_status=payment.status, paid_at=payment.paid_at,
        amount_minor=payment.amount_minor, amount_refunded_minor=payment.amount_refunded_minor,
        currency=payment.currency, timeline=_in_order(timeline),
    )


def _check_status(status: str | None) -> None:
    if status and status not in _DEVICE_STATUSES and status not in _DOOR_STATUSES:
        raise InvalidInput(f"Unknown session status: {status}.")


# Both halves outer-join their NOT NULL foreign keys: the same rows as inner joins, but PostgreSQL can drop
# the joins from the page's count(*) when no filter needs them.


def _device_part(filters: SessionFilters, bounds):
    """The device-session half of the list, or None when the filters leave device sessions out."""
    status = filters.status
    if filters.kind == SessionKind.door or filters.door_id is not None or (status and status not in _DEVICE_STATUSES):
        return None
    query = (
        select(
            literal_column("'device'", String).label("kind"), DeviceSession.id.label("id"),
            type_coerce(DeviceSession.status, String).label("status"), Device.name.label("place_name"),
            Location.name.label("location_name"), DeviceSession.paid_at.label("paid_at"),
            DeviceSession.starts_at.label("starts_at"), DeviceSession.ends_at.label("ends_at"),
            Payment.amount_minor.label("amount_minor"), Payment.currency.label("currency"),
            Payment.id.label("payment_id"),
        )
        .select_from(DeviceSession)
        .outerjoin(Device, Device.id == DeviceSession.device_id)
        .outerjoin(Payment, Payment.id == DeviceSession.payment_id)
        .outerjoin(Location, Location.id == Device.location_id)
    )
    if status:
        query = query.where(DeviceSession.status == DeviceSessionStatus(status))
    if filters.active_only:
        query = query.where(DeviceSession.status.in_(_OPEN_DEVICE))
    if filters.device_id is not None:
        query = query.where(DeviceSession.device_id == filters.device_id)
    return _common(query, filters, Device.location_id, DeviceSession.starts_at, bounds)


def _door_part(filters: SessionFilters, bounds, now: datetime):
    """The door-access half of the list, or None when the filters leave door accesses out."""
    status = filters.status
    if filters.kind == SessionKind.device or filters.device_id is not None or (status and status not in _DOOR_STATUSES):
        return None
    query = (
        select(
            literal_column("'door'", String).label("kind"), DoorAccess.id.label("id"),
            type_coerce(DoorAccess.status, String).label("status"), Door.name.label("place_name"),
            Location.name.label("location_name"), Payment.paid_at.label("paid_at"),
            DoorAccess.valid_from.label("starts_at"), DoorAccess.valid_until.label("ends_at"),
            Payment.amount_minor.label("amount_minor"), Payment.currency.label("currency"),
            Payment.id.label("payment_id"),
        )
        .select_from(DoorAccess)
        .outerjoin(Door, Door.id == DoorAccess.door_id)
        .outerjoin(Payment, Payment.id == DoorAccess.payment_id)
        .outerjoin(Location, Location.id == Door.location_id)
    )
    if status:
        query = query.where(DoorAccess.status == DoorAccessStatus(status))
    if filters.active_only:
        query = query.where(DoorAccess.status.in_(_OPEN), DoorAccess.valid_until > now)
    if filters.door_id is not None:
        query = query.where(DoorAccess.door_id == filters.door_id)
    return _common(query, filters, Door.location_id, DoorAccess.valid_from, bounds)


def _common(query, filters: SessionFilters, location_column, start_column, bounds):
    """The filters both kinds share."""
    start, end = bounds
    if filters.location_id is not None:
        query = query.where(location_column == filters.location_id)
    if start is not None:
        query = query.where(start_column >= start)
    if end is not None:
        query = query.where(start_column < end)
    return query


def _session_row(row) -> SessionRow:
    kind = SessionKind(row.kind)
    status = DeviceSessionStatus(row.status) if kind == SessionKind.device else DoorAccessStatus(row.status)
    return SessionRow(kind=kind, id=row.id, status=status, place_name=row.place_name,
                      location_name=row.location_name, paid_at=row.paid_at, starts_at=row.starts_at,
                      ends_at=row.ends_at, amount_minor=row.amount_minor, currency=row.currency,
                      payment_id=row.payment_id)


def _step(at: datetime, code: str, label: str, reason: str | None = None) -> TimelineEvent:
    return TimelineEvent(at=at, code=code, label=label, source="session", reason=reason)


def _device_steps(session: DeviceSession, now: datetime) -> list[TimelineEvent]:
    steps = [_step(session.paid_at, "paid", "Paid")]
    if session.relay_on_at:
        steps.append(_step(session.relay_on_at, "relay_on", "Relay switched ON"))
        # After a delay (warm-up, grace) the paid minutes start later; only shown once that moment was reached.
        if session.delay_minutes and session.starts_at <= (session.ended_at or now):
            steps.append(_step(session.starts_at, "paid_minutes_started", "Paid minutes started"))
    if session.relay_off_at:
        steps.append(_step(session.relay_off_at, "relay_off", "Relay switched OFF"))
    if session.ended_at:
        if session.status == DeviceSessionStatus.failed:
            steps.append(_step(session.ended_at, "failed", "Failed", session.failure_reason))
        elif session.status == DeviceSessionStatus.cancelled:
            steps.append(_step(session.ended_at, "cancelled", "Cancelled", session.end_reason))
        else:
            steps.append(_step(session.ended_at, "ended", "Ended", session.end_reason))
    return steps


def _door_steps(access: DoorAccess, payment: Payment, now: datetime) -> list[TimelineEvent]:
    steps = [_step(payment.paid_at, "paid", "Paid")] if payment.paid_at else []
    if access.status == DoorAccessStatus.failed:
        return [*steps, _step(access.updated_at, "failed", "Failed", access.failure_reason)]
    if access.status == DoorAccessStatus.cancelled:
        return [*steps, _step(access.updated_at, "cancelled", "Cancelled")]
    if access.valid_from <= now:
        steps.append(_step(access.valid_from, "access_started", "Access window opened"))
    if access.valid_until <= now:
        steps.append(_step(access.valid_until, "access_ended", "Access window closed"))
    return steps


def _audit_events(db: Session, targets: list[tuple[str, int]]) -> list[TimelineEvent]:
    """The audit rows about these targets, oldest first, with the acting staff member's name joined."""
    about = or_(*(and_(AuditLog.target_type == kind, AuditLog.target_id == str(target_id))
                  for kind, target_id in targets))
    staff = and_(AuditLog.actor_type == "user", cast(User.id, String) == AuditLog.actor_id)
    rows = db.exec(
        select(AuditLog, User.name, User.email).outerjoin(User, staff).where(about)
        .order_by(AuditLog.created_at, AuditLog.id).limit(MAX_TIMELINE_AUDIT_ROWS)
    ).all()
    events = []
    for row, name, email in rows:
        details = json.loads(row.details)
        events.append(TimelineEvent(
            at=row.created_at, code=row.action, label=AUDIT_LABELS.get(row.action, row.action), source="audit",
            reason=details.get("reason") or details.get("error"), actor_type=row.actor_type,
            actor_name=(name or email) if row.actor_type == "user" else None, details=details,
        ))
    return events


def _in_order(events: list[TimelineEvent]) -> tuple[TimelineEvent, ...]:
    """By time; a stable sort, so at the same instant the steps keep the order they were given in
    (the session's own steps first, in their logical order, then the audit rows)."""
    return tuple(sorted(events, key=lambda event: event.at))
