"""Builders of plain model rows for history, report and dashboard tests: a test sets created_at, statuses and
amounts exactly, as an admin screen would later find them. No service is called except where a test needs
the service's own arithmetic (device_sessions.create_for_payment)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from hygate_app.models import (
    Device,
    DeviceSession,
    DeviceSessionStatus,
    Door,
    DoorAccess,
    DoorAccessStatus,
    Location,
    Payment,
    PaymentKind,
    PaymentStatus,
    UsagePlan,
)

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _code() -> str:
    return uuid.uuid4().hex[:12].upper()


def named(prefix: str) -> str:
    """A unique name that still sorts by its prefix (location names are unique in a workspace)."""
    return f"{prefix} {_code()}"


def new_location(db: Session, timezone: str = "UTC", name: str | None = None) -> Location:
    """Names are unique per workspace: without one, a random name is used."""
    location = Location(name=name or f"Location {_code()}", timezone=timezone)
    db.add(location)
    db.flush()
    return location


def new_device(db: Session, location: Location, name: str = "Washer", *, minutes: int = 30, delay: int = 0,
               online: bool = True, mode: str = "active") -> tuple[Device, UsagePlan]:
    code = _code()
    device = Device(uid=f"dev-{code}", display_code=code, location_id=location.id, name=name,
                    shelly_device_id=f"shelly-{code}", online=online, mode=mode)
    db.add(device)
    db.flush()
    plan = UsagePlan(device_id=device.id, name="Standard", duration_minutes=minutes, delay_minutes=delay,
                     price_minor=450, currency="eur")
    db.add(plan)
    db.flush()
    return device, plan


def new_door(db: Session, location: Location, name: str = "Front door", *, online: bool = True,
             mode: str = "active") -> Door:
    code = _code()
    door = Door(uid=f"door-{code}", display_code=code, location_id=location.id, name=name, price_minor=200,
                online=online, mode=mode)
    db.add(door)
    db.flush()
    return door


def add_payment(db: Session, place: Device | tuple[Device, UsagePlan] | Door, *, created_at: datetime = T0,
                status: PaymentStatus = PaymentStatus.paid, amount: int = 450, currency: str = "eur",
                refunded: int = 0, email: str | None = None, item_name: str | None = None,
                checkout_id: str | None = None, intent_id: str | None = None,
                paid_at: datetime | None = None, minutes: int | None = None, delay: int | None = None) -> Payment:
    """A payment for a door, a device (its first plan) or a (device, plan) pair; unless told, paid 30 s after
    it was created; a device payment sells its plan's minutes unless told otherwise."""
    token = uuid.uuid4().hex
    paid = status not in (PaymentStatus.pending, PaymentStatus.expired, PaymentStatus.failed)
    if isinstance(place, Door):
        target = {"kind": PaymentKind.door, "door_id": place.id, "location_id": place.location_id}
        name = place.name
    else:
        device, plan = place if isinstance(place, tuple) else (
            place, db.exec(select(UsagePlan).where(UsagePlan.device_id == place.id)).first())
        target = {"kind": PaymentKind.device, "device_id": device.id, "usage_plan_id": plan.id,
                  "location_id": device.location_id,
                  "duration_minutes": plan.duration_minutes if minutes is None else minutes,
                  "delay_minutes": plan.delay_minutes if delay is None else delay}
        name = f"{device.name} · {plan.name}"
    payment = Payment(guest_token=token, idempotency_key=f"checkout-{token}", item_name=item_name or name,
                      amount_minor=amount, amount_refunded_minor=refunded, currency=currency, status=status,
                      customer_email=email, stripe_checkout_session_id=checkout_id,
                      stripe_payment_intent_id=intent_id, created_at=created_at, updated_at=created_at,
                      paid_at=(paid_at or created_at + timedelta(seconds=30)) if paid else None, **target)
    db.add(payment)
    db.flush()
    return payment


def add_door_access(db: Session, payment: Payment, *, minutes: int = 60,
                    status: DoorAccessStatus = DoorAccessStatus.active) -> DoorAccess:
    """The access a paid door payment bought, valid from its payment."""
    access = DoorAccess(payment_id=payment.id, door_id=payment.door_id, status=status,
                        credential_kind=db.get(Door, payment.door_id).credential_kind, valid_from=payment.paid_at,
                        valid_until=payment.paid_at + timedelta(minutes=minutes))
    db.add(access)
    db.flush()
    return access


def pay(db: Session, target: Device | Door, at: datetime, amount: int = 500, *, item: str = "Item",
        **kwargs) -> Payment:
    """Created and paid at the same instant, for tests of which day, week or month a payment falls in."""
    return add_payment(db, target, created_at=at, paid_at=at, amount=amount, item_name=item, **kwargs)


def run_session(db: Session, device: Device, starts_at: datetime, minutes: int = 45, *,
                status: DeviceSessionStatus = DeviceSessionStatus.completed) -> DeviceSession:
    """A paid device session starting exactly at `starts_at` (reports bucket by it)."""
    payment = pay(db, device, starts_at)
    session = DeviceSession(payment_id=payment.id, device_id=device.id, usage_plan_id=payment.usage_plan_id,
                            status=status, duration_minutes=minutes, paid_at=starts_at, starts_at=starts_at,
                            ends_at=starts_at + timedelta(minutes=minutes))
    db.add(session)
    db.flush()
    return session


def grant_access(db: Session, door: Door, valid_from: datetime, minutes: int = 60, *,
                 status: DoorAccessStatus = DoorAccessStatus.expired) -> DoorAccess:
    """A door access valid from exactly `valid_from` (reports bucket by it)."""
    access = DoorAccess(payment_id=pay(db, door, valid_from).id, door_id=door.id, status=status,
                        credential_kind="qr", valid_from=valid_from,
                        valid_until=valid_from + timedelta(minutes=minutes))
    db.add(access)
    db.flush()
    return access
