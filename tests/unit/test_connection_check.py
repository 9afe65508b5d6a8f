"""Settings → Integrations → Test connection: a real call through each client against its simulator, and what
the administrator reads. (The outcome reaches the dashboard through the client's health recorder, like any call's:
tests/integration/test_integration_health.py.)"""

from __future__ import annotations

import httpx
import pytest

from hygate_app.integrations.mailer import ResendClient
from hygate_app.integrations.retries import NO_RETRIES
from hygate_app.integrations.shelly import ShellyClient
from hygate_app.integrations.simulators.resend_sim import create_resend_simulator
from hygate_app.integrations.stripe_gateway import StripeGateway
from hygate_app.integrations.ttlock import TTLockClient
from hygate_app.models import Integration
from hygate_app.services import connection_check
from tests.support.live_server import LiveServer
from tests.support.ttlock import TTLOCK_ACCOUNT


@pytest.fixture(scope="module")
def resend_sim():
    server = LiveServer()
    server.start(create_resend_simulator("re_unit_key", rate_limit_per_second=0))
    yield server
    server.stop()


@pytest.fixture
def sims(stripe_sim, shelly_sim, resend_sim, ttlock_sim):
    return stripe_sim, shelly_sim, resend_sim, ttlock_sim


def clients(sims, *, stripe_key="sk_test_unit", shelly_key="unit-key", resend_key="re_unit_key",
            ttlock_secret=TTLOCK_ACCOUNT["client_secret"]) -> connection_check.Clients:
    stripe_sim, shelly_sim, resend_sim, ttlock_sim = sims
    return connection_check.Clients(
        stripe=lambda: StripeGateway(stripe_key, api_base=stripe_sim.url, timeout=5),
        shelly=lambda: ShellyClient(shelly_sim.url, shelly_key, min_interval=0),
        resend=lambda: ResendClient(resend_sim.url, resend_key, "Hygate <h@example.com>", retry=NO_RETRIES),
        ttlock=lambda: TTLockClient(ttlock_sim.url, TTLOCK_ACCOUNT["client_id"], ttlock_secret,
                                    TTLOCK_ACCOUNT["username"], password=TTLOCK_ACCOUNT["password"], min_interval=0),
    )


@pytest.mark.parametrize("integration", list(Integration))
def test_the_right_key_passes(sims, integration):
    result = connection_check.check(integration, clients(sims))
    assert result.ok is True, result.message


@pytest.mark.parametrize(("integration", "said"), [
    (Integration.stripe, "Invalid API Key"),
    (Integration.shelly, "refused the auth key"),
    (Integration.ttlock, "errcode 10001"),
    (Integration.resend, "invalid_api_key"),
])
def test_a_wrong_key_fails_with_the_services_message(sims, integration, said):
    wrong = clients(sims, stripe_key="sk_test_wrong_key_0000", shelly_key="wrong-key", resend_key="re_wrong_key",
                    ttlock_secret="wrong-secret")
    result = connection_check.check(integration, wrong)
    assert result.ok is False and said in result.message
    assert "wrong_key_0000" not in result.message  # Stripe masks the key it refuses


def test_an_unreachable_service_is_a_failure_not_a_crash():
    unreachable = connection_check.Clients(
        stripe=lambda: StripeGateway("sk_test_unit", api_base="http://127.0.0.1:9", timeout=1),
        shelly=lambda: ShellyClient("http://127.0.0.1:9", "unit-key", min_interval=0, timeout=1),
        resend=lambda: ResendClient("http://127.0.0.1:9", "re_unit_key", "h@example.com", retry=NO_RETRIES,
                                    timeout=1),
        ttlock=lambda: TTLockClient("http://127.0.0.1:9", "id", "secret", "user", password="pw", timeout=1,
                                    min_interval=0),
    )
    for integration in (Integration.shelly, Integration.ttlock, Integration.resend):
        assert connection_check.check(integration, unreachable).ok is False


def test_a_sending_only_resend_key_is_reported_valid():
    """Resend refuses to list domains to a key with sending access only, which proves the key is genuine."""
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/domains"
        return httpx.Response(401, json={"statusCode": 401, "name": "restricted_api_key",
                                         "message": "This API key is restricted to only send emails."})

    client = ResendClient("https://api.resend.test", "re_sending", "h@example.com",
                          transport=httpx.MockTransport(handler), retry=NO_RETRIES)
    assert "sending access only" in client.check_key()
