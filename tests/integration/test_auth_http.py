"""The sign-in routes and headers over real HTTP against the running web process."""

from __future__ import annotations

import httpx
import pytest
import simple_websocket

from tests.support.staff import PASSWORD, new_staff


def post_login(stack, email: str, password: str, origin: str | None = None) -> httpx.Response:
    headers = {"Origin": origin if origin is not None else stack.url}
    return httpx.post(f"{stack.url}/api/auth/login", data={"email": email, "password": password},
                      headers=headers, follow_redirects=False, timeout=10)


def test_login_sets_an_httponly_strict_cookie_and_answers_303(stack, pg):
    operator = new_staff(pg)
    response = post_login(stack, operator.email, PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    cookie = response.headers["set-cookie"].lower()
    assert "hygate_session=" in cookie and "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie


def test_cross_site_post_is_refused_before_anything_happens(stack, pg):
    operator = new_staff(pg)
    assert post_login(stack, operator.email, PASSWORD, origin="https://evil.example").status_code == 403
    no_origin = httpx.post(f"{stack.url}/api/auth/login", data={"email": operator.email, "password": PASSWORD},
                           follow_redirects=False)
    assert no_origin.status_code == 403 and "set-cookie" not in no_origin.headers


def test_wrong_password_gets_the_generic_message_and_throttling_answers_429(stack, pg):
    operator = new_staff(pg)
    for _ in range(10):
        response = post_login(stack, operator.email, "wrong password here")
        assert response.headers["location"] == "/login?error=invalid"
    throttled = post_login(stack, operator.email, PASSWORD)
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) >= 1
    assert "Try again in" in throttled.text


def test_security_headers_on_pages_and_api(stack):
    for path in ("/login", "/use/nothing-here", "/api/health"):
        headers = httpx.get(f"{stack.url}{path}", follow_redirects=True).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "object-src 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert httpx.get(f"{stack.url}/login", follow_redirects=True).headers["cache-control"] == "no-store"


def test_cors_and_the_websocket_accept_only_the_public_origin(stack):
    evil, own = "https://evil.example", stack.url
    assert "access-control-allow-origin" not in httpx.get(f"{stack.url}/ping", headers={"Origin": evil}).headers
    assert httpx.get(f"{stack.url}/ping", headers={"Origin": own}).headers["access-control-allow-origin"] == own
    # Reflex's state travels over Socket.IO: another site's page must not open it with the staff cookie.
    socket_url = stack.url.replace("http", "ws", 1) + "/_event/?EIO=4&transport=websocket"
    with pytest.raises(simple_websocket.ConnectionError):
        simple_websocket.Client.connect(socket_url, headers={"Origin": evil})
    ws = simple_websocket.Client.connect(socket_url, headers={"Origin": own})
    try:
        assert ws.receive(timeout=10).startswith("0{")  # Engine.IO's "open" packet
    finally:
        ws.close()
