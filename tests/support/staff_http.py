"""Staff sessions for HTTP tests of guarded routes: a real login session row and its cookie, no browser."""

from __future__ import annotations

from hygate_app.api import auth_cookies
from hygate_app.models import User
from hygate_app.services import login_sessions
from hygate_app.services.security_settings import SecuritySettings


def session_cookies(pg, user: User) -> dict[str, str]:
    token = login_sessions.create(pg, user, SecuritySettings(), ip=None, user_agent=None)
    pg.commit()
    return {auth_cookies.session_cookie(): token}
