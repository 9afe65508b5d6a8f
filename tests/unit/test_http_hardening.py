"""Production hardening that only switches on behind https, and the demo's one-off admin password."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from hygate_app.api import auth_cookies
from hygate_app.api.security_headers import security_headers
from hygate_app.config import get_settings
from hygate_app.models import User
from hygate_app.services import passwords
from hygate_app.services.demo import seed_demo


@pytest.fixture
def production(monkeypatch) -> Iterator[None]:
    monkeypatch.setenv("PUBLIC_URL", "https://hygate.example.com")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def client() -> TestClient:
    def set_session(request):
        response = PlainTextResponse("ok")
        auth_cookies.set_cookie(response, auth_cookies.session_cookie(), "token")
        return response

    app = Starlette(routes=[Route("/account", set_session), Route("/use/x", lambda r: PlainTextResponse("guest"))])
    return TestClient(security_headers(app), base_url="https://hygate.example.com")


def test_production_adds_hsts_and_a_wss_only_socket_origin(production):
    headers = client().get("/use/x").headers
    assert headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"
    assert "connect-src 'self' wss://hygate.example.com" in headers["content-security-policy"]


def test_production_session_cookie_is_host_prefixed_secure_httponly_strict(production):
    cookie = client().get("/account").headers["set-cookie"]
    assert cookie.startswith("__Host-hygate_session=token")
    assert {"Secure", "HttpOnly", "SameSite=strict", "Path=/"} <= {p.strip() for p in cookie.split(";")}
    assert "Domain" not in cookie


def test_plain_http_has_no_hsts_and_no_host_prefix():
    response = client().get("/account")
    assert "strict-transport-security" not in response.headers
    assert response.headers["set-cookie"].startswith("hygate_session=")


def test_staff_pages_are_not_stored_but_guest_pages_may_be(production):
    assert client().get("/account").headers["cache-control"] == "no-store"
    assert "cache-control" not in client().get("/use/x").headers


def test_the_demo_admin_password_is_random_per_install_and_replaced_at_each_seed(db):
    first = seed_demo(db)
    second = seed_demo(db)
    assert first.password != second.password and len(second.password) >= 16
    admin = db.exec(select(User).where(User.email == first.email)).one()
    assert passwords.verify_and_update(second.password, admin.password_hash)[0]
    assert not passwords.verify_and_update(first.password, admin.password_hash)[0]
