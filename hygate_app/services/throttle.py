"""Throttling of sign-in attempts (password, one-time code, backup code, invitation), shared through Redis.

The budgets of SECURITY-RULES, kept per kind of attempt in `limits` moving windows so every web
process spends the same budget: failures per account + IP (then a block that doubles each time it
trips again), failures per account across all IPs, and attempts of any outcome per IP.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass
from typing import Literal, get_args

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

AttemptKind = Literal["login", "otp", "backup_code", "invitation"]
KINDS: tuple[str, ...] = get_args(AttemptKind)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0
    """Whole seconds (at least 1) before trying again when refused; 0 when allowed. Also the HTTP `Retry-After`."""


ALLOWED = Decision(True)


class Throttle:
    """Ask `check` before an attempt, then tell `record_failure` or `record_success` how it went.

    Failures for an account that does not exist must be recorded too, as for one that does, so the
    answers never tell them apart. The windows are in seconds; the defaults are SECURITY-RULES'.
    If Redis cannot be reached the storage error propagates: attempts are refused, not let through.
    """

    def __init__(
        self,
        redis_url: str | None = None,
        *,
        storage: Storage | None = None,
        key_prefix: str = "throttle",
        failures_per_account_ip: int = 10,
        failure_window: int = 3600,
        first_block: int = 60,
        max_block: int = 3600,
        strike_memory: int = 24 * 3600,
        failures_per_account: int = 100,
        account_window: int = 3600,
        attempts_per_ip: int = 30,
        ip_window: int = 60,
    ) -> None:
        if (redis_url is None) == (storage is None):
            raise ValueError("Give either a Redis URL or a limits storage.")
        self._storage = storage if storage is not None else RedisStorage(redis_url)
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._prefix = key_prefix
        self._account_ip_failures = RateLimitItemPerSecond(failures_per_account_ip, failure_window, key_prefix)
        self._account_failures = RateLimitItemPerSecond(failures_per_account, account_window, key_prefix)
        self._ip_attempts = RateLimitItemPerSecond(attempts_per_ip, ip_window, key_prefix)
        self._first_block = first_block
        self._max_block = max_block
        # Strikes must outlive the longest block, or the period would stop growing.
        self._strike_memory = max(strike_memory, max_block + 1)

    def check(self, kind: AttemptKind, *, account: str, ip: str) -> Decision:
        """Whether this attempt may go ahead; counts it against the per-IP rate whatever comes of it."""
        account_id, network = _identify(kind, account, ip)
        waits = []
        if not self._limiter.hit(self._ip_attempts, kind, "ip", network):
            waits.append(self._window_wait(self._ip_attempts, kind, "ip", network))
        if blocked_for := self._block_left(self._block_key(kind, account_id, network)):
            waits.append(blocked_for)
        if not self._limiter.test(self._account_failures, kind, "account", account_id):
            waits.append(self._window_wait(self._account_failures, kind, "account", account_id))
        return Decision(False, max(waits)) if waits else ALLOWED

    def record_failure(self, kind: AttemptKind, *, account: str, ip: str) -> None:
        account_id, network = _identify(kind, account, ip)
        self._limiter.hit(self._account_failures, kind, "account", account_id)
        pair = (kind, "account-ip", account_id, network)
        counted = self._limiter.hit(self._account_ip_failures, *pair)
        if not counted or self._limiter.get_window_stats(self._account_ip_failures, *pair).remaining <= 0:
            self._trip(kind, account_id, network)

    def record_success(self, kind: AttemptKind, *, account: str, ip: str) -> None:
        """Forget this account + IP's failures and strikes; the per-account hourly count stays."""
        account_id, network = _identify(kind, account, ip)
        self._limiter.clear(self._account_ip_failures, kind, "account-ip", account_id, network)
        self._storage.clear(self._block_key(kind, account_id, network))
        self._storage.clear(self._strikes_key(kind, account_id, network))

    def _trip(self, kind: str, account_id: str, network: str) -> None:
        """Block the account + IP for a period that doubles with each strike, and start counting afresh."""
        strikes_key = self._strikes_key(kind, account_id, network)
        strikes = self._storage.get(strikes_key) + 1
        # Cleared and set again so the memory of strikes runs from the latest one.
        self._storage.clear(strikes_key)
        self._storage.incr(strikes_key, self._strike_memory, amount=strikes)
        period = min(self._first_block * 2 ** min(strikes - 1, 32), self._max_block)
        block_key = self._block_key(kind, account_id, network)
        self._storage.clear(block_key)
        self._storage.incr(block_key, period)
        self._limiter.clear(self._account_ip_failures, kind, "account-ip", account_id, network)

    def _block_left(self, key: str) -> int:
        if not self._storage.get(key):
            return 0
        return max(1, math.ceil(self._storage.get_expiry(key) - time.time()))

    def _window_wait(self, item: RateLimitItem, *identifiers: str) -> int:
        reset_at = self._limiter.get_window_stats(item, *identifiers).reset_time
        return max(1, math.ceil(reset_at - time.time()))

    def _block_key(self, kind: str, account_id: str, network: str) -> str:
        return f"{self._prefix}/{kind}/block/{account_id}/{network}"

    def _strikes_key(self, kind: str, account_id: str, network: str) -> str:
        return f"{self._prefix}/{kind}/strikes/{account_id}/{network}"


def message(decision: Decision) -> str:
    """The one text for every refusal, so it never tells which budget ran out (or whether the account exists)."""
    if decision.allowed:
        return ""
    seconds = max(1, decision.retry_after)
    wait = f"{math.ceil(seconds / 60)} min" if seconds >= 120 else f"{seconds} s"
    return f"Too many attempts. Try again in {wait}."


def _identify(kind: str, account: str, ip: str) -> tuple[str, str]:
    if kind not in KINDS:
        raise ValueError(f"Unknown attempt kind {kind!r}; expected one of {', '.join(KINDS)}.")
    return _account_id(account), _network(ip)


def _account_id(account: str) -> str:
    """A digest of the normalised account, so no e-mail address appears in a Redis key name."""
    return hashlib.sha256(account.strip().lower().encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _network(ip: str) -> str:
    """The address as Redis key text; IPv6 by /64, the block one subscriber usually holds whole."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return "unparsed-" + hashlib.sha256(ip.encode()).hexdigest()[:16]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
