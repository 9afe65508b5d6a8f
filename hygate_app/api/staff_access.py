"""The guard of every staff API route (downloads): the session cookie, resolved against the database now, must
allow the capability in the role table. Anonymous: 401; signed in without the capability: 403."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request

from hygate_app.api import auth_cookies
from hygate_app.api.auth import client_of
from hygate_app.db import session_scope
from hygate_app.services import audit, authz
from hygate_app.services.authz import Capability, NotSignedIn
from hygate_app.services.errors import PermissionDenied
from hygate_app.services.login_sessions import Principal


def _authorise(token: str | None, capability: Capability) -> Principal:
    with session_scope() as db:
        return authz.authorise(db, token, capability)


async def authorise_request(request: Request, capability: Capability) -> Principal:
    """The caller, or an HTTPException (401 or 403) that Starlette turns into the answer."""
    token = auth_cookies.read_cookie(request.headers.get("cookie"), auth_cookies.session_cookie())
    try:
        return await run_in_threadpool(_authorise, token, capability)
    except NotSignedIn as exc:
        raise HTTPException(401, str(exc)) from None
    except PermissionDenied as exc:
        raise HTTPException(403, str(exc)) from None


def actor_of(request: Request, who: Principal) -> audit.Actor:
    return client_of(request).actor(who.user_id)
