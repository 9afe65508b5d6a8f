"""The one way Hygate retries: a transient failure inside one client call, and a failed job in the queue.

In-process retries are few and short (three attempts, waits of at most two seconds, five seconds in all, calls
included): they smooth over a blip without holding a web request or a worker. What outlasts them is the job
queue's business, whose retry intervals `jittered` spreads. Waits grow exponentially with full jitter (anywhere
between zero and the ceiling), so clients that failed together do not come back together; a server's
Retry-After is honoured when it fits and left to the queue when it does not. Which errors may be retried is
each client's decision: transient ones only, and for a request that is not idempotent only those proving it
was never carried out.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import tenacity

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """`sleep` and `rand` are there for tests, which record the waits instead of waiting."""

    attempts: int = 3
    base_delay: float = 0.2
    max_delay: float = 2.0
    budget: float = 5.0
    sleep: Callable[[float], None] = time.sleep
    rand: Callable[[], float] = random.random

    def backoff(self, retry: int) -> float:
        """The pause before the `retry`-th retry (1, 2, …): uniform in [0, base·2^(retry-1)], capped."""
        return self.rand() * min(self.max_delay, self.base_delay * 2 ** (retry - 1))

    def call(self, fn: Callable[[], T], retryable: Callable[[BaseException], bool]) -> T:
        """`fn()` until it returns, raises an error `retryable` refuses, or the attempts or the budget run out;
        the last error propagates unchanged."""
        if self.attempts <= 1:
            return fn()
        return tenacity.Retrying(
            retry=tenacity.retry_if_exception(retryable),
            wait=self._wait,
            stop=tenacity.stop_after_attempt(self.attempts) | self._spent,
            sleep=self.sleep,
            before_sleep=_log_retry,
            reraise=True,
        )(fn)

    def _wait(self, state: tenacity.RetryCallState) -> float:
        retry_after = getattr(state.outcome.exception(), "retry_after", None)
        return float(retry_after) if retry_after is not None else self.backoff(state.attempt_number)

    def _spent(self, state: tenacity.RetryCallState) -> bool:
        """Stop when the server asks for a longer pause than `max_delay`, or the next try would start past
        the budget (the time already spent in calls counts: a timed-out call is not tried again in a hurry)."""
        spent = state.seconds_since_start or 0.0
        return state.upcoming_sleep > self.max_delay or spent + state.upcoming_sleep > self.budget


NO_RETRIES = RetryPolicy(attempts=1)


def jittered(intervals: list[int], rand: Callable[[], float] = random.random) -> list[int]:
    """A job's retry intervals, each moved by up to a quarter either way (whole seconds, at least one), so the
    jobs that failed in one outage do not all come back in the same second."""
    return [max(1, round(seconds * (0.75 + 0.5 * rand()))) for seconds in intervals]


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """A Retry-After in seconds; the HTTP-date form (which none of our services sends) counts as absent."""
    try:
        return max(float(headers["retry-after"]), 0.0)
    except (KeyError, ValueError):
        return None


def _log_retry(state: tenacity.RetryCallState) -> None:
    log.warning("%s (attempt %d), retrying in %.2fs", state.outcome.exception(), state.attempt_number,
                state.upcoming_sleep)
