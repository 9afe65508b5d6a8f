"""Size limits of the running web process: request bodies (declared or streamed), websocket messages, and the
URL and headers, each answered with a 4xx (or a closed socket), never a 5xx, and never read whole into memory."""

from __future__ import annotations

import socket
import uuid

import httpx
import pytest
import simple_websocket

from hygate_app.api.request_limits import APP_MAX_BYTES, EVENT_MAX_BYTES, FORM_MAX_BYTES, WEBHOOK_MAX_BYTES
from hygate_app.states.branding import BrandingState
from tests.support.fuzz import assert_handled

KIB = 1024


def raw_get(stack, target: bytes, headers: bytes = b"") -> bytes:
    """The status line of a GET sent byte for byte (httpx refuses URLs over 64 KB before sending them)."""
    host, port = stack.url.rsplit("//", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: " + host.encode() + b"\r\n" + headers + b"\r\n")
        return conn.recv(4096).split(b"\r\n", 1)[0]


def chunks(total: int, size: int = 64 * KIB, sent: list[int] | None = None):
    """A body without a Content-Length (chunked), counting what the server let us send."""
    while total > 0:
        piece = b"x" * min(size, total)
        total -= len(piece)
        if sent is not None:
            sent[0] += len(piece)
        yield piece


def post(stack, path: str, **kwargs) -> httpx.Response:
    return httpx.post(f"{stack.url}{path}", timeout=30, **kwargs)


def test_the_webhook_takes_a_stripe_sized_event_and_refuses_a_larger_body_declared_or_streamed(stack):
    small = post(stack, "/api/stripe/webhook", content=b"{" + b" " * (WEBHOOK_MAX_BYTES - 2) + b"}",
                 headers={"Stripe-Signature": "t=1,v1=00"})
    assert small.status_code == 400  # read, then refused for its signature
    declared = post(stack, "/api/stripe/webhook", content=b"x" * (WEBHOOK_MAX_BYTES + 1),
                    headers={"Stripe-Signature": "t=1,v1=00"})
    streamed = post(stack, "/api/stripe/webhook", content=chunks(WEBHOOK_MAX_BYTES + 1),
                    headers={"Stripe-Signature": "t=1,v1=00"})
    for response in (declared, streamed):
        assert_handled(response, {413})
        assert len(response.content) < 100


def test_an_endless_body_is_cut_off_without_being_read(stack):
    """100 MB streamed at the webhook: the server answers 413 after 256 KB and hangs up (`Connection: close`), so
    the client cannot send it all."""
    total, sent = 100 * 1024 * KIB, [0]
    try:
        response = post(stack, "/api/stripe/webhook", content=chunks(total, sent=sent))
        assert response.status_code == 413
    except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
        pass
    assert sent[0] < total // 4, f"the server read {sent[0]} bytes"


def test_the_sign_in_forms_refuse_a_body_larger_than_a_form(stack):
    for route in ("login", "verify", "email-code", "logout"):
        response = post(stack, f"/api/auth/{route}", content=b"email=" + b"a" * FORM_MAX_BYTES,
                        headers={"Origin": stack.url, "Content-Type": "application/x-www-form-urlencoded"})
        assert_handled(response, {413})


def test_the_logo_upload_takes_a_logo_and_refuses_more(stack):
    handler = {"reflex-client-token": str(uuid.uuid4()),
               "reflex-event-handler": f"{BrandingState.get_full_name()}.upload_logo"}

    def upload(size: int, streamed: bool) -> httpx.Response:
        boundary = "fuzzboundary"
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"logo.png\"\r\n"
                f"Content-Type: image/png\r\n\r\n").encode()
        body = head + b"\x89PNG" + b"x" * size + f"\r\n--{boundary}--\r\n".encode()
        content = (body[i:i + 64 * KIB] for i in range(0, len(body), 64 * KIB)) if streamed else body
        return post(stack, "/_upload", content=content,
                    headers={**handler, "Content-Type": f"multipart/form-data; boundary={boundary}"})

    fits = upload(500 * KIB, streamed=False)
    assert fits.status_code != 413
    assert_handled(fits)
    for streamed in (False, True):
        assert_handled(upload(APP_MAX_BYTES, streamed), {413})


def test_a_websocket_message_larger_than_any_event_closes_the_socket(stack):
    url = stack.url.replace("http", "ws", 1) + "/_event/?EIO=4&transport=websocket"
    ws = simple_websocket.Client.connect(url, headers={"Origin": stack.url})
    try:
        assert ws.receive(timeout=10).startswith("0{")  # Engine.IO's "open"
        ws.send('42["no_such_event","' + "x" * (EVENT_MAX_BYTES // 2) + '"]')  # an event's size: still open
        ws.send("40")
        assert ws.receive(timeout=10).startswith("40")
        ws.send('42["no_such_event","' + "x" * EVENT_MAX_BYTES + '"]')
        with pytest.raises(simple_websocket.ConnectionClosed):
            ws.receive(timeout=10)
        assert ws.close_reason == 1009  # "message too big", from uvicorn before Engine.IO saw it
    finally:
        if ws.connected:
            ws.close()


def test_a_long_address_or_header_is_refused_by_the_server_not_failed(stack):
    # Long but possible: served (a guest page's own "not found").
    assert_handled(httpx.get(f"{stack.url}/use/x?{'q=1&' * 2000}", timeout=10), {200})
    # Beyond what the HTTP parser buffers (about 64 KB and more): 400 from uvicorn.
    huge = b"a" * 200 * KIB
    assert raw_get(stack, b"/api/health?" + huge) == b"HTTP/1.1 400 Bad Request"
    assert raw_get(stack, b"/api/health", b"X-Big: " + huge + b"\r\n") == b"HTTP/1.1 400 Bad Request"


@pytest.mark.parametrize("path", ["/use/%00", "/pay/a%00b", f"/use/{'x' * 5000}", f"/{'y' * 5000}/z"])
def test_an_address_no_file_can_have_gets_the_404_page_not_a_bare_text(stack, path):
    """The static file server answered these with a plain "Not Found" (a NUL byte; a path past the file system's
    limit) instead of the branded page."""
    response = httpx.get(f"{stack.url}{path}", timeout=10)
    assert_handled(response, {404})
    assert response.headers["content-type"].startswith("text/html") and "<!DOCTYPE html>" in response.text
