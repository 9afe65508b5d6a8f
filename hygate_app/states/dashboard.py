"""State of `/admin`: the dashboard, reloaded every few seconds while it is open."""

from __future__ import annotations

import asyncio

from hygate_app.db import session_scope
from hygate_app.models import Integration
from hygate_app.services import dashboard
from hygate_app.services.authz import Capability
from hygate_app.states.display import amount, iso, when
from hygate_app.states.staff import StaffState, staff_event

INTEGRATION_NAMES = {Integration.stripe: "Stripe", Integration.shelly: "Shelly Cloud", Integration.ttlock: "TTLock",
                     Integration.resend: "Resend"}


def _fleet(counts: dashboard.FleetCounts) -> dict[str, int]:
    return {"total": counts.total, "online": counts.online, "offline": counts.offline,
            "maintenance": counts.maintenance}


def _snapshot() -> dict:
    with session_scope() as db:
        s = dashboard.dashboard_summary(db)
    return {
        "revenue": [{"currency": r.currency.upper(), "today": amount(r.today_minor, r.currency),
                     "week": amount(r.last_7_days_minor, r.currency),
                     "month": amount(r.last_30_days_minor, r.currency)} for r in s.revenue],
        "sessions": [{"id": str(a.session_id), "device": a.device_name, "location": a.location_name,
                      "status": a.status.value, "ends": iso(a.ends_at)} for a in s.active_sessions],
        "sessions_total": s.active_sessions_total,
        "accesses": [{"id": str(a.access_id), "door": a.door_name, "location": a.location_name,
                      "status": a.status.value, "until": iso(a.valid_until)} for a in s.active_accesses],
        "accesses_total": s.active_accesses_total,
        "payments": [{"id": str(p.id), "when": when(p.created_at), "item": p.item_name, "location": p.location_name,
                      "amount": amount(p.amount_minor, p.currency), "status": p.status.value}
                     for p in s.recent_payments],
        "devices": _fleet(s.devices),
        "doors": _fleet(s.doors),
        "integrations": [{"name": INTEGRATION_NAMES[i.integration],
                          "state": "never" if i.ok is None else ("ok" if i.ok else "failing"),
                          "checked": when(i.last_check_at), "error": i.last_error or ""}
                         for i in s.integrations],
    }


class DashboardState(StaffState):
    revenue: list[dict[str, str]] = []
    sessions: list[dict[str, str]] = []
    sessions_total: int = 0
    accesses: list[dict[str, str]] = []
    accesses_total: int = 0
    payments: list[dict[str, str]] = []
    devices: dict[str, int] = {}
    doors: dict[str, int] = {}
    integrations: list[dict[str, str]] = []

    async def _refresh(self) -> None:
        for key, value in (await asyncio.to_thread(_snapshot)).items():
            setattr(self, key, value)

    @staff_event(Capability.dashboard)
    async def load(self):
        await self._refresh()

    @staff_event(Capability.dashboard)
    async def tick(self, _now: str = ""):
        """Called by the page's timer: the dashboard follows sessions and payments as they happen."""
        await self._refresh()
