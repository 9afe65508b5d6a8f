"""Two web processes on one Redis: a guest whose page is connected to web process A sees, by push and without a
reload, the payment whose Stripe webhook reached web process B.

The frontend is built for the stack's address, so the browser's only websocket goes to A's port; B listens on
another port and receives nothing but the webhook. The worker that applies it publishes the change on Redis,
whichever web process claims it pushes through Reflex's Redis state manager to the tab on A, and once B is
stopped a further change still arrives, pushed by A alone."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import httpx

from hygate_app import providers
from hygate_app.config import get_settings
from hygate_app.integrations.simulators.stripe_sim import sign_stripe_payload
from hygate_app.services import audit, catalogue_admin
from hygate_app.services.guest_updates import RedisGuestUpdates
from tests.support.catalogue import new_device
from tests.support.purchases import open_checkout, session_of
from tests.support.webhooks import checkout_event


def test_a_guest_on_web_process_a_sees_the_payment_whose_webhook_reached_web_process_b(stack, pg, phone, scaled_out):
    device = new_device(pg, stack.shelly, minutes=120)
    payment = open_checkout(stack, pg, device)
    sockets: list[str] = []
    phone.on("websocket", lambda ws: sockets.append(ws.url))
    phone.goto(f"{stack.url}/session/{payment.guest_token}")
    phone.locator("#countdown[data-status=awaiting_payment]").wait_for()
    phone.evaluate("window.stillTheSamePage = true")  # a reload or a navigation would drop it

    body = json.dumps(checkout_event(payment)).encode()
    reply = httpx.post(f"{scaled_out}/api/stripe/webhook", content=body, timeout=10, headers={
        "Stripe-Signature": sign_stripe_payload(body, get_settings().stripe_webhook_secret),
        "Content-Type": "application/json"})
    assert reply.json() == {"received": True, "duplicate": False}

    phone.locator("#countdown[data-status=active]").wait_for()
    assert phone.evaluate("window.stillTheSamePage") is True
    web_a, web_b = urlsplit(stack.url).port, urlsplit(scaled_out).port
    assert web_a != web_b
    assert sockets and {urlsplit(url).port for url in sockets} == {web_a}

    stack.stop("web-b")
    catalogue_admin.force_end_session(pg, audit.SYSTEM, providers.job_queue(), session_of(pg, payment).id,
                                      updates=RedisGuestUpdates(providers.redis()))
    phone.locator("#countdown[data-status=complete]").wait_for()
    assert phone.evaluate("window.stillTheSamePage") is True
    assert {urlsplit(url).port for url in sockets} == {web_a}
