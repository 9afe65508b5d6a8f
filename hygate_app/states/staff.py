"""The one guard of every staff handler: `@staff_event(capability)`.

Any browser can call any handler of any state by name, so each staff handler is wrapped: before its
body runs, the session cookie of the caller's websocket is resolved against the database and the
role table is checked. A refused call never reaches the body: an anonymous caller is sent to
/login, a signed-in one without the capability gets a message. The body reads the caller with
`principal()`.

A background handler (`@rx.event(background=True)` above `@staff_event(...)`) receives a state proxy
that may be written only inside `async with self:`; the guard takes that lock for its own writes, and
the body must take it for its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import inspect
from collections.abc import AsyncIterator, Callable

import reflex as rx
from reflex.istate.proxy import StateProxy

from hygate_app.api import auth_cookies
from hygate_app.db import session_scope
from hygate_app.services import audit, authz
from hygate_app.services.authz import Capability, MustEnrol2FA, NotSignedIn
from hygate_app.services.errors import DomainError, PermissionDenied
from hygate_app.services.login_sessions import Principal

_principal: contextvars.ContextVar[Principal] = contextvars.ContextVar("hygate_principal")
GUARD_MARK = "__hygate_capability__"


def principal() -> Principal:
    return _principal.get()


def _authorise(session_token: str | None, capability: Capability) -> Principal:
    with session_scope() as db:
        return authz.authorise(db, session_token, capability)


def refusal(exc: PermissionDenied):
    if isinstance(exc, NotSignedIn):
        return rx.redirect("/login")
    if isinstance(exc, MustEnrol2FA):
        return rx.redirect("/account")
    return None  # the page shows `access_denied` and a toast (StaffState._refuse)


@contextlib.asynccontextmanager
async def _writable(state) -> AsyncIterator[None]:
    """A background handler's state proxy is writable only while it holds the lock; a normal one always is."""
    if isinstance(state, StateProxy):
        async with state:
            yield
    else:
        yield


def staff_event(capability: Capability) -> Callable:
    def decorate(fn: Callable) -> Callable:
        if inspect.isasyncgenfunction(fn):
            @functools.wraps(fn)
            async def wrapper(self, *args, **kwargs):
                try:
                    who = await self._authorise(capability)
                except PermissionDenied as exc:
                    async with _writable(self):
                        refused = self._refuse(exc)
                    yield refused
                    return
                async with _writable(self):
                    self._show_viewer(who)
                token = _principal.set(who)
                try:
                    async for update in fn(self, *args, **kwargs):
                        yield update
                finally:
                    _principal.reset(token)
        else:
            @functools.wraps(fn)
            async def wrapper(self, *args, **kwargs):
                try:
                    who = await self._authorise(capability)
                except PermissionDenied as exc:
                    async with _writable(self):
                        return self._refuse(exc)
                async with _writable(self):
                    self._show_viewer(who)
                token = _principal.set(who)
                try:
                    result = fn(self, *args, **kwargs)
                    return await result if inspect.isawaitable(result) else result
                finally:
                    _principal.reset(token)

        setattr(wrapper, GUARD_MARK, capability)
        return wrapper

    return decorate


class StaffState(rx.State):
    """Base of every staff page's state. Holds nothing secret: the caller is resolved at each event."""

    # Shown on the page when the caller's role does not allow what they asked for.
    access_denied: str = ""
    # Who is signed in, for the shell (menu, sidebar). Display only: every event resolves the caller anew.
    viewer_email: str = ""
    viewer_role: str = ""
    must_enrol_2fa: bool = False
    notice: str = ""
    error: str = ""
    # The outcome of the last change, shown as a toast by the shell; `toast_seq` restarts its timer.
    toast_text: str = ""
    toast_kind: str = ""
    toast_seq: int = 0

    async def _refresh(self) -> None:
        """Reload what the page shows; states with data override it."""

    async def _run(self, action, success: str):
        """Call a service in one transaction as the caller; show its domain error on the page instead of raising."""
        who, actor = principal(), self._actor()

        def call():
            with session_scope() as db:
                return action(db, who, actor)

        self.notice, self.error = "", ""
        try:
            result = await asyncio.to_thread(call)
        except DomainError as exc:
            self.error = str(exc)
            self._toast("error", self.error)
            return None
        self.notice = success
        self._toast("success", success)
        await self._refresh()
        return result

    def _toast(self, kind: str, text: str) -> None:
        """Rendered by the shell, not with `rx.toast`: that runs through eval(), which the CSP forbids."""
        if text:
            self.toast_text, self.toast_kind, self.toast_seq = text, kind, self.toast_seq + 1

    @rx.var
    def viewer_is_admin(self) -> bool:
        return self.viewer_role == "admin" and not self.must_enrol_2fa

    def _show_viewer(self, who: Principal) -> None:
        self.access_denied = ""
        self.viewer_email, self.viewer_role, self.must_enrol_2fa = who.email, who.role.value, who.must_enrol_2fa

    def _refuse(self, exc: PermissionDenied):
        if not isinstance(exc, (NotSignedIn, MustEnrol2FA)):
            self.access_denied = str(exc)
            self._toast("error", str(exc))
        return refusal(exc)

    async def _authorise(self, capability: Capability) -> Principal:
        return await asyncio.to_thread(_authorise, self._session_token(), capability)

    def _session_token(self) -> str | None:
        return auth_cookies.read_cookie(self.router.headers.cookie, auth_cookies.session_cookie())

    def _actor(self) -> audit.Actor:
        who = principal()
        return audit.Actor("user", str(who.user_id), self.router.session.client_ip or None,
                           (self.router.headers.user_agent or "")[:300] or None)
