"""The staff cookies: names, attributes and reading them from a raw Cookie header.

HttpOnly and SameSite=Strict always; in production (an https PUBLIC_URL) also Secure with the
`__Host-` prefix, which pins the cookie to this host and path `/`.
"""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie

from starlette.responses import Response

from hygate_app.config import get_settings


def _secure() -> bool:
    return get_settings().base_url.startswith("https://")


def _name(base: str) -> str:
    return f"__Host-{base}" if _secure() else base


def session_cookie() -> str:
    return _name("hygate_session")


def pending_cookie() -> str:
    return _name("hygate_pending")


def trusted_cookie() -> str:
    return _name("hygate_trusted")


def set_cookie(response: Response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", secure=_secure(), httponly=True, samesite="strict")


def delete_cookie(response: Response, name: str) -> None:
    response.delete_cookie(name, path="/", secure=_secure(), httponly=True, samesite="strict")


def read_cookie(cookie_header: str | None, name: str) -> str | None:
    if not cookie_header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None
