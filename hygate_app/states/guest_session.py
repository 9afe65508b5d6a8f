"""State of `/session/{token}`: the guest's live countdown, rebuilt from the database on load and on push."""

from __future__ import annotations

import asyncio

import reflex as rx

from hygate_app.db import session_scope
from hygate_app.services.errors import NotFound
from hygate_app.services.guest_sessions import SessionView, load_session_view
from hygate_app.states import guest_push
from hygate_app.states.routing import last_path_segment

STATUS_TEXT = {
    "awaiting_payment": "Waiting for the payment confirmation from Stripe…",
    "starting": "Payment received. Switching the device on…",
    "active": "Your device is on.",
    "complete": "Your session is complete. Thank you!",
    "cancelled": "The payment was cancelled or expired. Nothing was charged.",
    "failed": "Sorry, the device could not be started.",
}


def _view(token: str) -> SessionView:
    with session_scope() as db:
        return load_session_view(db, token)


class SessionState(rx.State):
    token: str = ""
    found: bool = True
    loaded: bool = False
    status: str = "awaiting_payment"
    device_name: str = ""
    display_code: str = ""
    location_name: str = ""
    plan_name: str = ""
    amount: str = ""
    duration_minutes: int = 0
    delay_minutes: int = 0
    starts_at_ms: int = 0
    ends_at_ms: int = 0
    finishing_ms: int = 0
    server_now_ms: int = 0
    failure_reason: str = ""
    refund_text: str = ""

    @rx.var
    def status_text(self) -> str:
        return STATUS_TEXT.get(self.status, "")

    @rx.event
    async def load(self):
        self.token = last_path_segment(self.router.url.path)[:64]
        # Watch before reading, so a change landing in between is still pushed.
        await guest_push.watch(self.token, self.router.session.client_token)
        await self._refresh()

    async def _refresh(self) -> None:
        try:
            view = await asyncio.to_thread(_view, self.token)
        except NotFound:
            self.found, self.loaded = False, True
            return
        self.found = True
        for field in (
            "status", "device_name", "display_code", "location_name", "plan_name", "amount", "duration_minutes",
            "delay_minutes", "starts_at_ms", "ends_at_ms", "finishing_ms", "server_now_ms", "failure_reason",
            "refund_text",
        ):
            setattr(self, field, getattr(view, field))
        self.loaded = True
