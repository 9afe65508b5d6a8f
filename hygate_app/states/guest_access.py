"""State of `/access/{token}`: the guest's door credential, rebuilt from the database on load and on push."""

from __future__ import annotations

import asyncio

import reflex as rx

from hygate_app.db import session_scope
from hygate_app.services.errors import NotFound
from hygate_app.services.guest_access import AccessView, load_access_view
from hygate_app.states import guest_push
from hygate_app.states.routing import last_path_segment

STATUS_TEXT = {
    "awaiting_payment": "Waiting for the payment confirmation from Stripe…",
    "preparing": "Payment received. Preparing your access…",
    "ready": "Your access is ready.",
    "expired": "Your access time is over. Thank you!",
    "cancelled": "The payment was cancelled or expired. Nothing was charged.",
    "failed": "Sorry, your door access could not be created.",
}


def _view(token: str) -> AccessView:
    with session_scope() as db:
        return load_access_view(db, token)


class AccessState(rx.State):
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
    failure_reason: str = ""
    refund_text: str = ""

    @rx.var
    def status_text(self) -> str:
        return STATUS_TEXT.get(self.status, "")

    @rx.event
    async def load(self):
        self.token = last_path_segment(self.router.url.path)[:64]
        # Watch before reading, so a change landing in between is still pushed.
        await guest_push.watch(self.token, self.router.session.client_token, "access")
        await self._refresh()

    async def _refresh(self) -> None:
        try:
            view = await asyncio.to_thread(_view, self.token)
        except NotFound:
            self.found, self.loaded = False, True
            return
        self.found = True
        for field in (
            "status", "door_name", "display_code", "location_name", "amount", "access_minutes", "passcode",
            "qr_image", "valid_from", "valid_until", "time_zone", "failure_reason", "refund_text",
        ):
            setattr(self, field, getattr(view, field))
        self.loaded = True
