"""State of `/login` and `/login/verify`: only what the forms show. The forms POST to /api/auth/*."""

from __future__ import annotations

import asyncio

import reflex as rx

from hygate_app import providers
from hygate_app.api import auth_cookies
from hygate_app.db import session_scope
from hygate_app.services import authz, sign_in

LOGIN_MESSAGES = {
    "invalid": ("red", sign_in.GENERIC_REFUSAL),
    "expired": ("amber", "Your sign-in took too long or was interrupted. Please sign in again."),
    "signed_out": ("green", "You are signed out."),
    "mail": ("red", "We could not send the e-mail with your code just now. Please try again in a minute."),
}
VERIFY_MESSAGES = {
    "code": ("red", sign_in.CODE_REFUSAL),
    "sent": ("green", "A new code is on its way. Codes are valid for 5 minutes."),
    "wait": ("amber", "Too many codes requested. Please wait a little before asking for another."),
    "mail": ("red", "We could not send the e-mail just now. Please try again in a minute."),
}


def _signed_in(session_token: str | None) -> bool:
    with session_scope() as db:
        return authz.principal_for(db, session_token) is not None


def _pending_method(pending_token: str | None) -> str:
    with session_scope() as db:
        state = sign_in.pending(db, providers.redis(), pending_token)
        return state.method.value if state else ""


class LoginState(rx.State):
    message: str = ""
    message_color: str = "red"

    @rx.event
    async def load(self):
        cookie = self.router.headers.cookie
        if await asyncio.to_thread(_signed_in, auth_cookies.read_cookie(cookie, auth_cookies.session_cookie())):
            return rx.redirect("/account")
        color, text = LOGIN_MESSAGES.get(self.router.url.query_parameters.get("error", ""), ("red", ""))
        self.message, self.message_color = text, color


class VerifyState(rx.State):
    method: str = ""
    kind: str = ""
    message: str = ""
    message_color: str = "red"

    @rx.event
    async def load(self):
        pending = auth_cookies.read_cookie(self.router.headers.cookie, auth_cookies.pending_cookie())
        self.method = await asyncio.to_thread(_pending_method, pending)
        if not self.method:
            return rx.redirect("/login?error=expired")
        query = self.router.url.query_parameters
        kind = query.get("kind", "")
        self.kind = kind if kind in ("totp", "email", "backup_code") else self.method
        key = "sent" if query.get("sent") else query.get("error", "")
        self.message_color, self.message = VERIFY_MESSAGES.get(key, ("red", ""))

    @rx.event
    def use_backup_code(self):
        self.kind, self.message = "backup_code", ""

    @rx.event
    def use_second_factor(self):
        self.kind, self.message = self.method, ""
