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

Every client gets the configured timeouts and reports each call's outcome to its integration's `HealthRecorder`
(`services/integration_health.py`), which feeds the dashboard badges and the administrators' alerts.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

import httpx
from limits.storage import RedisStorage
from redis import Redis

from hygate_app.config import Settings, get_settings
from hygate_app.db import session_scope
from hygate_app.integrations.mailer import ResendClient
from hygate_app.integrations.pacing import RedisPacer
from hygate_app.integrations.shelly import ShellyClient
from hygate_app.integrations.stripe_gateway import StripeGateway
from hygate_app.integrations.ttlock import TTLockClient
from hygate_app.models import Integration
from hygate_app.services import integration_settings
from hygate_app.services.device_sessions import SessionDeps
from hygate_app.services.door_access import AccessDeps
from hygate_app.services.guest_updates import RedisGuestUpdates
from hygate_app.services.integration_health import HealthRecorder
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
    settings = get_settings()
    return Redis.from_url(settings.redis_url, socket_connect_timeout=settings.redis_connect_timeout,
                          socket_timeout=settings.redis_socket_timeout, health_check_interval=30)


def _timeout(settings: Settings) -> httpx.Timeout:
    return httpx.Timeout(settings.http_read_timeout, connect=settings.http_connect_timeout)


@lru_cache(maxsize=len(Integration))
def health_recorder(integration: Integration) -> HealthRecorder:
    """One per integration and process, kept across client rebuilds."""
    return HealthRecorder(integration, redis(), job_queue())


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
    def build(c: IntegrationConfig) -> StripeGateway:
        s = get_settings()
        return StripeGateway(c.stripe_secret_key, api_base=s.stripe_base or None,
                             timeout=(s.http_connect_timeout, s.http_read_timeout),
                             on_outcome=health_recorder(Integration.stripe))

    return _client("stripe", build)


def stripe_webhook_secret() -> str:
    return integration_config().stripe_webhook_secret


def _shared_pace(service: str, account: str, interval: float) -> RedisPacer:
    """The cloud counts calls per account, not per process: every web and worker process takes turns through
    Redis. The account is named by a digest, so no key is written to Redis."""
    digest = hashlib.sha256(account.encode()).hexdigest()[:16]
    return RedisPacer(redis(), f"{service}:{digest}", interval)


def shelly_client() -> ShellyClient:
    def build(c: IntegrationConfig) -> ShellyClient:
        s = get_settings()
        pace = _shared_pace("shelly", f"{c.shelly_base} {c.shelly_auth_key}", s.shelly_min_interval)
        return ShellyClient(c.shelly_base, c.shelly_auth_key, pacer=pace, timeout=_timeout(s),
                            on_outcome=health_recorder(Integration.shelly))

    return _client("shelly", build)


def ttlock_client() -> TTLockClient:
    """Its OAuth tokens live encrypted in the database, shared by every process (services/ttlock_tokens.py)."""
    def build(c: IntegrationConfig) -> TTLockClient:
        s = get_settings()
        tokens = DatabaseTokenStore(account=f"{c.ttlock_client_id}:{c.ttlock_username}")
        pace = _shared_pace("ttlock", f"{s.ttlock_base} {c.ttlock_client_id}", s.ttlock_min_interval)
        return TTLockClient(s.ttlock_base, c.ttlock_client_id, c.ttlock_client_secret, c.ttlock_username,
                            password=c.ttlock_password, token_store=tokens, pacer=pace, timeout=_timeout(s),
                            on_outcome=health_recorder(Integration.ttlock))

    return _client("ttlock", build)


def mailer() -> ResendClient:
    def build(c: IntegrationConfig) -> ResendClient:
        s = get_settings()
        return ResendClient(s.resend_base, c.resend_api_key, c.mail_from, timeout=_timeout(s),
                            on_outcome=health_recorder(Integration.resend))

    return _client("resend", build)


@lru_cache(maxsize=1)
def throttle() -> Throttle:
    settings = get_settings()
    return Throttle(storage=RedisStorage(settings.redis_url, socket_connect_timeout=settings.redis_connect_timeout,
                                         socket_timeout=settings.redis_socket_timeout))


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
