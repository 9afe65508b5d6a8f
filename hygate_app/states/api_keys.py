"""State of `/settings/api-keys` (administrators): create a key (its secret shown once), list and revoke them."""

from __future__ import annotations

import asyncio

from hygate_app.db import session_scope
from hygate_app.services import api_keys
from hygate_app.services.authz import Capability
from hygate_app.services.ids import row_id
from hygate_app.states.display import when
from hygate_app.states.staff import StaffState, staff_event


def _rows() -> list[dict[str, str]]:
    with session_scope() as db:
        return [{"id": str(k.id), "name": k.name, "hint": k.hint, "created_by": k.created_by_email or "(removed)",
                 "created": when(k.created_at), "last_used": when(k.last_used_at) or "never",
                 "revoked": when(k.revoked_at), "active": "yes" if k.active else ""}
                for k in api_keys.list_api_keys(db)]


class ApiKeysState(StaffState):
    keys: list[dict[str, str]] = []
    # The new key's secret, shown once: cleared by the next load, so leaving or reloading the page drops it.
    new_secret: str = ""
    new_name: str = ""

    async def _refresh(self) -> None:
        self.keys = await asyncio.to_thread(_rows)

    @staff_event(Capability.api_keys)
    async def load(self):
        self.notice, self.error, self.new_secret, self.new_name = "", "", "", ""
        await self._refresh()

    @staff_event(Capability.api_keys)
    async def create(self, form: dict):
        self.new_secret, self.new_name = "", ""
        name = str(form.get("name", ""))[:200]
        created = await self._run(lambda db, who, actor: api_keys.create_api_key(db, actor, who.user_id, name),
                                  "API key created. Copy it now: it is not shown again.")
        if created is not None:
            self.new_secret, self.new_name = created.secret, created.name

    @staff_event(Capability.api_keys)
    async def dismiss_secret(self):
        self.new_secret, self.new_name = "", ""

    @staff_event(Capability.api_keys)
    async def revoke(self, key_id: str):
        self.new_secret, self.new_name = "", ""
        await self._run(lambda db, who, actor: api_keys.revoke_api_key(db, actor, row_id(key_id)),
                        "API key revoked: it stops working at once.")
