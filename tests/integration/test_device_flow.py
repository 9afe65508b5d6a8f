"""The device flow on the real stack: PostgreSQL, Redis, the web process, an RQ worker with its
scheduler, and the Stripe and Shelly simulators over HTTP."""

from __future__ import annotations

import json

import httpx
from sqlmodel import select

from hygate_app.config import get_settings
from hygate_app.integrations.simulators.stripe_sim import sign_stripe_payload
from hygate_app.models import DeviceSession, DeviceSessionStatus, PaymentStatus, WebhookEvent
from tests.support.catalogue import new_device, relay_commands, relay_state
from tests.support.purchases import pay_for, session_of
from tests.support.stack import wait_for


def test_paid_checkout_switches_the_relay_on_and_off_at_the_end(stack, pg):
    device = new_device(pg, stack.shelly, minutes=1)
    payment = pay_for(stack, pg, device)

    active = wait_for(lambda: (s := session_of(pg, payment)) and s.status == DeviceSessionStatus.active and s,
                      timeout=20, message="the relay to be switched ON")
    relay = relay_state(stack.shelly, device.shelly_device_id)
    assert relay["on"] is True
    # The device's own fail-safe: it switches itself OFF shortly after the paid end.
    margin = get_settings().relay_auto_off_margin_seconds
    assert 60 <= relay["auto_off_remaining"] <= 60 + margin
    pg.refresh(payment)
    assert payment.status == PaymentStatus.paid

    ended = wait_for(lambda: (s := session_of(pg, payment)) and s.status == DeviceSessionStatus.completed and s,
                     timeout=90, interval=1, message="the session to complete")
    assert ended.relay_off_at >= active.ends_at
    assert relay_state(stack.shelly, device.shelly_device_id)["on"] is False
    assert relay_commands(stack.shelly, device.shelly_device_id) == ["on", "off"]


def test_webhook_delivered_three_times_gives_exactly_one_session(stack, pg):
    device = new_device(pg, stack.shelly, minutes=1)
    payment = pay_for(stack, pg, device)
    events = httpx.get(f"{stack.stripe}/_sim/events", timeout=5).json()["data"]
    [completed] = [e for e in events if e["type"] == "checkout.session.completed"
                   and e["event"]["data"]["object"]["id"] == payment.stripe_checkout_session_id]
    for _ in range(2):
        httpx.post(f"{stack.stripe}/_sim/events/{completed['id']}/redeliver", timeout=5).raise_for_status()

    wait_for(lambda: (s := session_of(pg, payment)) and s.status == DeviceSessionStatus.active,
             timeout=20, message="the relay to be switched ON")
    wait_for(lambda: httpx.get(f"{stack.stripe}/_sim/events", timeout=5).json()["data"] and all(
        e["delivery"]["status"] == "delivered" for e in httpx.get(f"{stack.stripe}/_sim/events").json()["data"]
        if e["id"] == completed["id"]), timeout=10, message="all three deliveries")
    pg.expire_all()
    assert len(pg.exec(select(DeviceSession).where(DeviceSession.payment_id == payment.id)).all()) == 1
    assert len(pg.exec(select(WebhookEvent).where(WebhookEvent.stripe_event_id == completed["id"])).all()) == 1
    assert relay_commands(stack.shelly, device.shelly_device_id) == ["on"]


def test_forged_webhook_is_refused_with_400_and_changes_nothing(stack, pg):
    body = json.dumps({"id": "evt_forged", "object": "event", "type": "checkout.session.completed",
                       "created": 1, "data": {"object": {"id": "cs_forged", "payment_status": "paid"}}}).encode()
    forged = httpx.post(f"{stack.url}/api/stripe/webhook", content=body, timeout=5,
                        headers={"Stripe-Signature": sign_stripe_payload(body, "whsec_not_ours"),
                                 "Content-Type": "application/json"})
    unsigned = httpx.post(f"{stack.url}/api/stripe/webhook", content=body, timeout=5)
    assert (forged.status_code, unsigned.status_code) == (400, 400)
    assert "Traceback" not in forged.text
    assert pg.exec(select(WebhookEvent).where(WebhookEvent.stripe_event_id == "evt_forged")).first() is None


def test_a_stale_but_correctly_signed_webhook_is_refused(stack):
    body = b'{"id": "evt_stale", "object": "event", "type": "ping", "created": 1, "data": {"object": {}}}'
    header = sign_stripe_payload(body, get_settings().stripe_webhook_secret, timestamp=1_000_000_000)
    response = httpx.post(f"{stack.url}/api/stripe/webhook", content=body, headers={"Stripe-Signature": header})
    assert response.status_code == 400


def test_oversized_webhook_bodies_are_refused(stack):
    response = httpx.post(f"{stack.url}/api/stripe/webhook", content=b"x" * 300_000,
                          headers={"Stripe-Signature": "t=1,v1=0"})
    assert response.status_code == 413


def test_health_reports_database_and_redis(stack):
    assert httpx.get(f"{stack.url}/api/health").json() == {"ok": True, "database": True, "redis": True}
