"""What a guest may buy at a device: its plans, and whether it can be sold right now."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from hygate_app.models import (
    Device,
    DeviceMode,
    DeviceSession,
    DeviceSessionStatus,
    Door,
    DoorMode,
    Location,
    UsagePlan,
)
from hygate_app.services import audit
from hygate_app.services.errors import Conflict, InvalidInput, NotFound
from hygate_app.services.money import format_amount
from hygate_app.services.translations import N_
from hygate_app.services.typed_text import clean_name, storable

# No 0/O or 1/I/L: the display code is read aloud and typed by guests.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_display_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))


def new_uid() -> str:
    return secrets.token_urlsafe(9)


@dataclass(frozen=True)
class PlanOffer:
    id: int
    name: str
    duration_minutes: int
    delay_minutes: int
    price: str


@dataclass(frozen=True)
class DeviceOffer:
    uid: str
    name: str
    display_code: str
    location_name: str
    # None when it can be sold; otherwise "maintenance", "offline" or "in_use".
    unavailable_reason: str | None
    busy_until: datetime | None
    plans: list[PlanOffer]

    @property
    def sellable(self) -> bool:
        return self.unavailable_reason is None and bool(self.plans)


def find_device(db: Session, uid: str) -> Device:
    device = db.exec(select(Device).where(Device.uid == uid)).first() if storable(uid) else None
    if device is None:
        raise NotFound("This device does not exist.", message_id=N_("not_found.device"))
    return device


def running_session(db: Session, device_id: int) -> DeviceSession | None:
    """The session occupying the device: paid and not yet over (an interrupted one keeps it for its free restart)."""
    return db.exec(
        select(DeviceSession)
        .where(DeviceSession.device_id == device_id)
        .where(DeviceSession.status.in_(
            [DeviceSessionStatus.pending, DeviceSessionStatus.active, DeviceSessionStatus.interrupted]))
        .order_by(DeviceSession.ends_at.desc())
    ).first()


def active_plans(db: Session, device_id: int) -> list[UsagePlan]:
    return list(
        db.exec(
            select(UsagePlan)
            .where(UsagePlan.device_id == device_id, UsagePlan.active == True)  # noqa: E712
            .order_by(UsagePlan.sort_order, UsagePlan.id)
        ).all()
    )


def device_offer(db: Session, uid: str, language: str = "en") -> DeviceOffer:
    """What the device sells now; prices are written for the guest's language."""
    device = find_device(db, uid)
    location = db.get(Location, device.location_id)
    busy = running_session(db, device.id)
    reason = None
    if device.mode == DeviceMode.maintenance:
        reason = "maintenance"
    elif not device.online:
        reason = "offline"
    elif busy is not None:
        reason = "in_use"
    plans = [
        PlanOffer(p.id, p.name, p.duration_minutes, p.delay_minutes, format_amount(p.price_minor, p.currency, language))
        for p in active_plans(db, device.id)
    ]
    return DeviceOffer(
        uid=device.uid,
        name=device.name,
        display_code=device.display_code,
        location_name=location.name if location else "",
        unavailable_reason=reason,
        busy_until=busy.ends_at if busy else None,
        plans=plans,
    )


@dataclass(frozen=True)
class DoorOffer:
    uid: str
    name: str
    display_code: str
    location_name: str
    price: str
    access_minutes: int
    # "sell" (pay for access), "free" (passage mode: the door is open, nothing to pay), or why it cannot be
    # sold: "maintenance", "not_connected" (no TTLock lock linked yet).
    availability: str

    @property
    def sellable(self) -> bool:
        return self.availability == "sell"


def find_door(db: Session, uid: str) -> Door:
    door = db.exec(select(Door).where(Door.uid == uid)).first() if storable(uid) else None
    if door is None:
        raise NotFound("This door does not exist.", message_id=N_("not_found.door"))
    return door


def door_availability(door: Door) -> str:
    """Passage mode wins over everything (the door is open anyway); a door with no lock cannot be served."""
    if door.mode == DoorMode.passage:
        return "free"
    if door.mode == DoorMode.maintenance:
        return "maintenance"
    if not door.ttlock_lock_id:
        return "not_connected"
    return "sell"


def door_offer(db: Session, uid: str, language: str = "en") -> DoorOffer:
    door = find_door(db, uid)
    location = db.get(Location, door.location_id)
    return DoorOffer(
        uid=door.uid,
        name=door.name,
        display_code=door.display_code,
        location_name=location.name if location else "",
        price=format_amount(door.price_minor, door.currency, language),
        access_minutes=door.access_minutes,
        availability=door_availability(door),
    )


@dataclass(frozen=True)
class PlanSpec:
    name: str
    duration_minutes: int
    price_minor: int
    delay_minutes: int = 0
    currency: str = "eur"


def add_device(db: Session, *, location_id: int, name: str, shelly_device_id: str, plans: list[PlanSpec],
               actor: audit.Actor = audit.SYSTEM) -> Device:
    """A device with its usage plans, sellable at once (the admin screens of the next issue call this)."""
    if db.get(Location, location_id) is None:
        raise NotFound("This location does not exist.")
    name = clean_name(name, "device", 120)
    if db.exec(select(Device).where(Device.shelly_device_id == shelly_device_id)).first() is not None:
        raise Conflict("This Shelly device is already registered.")
    device = Device(uid=new_uid(), display_code=new_display_code(), location_id=location_id, name=name,
                    shelly_device_id=shelly_device_id)
    db.add(device)
    db.flush()
    for order, spec in enumerate(plans):
        if spec.duration_minutes <= 0 or spec.delay_minutes < 0 or spec.price_minor < 0:
            raise InvalidInput("Plan minutes must be positive and prices not negative.")
        db.add(UsagePlan(device_id=device.id, name=spec.name, duration_minutes=spec.duration_minutes,
                         delay_minutes=spec.delay_minutes, price_minor=spec.price_minor, currency=spec.currency,
                         sort_order=order))
    audit.record(db, "device.created", actor=actor, target_type="device", target_id=device.id,
                 details={"name": name, "shelly_device_id": shelly_device_id})
    db.commit()
    return device


def set_device_mode(db: Session, device_id: int, mode: DeviceMode, *, actor: audit.Actor = audit.SYSTEM) -> Device:
    """Maintenance blocks new sales; a running session goes on. Audited, as every access setting."""
    device = db.get(Device, device_id)
    if device is None:
        raise NotFound("This device does not exist.")
    if device.mode != mode:
        audit.record(db, "device.mode_changed", actor=actor, target_type="device", target_id=device.id,
                     details={"from": device.mode.value, "to": mode.value})
        device.mode = mode
        db.commit()
    return device
