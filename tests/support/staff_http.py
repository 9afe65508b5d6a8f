"""Staff callers for HTTP tests of guarded routes, without a browser: a real login session row and its cookie
(any account), or a client that signed in through `/api/auth/login` (accounts without a second factor)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from hygate_app.api import auth_cookies
from hygate_app.models import User
from hygate_app.services import login_sessions
from hygate_app.services.security_settings import SecuritySettings
from tests.support.staff import PASSWORD


def session_cookies(pg, user: User) -> dict[str, str]:
    token = login_sessions.create(pg, user, SecuritySettings(), ip=None, user_agent=None)
    pg.commit()
    return {auth_cookies.session_cookie(): token}


@contextmanager
def signed_in_client(url: str, email: str, password: str = PASSWORD) -> Iterator[httpx.Client]:
    """An httpx client carrying the session cookie that `/api/auth/login` set."""
    with httpx.Client(base_url=url, follow_redirects=False, timeout=20) as client:
        response = client.post("/api/auth/login", data={"email": email, "password": password},
                               headers={"Origin": url})
        assert response.status_code == 303 and response.headers["location"] != "/login?error=invalid", response.text
        assert client.cookies, "no session cookie was set"
        yield client


def forget_sign_in_budgets() -> None:
    """Every test signs in from 127.0.0.1, whose budget is 30 sign-in attempts a minute for the whole suite: a test
    starts and leaves with it unspent, so no test is refused for what others did."""
    from hygate_app import providers

    redis = providers.redis()
    for key in redis.scan_iter(match="LIMITS:throttle/*/ip/*"):
        redis.delete(key)
