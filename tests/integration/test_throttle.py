"""Throttling of sign-in attempts against the real Redis the web processes share."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from redis import Redis

from hygate_app.services.throttle import ALLOWED, Decision, Throttle, message

ACCOUNT = "alice@example.com"
IP = "203.0.113.7"


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of this test's own; its keys are removed afterwards."""
    prefix = f"test-throttle-{uuid.uuid4().hex}"
    yield prefix
    client = Redis.from_url(os.environ["REDIS_URL"])
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)


@pytest.fixture
def make_throttle(prefix: str) -> Callable[..., Throttle]:
    def make(**windows: int) -> Throttle:
        return Throttle(os.environ["REDIS_URL"], key_prefix=prefix, **windows)

    return make


def fail(throttle: Throttle, times: int, *, account: str = ACCOUNT, ip: str = IP, kind: str = "login") -> None:
    for _ in range(times):
        throttle.record_failure(kind, account=account, ip=ip)


def test_first_attempt_is_allowed(make_throttle) -> None:
    assert make_throttle().check("login", account=ACCOUNT, ip=IP) == ALLOWED


def test_eleventh_failure_for_the_same_account_and_ip_is_refused(make_throttle) -> None:
    throttle = make_throttle()
    for _ in range(10):
        assert throttle.check("login", account=ACCOUNT, ip=IP).allowed
        throttle.record_failure("login", account=ACCOUNT, ip=IP)

    decision = throttle.check("login", account=ACCOUNT, ip=IP)

    assert not decision.allowed
    assert 55 <= decision.retry_after <= 60


def test_account_is_normalised(make_throttle) -> None:
    throttle = make_throttle()
    fail(throttle, 10, account="  Alice@Example.COM ")
    assert not throttle.check("login", account=ACCOUNT, ip=IP).allowed


def test_no_email_address_in_redis_key_names(make_throttle, prefix: str) -> None:
    throttle = make_throttle()
    fail(throttle, 10)
    throttle.check("login", account=ACCOUNT, ip=IP)

    keys = [key.decode() for key in Redis.from_url(os.environ["REDIS_URL"]).scan_iter(f"*{prefix}*")]

    assert len(keys) >= 4  # per IP, per account, block, strikes
    assert not any("alice" in key.lower() or "example" in key.lower() for key in keys)


def test_success_resets_the_account_and_ip_failures(make_throttle) -> None:
    throttle = make_throttle()
    fail(throttle, 9)
    throttle.record_success("login", account=ACCOUNT, ip=IP)
    fail(throttle, 9)
    assert throttle.check("login", account=ACCOUNT, ip=IP).allowed


def test_success_lifts_a_block_and_forgets_strikes(make_throttle) -> None:
    throttle = make_throttle()
    fail(throttle, 20)  # tripped twice: the block is 2 minutes
    assert throttle.check("login", account=ACCOUNT, ip=IP).retry_after > 60

    throttle.record_success("login", account=ACCOUNT, ip=IP)
    assert throttle.check("login", account=ACCOUNT, ip=IP).allowed
    fail(throttle, 10)
    assert throttle.check("login", account=ACCOUNT, ip=IP).retry_after <= 60


def test_another_ip_is_not_blocked_by_the_account_and_ip_limit(make_throttle) -> None:
    throttle = make_throttle()
    fail(throttle, 10)
    assert not throttle.check("login", account=ACCOUNT, ip=IP).allowed
    assert throttle.check("login", account=ACCOUNT, ip="198.51.100.20").allowed


def test_kinds_have_separate_budgets(make_throttle) -> None:
    throttle = make_throttle()
    fail(throttle, 10, kind="otp")
    assert not throttle.check("otp", account=ACCOUNT, ip=IP).allowed
    assert throttle.check("login", account=ACCOUNT, ip=IP).allowed


def test_per_account_cap_of_100_failures_an_hour_holds_across_ips(make_throttle) -> None:
    throttle = make_throttle()
    for n in range(100):
        throttle.record_failure("login", account=ACCOUNT, ip=f"198.51.100.{n}")

    decision = throttle.check("login", account=ACCOUNT, ip="192.0.2.1")

    assert not decision.allowed
    assert 3500 < decision.retry_after <= 3600
    assert throttle.check("login", account="bob@example.com", ip="192.0.2.1").allowed


def test_success_does_not_reset_the_per_account_cap(make_throttle) -> None:
    throttle = make_throttle(failures_per_account=5)
    fail(throttle, 5, ip="192.0.2.9")
    throttle.record_success("login", account=ACCOUNT, ip=IP)
    assert not throttle.check("login", account=ACCOUNT, ip=IP).allowed


def test_per_ip_rate_limit_counts_attempts_of_any_outcome(make_throttle) -> None:
    throttle = make_throttle()
    for n in range(30):
        assert throttle.check("login", account=f"user{n}@example.com", ip=IP).allowed

    decision = throttle.check("login", account="user30@example.com", ip=IP)

    assert not decision.allowed
    assert 1 <= decision.retry_after <= 60
    assert throttle.check("login", account="user30@example.com", ip="198.51.100.1").allowed


def test_per_ip_rate_opens_again_after_its_window(make_throttle) -> None:
    throttle = make_throttle(attempts_per_ip=3, ip_window=1)
    for _ in range(3):
        assert throttle.check("login", account=ACCOUNT, ip=IP).allowed
    assert throttle.check("login", account=ACCOUNT, ip=IP) == Decision(False, 1)
    time.sleep(1.1)
    assert throttle.check("login", account=ACCOUNT, ip=IP).allowed


def test_ipv6_addresses_share_their_64_block(make_throttle) -> None:
    throttle = make_throttle()
    fail(throttle, 10, ip="2001:db8:1:2::1")
    assert not throttle.check("login", account=ACCOUNT, ip="2001:db8:1:2:ffff::9").allowed
    assert throttle.check("login", account=ACCOUNT, ip="2001:db8:1:3::1").allowed


def test_block_grows_each_time_it_trips_again(make_throttle) -> None:
    throttle = make_throttle(first_block=1, max_block=3)

    fail(throttle, 10)
    assert throttle.check("login", account=ACCOUNT, ip=IP) == Decision(False, 1)
    time.sleep(1.1)
    assert throttle.check("login", account=ACCOUNT, ip=IP).allowed

    fail(throttle, 10)
    assert throttle.check("login", account=ACCOUNT, ip=IP) == Decision(False, 2)

    fail(throttle, 10)
    assert throttle.check("login", account=ACCOUNT, ip=IP) == Decision(False, 3)  # capped


def test_block_doubles_with_default_periods(make_throttle) -> None:
    throttle = make_throttle()
    fail(throttle, 10)
    first = throttle.check("login", account=ACCOUNT, ip=IP).retry_after
    fail(throttle, 10)
    second = throttle.check("login", account=ACCOUNT, ip=IP).retry_after
    assert 55 <= first <= 60
    assert 115 <= second <= 120


def test_two_processes_share_the_budget(make_throttle) -> None:
    one, two = make_throttle(), make_throttle()
    fail(one, 5)
    fail(two, 5)
    assert not one.check("login", account=ACCOUNT, ip=IP).allowed
    assert not two.check("login", account=ACCOUNT, ip=IP).allowed


def test_unknown_kind_is_a_programming_error(make_throttle) -> None:
    with pytest.raises(ValueError, match="Unknown attempt kind"):
        make_throttle().check("sms", account=ACCOUNT, ip=IP)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(1, "1 s"), (59, "59 s"), (119, "119 s"), (120, "2 min"), (121, "3 min"), (3600, "60 min")],
)
def test_message_gives_the_wait(seconds: int, text: str) -> None:
    assert message(Decision(False, seconds)) == f"Too many attempts. Try again in {text}."


def test_message_is_empty_when_allowed() -> None:
    assert message(ALLOWED) == ""
