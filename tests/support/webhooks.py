"""Stripe events as Stripe sends them, signed locally exactly as Stripe signs, and handed to the services."""

from __future__ import annotations

import json
import time
import uuid

from hygate_app.integrations.simulators.stripe_sim import sign_stripe_payload
from hygate_app.models import Payment
from hygate_app.services import stripe_events

WEBHOOK_SECRET = "whsec_unit_tests"


def checkout_event(payment: Payment, type_: str = "checkout.session.completed", **obj_overrides) -> dict:
    obj = {
        "id": payment.stripe_checkout_session_id,
        "object": "checkout.session",
        "status": "complete",
        "payment_status": "paid",
        "amount_total": payment.amount_minor,
        "currency": payment.currency,
        "payment_intent": f"pi_{payment.id}",
        "client_reference_id": str(payment.id),
        "metadata": {"payment_id": str(payment.id)},
    }
    obj.update(obj_overrides)
    return {"id": f"evt_{uuid.uuid4().hex}", "object": "event", "type": type_, "created": int(time.time()),
            "livemode": False, "data": {"object": obj}}


def deliver(db, deps, event: dict) -> stripe_events.RecordedEvent:
    """What the route and the job do together: verify the signed body, record, process."""
    body = json.dumps(event).encode()
    verified = stripe_events.verify(body, sign_stripe_payload(body, WEBHOOK_SECRET), WEBHOOK_SECRET)
    recorded = stripe_events.record(db, verified)
    if recorded.needs_processing:
        stripe_events.process(db, recorded.event_id, deps)
    return recorded
