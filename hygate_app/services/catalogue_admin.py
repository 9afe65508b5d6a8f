"""Staff management of what is sold: doors, devices, their usage plans, and the force end of a device session.

Every change of money or access settings writes one audit row whose details hold each changed field as
[old, new]. The guest-facing view of the same catalogue lives in `catalogue.py`.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

from babel.core import get_global
from babel.numbers import get_currency_precision
from sqlalchemy import false, func, or_
from sqlmodel import Session, select

from hygate_app.models import (
    CredentialKind,
    Device,
    DeviceMode,
    DeviceSession,
    DeviceSessionStatus,
    Door,
    DoorMode,
    Location,
    Payment,
    UsagePlan,
)
from hygate_app.models.columns import utcnow
from hygate_app.services import audit, catalogue, refunds
from hygate_app.services.device_sessions import (
    RELAY_OFF_RETRIES,
    mark_failed,
    request_unused_refund,
    transition,
    unused_seconds,
)
from hygate_app.services.errors import Conflict, InvalidInput, NotFound
from hygate_app.services.guest_updates import GuestUpdates
from hygate_app.services.money import format_amount
from hygate_app.services.paging import Page, PageRequest, paginate
from hygate_app.services.queue import JobQueue
from hygate_app.services.typed_text import clean_name, storable

# Pay-per-use prices are small; anything above 10 000.00 (in a two-decimal currency) is a typing slip.
MAX_PRICE_MINOR = 1_000_000
MAX_MINUTES = 24 * 60
MAX_DELAY_MINUTES = 60
RUNNING = (DeviceSessionStatus.pending, DeviceSessionStatus.active)
S = DeviceSessionStatus
E = TypeVar("E", bound=enum.Enum)
T = TypeVar("T")


# ---------------------------------------------------------------- rows


@dataclass(frozen=True)
class DeviceRow:
    id: int
    uid: str
    name: str
    display_code: str
    location_id: int
    location_name: str
    mode: DeviceMode
    online: bool
    relay_on: bool | None
    plan_count: int
    running_session_id: int | None


@dataclass(frozen=True)
class DoorRow:
    id: int
    uid: str
    name: str
    display_code: str
    location_id: int
    location_name: str
    price_minor: int
    currency: str
    price: str
    access_minutes: int
    mode: DoorMode
    online: bool
    battery_percent: int | None
    credential_kind: CredentialKind


@dataclass(frozen=True)
class PlanRow:
    id: int
    device_id: int
    name: str
    duration_minutes: int
    delay_minutes: int
    price_minor: int
    currency: str
    price: str
    sort_order: int
    active: bool


@dataclass(frozen=True)
class SessionSummary:
    id: int
    status: DeviceSessionStatus
    paid_at: datetime
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class DeviceDetail:
    device: DeviceRow
    shelly_device_id: str
    channel: int
    last_seen_at: datetime | None
    plans: list[PlanRow]
    running_session: SessionSummary | None


@dataclass(frozen=True)
class DoorDetail:
    door: DoorRow
    ttlock_lock_id: str | None
    updated_at: datetime


@dataclass(frozen=True)
class PlanRemoval:
    deleted: bool  # False: the plan has payments, so it was deactivated instead
    message: str


@dataclass(frozen=True)
class ForceEnded:
    session_id: int
    # cancelled (it had not started: refunded in full), failed (it was interrupted: unused minutes refunded), or
    # still active until the queued relay-OFF job runs.
    status: DeviceSessionStatus
    refund_requested: bool
    message: str


# ---------------------------------------------------------------- validation


@lru_cache(maxsize=1)
def supported_currencies() -> frozenset[str]:
    """ISO 4217 codes that are legal tender somewhere today (CLDR, via Babel), lower case as Stripe wants them."""
    return frozenset(
        code.lower()
        for entries in get_global("territory_currencies").values()
        for code, _start, end, tender in entries
        if end is None and tender
    )


def clean_currency(value: str) -> str:
    code = (value or "").strip().lower()
    if code not in supported_currencies():
        raise InvalidInput(f"“{value}” is not a currency in use; give its three-letter ISO code, such as EUR.")
    return code


def clean_price(value: int) -> int:
    _whole(value, "The price")
    if not 0 <= value <= MAX_PRICE_MINOR:
        raise InvalidInput(f"The price must be between 0 and {MAX_PRICE_MINOR} (in cents or the currency's "
                           "smallest unit).")
    return value


_PRICE = re.compile(r"-?(?:[0-9]{1,9}(?:[.,][0-9]{0,9})?|[.,][0-9]{1,9})")


def parse_price(text: str, currency: str) -> int:
    """What staff type ("4.50") in the currency's smallest unit (450); more decimals than it has are refused.
    Digits only: Decimal would also read "1e999999999", which overflows, and "1e-999999999", which rounds to 0."""
    code = clean_currency(currency)
    typed = (text or "").strip()
    if not _PRICE.fullmatch(typed):
        raise InvalidInput("Enter the price as a number, such as 4.50.")
    amount = Decimal(typed.replace(",", "."))
    minor = amount.scaleb(get_currency_precision(code.upper()))
    if minor != minor.to_integral_value():
        raise InvalidInput(f"{code.upper()} prices have at most {get_currency_precision(code.upper())} decimals.")
    return clean_price(int(minor))


def parse_whole(text: str, what: str) -> int:
    """A whole number typed in a form ("30"); the range is checked where the value is used."""
    value = (text or "").strip()
    if not re.fullmatch(r"-?[0-9]{1,9}", value):
        raise InvalidInput(f"{what} must be a whole number.")
    return int(value)


def _whole(value: Any, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{what} must be a whole number.")


def _minutes(value: int, what: str, low: int = 1, high: int = MAX_MINUTES) -> int:
    _whole(value, what)
    if not low <= value <= high:
        raise InvalidInput(f"{what} must be between {low} and {high} minutes.")
    return value


def clean_minutes(value: int, what: str) -> int:
    """A duration in whole minutes, from one minute to a day."""
    return _minutes(value, what)


def _mode(enum_cls: type[E], value: Any, what: str) -> E:
    try:
        return enum_cls(value)
    except ValueError:
        choices = ", ".join(m.value for m in enum_cls)
        raise InvalidInput(f"The {what} must be one of: {choices}.") from None


def _location_id(db: Session, location_id: int) -> int:
    if db.get(Location, location_id) is None:
        raise NotFound("This location does not exist.")
    return location_id


def _get(db: Session, model: type[T], row_id: int, what: str) -> T:
    row = db.get(model, row_id)
    if row is None:
        raise NotFound(f"This {what} does not exist.")
    return row


def _apply(row: Any, wanted: dict[str, Any]) -> dict[str, list[Any]]:
    """Set the fields that differ and return them as {field: [old, new]} for the audit row."""
    changes: dict[str, list[Any]] = {}
    for field, new in wanted.items():
        old = getattr(row, field)
        if old != new:
            changes[field] = [_plain(old), _plain(new)]
            setattr(row, field, new)
    return changes


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _search(term: str, *columns: Any) -> Any:
    """Case-insensitive "contains" over a few columns; % and _ typed by staff are taken literally."""
    if not storable(term):
        return false()
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(*(column.ilike(f"%{escaped}%", escape="\\") for column in columns))


# ---------------------------------------------------------------- devices


def _device_query() -> Any:
    plans = select(func.count()).where(UsagePlan.device_id == Device.id).correlate(Device).scalar_subquery()
    running = (
        select(DeviceSession.id)
        .where(DeviceSession.device_id == Device.id, DeviceSession.status.in_(RUNNING))
        .order_by(DeviceSession.ends_at.desc())
        .limit(1)
        .correlate(Device)
        .scalar_subquery()
    )
    return select(
        Device.id, Device.uid, Device.name, Device.display_code, Device.location_id,
        Location.name.label("location_name"), Device.mode, Device.online, Device.relay_on,
        plans.label("plan_count"), running.label("running_session_id"),
    ).join(Location, Location.id == Device.location_id)


# Plain columns: `paginate` picks a sort with `or`, which an SQL expression such as lower(name) cannot take.
DEVICE_SORTS = {"name": Device.name, "location": Location.name, "mode": Device.mode, "online": Device.online,
                "created": Device.created_at}


def list_devices(db: Session, location_id: int | None = None, search: str = "",
                 page: PageRequest = PageRequest(descending=False)) -> Page[DeviceRow]:
    query = _device_query()
    if location_id is not None:
        query = query.where(Device.location_id == location_id)
    if term := (search or "").strip():
        query = query.where(_search(term, Device.name, Device.uid, Device.display_code, Device.shelly_device_id))
    found = paginate(db, query, page, DEVICE_SORTS, Device.id, "name")
    return Page([DeviceRow(*row) for row in found.rows], found.total, found.page, found.per_page)


def plan_prices(db: Session, device_ids: list[int]) -> dict[int, str]:
    """What each listed device costs, from its cheapest active plan ("from €1.50" when it has several);
    a device without an active plan is missing from the result (it is not for sale)."""
    rows = db.exec(
        select(UsagePlan.device_id, UsagePlan.price_minor, UsagePlan.currency)
        .where(UsagePlan.device_id.in_(device_ids), UsagePlan.active == True)  # noqa: E712
        .order_by(UsagePlan.device_id, UsagePlan.price_minor, UsagePlan.id)
    ).all()
    counts: dict[int, int] = {}
    cheapest: dict[int, str] = {}
    for device_id, price_minor, currency in rows:
        counts[device_id] = counts.get(device_id, 0) + 1
        cheapest.setdefault(device_id, format_amount(price_minor, currency))
    return {device_id: ("from " if counts[device_id] > 1 else "") + price for device_id, price in cheapest.items()}


def device_row(db: Session, device_id: int) -> DeviceRow:
    row = db.exec(_device_query().where(Device.id == device_id)).first()
    if row is None:
        raise NotFound("This device does not exist.")
    return DeviceRow(*row)


def device_detail(db: Session, device_id: int) -> DeviceDetail:
    row = device_row(db, device_id)
    device = db.get(Device, device_id)
    running = catalogue.running_session(db, device_id)
    return DeviceDetail(
        device=row,
        shelly_device_id=device.shelly_device_id,
        channel=device.channel,
        last_seen_at=device.last_seen_at,
        plans=list_plans(db, device_id),
        running_session=None if running is None else SessionSummary(
            running.id, running.status, running.paid_at, running.starts_at, running.ends_at),
    )


def update_device(db: Session, actor: audit.Actor, device_id: int, *, name: str | None = None,
                  mode: DeviceMode | str | None = None, location_id: int | None = None) -> DeviceRow:
    """Fields left None stay as they are. Maintenance blocks new sales; a running session goes on."""
    device = _get(db, Device, device_id, "device")
    wanted: dict[str, Any] = {}
    if name is not None:
        wanted["name"] = clean_name(name, "device", 120)
    if mode is not None:
        wanted["mode"] = _mode(DeviceMode, mode, "device mode")
    if location_id is not None:
        wanted["location_id"] = _location_id(db, location_id)
    if changes := _apply(device, wanted):
        device.updated_at = utcnow()
        db.add(device)
        audit.record(db, "device.updated", actor=actor, target_type="device", target_id=device.id, details=changes)
        db.commit()
    return device_row(db, device_id)


# ---------------------------------------------------------------- doors


def _door_query() -> Any:
    return select(
        Door.id, Door.uid, Door.name, Door.display_code, Door.location_id, Location.name.label("location_name"),
        Door.price_minor, Door.currency, Door.access_minutes, Door.mode, Door.online, Door.battery_percent,
        Door.credential_kind,
    ).join(Location, Location.id == Door.location_id)


def _door_row(row: Any) -> DoorRow:
    (id_, uid, name, code, location_id, location_name, price_minor, currency, minutes, mode, online, battery,
     kind) = row
    return DoorRow(id_, uid, name, code, location_id, location_name, price_minor, currency,
                   format_amount(price_minor, currency), minutes, mode, online, battery, kind)


DOOR_SORTS = {"name": Door.name, "location": Location.name, "price": Door.price_minor,
              "minutes": Door.access_minutes, "mode": Door.mode, "online": Door.online,
              "battery": Door.battery_percent, "created": Door.created_at}


def list_doors(db: Session, location_id: int | None = None, search: str = "",
               page: PageRequest = PageRequest(descending=False)) -> Page[DoorRow]:
    query = _door_query()
    if location_id is not None:
        query = query.where(Door.location_id == location_id)
    if term := (search or "").strip():
        query = query.where(_search(term, Door.name, Door.uid, Door.display_code, Door.ttlock_lock_id))
    found = paginate(db, query, page, DOOR_SORTS, Door.id, "name")
    return Page([_door_row(row) for row in found.rows], found.total, found.page, found.per_page)


def door_row(db: Session, door_id: int) -> DoorRow:
    row = db.exec(_door_query().where(Door.id == door_id)).first()
    if row is None:
        raise NotFound("This door does not exist.")
    return _door_row(row)


def door_detail(db: Session, door_id: int) -> DoorDetail:
    row = door_row(db, door_id)
    door = db.get(Door, door_id)
    return DoorDetail(door=row, ttlock_lock_id=door.ttlock_lock_id, updated_at=door.updated_at)


def update_door(db: Session, actor: audit.Actor, door_id: int, *, name: str | None = None,
                price_minor: int | None = None, currency: str | None = None, access_minutes: int | None = None,
                mode: DoorMode | str | None = None, location_id: int | None = None) -> DoorRow:
    """Fields left None stay as they are. A new price applies to checkouts started from now on."""
    door = _get(db, Door, door_id, "door")
    wanted: dict[str, Any] = {}
    if name is not None:
        wanted["name"] = clean_name(name, "door", 120)
    if price_minor is not None:
        wanted["price_minor"] = clean_price(price_minor)
    if currency is not None:
        wanted["currency"] = clean_currency(currency)
    if access_minutes is not None:
        wanted["access_minutes"] = _minutes(access_minutes, "The access time")
    if mode is not None:
        wanted["mode"] = _mode(DoorMode, mode, "door mode")
    if location_id is not None:
        wanted["location_id"] = _location_id(db, location_id)
    if changes := _apply(door, wanted):
        door.updated_at = utcnow()
        db.add(door)
        audit.record(db, "door.updated", actor=actor, target_type="door", target_id=door.id, details=changes)
        db.commit()
    return door_row(db, door_id)


# ---------------------------------------------------------------- usage plans


def _plan_row(plan: UsagePlan) -> PlanRow:
    return PlanRow(plan.id, plan.device_id, plan.name, plan.duration_minutes, plan.delay_minutes, plan.price_minor,
                   plan.currency, format_amount(plan.price_minor, plan.currency), plan.sort_order, plan.active)


def _plans(db: Session, device_id: int) -> list[UsagePlan]:
    return list(db.exec(
        select(UsagePlan).where(UsagePlan.device_id == device_id).order_by(UsagePlan.sort_order, UsagePlan.id)
    ).all())


def list_plans(db: Session, device_id: int) -> list[PlanRow]:
    """Every plan of the device, inactive ones too, in the order guests see them."""
    return [_plan_row(plan) for plan in _plans(db, device_id)]


def add_plan(db: Session, actor: audit.Actor, device_id: int, *, name: str, duration_minutes: int, price_minor: int,
             currency: str = "eur", delay_minutes: int = 0, active: bool = True) -> PlanRow:
    """The new plan goes last in the device's list."""
    device = _get(db, Device, device_id, "device")
    values = {
        "name": clean_name(name, "plan", 80),
        "duration_minutes": _minutes(duration_minutes, "The duration"),
        "delay_minutes": _minutes(delay_minutes, "The delayed start", 0, MAX_DELAY_MINUTES),
        "price_minor": clean_price(price_minor),
        "currency": clean_currency(currency),
        "active": bool(active),
    }
    last = db.exec(select(func.max(UsagePlan.sort_order)).where(UsagePlan.device_id == device.id)).one()
    plan = UsagePlan(device_id=device.id, sort_order=0 if last is None else last + 1, **values)
    db.add(plan)
    db.flush()
    audit.record(db, "usage_plan.created", actor=actor, target_type="usage_plan", target_id=plan.id,
                 details={"device_id": device.id, **values})
    db.commit()
    return _plan_row(plan)


def update_plan(db: Session, actor: audit.Actor, plan_id: int, *, name: str | None = None,
                duration_minutes: int | None = None, delay_minutes: int | None = None,
                price_minor: int | None = None, currency: str | None = None, active: bool | None = None) -> PlanRow:
    """Fields left None stay as they are. Paid sessions keep the minutes and price they were sold with."""
    plan = _get(db, UsagePlan, plan_id, "usage plan")
    wanted: dict[str, Any] = {}
    if name is not None:
        wanted["name"] = clean_name(name, "plan", 80)
    if duration_minutes is not None:
        wanted["duration_minutes"] = _minutes(duration_minutes, "The duration")
    if delay_minutes is not None:
        wanted["delay_minutes"] = _minutes(delay_minutes, "The delayed start", 0, MAX_DELAY_MINUTES)
    if price_minor is not None:
        wanted["price_minor"] = clean_price(price_minor)
    if currency is not None:
        wanted["currency"] = clean_currency(currency)
    if active is not None:
        wanted["active"] = bool(active)
    if changes := _apply(plan, wanted):
        db.add(plan)
        audit.record(db, "usage_plan.updated", actor=actor, target_type="usage_plan", target_id=plan.id,
                     details=changes)
        db.commit()
    return _plan_row(plan)


def _plan_has_payments(db: Session, plan_id: int) -> bool:
    return db.exec(select(Payment.id).where(Payment.usage_plan_id == plan_id).limit(1)).first() is not None


def delete_plan(db: Session, actor: audit.Actor, plan_id: int) -> PlanRemoval:
    """Payments keep pointing at their plan (RESTRICT), so a plan that was ever bought is deactivated instead."""
    plan = _get(db, UsagePlan, plan_id, "usage plan")
    if _plan_has_payments(db, plan.id):
        if plan.active:
            plan.active = False
            db.add(plan)
            audit.record(db, "usage_plan.updated", actor=actor, target_type="usage_plan", target_id=plan.id,
                         details={"active": [True, False], "instead_of_delete": True})
            db.commit()
        return PlanRemoval(False, f"“{plan.name}” has payments, so it was deactivated instead of deleted; "
                                  "guests no longer see it.")
    device_id = plan.device_id
    audit.record(db, "usage_plan.deleted", actor=actor, target_type="usage_plan", target_id=plan.id,
                 details={"device_id": device_id, "name": plan.name, "duration_minutes": plan.duration_minutes,
                          "delay_minutes": plan.delay_minutes, "price_minor": plan.price_minor,
                          "currency": plan.currency, "active": plan.active})
    db.delete(plan)
    db.flush()
    _write_order(db, _plans(db, device_id))
    db.commit()
    return PlanRemoval(True, f"“{plan.name}” was deleted.")


def move_plan(db: Session, actor: audit.Actor, plan_id: int, direction: str) -> list[PlanRow]:
    """One step up or down the guest's list; at either end nothing moves."""
    if direction not in ("up", "down"):
        raise InvalidInput("A plan moves up or down.")
    plan = _get(db, UsagePlan, plan_id, "usage plan")
    plans = _plans(db, plan.device_id)
    before = [p.id for p in plans]
    here = before.index(plan.id)
    there = here - 1 if direction == "up" else here + 1
    if 0 <= there < len(plans):
        plans[here], plans[there] = plans[there], plans[here]
    return _save_order(db, actor, plan.device_id, before, plans)


def reorder_plans(db: Session, actor: audit.Actor, device_id: int, ordered_ids: list[int]) -> list[PlanRow]:
    """The whole order at once (drag and drop): every plan of the device exactly once, or nothing changes."""
    _get(db, Device, device_id, "device")
    plans = _plans(db, device_id)
    by_id = {p.id: p for p in plans}
    try:
        wanted = [int(plan_id) for plan_id in ordered_ids]
    except (TypeError, ValueError):
        raise InvalidInput("The new order names plans that do not exist.") from None
    if len(wanted) != len(by_id) or set(wanted) != set(by_id):
        raise InvalidInput("The device's plans changed while you were sorting them; reload and try again.")
    return _save_order(db, actor, device_id, [p.id for p in plans], [by_id[i] for i in wanted])


def _write_order(db: Session, plans: list[UsagePlan]) -> bool:
    """sort_order becomes 0..n-1 in list order; True when any row changed."""
    changed = False
    for order, plan in enumerate(plans):
        if plan.sort_order != order:
            plan.sort_order = order
            db.add(plan)
            changed = True
    return changed


def _save_order(db: Session, actor: audit.Actor, device_id: int, before: list[int],
                plans: list[UsagePlan]) -> list[PlanRow]:
    after = [p.id for p in plans]
    changed = _write_order(db, plans)
    if before != after:
        audit.record(db, "usage_plan.reordered", actor=actor, target_type="device", target_id=device_id,
                     details={"order": [before, after]})
    if changed or before != after:
        db.commit()
    return [_plan_row(p) for p in plans]


# ---------------------------------------------------------------- force end


def force_end_session(db: Session, actor: audit.Actor, queue: JobQueue, session_id: int, *,
                      updates: GuestUpdates | None = None, refund_unused: bool = False) -> ForceEnded:
    """End a pending or active device session now; the relay-OFF goes through the job queue like any other.

    The session's paid end moves to now, so the queued OFF job finds it due, and if that job is lost the
    session-cleanup pass ends it within one period: the database, not Redis, guarantees the OFF. A session
    that had not started yet is cancelled here and refunded in full (the guest got nothing; a free restart
    not started yet gets its unused minutes back). For a running one staff may choose to refund the paid
    minutes not used yet, pro rata (once per session). An interrupted one (waiting for the guest's free restart)
    ends as failed with the refund its guest would get when the offer lapses: staff end the offer early, never
    the guest's money.
    """
    session = db.exec(select(DeviceSession).where(DeviceSession.id == session_id).with_for_update()).first()
    if session is None:
        raise NotFound("This session does not exist.")
    if session.status not in (*RUNNING, S.interrupted):
        raise Conflict(f"This session has already ended ({session.status.value}).")
    now = utcnow()
    reason = f"force ended by {audit.actor_label(db, actor)}"[:200]
    if session.status == S.interrupted:
        return _end_interrupted(db, actor, queue, session, reason, now, updates)
    before = {"status": session.status.value, "starts_at": session.starts_at, "ends_at": session.ends_at}
    payment = db.get(Payment, session.payment_id)
    # Nothing of a pending window was delivered; an active one used its time up to now.
    unused = unused_seconds(session, session.starts_at if session.status == S.pending else now)
    refund = None
    if session.status == S.active and refund_unused:
        refund = request_unused_refund(db, payment, session, unused,
                                       reason="unused minutes of a session ended by staff")
    session.ends_at = min(session.ends_at, now)
    session.starts_at = min(session.starts_at, session.ends_at)
    session.end_reason = reason
    session.updated_at = now
    if session.status == S.pending:
        transition(session, S.cancelled, now)
        session.ended_at = now
        if session.relay_on_at is None:
            refund = refunds.request_refund(db, payment, payment.amount_minor - payment.amount_refunded_minor,
                                            reason="force ended before the device started", key_suffix="not-delivered")
        else:  # a free restart not started yet: the guest used the minutes before the interruption
            refund = request_unused_refund(db, payment, session, unused, reason="force ended before a restart")
    db.add(session)
    audit.record(db, "device_session.force_ended", actor=actor, target_type="device_session", target_id=session.id,
                 details={"device_id": session.device_id, "reason": reason,
                          "status": [before["status"], session.status.value],
                          "starts_at": [before["starts_at"].isoformat(), session.starts_at.isoformat()],
                          "ends_at": [before["ends_at"].isoformat(), session.ends_at.isoformat()],
                          "refund_unused": refund_unused and before["status"] == S.active.value,
                          "refund_id": None if refund is None else refund.id,
                          "refund_minor": None if refund is None else refund.amount_minor})
    db.commit()
    queue.enqueue("jobs.relay.switch_relay_off", session.id, retries=RELAY_OFF_RETRIES)
    if refund is not None:
        refunds.enqueue_send(queue, refund)
    if updates is not None:
        updates.changed(payment.guest_token)
    return ForceEnded(session.id, session.status, refund is not None,
                      _force_end_message(session.status, refund, payment.currency))


def _end_interrupted(db: Session, actor: audit.Actor, queue: JobQueue, session: DeviceSession, reason: str,
                     now: datetime, updates: GuestUpdates | None) -> ForceEnded:
    payment = db.get(Payment, session.payment_id)
    refund = mark_failed(db, session, f"The session was interrupted and {reason}.", now=now)
    audit.record(db, "device_session.force_ended", actor=actor, target_type="device_session", target_id=session.id,
                 details={"device_id": session.device_id, "reason": reason,
                          "status": [S.interrupted.value, session.status.value],
                          "refund_id": None if refund is None else refund.id,
                          "refund_minor": None if refund is None else refund.amount_minor})
    db.commit()
    if refund is not None:
        refunds.enqueue_send(queue, refund)
    if updates is not None:
        updates.changed(payment.guest_token)
    message = "The interrupted session was ended (its free restart withdrawn)"
    if refund is not None:
        message += f"; its unused minutes ({format_amount(refund.amount_minor, payment.currency)}) are being refunded"
    return ForceEnded(session.id, session.status, refund is not None, message + ".")


def _force_end_message(status: DeviceSessionStatus, refund: Any, currency: str) -> str:
    if status == S.cancelled:
        return ("The session was cancelled before the device started; the payment is being refunded in full."
                if refund is not None else "The session was cancelled before the device started.")
    if refund is not None:
        return (f"The session is ending: the device is being switched off, and the unused minutes "
                f"({format_amount(refund.amount_minor, currency)}) are being refunded.")
    return "The session is ending: the device is being switched off."

