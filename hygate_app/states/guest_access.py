"""State of `/access/{token}`: the guest's door credential, rebuilt from the database on load and on push."""

from __future__ import annotations

import asyncio

import reflex as rx

from hygate_app.db import session_scope
from hygate_app.services import translations
from hygate_app.services.errors import NotFound
from hygate_app.services.guest_access import AccessView, load_access_view
from hygate_app.services.translations import N_
from hygate_app.states import guest_push
from hygate_app.states.guest_text import GuestTextState
from hygate_app.states.routing import last_path_segment

STATUS_TEXT = {
    "awaiting_payment": N_("session.status.awaiting_payment"),
    "preparing": N_("access.status.preparing"),
    "ready": N_("access.status.ready"),
    "expired": N_("access.status.expired"),
    "cancelled": N_("session.status.cancelled"),
    "failed": N_("access.status.failed"),
}


def _view(token: str, language: str) -> AccessView:
    with session_scope() as db:
        return load_access_view(db, token, language)


class AccessState(GuestTextState):
    token: str = ""
    found: bool = True
    loaded: bool = False
    status: str = "awaiting_payment"
    door_name: str = ""
    display_code: str = ""
    location_name: str = ""
    amount: str = ""
    access_minutes: int = 0
    passcode: str = ""
    qr_image: str = ""
    valid_from: str = ""
    valid_until: str = ""
    time_zone: str = ""
    refund_text: str = ""
    has_receipt: bool = False

    @rx.var
    def status_text(self) -> str:
        return translations.gettext(self.language, STATUS_TEXT[self.status]) if self.status in STATUS_TEXT else ""

    @rx.event
    async def load(self):
        self.token = last_path_segment(self.router.url.path)[:64]
        # Watch before reading, so a change landing in between is still pushed.
        await guest_push.watch(self.token, self.router.session.client_token, "access")
        await self._refresh()

    async def _refresh(self) -> None:
        try:
            view = await asyncio.to_thread(_view, self.token, self.language)
        except NotFound:
            self.found, self.loaded = False, True
            return
        self.found = True
        for field in (
            "status", "door_name", "display_code", "location_name", "amount", "access_minutes", "passcode",
            "qr_image", "valid_from", "valid_until", "time_zone", "refund_text", "has_receipt",
        ):
            setattr(self, field, getattr(view, field))
        self.loaded = True
