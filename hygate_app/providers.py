"""Builds the configured clients and ports (Stripe, Shelly, TTLock, Resend, Redis, queue, push) for routes, states
and jobs.

The integration clients use `integration_settings.effective`: a value an administrator stored under Settings →
Integrations wins over the environment's. A process keeps the clients it built with the integrations `version`
they were built from, and before handing one out reads the current version: one primary-key read of the
`integrations` settings row, which every change rewrites in the same transaction as the change itself. When it
differs, the configuration is read again and the clients are rebuilt, so a stored key reaches every web and
worker process at its next call, without a restart. The version is not kept in Redis on purpose: written in the
change's own transaction, it can never miss a committed change (a bump sent to Redis after the commit could be
lost, or flushed away) and costs no second store. Replaced clients are left to the garbage collector rather than
closed, since another thread may still be in the middle of a call with one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from redis import Redis

from hygate_app.config import get_settings
from hygate_app.db import session_scope
from hygate_app.integrations.mailer import ResendClient
from hygate_app.integrations.shelly import ShellyClient
from hygate_app.integrations.stripe_gateway import StripeGateway
from hygate_app.integrations.ttlock import TTLockClient
from hygate_app.services import integration_settings
from hygate_app.services.device_sessions import SessionDeps
from hygate_app.services.door_access import AccessDeps
from hygate_app.services.guest_updates import RedisGuestUpdates
from hygate_app.services.integration_settings import IntegrationConfig
from hygate_app.services.queue import RQJobQueue
from hygate_app.services.throttle import Throttle
from hygate_app.services.ttlock_tokens import DatabaseTokenStore

T = TypeVar("T")

_lock = threading.Lock()
_config: IntegrationConfig | None = None
_clients: dict[str, tuple[str, Any]] = {}


@lru_cache(maxsize=1)
def redis() -> Redis:
    return Redis.from_url(get_settings().redis_url)


def integration_config() -> IntegrationConfig:
    """The current values; decrypted again only when the version changed since this process last looked."""
    global _config
    with session_scope() as db:
        current = integration_settings.version(db)
        cached = _config
        if cached is not None and cached.version == current:
            return cached
        fresh = integration_settings.effective(db, get_settings())
    with _lock:
        _config = fresh
    return fresh


def _client(name: str, build: Callable[[IntegrationConfig], T]) -> T:
    config = integration_config()
    with _lock:
        built = _clients.get(name)
        if built is not None and built[0] == config.version:
            return built[1]
        client = build(config)
        _clients[name] = (config.version, client)
        return client


def forget_clients() -> None:
    """Drop what this process built (tests that switch databases)."""
    global _config
    with _lock:
        _config = None
        _clients.clear()


def stripe_gateway() -> StripeGateway:
    return _client("stripe", lambda c: StripeGateway(c.stripe_secret_key, api_base=get_settings().stripe_base or None))


def stripe_webhook_secret() -> str:
    return integration_config().stripe_webhook_secret


def shelly_client() -> ShellyClient:
    return _client("shelly", lambda c: ShellyClient(c.shelly_base, c.shelly_auth_key,
                                                     min_interval=get_settings().shelly_min_interval))


def ttlock_client() -> TTLockClient:
    """Its OAuth tokens live encrypted in the database, shared by every process (services/ttlock_tokens.py)."""
    def build(c: IntegrationConfig) -> TTLockClient:
        tokens = DatabaseTokenStore(account=f"{c.ttlock_client_id}:{c.ttlock_username}")
        return TTLockClient(get_settings().ttlock_base, c.ttlock_client_id, c.ttlock_client_secret, c.ttlock_username,
                            password=c.ttlock_password, token_store=tokens,
                            min_interval=get_settings().ttlock_min_interval)

    return _client("ttlock", build)


def mailer() -> ResendClient:
    return _client("resend", lambda c: ResendClient(get_settings().resend_base, c.resend_api_key, c.mail_from))


@lru_cache(maxsize=1)
def throttle() -> Throttle:
    return Throttle(get_settings().redis_url)


def job_queue() -> RQJobQueue:
    return RQJobQueue(redis())


def session_deps() -> SessionDeps:
    return SessionDeps(
        shelly=shelly_client(),
        queue=job_queue(),
        updates=RedisGuestUpdates(redis()),
        auto_off_margin_seconds=get_settings().relay_auto_off_margin_seconds,
    )


def access_deps() -> AccessDeps:
    return AccessDeps(ttlock=ttlock_client(), queue=job_queue(), updates=RedisGuestUpdates(redis()))
