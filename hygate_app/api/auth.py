"""Sign-in over real HTTP POSTs, so the session cookie can be HttpOnly: `/api/auth/login`,
`/api/auth/verify`, `/api/auth/email-code`, `/api/auth/logout`, `/api/auth/logout-everywhere`.

Each answers 303 to a page (or 429 with Retry-After when throttled) and refuses a cross-site POST.
"""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from hygate_app import providers
from hygate_app.api import auth_cookies as cookies
from hygate_app.config import get_settings
from hygate_app.db import session_scope
from hygate_app.integrations.mailer import MailerError
from hygate_app.models import User
from hygate_app.services import audit, authz, login_sessions, security_settings, sign_in

HOME = "/admin"  # the dashboard; an administrator who must set up 2FA is sent on to /account
MAX_FIELD = 1024


def same_origin(request: Request) -> bool:
    """State-changing POSTs must come from our own pages: Origin (or, without it, Referer) is ours."""
    ours = urlsplit(get_settings().base_url)
    sent = request.headers.get("origin") or request.headers.get("referer")
    if not sent:
        return False
    theirs = urlsplit(sent)
    return (theirs.scheme, theirs.netloc) == (ours.scheme, ours.netloc)


def client_of(request: Request) -> sign_in.Client:
    return sign_in.Client(request.client.host if request.client else None,
                          (request.headers.get("user-agent") or "")[:300] or None)


def _see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _forbidden() -> Response:
    return HTMLResponse(_page("This request was refused", "It did not come from a Hygate page. Go back and try "
                              "again."), status_code=403)


def _throttled(refused: sign_in.Refused, back: str) -> Response:
    body = _page("Too many attempts", html.escape(refused.message), back)
    return HTMLResponse(body, status_code=429, headers={"Retry-After": str(refused.retry_after or 60)})


def _page(title: str, text: str, back: str = "/login") -> str:
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' "
            f"content='width=device-width,initial-scale=1'><title>{title} | Hygate</title></head>"
            f"<body style='font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem'>"
            f"<h1 style='font-size:1.4rem'>{title}</h1><p id='message'>{text}</p>"
            f"<p><a href='{back}'>Back</a></p></body></html>")


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(v)[:MAX_FIELD] for k, v in form.items() if isinstance(v, str)}


def _signed_in_response(result: sign_in.SignedIn, destination: str = HOME) -> Response:
    response = _see_other(destination)
    cookies.set_cookie(response, cookies.session_cookie(), result.session_token)
    cookies.delete_cookie(response, cookies.pending_cookie())
    if result.trusted_device_token:
        with session_scope() as db:
            days = security_settings.load(db).trust_period_days
        cookies.set_cookie(response, cookies.trusted_cookie(), result.trusted_device_token, max_age=days * 86400)
    return response


async def login(request: Request) -> Response:
    if not same_origin(request):
        return _forbidden()
    form = await _form(request)
    trusted = cookies.read_cookie(request.headers.get("cookie"), cookies.trusted_cookie())

    def attempt():
        with session_scope() as db:
            return sign_in.start(db, providers.redis(), providers.throttle(), providers.mailer(),
                                 email=form.get("email", ""), password=form.get("password", ""),
                                 client=client_of(request), trusted_token=trusted)

    try:
        result = await run_in_threadpool(attempt)
    except MailerError:
        return _see_other("/login?error=mail")
    if isinstance(result, sign_in.Refused):
        return _throttled(result, "/login") if result.retry_after else _see_other("/login?error=invalid")
    if isinstance(result, sign_in.SecondFactorRequired):
        response = _see_other("/login/verify")
        cookies.set_cookie(response, cookies.pending_cookie(), result.pending_token,
                           max_age=int(sign_in.PENDING_TTL.total_seconds()))
        return response
    return _signed_in_response(result)


async def verify(request: Request) -> Response:
    if not same_origin(request):
        return _forbidden()
    form = await _form(request)
    pending = cookies.read_cookie(request.headers.get("cookie"), cookies.pending_cookie())

    def attempt():
        with session_scope() as db:
            return sign_in.complete(db, providers.redis(), providers.throttle(), pending_token=pending,
                                    kind=form.get("kind", ""), code=form.get("code", ""),
                                    trust_device=form.get("trust") == "on", client=client_of(request))

    result = await run_in_threadpool(attempt)
    if isinstance(result, sign_in.Refused):
        if result.retry_after:
            return _throttled(result, "/login/verify")
        if result.message == sign_in.CODE_REFUSAL:
            return _see_other(f"/login/verify?error=code&kind={form.get('kind', '')}")
        return _see_other("/login?error=expired")
    return _signed_in_response(result)


async def email_code(request: Request) -> Response:
    """Send a new e-mail code for the sign-in in progress (the old one stops working)."""
    if not same_origin(request):
        return _forbidden()
    pending = cookies.read_cookie(request.headers.get("cookie"), cookies.pending_cookie())
    client = client_of(request)

    def send() -> str:
        with session_scope() as db:
            state = sign_in.pending(db, providers.redis(), pending)
            if state is None:
                return "/login?error=expired"
            user = db.get(User, state.user_id)
            decision = providers.throttle().check("otp", account=user.email.lower(), ip=client.ip or "")
            if not decision.allowed:
                return f"/login/verify?error=wait&seconds={decision.retry_after}"
            sign_in.send_email_code(db, providers.redis(), providers.mailer(), user, client)
            return "/login/verify?sent=1"

    try:
        return _see_other(await run_in_threadpool(send))
    except MailerError:
        return _see_other("/login/verify?error=mail")


async def logout(request: Request) -> Response:
    if not same_origin(request):
        return _forbidden()
    token = cookies.read_cookie(request.headers.get("cookie"), cookies.session_cookie())
    everywhere = request.url.path.endswith("/logout-everywhere")

    def end() -> None:
        with session_scope() as db:
            principal = authz.principal_for(db, token)
            if principal is None:
                return
            actor = client_of(request).actor(principal.user_id)
            if everywhere:
                login_sessions.end_all(db, db.get(User, principal.user_id))
                audit.record(db, "auth.logout_everywhere", actor=actor, target_type="user",
                             target_id=principal.user_id)
            else:
                login_sessions.revoke(db, principal.login_session_id, principal.user_id)
                audit.record(db, "auth.logout", actor=actor, target_type="user", target_id=principal.user_id)

    await run_in_threadpool(end)
    response = _see_other("/login?error=signed_out")
    cookies.delete_cookie(response, cookies.session_cookie())
    return response
