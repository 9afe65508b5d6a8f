"""State of `/settings/privacy` (administrators): retention periods, and erasing a guest's e-mail on request."""

from __future__ import annotations

import asyncio
import dataclasses

from hygate_app.db import session_scope
from hygate_app.services import guest_erasure, retention
from hygate_app.services.authz import Capability
from hygate_app.services.errors import DomainError
from hygate_app.states.staff import StaffState, staff_event


class PrivacyState(StaffState):
    guest_email_days: str = ""
    stripe_event_days: str = ""
    staff_record_days: str = ""
    # Erasure is two steps: look the address up (how many payments carry it), then erase after a confirmation.
    erase_email: str = ""
    erase_found: int = -1

    def _show(self, current: retention.RetentionSettings) -> None:
        self.guest_email_days = str(current.guest_email_days)
        self.stripe_event_days = str(current.stripe_event_days)
        self.staff_record_days = str(current.staff_record_days)

    async def _refresh(self) -> None:
        def read():
            with session_scope() as db:
                return retention.load(db)

        self._show(await asyncio.to_thread(read))

    @staff_event(Capability.privacy)
    async def load(self):
        self.notice, self.error, self.erase_email, self.erase_found = "", "", "", -1
        await self._refresh()

    @staff_event(Capability.privacy)
    async def save(self, form: dict):
        self.notice, self.error = "", ""
        try:
            values = {name: int(str(form.get(name, "")).strip()) for name in retention.LIMITS}
        except ValueError:
            self.error = "Enter whole numbers of days."
            self._toast("error", self.error)
            return
        new = dataclasses.replace(retention.RetentionSettings(), **values)
        await self._run(lambda db, who, actor: retention.save(db, new, actor), "Retention periods saved.")

    @staff_event(Capability.privacy)
    async def find_email(self, form: dict):
        self.notice, self.error, self.erase_found = "", "", -1
        email = str(form.get("email", ""))[:254].strip()

        def count():
            with session_scope() as db:
                return guest_erasure.payments_with(db, email)

        try:
            self.erase_found = await asyncio.to_thread(count)
        except DomainError as exc:
            self.error = str(exc)
            return
        self.erase_email = email

    @staff_event(Capability.privacy)
    async def cancel_erase(self):
        self.erase_email, self.erase_found = "", -1

    @staff_event(Capability.privacy)
    async def erase(self):
        email = self.erase_email
        if not email:
            return
        erased = await self._run(lambda db, who, actor: guest_erasure.erase(db, email, actor),
                                 "The address was erased.")
        if erased is not None:
            self.notice = f"The address was erased from {erased} payment{'s' if erased != 1 else ''}."
            self.erase_email, self.erase_found = "", -1
