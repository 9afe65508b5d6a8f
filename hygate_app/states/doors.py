"""State of `/admin/doors` and `/admin/doors/[id]`: price, currency, access time, mode and location of each door.
Doors arrive from a TTLock sync, which comes with the TTLock integration (not built yet)."""

from __future__ import annotations

import asyncio

import reflex as rx

from hygate_app.db import session_scope
from hygate_app.services import catalogue_admin
from hygate_app.services.authz import Capability
from hygate_app.services.catalogue_admin import parse_price, parse_whole
from hygate_app.services.errors import NotFound
from hygate_app.services.ids import row_id
from hygate_app.states.catalogue_pages import (
    location_filter,
    location_options,
    online_text,
    page_number,
    page_request,
    price_text,
)
from hygate_app.states.display import when
from hygate_app.states.routing import last_path_segment
from hygate_app.states.staff import StaffState, staff_event


def _battery(percent: int | None) -> str:
    return "unknown" if percent is None else f"{percent}%"


def _door_page(search: str, location: str, page: int) -> dict:
    with session_scope() as db:
        found = catalogue_admin.list_doors(db, location_filter(location), search, page_request(page))
        if found.page > found.pages:  # the filter left fewer pages than the one shown
            found = catalogue_admin.list_doors(db, location_filter(location), search, page_request(found.pages))
    return {
        "rows": [{"id": str(r.id), "name": r.name, "code": r.display_code, "location": r.location_name,
                  "mode": r.mode.value, "online": online_text(r.online), "battery": _battery(r.battery_percent),
                  "price": r.price, "minutes": str(r.access_minutes)} for r in found.rows],
        "total": found.total, "page": found.page, "pages": found.pages,
    }


class DoorsState(StaffState):
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    search_text: str = ""
    location_id: str = ""
    locations: list[dict[str, str]] = []

    async def _refresh(self) -> None:
        for key, value in (await asyncio.to_thread(_door_page, self.search_text, self.location_id,
                                                    self.page)).items():
            setattr(self, key, value)

    @staff_event(Capability.doors)
    async def load(self):
        self.notice, self.error = "", ""
        self.locations = await asyncio.to_thread(location_options)
        await self._refresh()

    @staff_event(Capability.doors)
    async def apply_filter(self, form: dict):
        self.search_text = str(form.get("q", ""))[:100]
        self.location_id = str(form.get("location", ""))[:20]
        self.page = 1
        await self._refresh()

    @staff_event(Capability.doors)
    async def go(self, page: str):
        self.page = page_number(page)
        await self._refresh()


def _door_snapshot(door_id: int) -> dict:
    with session_scope() as db:
        d = catalogue_admin.door_detail(db, door_id)
    row = d.door
    return {"door": {
        "id": str(row.id), "uid": row.uid, "name": row.name, "code": row.display_code,
        "location_id": str(row.location_id), "location": row.location_name, "mode": row.mode.value,
        "price": row.price, "price_text": price_text(row.price_minor, row.currency), "currency": row.currency.upper(),
        "minutes": str(row.access_minutes), "online": online_text(row.online), "battery": _battery(row.battery_percent),
        "credential": row.credential_kind.value, "lock_id": d.ttlock_lock_id or "none", "updated": when(d.updated_at),
        # Changes whenever the door does, so the form's fields show the saved values again.
        "key": f"{row.name}-{row.location_id}-{row.mode.value}-{row.price_minor}-{row.currency}-{row.access_minutes}",
    }}


class DoorDetailState(StaffState):
    found: bool = False
    loaded: bool = False
    door: dict[str, str] = {}
    locations: list[dict[str, str]] = []
    _door_id: int = 0

    async def _refresh(self) -> None:
        try:
            snapshot = await asyncio.to_thread(_door_snapshot, self._door_id)
        except NotFound:
            self.found, self.door = False, {}
            return
        self.found = True
        self.door = snapshot["door"]

    @rx.var
    def qr_url(self) -> str:
        return f"/api/admin/qr/door/{self.door.get('id', '')}.pdf"

    @staff_event(Capability.doors)
    async def load(self):
        self.notice, self.error, self.loaded = "", "", False
        self._door_id = row_id(last_path_segment(self.router.url.path))
        self.locations = await asyncio.to_thread(location_options)
        await self._refresh()
        self.loaded = True

    @staff_event(Capability.doors)
    async def save(self, form: dict):
        """Every field at once, in one audit row; a wrong value saves nothing."""
        door_id = self._door_id
        currency = str(form.get("currency", "")).strip()

        def update(db, who, actor):
            return catalogue_admin.update_door(
                db, actor, door_id, name=str(form.get("name", "")), location_id=row_id(form.get("location", "")),
                mode=str(form.get("mode", "")), price_minor=parse_price(str(form.get("price", "")), currency),
                currency=currency, access_minutes=parse_whole(form.get("minutes", ""), "The access time"))

        await self._run(update, "Door saved.")
