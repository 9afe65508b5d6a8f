"""Locations: the places that group doors and devices, each with the time zone its guest pages and reports use.

Who may create, delete or change a time zone (administrators) is decided by the caller's guard, not here.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from hygate_app.models import Device, Door, Location, Payment
from hygate_app.services import audit
from hygate_app.services.errors import Conflict, InvalidInput, NotFound
from hygate_app.services.typed_text import clean_name

MAX_NAME_LENGTH = 120


@dataclass(frozen=True)
class LocationRow:
    id: int
    name: str
    timezone: str
    door_count: int
    device_count: int


@lru_cache(maxsize=1)
def known_timezones() -> frozenset[str]:
    """The IANA names this machine knows; read once, the tz database does not change while we run."""
    return frozenset(zoneinfo.available_timezones())


def clean_timezone(value: str) -> str:
    timezone = (value or "").strip()
    if timezone not in known_timezones():
        raise InvalidInput(f"“{timezone}” is not a known time zone; choose one such as Europe/Berlin.")
    return timezone


def _per_location(location_column):  # noqa: ANN001, ANN202
    """A correlated count of the rows in `location_column`'s table that sit in the outer query's location."""
    return select(func.count()).where(location_column == Location.id).correlate(Location).scalar_subquery()


def list_locations(db: Session) -> list[LocationRow]:
    """Every location with its door and device counts, in one query (there are tens, not thousands)."""
    doors = _per_location(Door.location_id).label("doors")
    devices = _per_location(Device.location_id).label("devices")
    rows = db.exec(
        select(Location.id, Location.name, Location.timezone, doors, devices).order_by(func.lower(Location.name),
                                                                                      Location.id)
    ).all()
    return [LocationRow(*row) for row in rows]


def location_row(db: Session, location_id: int) -> LocationRow:
    location = _get(db, location_id)
    doors, devices = _contents(db, location_id)
    return LocationRow(location.id, location.name, location.timezone, doors, devices)


def create_location(db: Session, actor: audit.Actor, name: str, timezone: str) -> LocationRow:
    name = clean_name(name, "location", MAX_NAME_LENGTH)
    timezone = clean_timezone(timezone)
    _ensure_name_free(db, name)
    location = Location(name=name, timezone=timezone)
    db.add(location)
    _flush_unique(db)
    audit.record(db, "location.created", actor=actor, target_type="location", target_id=location.id,
                 details={"name": name, "timezone": timezone})
    db.commit()
    return LocationRow(location.id, location.name, location.timezone, 0, 0)


def rename_location(db: Session, actor: audit.Actor, location_id: int, name: str) -> LocationRow:
    location = _get(db, location_id)
    name = clean_name(name, "location", MAX_NAME_LENGTH)
    if name != location.name:
        _ensure_name_free(db, name, except_id=location.id)
        audit.record(db, "location.renamed", actor=actor, target_type="location", target_id=location.id,
                     details={"name": [location.name, name]})
        location.name = name
        db.add(location)
        _flush_unique(db)
        db.commit()
    return location_row(db, location_id)


def set_location_timezone(db: Session, actor: audit.Actor, location_id: int, timezone: str) -> LocationRow:
    """Changes how guest pages, reports and door credential windows read local time from now on."""
    location = _get(db, location_id)
    timezone = clean_timezone(timezone)
    if timezone != location.timezone:
        audit.record(db, "location.timezone_changed", actor=actor, target_type="location", target_id=location.id,
                     details={"timezone": [location.timezone, timezone]})
        location.timezone = timezone
        db.add(location)
        db.commit()
    return location_row(db, location_id)


def delete_location(db: Session, actor: audit.Actor, location_id: int) -> None:
    """Only an empty location goes: doors and devices must be moved first, and payment history stays."""
    location = _get(db, location_id)
    doors, devices = _contents(db, location_id)
    if doors or devices:
        raise Conflict(f"“{location.name}” still has {_plural(doors, 'door')} and {_plural(devices, 'device')}; "
                       "move or remove them before deleting the location.")
    if db.exec(select(Payment.id).where(Payment.location_id == location_id).limit(1)).first() is not None:
        raise Conflict(f"“{location.name}” has payment history, which must stay readable; it cannot be deleted.")
    audit.record(db, "location.deleted", actor=actor, target_type="location", target_id=location.id,
                 details={"name": location.name, "timezone": location.timezone})
    db.delete(location)
    db.commit()


def _get(db: Session, location_id: int) -> Location:
    location = db.get(Location, location_id)
    if location is None:
        raise NotFound("This location does not exist.")
    return location


def _contents(db: Session, location_id: int) -> tuple[int, int]:
    doors = db.exec(select(func.count()).select_from(Door).where(Door.location_id == location_id)).one()
    devices = db.exec(select(func.count()).select_from(Device).where(Device.location_id == location_id)).one()
    return doors, devices


def _ensure_name_free(db: Session, name: str, except_id: int | None = None) -> None:
    """Case-insensitive, so "Laundry" and "laundry" never sit side by side in a menu."""
    query = select(Location.id).where(func.lower(Location.name) == func.lower(name))
    if except_id is not None:
        query = query.where(Location.id != except_id)
    if db.exec(query).first() is not None:
        raise Conflict(f"A location called “{name}” already exists.")


def _flush_unique(db: Session) -> None:
    """The unique column decides when two staff members save the same name at once."""
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        raise Conflict("A location with that name already exists.") from None


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
