"""Staff-only API routes (PDFs, CSV files): the caller is the staff member of the session cookie, checked against the
role table exactly as an admin page's handlers are (services/authz.authorise)."""

from __future__ import annotations

import html

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from hygate_app.api import auth_cookies as cookies
from hygate_app.api.auth import client_of
from hygate_app.db import session_scope
from hygate_app.services import audit, authz
from hygate_app.services.authz import Capability
from hygate_app.services.errors import PermissionDenied
from hygate_app.services.login_sessions import Principal


def authorise(db: Session, request: Request, capability: Capability) -> Principal:
    """Raises authz.NotSignedIn (anonymous or expired) or PermissionDenied (role, or 2FA still to set up)."""
    token = cookies.read_cookie(request.headers.get("cookie"), cookies.session_cookie())
    return authz.authorise(db, token, capability)


async def staff_caller(request: Request, capability: Capability) -> Principal | Response:
    """For a route that needs no database work before deciding: the caller, or the response refusing them."""
    def check() -> Principal:
        with session_scope() as db:
            return authorise(db, request, capability)

    try:
        return await run_in_threadpool(check)
    except PermissionDenied as error:
        return refused(error)


def actor_of(request: Request, who: Principal) -> audit.Actor:
    return client_of(request).actor(who.user_id)


def refused(error: PermissionDenied) -> Response:
    """401 with a way to sign in, or 403 saying why."""
    if isinstance(error, authz.NotSignedIn):
        return page("Please sign in", "This file is for staff. Sign in, then open it again.", 401,
                    ("/login", "Sign in"))
    return page("Not allowed", str(error), 403, ("/admin", "Back to the dashboard"))


def page(title: str, text: str, status: int, link: tuple[str, str]) -> HTMLResponse:
    """A small no-store HTML answer for a staff route that could not give its file."""
    href, label = link
    body = (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' "
            f"content='width=device-width,initial-scale=1'><title>{html.escape(title)} | Hygate</title></head>"
            f"<body style='font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem'>"
            f"<h1 style='font-size:1.4rem'>{html.escape(title)}</h1><p id='message'>{html.escape(text)}</p>"
            f"<p><a href='{html.escape(href)}'>{html.escape(label)}</a></p></body></html>")
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})
