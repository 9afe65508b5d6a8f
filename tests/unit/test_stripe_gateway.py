"""StripeGateway (the official stripe library) against the Stripe simulator over real HTTP, with
webhooks delivered to a small receiving app and verified by stripe.Webhook.construct_event."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
import stripe
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hygate_app.integrations.simulators.stripe_sim import (
    create_stripe_simulator,
    sign_stripe_payload,
)
from hygate_app.integrations.stripe_gateway import StripeGateway, StripeGatewayError
from tests.support.live_server import LiveServer

SECRET_KEY = "sk_test_hygate_simulator_0001"
WEBHOOK_SECRET = "whsec_hygate_simulator_0001"
# One anchor for every checkout in the run, as a payment row's created_at would be.


@dataclass
class Delivery:
    raw: bytes
    signature: str
    content_type: str


class WebhookInbox:
    """What a webhook endpoint received; it can refuse the next few deliveries."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self.refuse_next = 0
        self.refused = 0
        self.changed = threading.Condition()

    def app(self) -> Starlette:
        async def receive(request: Request) -> Response:
            raw = await request.body()
            with self.changed:
                if self.refuse_next:
                    self.refuse_next -= 1
                    self.refused += 1
                    return Response("busy", status_code=503)
                self.deliveries.append(
                    Delivery(raw, request.headers["stripe-signature"], request.headers["content-type"])
                )
                self.changed.notify_all()
            return Response(status_code=200)

        return Starlette(routes=[Route("/stripe/webhook", receive, methods=["POST"])])

    def events(self) -> list[stripe.Event]:
        return [stripe.Webhook.construct_event(d.raw, d.signature, WEBHOOK_SECRET) for d in self.deliveries]

    def wait_for(self, event_type: str, count: int = 1, timeout: float = 5.0) -> list:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                found = [e for e in self.events() if e.type == event_type]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"no {event_type} delivered in {timeout}s"
                self.changed.wait(remaining)


@dataclass
class StripeWorld:
    url: str
    inbox: WebhookInbox
    gateway: StripeGateway

    def sim_events(self) -> list[dict]:
        return httpx.get(f"{self.url}/_sim/events").json()["data"]


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[LiveServer, WebhookInbox]]:
    inbox = WebhookInbox()
    receiver, simulator = LiveServer(), LiveServer()
    receiver.start(inbox.app())
    simulator.start(
        create_stripe_simulator(
            secret_key=SECRET_KEY,
            webhook_secret=WEBHOOK_SECRET,
            webhook_url=f"{receiver.url}/stripe/webhook",
            public_base_url=simulator.url,
        )
    )
    yield simulator, inbox
    simulator.stop()
    receiver.stop()


@pytest.fixture
def world(servers) -> Iterator[StripeWorld]:
    simulator, inbox = servers
    httpx.post(f"{simulator.url}/_sim/reset").raise_for_status()
    with inbox.changed:
        inbox.deliveries.clear()
        inbox.refuse_next = inbox.refused = 0
    gateway = StripeGateway(SECRET_KEY, api_base=simulator.url, timeout=5)
    yield StripeWorld(simulator.url, inbox, gateway)
    gateway.close()


def start_checkout(gateway: StripeGateway, payment_id: str = "pay_001", **overrides):
    arguments = {
        "payment_id": payment_id,
        "amount_minor": 450,
        "currency": "EUR",
        "product_name": "Washer 1 · 45 min",
        "success_url": "https://hygate.example/paid?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://hygate.example/cancelled",
        "customer_email": "guest@example.com",
        "idempotency_key": f"checkout-{payment_id}",
        "started_at": datetime.now(UTC),
    }
    arguments.update(overrides)
    return gateway.create_checkout_session(**arguments)


def test_same_idempotency_key_returns_the_same_checkout_session(world):
    started_at = datetime.now(UTC)
    first = start_checkout(world.gateway, started_at=started_at)
    again = start_checkout(world.gateway, started_at=started_at)

    assert again == first
    assert first.id.startswith("cs_test_")
    assert first.url == f"{world.url}/pay/{first.id}"
    assert (first.status, first.payment_status, first.payment_intent) == ("open", "unpaid", None)
    assert first.metadata == {"payment_id": "pay_001"}
    assert (first.amount_total, first.currency) == (450, "eur")
    assert 30 * 60 <= first.expires_at - time.time() <= 33 * 60


def test_reusing_an_idempotency_key_with_other_parameters_is_a_permanent_error(world):
    start_checkout(world.gateway)
    with pytest.raises(StripeGatewayError) as caught:
        start_checkout(world.gateway, amount_minor=900)
    assert caught.value.transient is False
    assert "idempotent" in str(caught.value)


def test_paying_on_the_hosted_page_delivers_a_signed_checkout_completed(world):
    session = start_checkout(world.gateway)

    page = httpx.get(session.url)
    assert page.status_code == 200
    assert 'id="pay"' in page.text or "id='pay'" in page.text
    assert "id='cancel'" in page.text
    assert "Washer 1 · 45 min" in page.text and "4.50 EUR" in page.text

    paid = httpx.post(session.url, data={"action": "pay"})
    assert paid.status_code == 303
    assert paid.headers["location"] == f"https://hygate.example/paid?session_id={session.id}"

    (event,) = world.inbox.wait_for("checkout.session.completed")
    delivered = world.inbox.deliveries[0]
    assert delivered.content_type.startswith("application/json")
    assert event.id.startswith("evt_") and event.livemode is False
    assert event.data.object.id == session.id
    assert event.data.object.payment_status == "paid"
    assert event.data.object.metadata["payment_id"] == "pay_001"
    assert event.data.object.payment_intent.startswith("pi_")
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(delivered.raw, delivered.signature, "whsec_wrong")

    stored = world.gateway.retrieve_checkout_session(session.id)
    assert (stored.status, stored.payment_status) == ("complete", "paid")
    assert stored.payment_intent == event.data.object.payment_intent


def test_cancel_on_the_hosted_page_returns_to_the_cancel_url_and_charges_nothing(world):
    session = start_checkout(world.gateway)
    cancelled = httpx.post(session.url, data={"action": "cancel"})

    assert cancelled.status_code == 303
    assert cancelled.headers["location"] == "https://hygate.example/cancelled"
    assert world.gateway.retrieve_checkout_session(session.id).payment_status == "unpaid"


def test_paid_or_expired_sessions_cannot_be_paid_again(world):
    paid = start_checkout(world.gateway, "pay_paid")
    httpx.post(paid.url, data={"action": "pay"})
    second = httpx.post(paid.url, data={"action": "pay"})
    assert second.status_code == 409
    assert "already complete" in second.text

    stale = start_checkout(world.gateway, "pay_stale")
    expired = httpx.post(
        f"{world.url}/v1/checkout/sessions/{stale.id}/expire", headers={"Authorization": f"Bearer {SECRET_KEY}"}
    )
    assert expired.json()["status"] == "expired"
    (event,) = world.inbox.wait_for("checkout.session.expired")
    assert event.data.object.id == stale.id

    page = httpx.get(stale.url)
    assert "has expired" in page.text and "id='pay'" not in page.text
    refused = httpx.post(f"{world.url}/_sim/checkout/{stale.id}/pay")
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "This Checkout Session has expired."


def test_refund_is_idempotent_and_reported_through_charge_refunded(world):
    session = start_checkout(world.gateway)
    intent = httpx.post(f"{world.url}/_sim/checkout/{session.id}/pay").json()["payment_intent"]

    refund = world.gateway.create_refund(
        payment_intent=intent, amount_minor=200, idempotency_key="refund-pay_001-1", metadata={"payment_id": "pay_001"}
    )
    replay = world.gateway.create_refund(
        payment_intent=intent, amount_minor=200, idempotency_key="refund-pay_001-1", metadata={"payment_id": "pay_001"}
    )
    assert replay == refund
    assert refund.id.startswith("re_") and refund.status == "succeeded" and refund.amount == 200

    (refunded,) = world.inbox.wait_for("charge.refunded")
    charge = refunded.data.object
    assert (charge.amount_refunded, charge.refunded) == (200, False)
    assert [r.id for r in charge.refunds.data] == [refund.id]
    (created,) = world.inbox.wait_for("refund.created")
    assert created.data.object.metadata["payment_id"] == "pay_001"

    with pytest.raises(StripeGatewayError) as too_much:
        world.gateway.create_refund(payment_intent=intent, amount_minor=300, idempotency_key="refund-pay_001-2")
    assert too_much.value.transient is False

    rest = world.gateway.create_refund(payment_intent=intent, amount_minor=None, idempotency_key="refund-pay_001-3")
    assert rest.amount == 250
    final = world.inbox.wait_for("charge.refunded", count=2)[-1].data.object
    assert (final.amount_refunded, final.refunded) == (450, True)
    assert len([e for e in world.sim_events() if e["type"] == "charge.refunded"]) == 2


def test_refused_webhook_delivery_is_retried_until_acknowledged(world):
    world.inbox.refuse_next = 1
    session = start_checkout(world.gateway)
    httpx.post(f"{world.url}/_sim/checkout/{session.id}/pay").raise_for_status()

    world.inbox.wait_for("checkout.session.completed")
    assert world.inbox.refused == 1
    (record,) = [e for e in world.sim_events() if e["type"] == "checkout.session.completed"]
    assert record["delivery"]["status"] == "delivered"
    assert record["delivery"]["attempts"] == 2

    httpx.post(f"{world.url}/_sim/events/{record['id']}/redeliver").raise_for_status()
    again = world.inbox.wait_for("checkout.session.completed", count=2)
    assert again[0].id == again[1].id


def test_wrong_secret_key_is_a_permanent_error(world):
    gateway = StripeGateway("sk_test_not_the_right_key", api_base=world.url, timeout=5)
    try:
        with pytest.raises(StripeGatewayError) as caught:
            start_checkout(gateway)
    finally:
        gateway.close()
    assert caught.value.transient is False
    assert "AuthenticationError" in str(caught.value)


def test_unreachable_stripe_is_a_transient_error():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    gateway = StripeGateway(SECRET_KEY, api_base=url, timeout=1)
    try:
        with pytest.raises(StripeGatewayError) as caught:
            gateway.retrieve_checkout_session("cs_test_missing")
    finally:
        gateway.close()
    assert caught.value.transient is True


def test_unknown_session_is_a_permanent_error(world):
    with pytest.raises(StripeGatewayError) as caught:
        world.gateway.retrieve_checkout_session("cs_test_missing")
    assert caught.value.transient is False


def test_signature_header_matches_what_the_stripe_library_computes():
    payload = b'{"id": "evt_1", "object": "event"}'
    ours = sign_stripe_payload(payload, WEBHOOK_SECRET, timestamp=1_700_000_000)
    theirs = stripe.WebhookSignature.generate_signature_header(
        payload.decode(), WEBHOOK_SECRET, timestamp=1_700_000_000
    )
    assert ours == theirs


def test_simulator_mounted_inside_the_app_it_posts_to_delivers_without_blocking():
    from starlette.routing import Mount

    inbox = WebhookInbox()
    server = LiveServer()
    simulator = create_stripe_simulator(
        secret_key=SECRET_KEY,
        webhook_secret=WEBHOOK_SECRET,
        webhook_url=f"{server.url}/stripe/webhook",
        public_base_url=f"{server.url}/_sim/stripe",
    )
    app = Starlette(routes=[*inbox.app().routes, Mount("/_sim/stripe", app=simulator)])
    server.start(app)
    gateway = StripeGateway(SECRET_KEY, api_base=f"{server.url}/_sim/stripe", timeout=5)
    try:
        session = start_checkout(gateway)
        assert session.url == f"{server.url}/_sim/stripe/pay/{session.id}"
        paid = httpx.post(session.url, data={"action": "pay"}, timeout=5)
        assert paid.status_code == 303
        (event,) = inbox.wait_for("checkout.session.completed")
        assert event.data.object.id == session.id
    finally:
        gateway.close()
        server.stop()
