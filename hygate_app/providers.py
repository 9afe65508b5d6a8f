"""Builds the configured clients and ports (Stripe, Shelly, Resend, Redis, queue, push) for routes, states and jobs."""

from __future__ import annotations

from functools import lru_cache

from redis import Redis

from hygate_app.config import get_settings
from hygate_app.integrations.mailer import ResendClient
from hygate_app.integrations.shelly import ShellyClient
from hygate_app.integrations.stripe_gateway import StripeGateway
from hygate_app.services.device_sessions import SessionDeps
from hygate_app.services.guest_updates import RedisGuestUpdates
from hygate_app.services.queue import RQJobQueue
from hygate_app.services.throttle import Throttle


@lru_cache(maxsize=1)
def redis() -> Redis:
    return Redis.from_url(get_settings().redis_url)


@lru_cache(maxsize=1)
def stripe_gateway() -> StripeGateway:
    s = get_settings()
    return StripeGateway(s.stripe_secret_key, api_base=s.stripe_base or None)


@lru_cache(maxsize=1)
def shelly_client() -> ShellyClient:
    s = get_settings()
    return ShellyClient(s.shelly_base, s.shelly_auth_key, min_interval=s.shelly_min_interval)


@lru_cache(maxsize=1)
def mailer() -> ResendClient:
    s = get_settings()
    return ResendClient(s.resend_base, s.resend_api_key, s.mail_from)


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
