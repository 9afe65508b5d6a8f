"""State of `/settings/integrations` (administrators): store each integration's values, test the connection.

Secrets travel from the form to the server once and are never sent back: the page gets "set, ends in …4242".
"""

from __future__ import annotations

import asyncio

from hygate_app import providers
from hygate_app.config import get_settings
from hygate_app.db import session_scope
from hygate_app.models import Integration
from hygate_app.services import connection_check, integration_settings
from hygate_app.services.authz import Capability
from hygate_app.states.staff import StaffState, staff_event

CLIENTS = connection_check.Clients(stripe=providers.stripe_gateway, shelly=providers.shelly_client,
                                   resend=providers.mailer, ttlock=providers.ttlock_client)


def _fields() -> dict[str, list[dict[str, str]]]:
    with session_scope() as db:
        views = integration_settings.views(db, get_settings())
    grouped: dict[str, list[dict[str, str]]] = {i.value: [] for i in Integration}
    for v in views:
        grouped[v.integration].append({"integration": v.integration, "name": v.name, "label": v.label,
                                       "secret": "yes" if v.secret else "", "stored": "yes" if v.stored else "",
                                       "status": v.status, "value": v.value})
    return grouped


def _check(integration: Integration) -> connection_check.CheckResult:
    return connection_check.check(integration, CLIENTS)


def _integration(value: str) -> Integration | None:
    return Integration(value) if value in Integration.__members__ else None


class IntegrationsState(StaffState):
    fields: dict[str, list[dict[str, str]]] = {}
    # Per integration: "ok" or "failed", and what the last test said.
    check_outcome: dict[str, str] = {}
    check_message: dict[str, str] = {}
    checking: str = ""

    async def _refresh(self) -> None:
        self.fields = await asyncio.to_thread(_fields)

    @staff_event(Capability.integrations)
    async def load(self):
        self.notice, self.error, self.checking = "", "", ""
        self.check_outcome, self.check_message = {}, {}
        await self._refresh()

    @staff_event(Capability.integrations)
    async def save(self, form: dict):
        """One field per form: hidden `integration` and `name`, and the `value` typed in."""
        integration, name = str(form.get("integration", "")), str(form.get("name", ""))
        value = str(form.get("value", ""))
        label = integration.capitalize() if integration != "ttlock" else "TTLock"
        await self._run(lambda db, who, actor: integration_settings.save(db, integration, name, value, actor),
                        f"{label}: saved. The next call uses it.")

    @staff_event(Capability.integrations)
    async def clear(self, integration: str, name: str):
        await self._run(lambda db, who, actor: integration_settings.clear(db, str(integration), str(name), actor),
                        "Removed: the server's environment value is used again.")

    @staff_event(Capability.integrations)
    async def test_connection(self, integration: str):
        which = _integration(str(integration))
        if which is None:
            self.error = "Unknown integration."
            return
        self.checking = which.value
        yield
        try:
            result = await asyncio.to_thread(_check, which)
        finally:
            self.checking = ""
        outcome = "ok" if result.ok else "failed"
        self.check_outcome = {**self.check_outcome, which.value: outcome}
        self.check_message = {**self.check_message, which.value: result.message}
