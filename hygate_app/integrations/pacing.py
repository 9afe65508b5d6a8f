"""Spacing of the calls to a cloud API whose rate limit is per account (Shelly Cloud: one request a second).

A client takes a turn around each call: one call at a time, each starting `interval` seconds after the previous
one ended (measured from the end, so jitter on the way out can never land two requests in one window).
`LocalPacer` does it for the threads of one process; `RedisPacer` for every process on the account, because two
workers pacing themselves separately call twice as fast as the account allows and get refused.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from redis import Redis


class Pacer(Protocol):
    def turn(self) -> AbstractContextManager[None]: ...


class LocalPacer:
    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._lock = threading.Lock()
        self._last_done = float("-inf")

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._lock:
            wait = self._last_done + self.interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                yield
            finally:
                self._last_done = time.monotonic()


# Take the lock if free; then the seconds still to wait since the last call ended, on Redis's clock (hosts' clocks
# may differ). A string: Lua numbers come back as integers.
_ACQUIRE = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
local t = redis.call('TIME')
local wait = tonumber(redis.call('GET', KEYS[2]) or '0') + tonumber(ARGV[3]) - (t[1] + t[2] / 1000000)
return tostring(math.max(wait, 0))
"""
# Note when the call ended; free the lock if it is still ours (it expires on its own if its holder died).
_RELEASE = """
local t = redis.call('TIME')
redis.call('SET', KEYS[2], t[1] .. '.' .. string.format('%06d', t[2]), 'EX', 3600)
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
"""


class RedisPacer:
    """The turn is a Redis lock held for the call, so every process and thread on the account takes turns.

    `hold_seconds` caps how long a holder that died mid-call blocks the others; keep it above the client's timeout.
    """

    def __init__(self, redis: Redis, account: str, interval: float, *, hold_seconds: float = 15.0,
                 poll_seconds: float = 0.02) -> None:
        self.interval = interval
        self._keys = [f"hygate:pace:{account}:lock", f"hygate:pace:{account}:last-done"]
        self._hold_ms = int(hold_seconds * 1000)
        self._poll = poll_seconds
        self._acquire = redis.register_script(_ACQUIRE)
        self._release = redis.register_script(_RELEASE)

    @contextmanager
    def turn(self) -> Iterator[None]:
        token = uuid.uuid4().hex
        while (wait := self._acquire(keys=self._keys, args=[token, self._hold_ms, self.interval])) is None:
            time.sleep(self._poll)
        time.sleep(float(wait))
        try:
            yield
        finally:
            self._release(keys=self._keys, args=[token])
