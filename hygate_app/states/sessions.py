"""State of `/admin/sessions` (device sessions and door accesses, filtered and paged, filters in the address) and
of `/admin/sessions/device/[id]` and `/admin/sessions/door/[id]` (one of them with its timeline, and force end)."""

from __future__ import annotations

import asyncio

from hygate_app import providers
from hygate_app.db import session_scope
from hygate_app.models import DeviceSessionStatus, DoorAccessStatus
from hygate_app.services import catalogue_admin, door_access, session_history
from hygate_app.services import history_filters as hf
from hygate_app.services.authz import Capability
from hygate_app.services.errors import NotFound
from hygate_app.services.guest_updates import RedisGuestUpdates
from hygate_app.services.ids import row_id
from hygate_app.states.display import amount, when
from hygate_app.states.history_lists import AddressListMixin, ListSpec, place_params
from hygate_app.states.staff import StaffState, staff_event

LIST_PATH = "/admin/sessions"
# One menu for both kinds: the statuses of either (services/session_history filters each kind by its own).
STATUSES = sorted({s.value for s in DeviceSessionStatus} | {s.value for s in DoorAccessStatus})
# Staff may end these: an interrupted one is waiting for the guest's free restart.
RUNNING = {DeviceSessionStatus.pending, DeviceSessionStatus.active, DeviceSessionStatus.interrupted}


def _session_row(r: session_history.SessionRow) -> dict[str, str]:
    kind = r.kind.value
    return {"key": f"{kind}-{r.id}", "kind": "Device" if kind == "device" else "Door",
            "href": f"{LIST_PATH}/{kind}/{r.id}", "place": r.place_name, "location": r.location_name,
            "status": r.status.value, "starts": when(r.starts_at), "ends": when(r.ends_at), "paid": when(r.paid_at),
            "amount": amount(r.amount_minor, r.currency)}


SESSIONS_LIST = ListSpec(
    LIST_PATH, hf.SESSION_PARAMS, hf.SESSION_SORTS,
    lambda db, params, request: session_history.list_sessions(db, hf.session_filters(params), request), _session_row)


class SessionsState(AddressListMixin, StaffState):
    def _spec(self) -> ListSpec:
        return SESSIONS_LIST

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
        return self._apply(wanted)


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
        "can_force_end": d.status in (DoorAccessStatus.pending, DoorAccessStatus.active),
    }


class SessionDetailState(StaffState):
    """Both detail pages: the address says which kind (`/admin/sessions/<kind>/<id>`)."""

    found: bool = True
    loaded: bool = False
    kind: str = "device"
    detail: dict[str, str] = {}
    timeline: list[dict[str, str]] = []
    can_force_end: bool = False
    # The force-end dialog's choice for a running device session: refund the paid minutes not used yet.
    refund_unused: bool = False

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
        self.loaded, self.notice, self.error, self.refund_unused = False, "", "", False
        await self._refresh()

    @staff_event(Capability.sessions)
    async def choose_refund_unused(self, checked: bool):
        self.refund_unused = bool(checked)

    @staff_event(Capability.sessions)
    async def tick(self, _now: str = ""):
        """The page's timer while the session runs: its end and the relay OFF show up without a reload."""
        await self._refresh()

    @staff_event(Capability.sessions)
    async def force_end(self):
        """End a running device session (the relay goes OFF through the job queue; its unused minutes refunded
        if staff ticked that) or a door access (its code is removed from the lock) now; the services audit it."""
        kind, target_id = self._target()
        updates = RedisGuestUpdates(providers.redis())
        refund_unused = self.refund_unused
        if kind == "device":
            ended = await self._run(lambda db, who, actor: catalogue_admin.force_end_session(
                db, actor, providers.job_queue(), target_id, updates=updates, refund_unused=refund_unused), "")
            message = ended.message if ended is not None else None
        else:
            message = await self._run(lambda db, who, actor: door_access.force_end_access(
                db, actor, providers.job_queue(), target_id, updates=updates), "")
        if message is not None:
            self.notice = message
            self._toast("success", message)
