"""Every client retries what is transient, in-process and briefly, with growing jittered pauses, and nothing else;
timeouts fire; each call reports one outcome for the health badge. Against the simulators' fault routes, with the
pauses recorded instead of slept."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from hygate_app.integrations.mailer import MailerError, ResendClient
from hygate_app.integrations.retries import NO_RETRIES, RetryPolicy, jittered
from hygate_app.integrations.shelly import ShellyAuthError, ShellyClient, ShellyUnavailable
from hygate_app.integrations.simulators.resend_sim import create_resend_simulator
from hygate_app.integrations.stripe_gateway import StripeGateway, StripeGatewayError
from hygate_app.integrations.ttlock import TTLockClient, TTLockNotFound, TTLockUnavailable
from tests.support.live_server import LiveServer
from tests.support.ttlock import TTLOCK_ACCOUNT

WASHER = "shelly-demo-washer"
FRONT = 7100001  # the demo lock, with an online gateway
control = httpx.Client(timeout=5)


class Pauses(list):
    """Stands in for `time.sleep`: remembers each pause instead of taking it."""

    def __call__(self, seconds: float) -> None:
        self.append(float(seconds))


def policy(pauses: Pauses, *draws: float, **limits) -> RetryPolicy:
    """The random draws come in the given order (1.0, the top of each window, once they run out)."""
    left = iter(draws)
    return RetryPolicy(sleep=pauses, rand=lambda: next(left, 1.0), **limits)


@pytest.fixture(scope="module")
def resend_sim() -> Iterator[LiveServer]:
    server = LiveServer().start(create_resend_simulator("re_unit_key", rate_limit_per_second=0))
    yield server
    server.stop()


@pytest.fixture
def shelly(shelly_sim: LiveServer) -> str:
    control.post(f"{shelly_sim.url}/_sim/reset").raise_for_status()
    return shelly_sim.url


@pytest.fixture
def ttlock(ttlock_sim: LiveServer) -> str:
    control.post(f"{ttlock_sim.url}/_sim/reset").raise_for_status()
    return ttlock_sim.url


@pytest.fixture
def resend(resend_sim: LiveServer) -> str:
    control.post(f"{resend_sim.url}/_sim/reset").raise_for_status()
    return resend_sim.url


def shelly_outcomes(url: str, endpoint: str) -> list[str]:
    return [c["outcome"] for c in control.get(f"{url}/_sim/commands").json()["commands"] if c["endpoint"] == endpoint]


def ttlock_calls(url: str, path: str) -> list[str]:
    return [c["outcome"] for c in control.get(f"{url}/_sim/calls").json()["calls"] if c["path"] == path]


def ttlock_client(url: str, **kwargs) -> TTLockClient:
    account = TTLOCK_ACCOUNT
    return TTLockClient(url, account["client_id"], account["client_secret"], account["username"],
                        password=account["password"], min_interval=0, **kwargs)


# --- the policy -----------------------------------------------------------------------------------


def test_the_pause_is_drawn_below_a_ceiling_that_doubles_up_to_the_cap():
    top = RetryPolicy(rand=lambda: 1.0)
    assert [top.backoff(retry) for retry in range(1, 7)] == pytest.approx([0.2, 0.4, 0.8, 1.6, 2.0, 2.0])
    assert RetryPolicy(rand=lambda: 0.25).backoff(3) == pytest.approx(0.2)
    assert RetryPolicy(rand=lambda: 0.0).backoff(5) == 0.0


def test_job_retry_intervals_move_by_at_most_a_quarter():
    assert jittered([2, 10, 60], rand=lambda: 0.0) == [2, 8, 45]
    assert jittered([2, 10, 60], rand=lambda: 0.999) == [2, 12, 75]
    assert jittered([1], rand=lambda: 0.0) == [1]  # never zero


def test_a_budget_that_would_be_overrun_stops_the_retries():
    pauses = Pauses()
    attempts = []

    def failing() -> None:
        attempts.append(1)
        raise ShellyUnavailable("down")

    with pytest.raises(ShellyUnavailable):
        policy(pauses, budget=0.3).call(failing, lambda exc: True)  # pauses of 0.2, then 0.4: over
    assert (len(attempts), pauses) == (2, [0.2])


# --- Shelly --------------------------------------------------------------------------------------


def test_shelly_server_errors_are_retried_with_growing_jittered_pauses(shelly):
    control.post(f"{shelly}/_sim/faults", json={"mode": "error500", "count": 2}).raise_for_status()
    pauses = Pauses()
    client = ShellyClient(shelly, "unit-key", min_interval=0, retry=policy(pauses, 0.5, 0.75))

    assert client.get_status(WASHER).online is True
    assert pauses == pytest.approx([0.5 * 0.2, 0.75 * 0.4])
    assert shelly_outcomes(shelly, "/device/status") == ["error500", "error500", "ok"]


def test_a_relay_command_whose_answer_timed_out_is_sent_again_being_absolute(shelly):
    control.post(f"{shelly}/_sim/faults", json={"mode": "timeout", "count": 1, "delay_seconds": 5}).raise_for_status()
    pauses = Pauses()
    client = ShellyClient(shelly, "unit-key", min_interval=0, timeout=0.2, retry=policy(pauses))

    assert client.set_relay(WASHER, True, auto_off_seconds=60).is_on is True
    assert shelly_outcomes(shelly, "/device/relay/control") == ["timeout", "ok"]
    assert len(pauses) == 1


def test_the_read_timeout_fires_before_the_slow_answer(shelly):
    """The simulator answers 504 once its delay is over: a ReadTimeout as the cause proves the client gave up first."""
    control.post(f"{shelly}/_sim/faults", json={"mode": "timeout", "count": 1, "delay_seconds": 5}).raise_for_status()
    client = ShellyClient(shelly, "unit-key", min_interval=0, timeout=httpx.Timeout(0.2, connect=1), retry=NO_RETRIES)
    with pytest.raises(ShellyUnavailable) as caught:
        client.get_status(WASHER)
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)


def test_a_refused_key_is_not_retried(shelly):
    pauses = Pauses()
    with pytest.raises(ShellyAuthError):
        ShellyClient(shelly, "wrong-key", min_interval=0, retry=policy(pauses)).get_status(WASHER)
    assert pauses == []
    assert shelly_outcomes(shelly, "/device/status") == ["unauthorized"]


# --- TTLock --------------------------------------------------------------------------------------


def test_ttlock_reads_are_retried_through_server_errors(ttlock):
    pauses = Pauses()
    client = ttlock_client(ttlock, retry=policy(pauses, 0.5, 0.5))
    client.list_locks()  # the token first, so the faults land on the read
    control.post(f"{ttlock}/_sim/faults", json={"mode": "error500", "count": 2}).raise_for_status()

    assert client.lock_detail(FRONT).lock_id == FRONT
    assert pauses == pytest.approx([0.1, 0.2])
    assert ttlock_calls(ttlock, "/v3/lock/detail") == ["error500", "error500", "ok"]


def test_a_passcode_that_may_have_been_added_is_not_added_again(ttlock):
    """After a 5xx the cloud may hold the code already: a second one would be a valid code nobody can delete."""
    pauses = Pauses()
    client = ttlock_client(ttlock, retry=policy(pauses))
    client.list_locks()
    control.post(f"{ttlock}/_sim/faults", json={"mode": "error500", "count": 1}).raise_for_status()
    start = datetime.now(UTC) + timedelta(minutes=5)

    with pytest.raises(TTLockUnavailable) as caught:
        client.create_timed_passcode(FRONT, start, start + timedelta(hours=1), "Guest", exact=True)
    assert caught.value.is_transient and caught.value.maybe_applied
    assert ttlock_calls(ttlock, "/v3/keyboardPwd/add") == ["error500"]
    assert pauses == []


def test_a_passcode_the_cloud_refused_as_rate_limited_is_added_on_the_next_try(ttlock):
    pauses = Pauses()
    client = ttlock_client(ttlock, retry=policy(pauses))
    client.list_locks()
    control.post(f"{ttlock}/_sim/faults", json={"mode": "errcode", "errcode": 30006, "count": 1}).raise_for_status()
    start = datetime.now(UTC) + timedelta(minutes=5)

    credential = client.create_timed_passcode(FRONT, start, start + timedelta(hours=1), "Guest", exact=True)
    assert credential.code and ttlock_calls(ttlock, "/v3/keyboardPwd/add") == ["errcode", "ok"]
    assert len(control.get(f"{ttlock}/_sim/credentials").json()["credentials"]) == 1
    assert len(pauses) == 1


# --- Resend and Stripe --------------------------------------------------------------------------


def test_resend_server_errors_are_retried_with_growing_jittered_pauses_and_one_mail_goes_out(resend):
    control.post(f"{resend}/_sim/faults", json={"status": 503, "count": 2}).raise_for_status()
    pauses = Pauses()
    client = ResendClient(resend, "re_unit_key", "h@example.com", retry=policy(pauses, 0.9, 0.6))

    client.send("guest@example.com", "Hi", "Hello", idempotency_key="once")
    assert pauses == pytest.approx([0.9 * 0.2, 0.6 * 0.4])
    assert len(control.get(f"{resend}/_sim/outbox").json()) == 1


def test_resend_validation_errors_are_not_retried(resend):
    control.post(f"{resend}/_sim/faults", json={"status": 422, "count": 3}).raise_for_status()
    pauses = Pauses()
    with pytest.raises(MailerError) as caught:
        ResendClient(resend, "re_unit_key", "h@example.com", retry=policy(pauses)).send("a@example.com", "Hi", "x")
    assert (caught.value.status_code, pauses) == (422, [])
    assert control.get(f"{resend}/_sim/faults").json()["count"] == 2


def checkout(gateway: StripeGateway, key: str):
    return gateway.create_checkout_session(
        payment_id="42", amount_minor=500, currency="eur", product_name="Washer", success_url="http://guest.test/ok",
        cancel_url="http://guest.test/back", customer_email=None, idempotency_key=key)


def test_stripe_retries_a_server_error_itself_with_the_same_idempotency_key(stripe_sim):
    control.post(f"{stripe_sim.url}/_sim/reset").raise_for_status()
    control.post(f"{stripe_sim.url}/_sim/faults", json={"status": 503, "count": 1}).raise_for_status()

    session = checkout(StripeGateway("sk_test_unit", api_base=stripe_sim.url, timeout=(1, 5)), "checkout-retry-1")

    assert session.id.startswith("cs_")
    sent = [(r["outcome"], r["idempotency_key"]) for r in control.get(f"{stripe_sim.url}/_sim/requests").json()[
        "requests"] if r["path"] == "/v1/checkout/sessions"]
    assert sent == [(503, "checkout-retry-1"), ("ok", "checkout-retry-1")]


def test_stripe_without_retries_reports_the_server_error_as_transient(stripe_sim):
    control.post(f"{stripe_sim.url}/_sim/reset").raise_for_status()
    control.post(f"{stripe_sim.url}/_sim/faults", json={"status": 500, "count": 1}).raise_for_status()
    gateway = StripeGateway("sk_test_unit", api_base=stripe_sim.url, max_network_retries=0)
    with pytest.raises(StripeGatewayError) as caught:
        checkout(gateway, "checkout-retry-2")
    assert caught.value.transient and caught.value.is_outage


# --- one outcome per call, for the health badge ------------------------------------------------


def test_each_call_reports_one_outcome_once_its_retries_are_over(shelly):
    heard: list[str | None] = []
    client = ShellyClient(shelly, "unit-key", min_interval=0, retry=policy(Pauses()), on_outcome=heard.append)

    control.post(f"{shelly}/_sim/faults", json={"mode": "error500", "count": 2}).raise_for_status()
    client.get_status(WASHER)
    assert heard == [None]

    control.post(f"{shelly}/_sim/faults", json={"mode": "error500", "count": 3}).raise_for_status()
    with pytest.raises(ShellyUnavailable):
        client.get_status(WASHER)
    assert len(heard) == 2 and "answered 500" in heard[1]


def test_an_answer_about_one_lock_or_message_is_not_an_outage(ttlock, resend, stripe_sim):
    heard: list[str | None] = []
    with pytest.raises(TTLockNotFound):
        ttlock_client(ttlock, on_outcome=heard.append).lock_detail(7_999_999)
    control.post(f"{resend}/_sim/faults", json={"status": 422, "count": 1}).raise_for_status()
    with pytest.raises(MailerError):
        ResendClient(resend, "re_unit_key", "h@example.com", on_outcome=heard.append).send("a@example.com", "Hi", "x")
    with pytest.raises(StripeGatewayError):
        StripeGateway("sk_test_unit", api_base=stripe_sim.url, on_outcome=heard.append).retrieve_checkout_session(
            "cs_missing")
    assert heard == [None, None, None]

    with pytest.raises(MailerError):
        ResendClient(resend, "re_wrong", "h@example.com", on_outcome=heard.append).send("a@example.com", "Hi", "x")
    with pytest.raises(StripeGatewayError):
        StripeGateway("sk_test_wrong", api_base=stripe_sim.url, on_outcome=heard.append).check_connection()
    assert [error is not None for error in heard[3:]] == [True, True]
