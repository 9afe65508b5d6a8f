"""A staff member signed in over real HTTP (the password step; for accounts without a second factor), for tests of
staff-only API routes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.support.staff import PASSWORD


@contextmanager
def signed_in_client(url: str, email: str, password: str = PASSWORD) -> Iterator[httpx.Client]:
    """An httpx client carrying the session cookie that `/api/auth/login` set."""
    with httpx.Client(base_url=url, follow_redirects=False, timeout=20) as client:
        response = client.post("/api/auth/login", data={"email": email, "password": password},
                               headers={"Origin": url})
        assert response.status_code == 303 and response.headers["location"] != "/login?error=invalid", response.text
        assert client.cookies, "no session cookie was set"
        yield client
