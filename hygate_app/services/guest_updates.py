"""Tells every web process that a guest's page changed, so it can push the news (no polling).

Workers and webhook handlers publish `<guest token> <message id>` on a Redis channel; each web
process listens (`states/guest_push.py`), one of them claims the message id and refreshes every
browser tab watching that token, wherever it is connected (Reflex routes the push through Redis).
"""

from __future__ import annotations

import uuid
from typing import Protocol

from redis import Redis

CHANNEL = "hygate:guest-updates"


class GuestUpdates(Protocol):
    def changed(self, guest_token: str) -> None: ...


class RedisGuestUpdates:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def changed(self, guest_token: str) -> None:
        self.redis.publish(CHANNEL, f"{guest_token} {uuid.uuid4().hex}")
