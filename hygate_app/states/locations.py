"""State of `/admin/locations`: everyone on the team may rename; only administrators create, move to
another time zone or delete (LocationAdminState, a substate sharing the list)."""

from __future__ import annotations

import asyncio

from hygate_app.db import session_scope
from hygate_app.services import locations
from hygate_app.services.authz import Capability, allows
from hygate_app.services.ids import row_id
from hygate_app.states.staff import StaffState, principal, staff_event

# Fixed for the life of the process: rendered into the page, not kept in each browser's state.
TIMEZONES = sorted(locations.known_timezones())


def _rows() -> list[dict[str, str]]:
    with session_scope() as db:
        return [{"id": str(r.id), "name": r.name, "timezone": r.timezone, "doors": str(r.door_count),
                 "devices": str(r.device_count), "empty": "yes" if r.door_count + r.device_count == 0 else ""}
                for r in locations.list_locations(db)]


class LocationsState(StaffState):
    rows: list[dict[str, str]] = []
    can_manage: bool = False

    async def _refresh(self) -> None:
        self.rows = await asyncio.to_thread(_rows)

    @staff_event(Capability.locations_rename)
    async def load(self):
        self.notice, self.error = "", ""
        self.can_manage = allows(principal(), Capability.locations_manage)
        await self._refresh()

    @staff_event(Capability.locations_rename)
    async def rename(self, form: dict):
        """The form carries the location's id in a hidden field."""
        location_id, name = str(form.get("id", "")), str(form.get("name", ""))
        await self._run(lambda db, who, actor: locations.rename_location(db, actor, row_id(location_id), name),
                        "Location renamed.")


class LocationAdminState(LocationsState):
    @staff_event(Capability.locations_manage)
    async def create(self, form: dict):
        await self._run(lambda db, who, actor: locations.create_location(
            db, actor, str(form.get("name", "")), str(form.get("timezone", ""))), "Location created.")

    @staff_event(Capability.locations_manage)
    async def set_timezone(self, form: dict):
        location_id, zone = str(form.get("id", "")), str(form.get("timezone", ""))
        await self._run(lambda db, who, actor: locations.set_location_timezone(db, actor, row_id(location_id), zone),
                        "Time zone changed.")

    @staff_event(Capability.locations_manage)
    async def delete(self, location_id: str):
        await self._run(lambda db, who, actor: locations.delete_location(db, actor, row_id(location_id)),
                        "Location deleted.")
