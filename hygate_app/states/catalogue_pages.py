"""What the door and device pages share: the location choices, the list's filters and page, row spelling."""

from __future__ import annotations

from hygate_app.db import session_scope
from hygate_app.services import locations
from hygate_app.services.ids import parse_id
from hygate_app.services.money import decimal_amount
from hygate_app.services.paging import PageRequest

PER_PAGE = 25


def location_options() -> list[dict[str, str]]:
    with session_scope() as db:
        return [{"id": str(r.id), "name": r.name} for r in locations.list_locations(db)]


def location_filter(value: str) -> int | None:
    """The filter's value: a location id, or empty for every location."""
    return parse_id(value)


def page_request(page: int, sort: str = "name", descending: bool = False) -> PageRequest:
    """Unknown sort keys fall back to the name (services/paging.py): the browser cannot sort by anything else."""
    return PageRequest(page=max(1, int(page)), per_page=PER_PAGE, sort=sort, descending=descending)


def next_sort(current: str, descending: bool, wanted: str, allowed: tuple[str, ...]) -> tuple[str, bool]:
    """A click on a column header: that column ascending, or the other way round on a second click."""
    if wanted not in allowed:
        return current, descending
    return (wanted, not descending) if wanted == current else (wanted, False)


def page_number(value) -> int:
    text = str(value or "")
    return int(text) if text.isdigit() and int(text) > 0 else 1


def price_text(minor: int, currency: str) -> str:
    """The amount as staff type it back into a price field ("4.50")."""
    return str(decimal_amount(minor, currency))


def online_text(online: bool) -> str:
    return "online" if online else "offline"


def relay_text(relay_on: bool | None) -> str:
    return "unknown" if relay_on is None else ("ON" if relay_on else "OFF")
