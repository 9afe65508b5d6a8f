"""What the Payments and Sessions lists share: the door/device menu, sort links and the pager, all built from
the address's parameters (services/history_filters) on the server, so the page only shows links."""

from __future__ import annotations

from collections.abc import Mapping

from hygate_app.services import history_filters as hf
from hygate_app.services.paging import Page, PageRequest


def address_params(given: Mapping[str, str], allowed: tuple[str, ...]) -> dict[str, str]:
    return {key: str(given[key])[:200] for key in allowed if given.get(key)}


def place_value(params: Mapping[str, str]) -> str:
    """The door/device menu's value: "device:7", "door:3" or ""."""
    for kind in ("device", "door"):
        if params.get(kind):
            return f"{kind}:{params[kind]}"
    return ""


def place_params(value: str) -> dict[str, str]:
    """The menu's value back into the address's `device` / `door` parameters."""
    kind, _, place_id = str(value).partition(":")
    return {"device": place_id if kind == "device" else "", "door": place_id if kind == "door" else ""}


def choice_options(choices: hf.PlaceChoices) -> dict[str, list[dict[str, str]]]:
    return {
        "locations": [{"value": c.value, "label": c.label} for c in choices.locations],
        "places": [{"value": f"device:{c.value}", "label": c.label} for c in choices.devices]
        + [{"value": f"door:{c.value}", "label": c.label} for c in choices.doors],
    }


def sort_links(path: str, params: Mapping[str, str], allowed: tuple[str, ...], keys: tuple[str, ...],
               request: PageRequest) -> dict[str, str]:
    """Each sort key's link: the other direction when the list is sorted by it that way, else descending."""
    return {key: hf.link(path, params, allowed, sort=key, page="",
                         order="asc" if key == request.sort and request.descending else "") for key in keys}


def pager(path: str, params: Mapping[str, str], allowed: tuple[str, ...], page: Page) -> dict:
    """"first–last of total" and the previous/next links ("" where there is none)."""
    first = (page.page - 1) * page.per_page + 1 if page.rows else 0
    previous = min(page.page - 1, page.pages)
    return {
        "total": page.total, "first": first, "last": first + len(page.rows) - 1 if page.rows else 0,
        "prev_href": hf.link(path, params, allowed, page=str(previous)) if previous >= 1 else "",
        "next_href": hf.link(path, params, allowed, page=str(page.page + 1)) if page.page < page.pages else "",
    }
