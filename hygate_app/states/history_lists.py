"""What the Payments and Sessions lists share: their state's vars, the door/device menu, sort links and the pager,
all built from the address's parameters (services/history_filters) on the server, so the page only shows links."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import reflex as rx
from sqlmodel import Session

from hygate_app.db import session_scope
from hygate_app.services import history_filters as hf
from hygate_app.services.errors import InvalidInput
from hygate_app.services.paging import Page, PageRequest


@dataclass(frozen=True)
class ListSpec:
    """One address-driven list: where it lives, the parameters it reads, its sort keys, how to fetch a page
    (filters read from the parameters) and how a row is shown."""

    path: str
    params: tuple[str, ...]
    sorts: tuple[str, ...]
    fetch: Callable[[Session, dict[str, str], PageRequest], Page]
    row: Callable[[Any], dict[str, str]]


def load_list(spec: ListSpec, params: dict[str, str]) -> dict:
    """Everything the list's state shows, as one dict of its vars; a bad filter is a message, not an exception."""
    request = hf.page_request(params, spec.sorts)
    result = {"error": "", "rows": [], "total": 0, "first": 0, "last": 0, "prev_href": "", "next_href": "",
              "sort": request.sort, "descending": request.descending,
              "sort_hrefs": sort_links(spec.path, params, spec.params, spec.sorts, request)}
    with session_scope() as db:
        result.update(choice_options(hf.place_choices(db)))
        try:
            page = spec.fetch(db, params, request)
        except InvalidInput as exc:
            result["error"] = str(exc)
            return result
    result.update(pager(spec.path, params, spec.params, page), rows=[spec.row(r) for r in page.rows])
    return result


class AddressListMixin(rx.State, mixin=True):
    """The vars of a list whose filters, sort and page live in the address. A state mixing it in (before
    StaffState) says which list it is with a `_spec() -> ListSpec` method."""

    rows: list[dict[str, str]] = []
    total: int = 0
    first: int = 0
    last: int = 0
    prev_href: str = ""
    next_href: str = ""
    sort: str = ""
    descending: bool = True
    sort_hrefs: dict[str, str] = {}
    # The filters shown in the form, as in the address. `form_key` is the address the list shows: the form is
    # rebuilt when it changes, and the page carries it (data-address) so a test knows the list is loaded.
    query: dict[str, str] = {}
    place: str = ""
    form_key: str = ""
    locations: list[dict[str, str]] = []
    places: list[dict[str, str]] = []

    def _params(self) -> dict[str, str]:
        return address_params(self.router.url.query_parameters, self._spec().params)

    async def _refresh(self) -> None:
        spec, params = self._spec(), self._params()
        for key, value in (await asyncio.to_thread(load_list, spec, params)).items():
            setattr(self, key, value)
        self.query = {key: params.get(key, "") for key in spec.params}
        self.place = place_value(params)
        self.form_key = hf.link(spec.path, params, spec.params)

    def _apply(self, wanted: dict[str, str]) -> rx.event.EventSpec:
        """The filter form's values become the address (sort kept, back to the first page)."""
        spec, current = self._spec(), self._params()
        wanted.update(sort=current.get("sort", ""), order=current.get("order", ""))
        return rx.redirect(hf.link(spec.path, wanted, spec.params))


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
