"""State of `/admin/sessions` (device sessions and door accesses, filtered and paged, filters in the address) and
of `/admin/sessions/device/[id]` and `/admin/sessions/door/[id]` (one of them with its timeline, and force end)."""

from __future__ import annotations

import asyncio

import reflex as rx

from hygate_app import providers
from hygate_app.db import session_scope
from hygate_app.models import DeviceSessionStatus, DoorAccessStatus
from hygate_app.services import catalogue_admin, session_history
from hygate_app.services import history_filters as hf
from hygate_app.services.authz import Capability
from hygate_app.services.errors import InvalidInput, NotFound
from hygate_app.services.guest_updates import RedisGuestUpdates
from hygate_app.services.ids import row_id
from hygate_app.states.display import amount, when
from hygate_app.states.history_lists import (
    address_params,
    choice_options,
    pager,
    place_params,
    place_value,
    sort_links,
)
from hygate_app.states.staff import StaffState, staff_event

LIST_PATH = "/admin/sessions"
# One menu for both kinds: the statuses of either (services/session_history filters each kind by its own).
STATUSES = sorted({s.value for s in DeviceSessionStatus} | {s.value for s in DoorAccessStatus})
RUNNING = {DeviceSessionStatus.pending, DeviceSessionStatus.active}


def _session_row(r: session_history.SessionRow) -> dict[str, str]:
    kind = r.kind.value
    return {"key": f"{kind}-{r.id}", "kind": "Device" if kind == "device" else "Door",
            "href": f"{LIST_PATH}/{kind}/{r.id}", "place": r.place_name, "location": r.location_name,
            "status": r.status.value, "starts": when(r.starts_at), "ends": when(r.ends_at), "paid": when(r.paid_at),
            "amount": amount(r.amount_minor, r.currency)}


def _list(params: dict[str, str]) -> dict:
    request = hf.page_request(params, hf.SESSION_SORTS)
    result = {"error": "", "rows": [], "total": 0, "first": 0, "last": 0, "prev_href": "", "next_href": "",
              "sort": request.sort, "descending": request.descending,
              "sort_hrefs": sort_links(LIST_PATH, params, hf.SESSION_PARAMS, hf.SESSION_SORTS, request)}
    with session_scope() as db:
        result.update(choice_options(hf.place_choices(db)))
        try:
            page = session_history.list_sessions(db, hf.session_filters(params), request)
        except InvalidInput as exc:
            result["error"] = str(exc)
            return result
    result.update(pager(LIST_PATH, params, hf.SESSION_PARAMS, page), rows=[_session_row(r) for r in page.rows])
    return result


class SessionsState(StaffState):
    rows: list[dict[str, str]] = []
    total: int = 0
    first: int = 0
    last: int = 0
    prev_href: str = ""
    next_href: str = ""
    sort: str = "starts"
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
        return address_params(self.router.url.query_parameters, hf.SESSION_PARAMS)

    async def _refresh(self) -> None:
        params = self._params()
        for key, value in (await asyncio.to_thread(_list, params)).items():
            setattr(self, key, value)
        self.query = {key: params.get(key, "") for key in hf.SESSION_PARAMS}
        self.place = place_value(params)
        self.form_key = hf.link(LIST_PATH, params, hf.SESSION_PARAMS)

    @staff_event(Capability.sessions)
    async def load(self):
        self.notice = ""
        await self._refresh()

    @staff_event(Capability.sessions)
    async def apply(self, form: dict):
        """The filter form: its values become the address (sort kept, back to the first page)."""
        wanted = {key: str(form.get(key, "") or "").strip()[:200]
                  for key in ("kind", "status", "location", "from", "to")}
        wanted["active"] = "1" if form.get("active") in ("on", "1", True) else ""
        wanted.update(place_params(str(form.get("place", ""))))
        current = self._params()
        wanted.update(sort=current.get("sort", ""), order=current.get("order", ""))
        return rx.redirect(hf.link(LIST_PATH, wanted, hf.SESSION_PARAMS))


def _timeline(events: tuple[session_history.TimelineEvent, ...]) -> list[dict[str, str]]:
    return [{"at": when(e.at), "code": e.code, "label": e.label, "reason": e.reason or "",
             "actor": e.actor_name or ""} for e in events]


def _device(session_id: int) -> dict:
    with session_scope() as db:
        d = session_history.device_session_detail(db, session_id)
    return {
        "detail": {
            "title": f"Device session {d.id}", "status": d.status.value, "place": d.device_name,
            "location": d.location_name, "plan": d.usage_plan_name,
            "minutes": f"{d.duration_minutes} min" + (f" after {d.delay_minutes} min to get ready"
                                                      if d.delay_minutes else ""),
            "paid": when(d.paid_at), "starts": when(d.starts_at), "ends": when(d.ends_at),
            "relay_on": when(d.relay_on_at), "relay_off": when(d.relay_off_at), "ended": when(d.ended_at),
            "reason": d.end_reason or d.failure_reason or "", "payment_href": f"/admin/payments/{d.payment_id}",
            "payment": f"{amount(d.amount_minor, d.currency)} · {d.payment_status.value}",
        },
        "timeline": _timeline(d.timeline),
        "can_force_end": d.status in RUNNING,
    }


def _door(access_id: int) -> dict:
    with session_scope() as db:
        d = session_history.door_access_detail(db, access_id)
    return {
        "detail": {
            "title": f"Door access {d.id}", "status": d.status.value, "place": d.door_name,
            "location": d.location_name, "credential": d.credential_kind.value, "starts": when(d.valid_from),
            "ends": when(d.valid_until), "paid": when(d.paid_at), "reason": d.failure_reason or "",
            "payment_href": f"/admin/payments/{d.payment_id}",
            "payment": f"{amount(d.amount_minor, d.currency)} · {d.payment_status.value}",
        },
        "timeline": _timeline(d.timeline),
        "can_force_end": False,
    }


class SessionDetailState(StaffState):
    """Both detail pages: the address says which kind (`/admin/sessions/<kind>/<id>`)."""

    found: bool = True
    loaded: bool = False
    kind: str = "device"
    detail: dict[str, str] = {}
    timeline: list[dict[str, str]] = []
    can_force_end: bool = False

    def _target(self) -> tuple[str, int]:
        parts = self.router.url.path.rstrip("/").split("/")
        kind = parts[-2] if len(parts) >= 2 and parts[-2] in ("device", "door") else "device"
        return kind, row_id(parts[-1] if parts else "")

    async def _refresh(self) -> None:
        kind, target_id = self._target()
        self.kind = kind
        try:
            found = await asyncio.to_thread(_device if kind == "device" else _door, target_id)
        except NotFound:
            self.found, self.loaded, self.detail, self.timeline, self.can_force_end = False, True, {}, [], False
            return
        self.found, self.loaded = True, True
        self.detail, self.timeline, self.can_force_end = found["detail"], found["timeline"], found["can_force_end"]

    @staff_event(Capability.sessions)
    async def load(self):
        self.loaded, self.notice, self.error = False, "", ""
        await self._refresh()

    @staff_event(Capability.sessions)
    async def tick(self, _now: str = ""):
        """The page's timer while the session runs: its end and the relay OFF show up without a reload."""
        await self._refresh()

    @staff_event(Capability.sessions)
    async def force_end(self):
        """End a running device session now: the relay goes OFF through the job queue; the service audits it."""
        kind, session_id = self._target()
        if kind != "device":
            self.notice, self.error = "", "Only a device session can be ended."
            return
        ended = await self._run(lambda db, who, actor: catalogue_admin.force_end_session(
            db, actor, providers.job_queue(), session_id, updates=RedisGuestUpdates(providers.redis())), "")
        if ended is not None:
            self.notice = ended.message
