"""State of `/session/{token}`: the guest's live countdown, rebuilt from the database on load and on push."""

from __future__ import annotations

import asyncio

import reflex as rx

from hygate_app import providers
from hygate_app.db import session_scope
from hygate_app.services import session_recovery, translations
from hygate_app.services.errors import DomainError, NotFound
from hygate_app.services.guest_sessions import SessionView, load_session_view
from hygate_app.services.guest_updates import RedisGuestUpdates
from hygate_app.services.translations import N_
from hygate_app.states import guest_push
from hygate_app.states.guest_text import GuestTextState
from hygate_app.states.routing import last_path_segment

STATUS_TEXT = {
    "awaiting_payment": N_("session.status.awaiting_payment"),
    "starting": N_("session.status.starting"),
    "active": N_("session.status.active"),
    "complete": N_("session.status.complete"),
    "cancelled": N_("session.status.cancelled"),
    "interrupted": N_("session.status.interrupted"),
    "failed": N_("session.status.failed"),
}


def _view(token: str, language: str) -> SessionView:
    with session_scope() as db:
        return load_session_view(db, token, language)


def _restart(token: str) -> None:
    with session_scope() as db:
        session_recovery.restart(db, token, providers.job_queue(), RedisGuestUpdates(providers.redis()))


class SessionState(GuestTextState):
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
    spoken_marks: list[int] = []
    server_now_ms: int = 0
    ends_at_text: str = ""
    refund_text: str = ""
    has_receipt: bool = False
    restart_until: str = ""
    restart_minutes: int = 0
    restart_refund: str = ""
    restarting: bool = False
    error: str = ""

    @rx.var
    def status_text(self) -> str:
        return translations.gettext(self.language, STATUS_TEXT[self.status]) if self.status in STATUS_TEXT else ""

    @rx.event
    async def load(self):
        self.token = last_path_segment(self.router.url.path)[:64]
        # Watch before reading, so a change landing in between is still pushed.
        await guest_push.watch(self.token, self.router.session.client_token)
        await self._refresh()

    @rx.event
    async def restart(self):
        """The free restart of an interrupted session (the guest token is the only key to it, as to the page)."""
        if self.restarting or not self.token:
            return
        self.restarting, self.error = True, ""
        yield
        try:
            await asyncio.to_thread(_restart, self.token)
        except DomainError as exc:
            self.error = self._error_text(exc)
        self.restarting = False
        await self._refresh()

    async def _refresh(self) -> None:
        try:
            view = await asyncio.to_thread(_view, self.token, self.language)
        except NotFound:
            self.found, self.loaded = False, True
            return
        self.found = True
        for field in (
            "status", "device_name", "display_code", "location_name", "plan_name", "amount", "duration_minutes",
            "delay_minutes", "starts_at_ms", "ends_at_ms", "finishing_ms", "spoken_marks", "server_now_ms",
            "ends_at_text", "refund_text", "has_receipt", "restart_until", "restart_minutes", "restart_refund",
        ):
            setattr(self, field, getattr(view, field))
        self.loaded = True
