"""State of `/admin/doors` (the list, its sorting, the TTLock sync and import) and `/admin/doors/[id]` (price,
currency, access time, mode and location of a door; its lock's state; its access history). Operators may do all
of it (PRODUCT.md role table)."""

from __future__ import annotations

import asyncio
import time

import reflex as rx

from hygate_app import providers
from hygate_app.db import session_scope
from hygate_app.services import catalogue_admin, door_sync
from hygate_app.services.authz import Capability
from hygate_app.services.catalogue_admin import parse_price, parse_whole
from hygate_app.services.errors import DomainError, NotFound
from hygate_app.services.ids import row_id
from hygate_app.services.paging import PageRequest
from hygate_app.services.session_history import SessionFilters, list_door_accesses
from hygate_app.states.catalogue_pages import (
    location_filter,
    location_options,
    next_sort,
    online_text,
    page_number,
    page_request,
    price_text,
)
from hygate_app.states.display import amount, when
from hygate_app.states.routing import last_path_segment
from hygate_app.states.staff import StaffState, staff_event

# A background task outlives its tab: a sync still running after this long is stopped, and what it refreshed
# so far is kept (as for the devices' sync).
SYNC_TIME_CAP_SECONDS = 600
SORTS = ("name", "location", "mode", "online")
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


class DoorsState(StaffState):
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    search_text: str = ""
    location_id: str = ""
    sort_key: str = "name"
    sort_desc: bool = False
    locations: list[dict[str, str]] = []
    # The TTLock sync: progress while it runs, then the account's locks Hygate does not sell yet.
    syncing: bool = False
    sync_done: int = 0
    sync_total: int = 0
    sync_summary: str = ""
    cloud_new: list[dict[str, str]] = []
    _sync_started: float = 0.0

    async def _refresh(self) -> None:
        for key, value in (await asyncio.to_thread(_door_page, self.search_text, self.location_id, self.page,
                                                    self.sort_key, self.sort_desc)).items():
            setattr(self, key, value)

    @staff_event(Capability.doors)
    async def load(self):
        self.notice, self.error = "", ""
        if self.syncing and time.time() - self._sync_started > SYNC_TIME_CAP_SECONDS:
            self.syncing = False  # its task died with a restarted backend: let staff start another
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

    @staff_event(Capability.doors)
    async def sort_by(self, key: str):
        self.sort_key, self.sort_desc = next_sort(self.sort_key, self.sort_desc, str(key), SORTS)
        self.page = 1
        await self._refresh()

    @rx.event(background=True)
    @staff_event(Capability.doors)
    async def sync(self):
        """Runs outside the state lock, taking it only to show each step, so the page stays usable."""
        async with self:
            if self.syncing:
                return
            self.syncing, self.sync_done, self.sync_total, self.sync_summary = True, 0, 0, ""
            self.notice, self.error, self.cloud_new = "", "", []
            self._sync_started = started = time.time()
        try:
            client = await asyncio.to_thread(providers.ttlock_client)
            steps = door_sync.sync_doors(client, session_scope)
            while (step := await asyncio.to_thread(next, steps, None)) is not None:
                if time.time() - started > SYNC_TIME_CAP_SECONDS:
                    raise DomainError("The sync took too long and was stopped; run it again to finish.")
                async with self:
                    self.sync_done, self.sync_total = step.done, step.total
                    if step.report is not None:
                        self._show_report(step.report)
        except DomainError as exc:
            async with self:
                self.error = str(exc)
        finally:
            async with self:
                self.syncing = False
                await self._refresh()

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
