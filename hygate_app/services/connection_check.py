"""Settings → Integrations → "Test connection": one real, harmless call through the integration's client, with
the values the product uses right now. Its outcome reaches the dashboard like any other call's: the providers'
clients report it to `integration_health` themselves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from hygate_app.integrations.mailer import MailerError, ResendClient
from hygate_app.integrations.shelly import ShellyClient, ShellyError
from hygate_app.integrations.stripe_gateway import StripeGateway, StripeGatewayError
from hygate_app.integrations.ttlock import TTLockClient, TTLockError
from hygate_app.models import Integration

MESSAGE_MAX = 500
# What a client raises when the service refuses or cannot be reached; anything else is a bug and propagates.
CLIENT_ERRORS = (StripeGatewayError, ShellyError, TTLockError, MailerError, httpx.HTTPError, ValueError)


@dataclass(frozen=True)
class Clients:
    """How to get each client: `providers`' functions in the app, so the check uses what the product uses."""

    stripe: Callable[[], StripeGateway]
    shelly: Callable[[], ShellyClient]
    resend: Callable[[], ResendClient]
    ttlock: Callable[[], TTLockClient]


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str


def _stripe(clients: Clients) -> str:
    found = clients.stripe().check_connection()
    return "Stripe accepted the secret key" + (" and listed the newest Checkout Session." if found else
                                               " (no Checkout Sessions yet).")


def _shelly(clients: Clients) -> str:
    devices = clients.shelly().list_devices()
    online = sum(1 for d in devices if d.online)
    return f"Shelly Cloud accepted the auth key: {len(devices)} device(s), {online} online."


def _ttlock(clients: Clients) -> str:
    locks = clients.ttlock().list_locks()
    gateways = sum(1 for lock in locks if lock.has_gateway)
    return f"TTLock accepted the account: {len(locks)} lock(s), {gateways} with a gateway."


def _resend(clients: Clients) -> str:
    return f"Resend answered: {clients.resend().check_key()}."


CHECKS: dict[Integration, Callable[[Clients], str]] = {
    Integration.stripe: _stripe,
    Integration.shelly: _shelly,
    Integration.ttlock: _ttlock,
    Integration.resend: _resend,
}


def check(integration: Integration, clients: Clients) -> CheckResult:
    run = CHECKS[integration]
    try:
        message = run(clients)
    except CLIENT_ERRORS as exc:
        error = str(exc) or type(exc).__name__
        return CheckResult(False, f"The connection failed: {error[:MESSAGE_MAX]}")
    return CheckResult(True, message)
