"""The Payments and Sessions lists' filters, sort and page as URL query parameters.

The address is the one source of a list's filters: a reload, a shared link or the back button show the same
list, and the CSV export reads the very parameters the page shows. A filter value that cannot be read is an
InvalidInput (a message, not an empty list that looks like "nothing happened"); a page number that cannot be
read is page 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from sqlmodel import Session, select

from hygate_app.models import Device, Door, Location, PaymentStatus
from hygate_app.services.errors import InvalidInput
from hygate_app.services.ids import parse_id
from hygate_app.services.local_time import FIRST_DAY, LAST_DAY, typed_day
from hygate_app.services.paging import PageRequest
from hygate_app.services.payment_history import MAX_SEARCH_LENGTH, PaymentFilters
from hygate_app.services.session_history import SORT_COLUMNS, SessionFilters, SessionKind
from hygate_app.services.typed_text import UNSEARCHABLE, storable

PER_PAGE = 25
# Ids are PostgreSQL integers: a larger number names no row, and sent to the database it would be an error.
PAYMENT_SORTS = ("created", "amount", "status")
SESSION_SORTS = tuple(SORT_COLUMNS)
# The parameters each list understands, in the order they are written back into a link.
PAYMENT_PARAMS = ("from", "to", "status", "location", "device", "door", "q", "sort", "order", "page")
SESSION_PARAMS = ("kind", "active", "status", "location", "device", "door", "from", "to", "sort", "order", "page")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class PlaceChoices:
    """What the filter menus offer: every location, device and door, by location then name."""

    locations: tuple[Choice, ...]
    devices: tuple[Choice, ...]
    doors: tuple[Choice, ...]


def payment_filters(params: Mapping[str, str]) -> PaymentFilters:
    status = _text(params, "status")
    if status and status not in PaymentStatus.__members__:
        raise InvalidInput(f"Unknown payment status: {status[:40]}.")
    search = _text(params, "q")[:MAX_SEARCH_LENGTH]
    if not storable(search):
        raise InvalidInput(UNSEARCHABLE)
    return PaymentFilters(
        date_from=_date(params, "from", "start date"), date_to=_date(params, "to", "end date"),
        status=PaymentStatus(status) if status else None, location_id=_id(params, "location"),
        device_id=_id(params, "device"), door_id=_id(params, "door"), search=search,
    )


def session_filters(params: Mapping[str, str]) -> SessionFilters:
    kind = _text(params, "kind") or SessionKind.all.value
    if kind not in SessionKind.__members__:
        raise InvalidInput(f"Unknown kind of session: {kind[:40]}.")
    return SessionFilters(
        kind=SessionKind(kind), status=_text(params, "status") or None, location_id=_id(params, "location"),
        device_id=_id(params, "device"), door_id=_id(params, "door"), active_only=_text(params, "active") == "1",
        date_from=_date(params, "from", "start date"), date_to=_date(params, "to", "end date"),
    )


def page_request(params: Mapping[str, str], sorts: tuple[str, ...], per_page: int = PER_PAGE) -> PageRequest:
    """Newest first by the first sort key unless the address says otherwise."""
    sort = _text(params, "sort")
    page = _text(params, "page")
    number = int(page) if page.isdigit() and len(page) < 9 else 1
    return PageRequest(page=max(1, number), per_page=per_page, sort=sort if sort in sorts else sorts[0],
                       descending=_text(params, "order") != "asc")


def link(path: str, params: Mapping[str, str], allowed: tuple[str, ...], **changes: str) -> str:
    """`path` with the known, non-empty parameters (after `changes`), in a fixed order."""
    merged = {**params, **changes}
    query = urlencode([(key, merged[key]) for key in allowed if merged.get(key)])
    return f"{path}?{query}" if query else path


def place_choices(db: Session) -> PlaceChoices:
    locations = db.exec(select(Location.id, Location.name).order_by(Location.name, Location.id)).all()
    devices = db.exec(select(Device.id, Device.name, Location.name).join(Location, Location.id == Device.location_id)
                      .order_by(Location.name, Device.name, Device.id)).all()
    doors = db.exec(select(Door.id, Door.name, Location.name).join(Location, Location.id == Door.location_id)
                    .order_by(Location.name, Door.name, Door.id)).all()
    return PlaceChoices(
        locations=tuple(Choice(str(i), name) for i, name in locations),
        devices=tuple(Choice(str(i), f"{name} · {place}") for i, name, place in devices),
        doors=tuple(Choice(str(i), f"{name} · {place}") for i, name, place in doors),
    )


def _text(params: Mapping[str, str], key: str) -> str:
    return str(params.get(key) or "").strip()


def _id(params: Mapping[str, str], key: str) -> int | None:
    value = _text(params, key)
    if not value:
        return None
    found = parse_id(value)
    if found is None:
        raise InvalidInput(f"Unknown {key}: {value[:40]}.")
    return found


def _date(params: Mapping[str, str], key: str, what: str) -> date | None:
    value = _text(params, key)
    if not value:
        return None
    day = typed_day(value)
    if day is None:
        raise InvalidInput(f"The {what} must be a date (YYYY-MM-DD) from {FIRST_DAY.year} to {LAST_DAY.year}.")
    return day
