"""State of `/admin/devices` (the list and the Shelly Cloud sync) and `/admin/devices/[id]` (one device, its
usage plans and its running session). Operators may do all of it (PRODUCT.md role table)."""

from __future__ import annotations

import asyncio

import reflex as rx

from hygate_app import providers
from hygate_app.db import session_scope
from hygate_app.services import catalogue_admin, device_sync
from hygate_app.services.authz import Capability
from hygate_app.services.catalogue_admin import parse_price, parse_whole
from hygate_app.services.errors import NotFound
from hygate_app.services.guest_updates import RedisGuestUpdates
from hygate_app.services.ids import row_id
from hygate_app.states.catalogue_list import CatalogueListMixin
from hygate_app.states.catalogue_pages import (
    location_filter,
    location_options,
    online_text,
    page_request,
    price_text,
    relay_text,
)
from hygate_app.states.display import iso, when
from hygate_app.states.routing import last_path_segment
from hygate_app.states.staff import StaffState, staff_event


def _device_page(search: str, location: str, page: int, sort: str, descending: bool) -> dict:
    with session_scope() as db:
        found = catalogue_admin.list_devices(db, location_filter(location), search,
                                             page_request(page, sort, descending))
        if found.page > found.pages:  # the filter left fewer pages than the one shown
            found = catalogue_admin.list_devices(db, location_filter(location), search,
                                                 page_request(found.pages, sort, descending))
        prices = catalogue_admin.plan_prices(db, [r.id for r in found.rows])
    return {
        "rows": [{"id": str(r.id), "name": r.name, "code": r.display_code, "location": r.location_name,
                  "mode": r.mode.value, "online": online_text(r.online), "relay": relay_text(r.relay_on),
                  "price": prices.get(r.id, "nothing on sale"), "running": "yes" if r.running_session_id else ""}
                 for r in found.rows],
        "total": found.total, "page": found.page, "pages": found.pages,
    }


class DevicesState(CatalogueListMixin, StaffState):
    def _page_of_rows(self, search: str, location: str, page: int, sort: str, descending: bool) -> dict:
        return _device_page(search, location, page, sort, descending)

    @staff_event(Capability.devices)
    async def load(self):
        await self._load_list()

    @staff_event(Capability.devices)
    async def apply_filter(self, form: dict):
        await self._apply_filter(form)

    @staff_event(Capability.devices)
    async def go(self, page: str):
        await self._go(page)

    @staff_event(Capability.devices)
    async def sort_by(self, key: str):
        await self._sort_by(key)

    @rx.event(background=True)
    @staff_event(Capability.devices)
    async def sync(self):
        await self._sync(lambda: device_sync.sync_devices(providers.shelly_client(), session_scope))

    def _show_report(self, report: device_sync.SyncReport) -> None:
        self.cloud_new = [{"id": d.shelly_device_id, "name": d.name, "online": online_text(d.online),
                           "relay": relay_text(d.relay_on)} for d in report.new]
        summary = f"Shelly Cloud checked: {report.refreshed} device(s) refreshed, {len(report.new)} not in Hygate yet."
        if report.missing:
            summary += " Not in the Shelly account any more, so marked offline: " + ", ".join(report.missing) + "."
        self.sync_summary = summary

    @staff_event(Capability.devices)
    async def import_device(self, form: dict):
        """The form carries the Shelly id in a hidden field; the device is read from the cloud again."""
        shelly_id, name = str(form.get("shelly_id", "")), str(form.get("name", ""))
        location = row_id(form.get("location", ""))
        device = await self._run(lambda db, who, actor: device_sync.import_device(
            db, actor, providers.shelly_client(), shelly_id, location, name), "")
        if device is not None:
            self.cloud_new = [d for d in self.cloud_new if d["id"] != shelly_id]
            self.notice = (f"“{device.name}” was imported. Guests cannot buy anything there until you add a usage "
                           "plan on its page.")


def _device_snapshot(device_id: int) -> dict:
    with session_scope() as db:
        d = catalogue_admin.device_detail(db, device_id)
    row, running = d.device, d.running_session
    return {
        "device": {"id": str(row.id), "uid": row.uid, "name": row.name, "code": row.display_code,
                   "location_id": str(row.location_id), "location": row.location_name, "mode": row.mode.value,
                   "online": online_text(row.online), "relay": relay_text(row.relay_on),
                   "last_seen": when(d.last_seen_at) or "never", "shelly_id": d.shelly_device_id,
                   "channel": str(d.channel), "key": f"{row.name}-{row.location_id}-{row.mode.value}"},
        "plans": [{"id": str(p.id), "name": p.name, "duration": str(p.duration_minutes),
                   "delay": str(p.delay_minutes), "price": p.price, "price_text": price_text(p.price_minor, p.currency),
                   "currency": p.currency.upper(), "active": "yes" if p.active else "",
                   "first": "yes" if i == 0 else "", "last": "yes" if i == len(d.plans) - 1 else "",
                   # Changes whenever the plan does, so the form's fields show the saved values again.
                   "key": f"{p.id}-{p.sort_order}-{p.name}-{p.duration_minutes}-{p.delay_minutes}-{p.price_minor}"
                          f"-{p.currency}-{p.active}"}
                  for i, p in enumerate(d.plans)],
        "running": {} if running is None else {
            "id": str(running.id), "status": running.status.value, "paid": when(running.paid_at),
            "starts": when(running.starts_at), "ends": when(running.ends_at), "ends_iso": iso(running.ends_at)},
    }


def _plan_values(form: dict) -> dict:
    """A plan form's fields as the service takes them; a wrong value raises InvalidInput (shown on the page)."""
    currency = str(form.get("currency", "")).strip() or "eur"
    return {
        "name": str(form.get("name", "")),
        "duration_minutes": parse_whole(form.get("duration", ""), "The duration"),
        "delay_minutes": parse_whole(form.get("delay", "") or "0", "The delayed start"),
        "price_minor": parse_price(str(form.get("price", "")), currency),
        "currency": currency,
        "active": form.get("active") in ("on", "true", True),
    }


class DeviceDetailState(StaffState):
    found: bool = False
    loaded: bool = False
    device: dict[str, str] = {}
    plans: list[dict[str, str]] = []
    running: dict[str, str] = {}
    locations: list[dict[str, str]] = []
    _device_id: int = 0

    async def _refresh(self) -> None:
        try:
            snapshot = await asyncio.to_thread(_device_snapshot, self._device_id)
        except NotFound:
            self.found, self.device, self.plans, self.running = False, {}, [], {}
            return
        self.found = True
        for key, value in snapshot.items():
            setattr(self, key, value)

    @rx.var
    def qr_url(self) -> str:
        return f"/api/admin/qr/device/{self.device.get('id', '')}.pdf"

    @staff_event(Capability.devices)
    async def load(self):
        self.notice, self.error, self.loaded = "", "", False
        self._device_id = row_id(last_path_segment(self.router.url.path))
        self.locations = await asyncio.to_thread(location_options)
        await self._refresh()
        self.loaded = True

    @staff_event(Capability.devices)
    async def save(self, form: dict):
        device_id = self._device_id
        await self._run(lambda db, who, actor: catalogue_admin.update_device(
            db, actor, device_id, name=str(form.get("name", "")), mode=str(form.get("mode", "")),
            location_id=row_id(form.get("location", ""))), "Device saved.")

    @staff_event(Capability.devices)
    async def add_plan(self, form: dict):
        device_id = self._device_id
        await self._run(lambda db, who, actor: catalogue_admin.add_plan(db, actor, device_id, **_plan_values(form)),
                        "Plan added.")

    @staff_event(Capability.devices)
    async def save_plan(self, form: dict):
        """The form carries the plan's id in a hidden field."""
        plan_id = row_id(form.get("id", ""))
        await self._run(lambda db, who, actor: catalogue_admin.update_plan(db, actor, plan_id, **_plan_values(form)),
                        "Plan saved.")

    @staff_event(Capability.devices)
    async def delete_plan(self, plan_id: str):
        """The service deletes a plan nobody bought, and deactivates one with payments; its message says which."""
        removed = await self._run(lambda db, who, actor: catalogue_admin.delete_plan(db, actor, row_id(plan_id)), "")
        if removed is not None:
            self.notice = removed.message

    @staff_event(Capability.devices)
    async def move_plan(self, plan_id: str, direction: str):
        await self._run(lambda db, who, actor: catalogue_admin.move_plan(db, actor, row_id(plan_id), str(direction)),
                        "Order saved.")

    @staff_event(Capability.devices)
    async def force_end(self, session_id: str):
        """The relay OFF goes through the job queue; the service audits who ended it."""
        ended = await self._run(lambda db, who, actor: catalogue_admin.force_end_session(
            db, actor, providers.job_queue(), row_id(session_id), updates=RedisGuestUpdates(providers.redis())), "")
        if ended is not None:
            self.notice = ended.message
