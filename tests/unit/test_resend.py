"""ResendClient against the Resend simulator, over real HTTP on a local port."""

from __future__ import annotations

import base64
import logging
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from hygate_app.config import Settings
from hygate_app.integrations.mailer import Attachment, MailerError, ResendClient
from hygate_app.integrations.retries import RetryPolicy
from hygate_app.integrations.simulators.resend_sim import create_resend_simulator
from tests.support.live_server import LiveServer

API_KEY = "re_test_key_0001"
SENDER = "Hygate <hygate@demo.hygate.local>"


@pytest.fixture(scope="module")
def loose_server() -> Iterator[LiveServer]:
    """No rate limit, for quick tests of everything but the limit."""
    server = LiveServer().start(create_resend_simulator(API_KEY, rate_limit_per_second=0))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def strict_server() -> Iterator[LiveServer]:
    server = LiveServer().start(create_resend_simulator(API_KEY))
    yield server
    server.stop()


@pytest.fixture
def resend(loose_server: LiveServer) -> str:
    httpx.post(f"{loose_server.url}/_sim/reset").raise_for_status()
    return loose_server.url


@pytest.fixture
def real_limit_resend(strict_server: LiveServer) -> str:
    httpx.post(f"{strict_server.url}/_sim/reset").raise_for_status()
    return strict_server.url


def client_for(url: str, **kwargs) -> ResendClient:
    kwargs.setdefault("retry", RetryPolicy(base_delay=0.01))
    return ResendClient(url, kwargs.pop("api_key", API_KEY), kwargs.pop("sender", SENDER), **kwargs)


def waiting(waits: list[float]):
    """A sleep that really waits (the simulator's rate window must pass) and says how long it was asked to."""
    def sleep(seconds: float) -> None:
        waits.append(float(seconds))
        time.sleep(seconds)
    return sleep


def outbox(url: str, **params) -> list[dict]:
    return httpx.get(f"{url}/_sim/outbox", params=params).json()


def post_email(url: str, body: dict, key: str = API_KEY) -> httpx.Response:
    return httpx.post(f"{url}/emails", json=body, headers={"Authorization": f"Bearer {key}"})


def set_fault(url: str, status: int, count: int) -> None:
    httpx.post(f"{url}/_sim/faults", json={"status": status, "count": count}).raise_for_status()


def test_sent_email_can_be_read_back_as_delivered(resend):
    with client_for(resend) as client:
        email_id = client.send("guest@example.com", "Your code", "Code: 123456", html="<p>Code: 123456</p>")
        email = client.get_email(email_id)

    assert email.id == email_id
    assert email.sender == SENDER and email.to == ("guest@example.com",)
    assert email.subject == "Your code"
    assert email.text == "Code: 123456" and email.html == "<p>Code: 123456</p>"
    assert email.last_event == "delivered" and email.created_at
    assert [entry["id"] for entry in outbox(resend)] == [email_id]


def test_attachments_travel_base64_encoded_and_the_outbox_shows_them(resend):
    pdf = b"%PDF-1.4 receipt \x00\xff"
    with client_for(resend) as client:
        email_id = client.send("guest@example.com", "Your receipt", "Attached.", attachments=[
            Attachment("receipt.pdf", pdf, "application/pdf"), Attachment("note.txt", b"hello")])
        retrieved = client.get_email(email_id)

    [sent] = outbox(resend)
    assert sent["id"] == email_id == retrieved.id
    assert [(a["filename"], a["content_type"], a["size"]) for a in sent["attachments"]] == [
        ("receipt.pdf", "application/pdf", len(pdf)), ("note.txt", "text/plain", 5)]  # the type told by the name
    assert base64.b64decode(sent["attachments"][0]["content"]) == pdf
    assert "Attached: receipt.pdf" in httpx.get(f"{resend}/").text


@pytest.mark.parametrize(("attachments", "problem"), [
    ("receipt.pdf", "must be an array"),
    ([{"filename": "a.pdf", "content": "not base64!"}], "base64"),
    ([{"filename": "a.pdf"}], "either `content` or `path`"),
    ([{"filename": "a.pdf", "content": "QQ==", "path": "https://example.com/a.pdf"}], "either"),
    ([{"content": "QQ=="}], "`filename` is required"),
    ([{"path": "file:///etc/passwd"}], "must be a URL"),
])
def test_malformed_attachments_are_a_validation_error(resend, attachments, problem):
    body = {"from": SENDER, "to": ["guest@example.com"], "subject": "Hi", "text": "Hello", "attachments": attachments}
    refused = post_email(resend, body)
    assert (refused.status_code, refused.json()["name"]) == (422, "validation_error")
    assert problem in refused.json()["message"]
    assert outbox(resend) == []


def test_an_email_over_40_mb_with_its_attachments_is_refused(resend):
    big = base64.b64encode(bytes(31 * 1024 * 1024)).decode()  # 41 MB once base64-encoded
    body = {"from": SENDER, "to": ["guest@example.com"], "subject": "Hi", "text": "Hello",
            "attachments": [{"filename": "big.bin", "content": big}]}
    refused = post_email(resend, body)
    assert refused.status_code == 422 and "40MB" in refused.json()["message"]


def test_unknown_email_id_is_a_permanent_not_found(resend):
    with client_for(resend) as client, pytest.raises(MailerError) as caught:
        client.get_email("00000000-0000-0000-0000-000000000000")
    assert (caught.value.status_code, caught.value.name, caught.value.transient) == (404, "not_found", False)


def test_wrong_or_missing_api_key_is_refused_permanently_in_resends_shape(resend):
    with client_for(resend, api_key="re_wrong") as client, pytest.raises(MailerError) as wrong:
        client.send("guest@example.com", "Hi", "Hello")
    with client_for(resend, api_key="") as client, pytest.raises(MailerError) as missing:
        client.send("guest@example.com", "Hi", "Hello")

    assert (wrong.value.status_code, wrong.value.name, wrong.value.transient) == (403, "invalid_api_key", False)
    assert (missing.value.status_code, missing.value.name) == (401, "missing_api_key")
    reply = httpx.post(f"{resend}/emails", json={})
    assert reply.status_code == 401
    assert reply.json() == {
        "statusCode": 401,
        "name": "missing_api_key",
        "message": "Missing API key in the authorization header.",
    }
    assert outbox(resend) == []


def test_invalid_message_is_a_permanent_validation_error(resend):
    with client_for(resend, sender="not an address") as client, pytest.raises(MailerError) as bad_from:
        client.send("guest@example.com", "Hi", "Hello")
    with client_for(resend) as client, pytest.raises(MailerError) as bad_to:
        client.send("nobody", "Hi", "Hello")

    assert (bad_from.value.status_code, bad_from.value.name) == (422, "invalid_from_address")
    assert bad_from.value.transient is False
    assert (bad_to.value.status_code, bad_to.value.name) == (422, "validation_error")
    assert "`to`" in str(bad_to.value)

    no_subject = post_email(resend, {"from": SENDER, "to": "guest@example.com", "text": "Hello"})
    no_body = post_email(resend, {"from": SENDER, "to": ["guest@example.com"], "subject": "Hi"})
    assert no_subject.status_code == 422
    assert no_subject.json() == {"statusCode": 422, "name": "missing_required_field",
                                 "message": "Missing `subject` field."}
    assert (no_body.status_code, no_body.json()["name"]) == (422, "missing_required_field")
    assert outbox(resend) == []


def test_same_idempotency_key_and_body_returns_the_same_email(resend):
    with client_for(resend) as client:
        first = client.send("guest@example.com", "Invitation", "Join us", idempotency_key="invite-42")
        again = client.send("guest@example.com", "Invitation", "Join us", idempotency_key="invite-42")
        other = client.send("guest@example.com", "Invitation", "Join us", idempotency_key="invite-43")

    assert first == again != other
    assert len(outbox(resend)) == 2


def test_same_idempotency_key_with_another_body_is_a_conflict(resend):
    with client_for(resend) as client:
        client.send("guest@example.com", "Invitation", "Join us", idempotency_key="invite-42")
        with pytest.raises(MailerError) as caught:
            client.send("guest@example.com", "Invitation", "Join them", idempotency_key="invite-42")

    assert (caught.value.status_code, caught.value.name) == (409, "invalid_idempotent_request")
    assert caught.value.transient is False
    assert len(outbox(resend)) == 1


def test_over_the_rate_limit_resend_says_when_and_the_client_waits_and_succeeds(real_limit_resend):
    body = {"from": SENDER, "to": ["guest@example.com"], "subject": "Hi", "text": "Hello"}
    assert post_email(real_limit_resend, body).status_code == 200
    assert post_email(real_limit_resend, body).status_code == 200
    refused = post_email(real_limit_resend, body)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["name"] == "rate_limit_exceeded"

    waits: list[float] = []
    with client_for(real_limit_resend, retry=RetryPolicy(sleep=waiting(waits))) as client:
        email_id = client.send("guest@example.com", "Hi", "Hello")

    assert waits == [1.0]  # Resend's Retry-After, not the backoff
    assert outbox(real_limit_resend)[0]["id"] == email_id
    assert len(outbox(real_limit_resend)) == 3


def test_long_retry_after_is_left_to_the_caller_as_a_transient_error(real_limit_resend):
    waits: list[float] = []
    with client_for(real_limit_resend, retry=RetryPolicy(max_delay=0.5, sleep=waits.append)) as client:
        client.send("a@example.com", "Hi", "Hello")
        client.send("b@example.com", "Hi", "Hello")
        with pytest.raises(MailerError) as caught:
            client.send("c@example.com", "Hi", "Hello")

    assert waits == []
    assert (caught.value.status_code, caught.value.transient, caught.value.retry_after) == (429, True, 1.0)


def test_server_errors_are_retried_then_reported_as_transient(resend):
    with client_for(resend, retry=RetryPolicy(attempts=3, base_delay=0.01)) as client:
        set_fault(resend, 500, 3)
        with pytest.raises(MailerError) as caught:
            client.send("guest@example.com", "Hi", "Hello")
        assert httpx.get(f"{resend}/_sim/faults").json()["count"] == 0

        set_fault(resend, 503, 2)
        email_id = client.send("guest@example.com", "Hi", "Hello")

    assert (caught.value.status_code, caught.value.name, caught.value.transient) == (500, "internal_server_error", True)
    assert [entry["id"] for entry in outbox(resend)] == [email_id]


def test_client_errors_are_not_retried(resend):
    set_fault(resend, 400, 2)
    with client_for(resend) as client, pytest.raises(MailerError) as caught:
        client.send("guest@example.com", "Hi", "Hello")

    assert (caught.value.status_code, caught.value.transient) == (400, False)
    assert httpx.get(f"{resend}/_sim/faults").json()["count"] == 1


def test_unreachable_resend_is_transient():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    with client_for(url) as client, pytest.raises(MailerError) as caught:
        client.send("guest@example.com", "Hi", "Hello")
    assert caught.value.transient is True and caught.value.status_code is None


def test_the_api_key_never_shows_in_errors_or_logs(resend, caplog):
    caplog.set_level(logging.DEBUG)
    set_fault(resend, 502, 5)
    with client_for(resend) as client, pytest.raises(MailerError) as transient:
        client.send("guest@example.com", "Hi", "Hello")
    with client_for(resend, api_key="re_wrong_secret") as client, pytest.raises(MailerError) as refused:
        client.send("guest@example.com", "Hi", "Hello")
    with client_for(resend, api_key="re_pasted\nbadly") as client, pytest.raises(MailerError) as malformed:
        client.send("guest@example.com", "Hi", "Hello")

    assert "retrying" in caplog.text
    assert malformed.value.transient is False and malformed.value.__cause__ is None
    for secret in (API_KEY, "re_wrong_secret", "re_pasted"):
        assert secret not in caplog.text
        assert all(secret not in str(error.value) for error in (transient, refused, malformed))


def test_outbox_lists_newest_first_and_filters_by_recipient(resend):
    with client_for(resend) as client:
        client.send("ann@example.com", "First", "One")
        client.send("bob@example.com", "Second", "Two")
        client.send("Ann@Example.com", "Third", "Three")

    assert [entry["subject"] for entry in outbox(resend)] == ["Third", "Second", "First"]
    assert [entry["subject"] for entry in outbox(resend, to="ann@example.com")] == ["Third", "First"]
    assert outbox(resend, to="nobody@example.com") == []


def test_outbox_page_shows_escaped_mail_newest_first_with_clickable_links(resend):
    with client_for(resend) as client:
        client.send("ann@example.com", "Older", "Nothing to see")
        client.send(
            "bob@example.com",
            "<script>alert(1)</script> invitation",
            "Hi <b>Bob</b>,\njoin at https://demo.hygate.local/invite?t=abc&x=1 today",
        )
    page = httpx.get(f"{resend}/").text

    assert '<meta http-equiv="refresh" content="5">' in page
    assert "<script>" not in page and "<b>Bob" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; invitation" in page
    assert "Hi &lt;b&gt;Bob&lt;/b&gt;," in page
    assert '<a href="https://demo.hygate.local/invite?t=abc&amp;x=1">' in page
    assert page.index("invitation") < page.index("Older")
    assert "bob@example.com" in page and "UTC" in page


def test_client_and_page_work_with_the_simulator_mounted_under_a_path():
    from starlette.applications import Starlette
    from starlette.routing import Mount

    app = Starlette(routes=[Mount("/_sim/resend", app=create_resend_simulator(API_KEY))])
    server = LiveServer().start(app)
    try:
        base = f"{server.url}/_sim/resend"
        with client_for(base) as client:
            email_id = client.send("guest@example.com", "Your code", "Code: 654321")
            assert client.get_email(email_id).subject == "Your code"
        assert "Code: 654321" in httpx.get(f"{base}/").text
        assert [entry["id"] for entry in outbox(base)] == [email_id]
    finally:
        server.stop()


def test_settings_point_the_mailer_at_the_simulator_only_in_demo_mode():
    def base(**env) -> str:
        return Settings(RESEND_API_BASE="", PORT=8000, **env).resend_base

    assert base(HYGATE_DEMO=True) == "http://127.0.0.1:8000/_sim/resend"
    assert base(HYGATE_DEMO=False) == "https://api.resend.com"
    assert Settings(RESEND_API_BASE="http://mail.test/", HYGATE_DEMO=False).resend_base == "http://mail.test"
