"""Authorising a plain HTTP request (a file download) as the staff pages do: the HttpOnly session cookie,
resolved against the database now, checked against the role table."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from hygate_app.api import auth_cookies
from hygate_app.db import session_scope
from hygate_app.services import authz
from hygate_app.services.authz import Capability, NotSignedIn
from hygate_app.services.errors import PermissionDenied
from hygate_app.services.login_sessions import Principal


def _authorise(cookie_header: str | None, capability: Capability) -> Principal:
    token = auth_cookies.read_cookie(cookie_header, auth_cookies.session_cookie())
    with session_scope() as db:
        return authz.authorise(db, token, capability)


async def staff_caller(request: Request, capability: Capability) -> Principal | Response:
    """The caller, or the response refusing them: 401 when not signed in, 403 when the role does not allow it."""
    try:
        return await run_in_threadpool(_authorise, request.headers.get("cookie"), capability)
    except NotSignedIn:
        return PlainTextResponse("Please sign in.", status_code=401, headers={"Cache-Control": "no-store"})
    except PermissionDenied as exc:
        return PlainTextResponse(str(exc), status_code=403, headers={"Cache-Control": "no-store"})
