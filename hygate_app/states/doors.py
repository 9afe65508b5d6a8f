"""State of `/admin/doors` (the list, its sorting, the TTLock sync and import) and `/admin/doors/[id]` (price,
currency, access time, mode and location of a door; its lock's state; its access history). Operators may do all
of it (PRODUCT.md role table)."""

from __future__ import annotations

import asyncio

import reflex as rx

from hygate_app import providers
from hygate_app.db import session_scope
from hygate_app.services import catalogue_admin, door_sync
from hygate_app.services.authz import Capability
from hygate_app.services.catalogue_admin import parse_price, parse_whole
from hygate_app.services.errors import NotFound
from hygate_app.services.ids import row_id
from hygate_app.services.paging import PageRequest
from hygate_app.services.session_history import SessionFilters, list_door_accesses
from hygate_app.states.catalogue_list import CatalogueListMixin
from hygate_app.states.catalogue_pages import (
    location_filter,
    location_options,
    online_text,
    page_number,
    page_request,
    price_text,
)
from hygate_app.states.display import amount, when
from hygate_app.states.routing import last_path_segment
from hygate_app.states.staff import StaffState, staff_event

HISTORY_PER_PAGE = 10


def _battery(percent: int | None) -> str:
    return "unknown" if percent is None else f"{percent}%"


def _door_page(search: str, location: str, page: int, sort: str, descending: bool) -> dict:
    with session_scope() as db:
        found = catalogue_admin.list_doors(db, location_filter(location), search, page_request(page, sort, descending))
        if found.page > found.pages:  # the filter left fewer pages than the one shown
            found = catalogue_admin.list_doors(db, location_filter(location), search,
                                               page_request(found.pages, sort, descending))
    return {
        "rows": [{"id": str(r.id), "name": r.name, "code": r.display_code, "location": r.location_name,
                  "mode": r.mode.value, "online": online_text(r.online), "battery": _battery(r.battery_percent),
                  "price": r.price, "minutes": str(r.access_minutes)} for r in found.rows],
        "total": found.total, "page": found.page, "pages": found.pages,
    }


class DoorsState(CatalogueListMixin, StaffState):
    def _page_of_rows(self, search: str, location: str, page: int, sort: str, descending: bool) -> dict:
        return _door_page(search, location, page, sort, descending)

    @staff_event(Capability.doors)
    async def load(self):
        await self._load_list()

    @staff_event(Capability.doors)
    async def apply_filter(self, form: dict):
        await self._apply_filter(form)

    @staff_event(Capability.doors)
    async def go(self, page: str):
        await self._go(page)

    @staff_event(Capability.doors)
    async def sort_by(self, key: str):
        await self._sort_by(key)

    @rx.event(background=True)
    @staff_event(Capability.doors)
    async def sync(self):
        await self._sync(lambda: door_sync.sync_doors(providers.ttlock_client(), session_scope))

    def _show_report(self, report: door_sync.SyncReport) -> None:
        self.cloud_new = [{"id": lock.lock_id, "name": lock.name, "battery": _battery(lock.battery),
                           "gateway": "gateway" if lock.has_gateway else "no gateway",
                           "qr": "QR reader" if lock.supports_qr else ""} for lock in report.new]
        summary = f"TTLock checked: {report.refreshed} door(s) refreshed, {len(report.new)} lock(s) not in Hygate yet."
        if report.missing:
            summary += " Not in the TTLock account any more, so marked offline: " + ", ".join(report.missing) + "."
        self.sync_summary = summary

    @staff_event(Capability.doors)
    async def import_door(self, form: dict):
        """The form carries the lock id in a hidden field; the lock is read from the cloud again."""
        lock_id, name = str(form.get("lock_id", "")), str(form.get("name", ""))
        location = row_id(form.get("location", ""))
        currency = str(form.get("currency", "")).strip() or "eur"

        def create(db, who, actor):
            return door_sync.import_door(
                db, actor, providers.ttlock_client(), lock_id, location, name,
                price_minor=parse_price(str(form.get("price", "")), currency), currency=currency,
                access_minutes=parse_whole(form.get("minutes", ""), "The access time"))

        door = await self._run(create, "")
        if door is not None:
            self.cloud_new = [lock for lock in self.cloud_new if lock["id"] != lock_id]
            self.notice = (f"“{door.name}” was imported ({door.mode.value}). Open it to check its price and "
                           "access time.")


def _lock_view(state: door_sync.LockState | None, mode: str) -> dict[str, str]:
    if state is None:
        return {"known": "", "battery": "unknown", "gateway": "unknown", "passage": "unknown", "synced": "never",
                "mismatch": "", "missing": ""}
    gateway = ("online" if state.gateway_online else "offline") if state.has_gateway else "none"
    passage = "unknown" if state.passage_mode is None else ("on" if state.passage_mode else "off")
    # Hygate's mode and the lock disagree: guests would be told one thing and the lock would do another.
    mismatch = state.passage_mode is not None and state.passage_mode != (mode == "passage")
    return {"known": "yes", "battery": _battery(state.battery), "gateway": gateway, "passage": passage,
            "synced": when(state.synced_at), "mismatch": "yes" if mismatch else "",
            "missing": "" if state.in_account else "yes"}


def _door_snapshot(door_id: int, history_page: int) -> dict:
    with session_scope() as db:
        d = catalogue_admin.door_detail(db, door_id)
        state = door_sync.lock_state(db, d.ttlock_lock_id)
        history = list_door_accesses(db, SessionFilters(door_id=door_id),
                                     PageRequest(page=history_page, per_page=HISTORY_PER_PAGE, sort="starts"))
        if history.page > history.pages:
            history = list_door_accesses(db, SessionFilters(door_id=door_id),
                                         PageRequest(page=history.pages, per_page=HISTORY_PER_PAGE, sort="starts"))
    row = d.door
    return {
        "door": {
            "id": str(row.id), "uid": row.uid, "name": row.name, "code": row.display_code,
            "location_id": str(row.location_id), "location": row.location_name, "mode": row.mode.value,
            "price": row.price, "price_text": price_text(row.price_minor, row.currency),
            "currency": row.currency.upper(), "minutes": str(row.access_minutes), "online": online_text(row.online),
            "battery": _battery(row.battery_percent), "credential": door_sync.credential_summary(state),
            "lock_id": d.ttlock_lock_id or "", "updated": when(d.updated_at),
            # Changes whenever the door does, so the form's fields show the saved values again.
            "key": f"{row.name}-{row.location_id}-{row.mode.value}-{row.price_minor}-{row.currency}"
                   f"-{row.access_minutes}",
        },
        "lock": _lock_view(state, row.mode.value),
        "history": [{"id": str(r.id), "href": f"/admin/sessions/door/{r.id}", "status": r.status.value,
                     "starts": when(r.starts_at), "ends": when(r.ends_at), "paid": when(r.paid_at),
                     "amount": amount(r.amount_minor, r.currency)} for r in history.rows],
        "history_total": history.total, "history_page": history.page, "history_pages": history.pages,
    }


class DoorDetailState(StaffState):
    found: bool = False
    loaded: bool = False
    door: dict[str, str] = {}
    lock: dict[str, str] = {}
    locations: list[dict[str, str]] = []
    history: list[dict[str, str]] = []
    history_total: int = 0
    history_page: int = 1
    history_pages: int = 1
    _door_id: int = 0

    async def _refresh(self) -> None:
        try:
            snapshot = await asyncio.to_thread(_door_snapshot, self._door_id, self.history_page)
        except NotFound:
            self.found, self.door, self.lock, self.history = False, {}, {}, []
            return
        self.found = True
        for key, value in snapshot.items():
            setattr(self, key, value)

    @rx.var
    def qr_url(self) -> str:
        return f"/api/admin/qr/door/{self.door.get('id', '')}.pdf"

    @staff_event(Capability.doors)
    async def load(self):
        self.notice, self.error, self.loaded, self.history_page = "", "", False, 1
        self._door_id = row_id(last_path_segment(self.router.url.path))
        self.locations = await asyncio.to_thread(location_options)
        await self._refresh()
        self.loaded = True

    @staff_event(Capability.doors)
    async def history_go(self, page: str):
        self.history_page = page_number(page)
        await self._refresh()

    @staff_event(Capability.doors)
    async def save(self, form: dict):
        """Every field at once; a change into or out of passage mode is pushed to the lock first and happens only
        if the lock accepted (services/door_sync.py). A wrong value saves nothing."""
        door_id = self._door_id
        currency = str(form.get("currency", "")).strip()

        def update(db, who, actor):
            return door_sync.save_door(
                db, actor, providers.ttlock_client, door_id, name=str(form.get("name", "")),
                location_id=row_id(form.get("location", "")), mode=str(form.get("mode", "")),
                price_minor=parse_price(str(form.get("price", "")), currency), currency=currency,
                access_minutes=parse_whole(form.get("minutes", ""), "The access time"))

        saved = await self._run(update, "Door saved.")
        if saved is not None and saved.lock_error:
            self.notice, self.error = "", "Other changes were saved, but the mode was not. " + saved.lock_error

    @staff_event(Capability.doors)
    async def resend(self):
        """Push the door's mode to its lock again, when the lock reports otherwise."""
        door_id = self._door_id
        error = await self._run(lambda db, who, actor: door_sync.resend_passage_mode(
            db, actor, providers.ttlock_client(), door_id), "The lock accepted the door's mode.")
        if error:
            self.notice, self.error = "", error
