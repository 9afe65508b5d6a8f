"""Stored integration credentials on PostgreSQL, through `providers` as the web and worker processes use them:
a changed key is used by the very next call, and the Stripe webhook checks signatures with the stored secret.
The branding logo route is checked here too (public, cacheable, 404 without a logo)."""

from __future__ import annotations

import json
import uuid

import pytest
from starlette.testclient import TestClient

from hygate_app import providers
from hygate_app.api.routes import build_api
from hygate_app.config import get_settings
from hygate_app.integrations.shelly import ShellyAuthError
from hygate_app.integrations.simulators.shelly_sim import create_shelly_simulator
from hygate_app.integrations.simulators.stripe_sim import sign_stripe_payload
from hygate_app.models import Role
from hygate_app.services import audit, branding, integration_settings
from hygate_app.services.demo import DEMO_SHELLY_DEVICES
from tests.support.live_server import LiveServer
from tests.support.staff import new_staff
from tests.support.workspace_settings import forget_workspace_settings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def actor(pg):
    return audit.Actor("user", str(new_staff(pg, Role.admin).id), None, "pytest")


@pytest.fixture
def clean(pg):
    forget_workspace_settings(pg)
    providers.forget_clients()
    yield
    forget_workspace_settings(pg)
    providers.forget_clients()


@pytest.fixture(scope="module")
def shelly_cloud():
    server = LiveServer()
    server.start(create_shelly_simulator("the-right-key", [dict(d) for d in DEMO_SHELLY_DEVICES],
                                         rate_limit_per_second=0))
    yield server
    server.stop()


def test_a_changed_shelly_key_is_used_by_the_next_call(pg, clean, actor, shelly_cloud):
    integration_settings.save(pg, "shelly", "server_url", shelly_cloud.url, actor)
    integration_settings.save(pg, "shelly", "auth_key", "an-old-wrong-key", actor)
    with pytest.raises(ShellyAuthError):
        providers.shelly_client().list_devices()

    integration_settings.save(pg, "shelly", "auth_key", "the-right-key", actor)
    assert len(providers.shelly_client().list_devices()) == len(DEMO_SHELLY_DEVICES)
    assert providers.session_deps().shelly is providers.shelly_client()  # the jobs get the same, current client


def post_event(client: TestClient, secret: str):
    body = json.dumps({"id": f"evt_{uuid.uuid4().hex}", "object": "event", "type": "customer.created",
                       "created": 1, "data": {"object": {"id": "cus_1"}}}).encode()
    return client.post("/api/stripe/webhook", content=body,
                       headers={"Stripe-Signature": sign_stripe_payload(body, secret),
                                "Content-Type": "application/json"})


def test_the_webhook_checks_signatures_with_the_stored_secret_once_there_is_one(pg, clean, actor):
    client = TestClient(build_api(get_settings()))
    assert post_event(client, get_settings().stripe_webhook_secret).status_code == 200
    integration_settings.save(pg, "stripe", "webhook_secret", "whsec_rolled_by_an_administrator", actor)
    assert post_event(client, get_settings().stripe_webhook_secret).status_code == 400
    assert post_event(client, "whsec_rolled_by_an_administrator").status_code == 200


def test_the_logo_route_serves_the_current_logo_with_an_etag(pg, clean, actor):
    client = TestClient(build_api(get_settings()))
    assert client.get("/api/branding/logo").status_code == 404
    branding.set_logo(pg, PNG, "logo.png", actor)
    pg.commit()
    first = client.get("/api/branding/logo")
    assert first.status_code == 200 and first.content == PNG
    assert first.headers["content-type"] == "image/png" and "max-age" in first.headers["cache-control"]
    etag = first.headers["etag"]
    assert client.get("/api/branding/logo", headers={"If-None-Match": etag}).status_code == 304

    branding.set_logo(pg, PNG + b"\x01", "logo2.png", actor)
    pg.commit()
    changed = client.get("/api/branding/logo", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    branding.remove_logo(pg, actor)
    pg.commit()
    assert client.get("/api/branding/logo").status_code == 404
