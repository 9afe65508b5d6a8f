"""Webhook handling: signature and timestamp checks, deduplication by event id, idempotent and
order-independent application to the payment, exactly one device session per paid checkout."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from hygate_app.integrations.simulators.stripe_sim import sign_stripe_payload
from hygate_app.models import DeviceSession, PaymentStatus, UsagePlan, WebhookEvent, WebhookEventStatus
from hygate_app.services import stripe_events
from hygate_app.services.errors import InvalidInput
from tests.support.webhooks import WEBHOOK_SECRET, checkout_event, deliver


def test_a_correctly_signed_event_is_accepted():
    body = b'{"id": "evt_1", "object": "event", "type": "ping", "created": 1, "data": {"object": {}}}'
    event = stripe_events.verify(body, sign_stripe_payload(body, WEBHOOK_SECRET), WEBHOOK_SECRET)
    assert event["id"] == "evt_1"


def test_wrong_signature_is_refused():
    body = b'{"id": "evt_1", "type": "ping"}'
    with pytest.raises(InvalidInput):
        stripe_events.verify(body, sign_stripe_payload(body, "whsec_someone_else"), WEBHOOK_SECRET)


def test_a_body_changed_after_signing_is_refused():
    body = b'{"id": "evt_1", "type": "ping", "amount": 100}'
    header = sign_stripe_payload(body, WEBHOOK_SECRET)
    with pytest.raises(InvalidInput):
        stripe_events.verify(body.replace(b"100", b"1"), header, WEBHOOK_SECRET)


def test_stale_timestamp_beyond_the_tolerance_is_refused():
    body = b'{"id": "evt_1", "type": "ping"}'
    header = sign_stripe_payload(body, WEBHOOK_SECRET, timestamp=int(time.time()) - 301)
    with pytest.raises(InvalidInput):
        stripe_events.verify(body, header, WEBHOOK_SECRET)


def test_future_timestamp_beyond_the_tolerance_is_refused():
    body = b'{"id": "evt_1", "type": "ping"}'
    header = sign_stripe_payload(body, WEBHOOK_SECRET, timestamp=int(time.time()) + 301)
    with pytest.raises(InvalidInput):
        stripe_events.verify(body, header, WEBHOOK_SECRET)


@pytest.mark.parametrize("header", ["", "garbage", "t=abc,v1=def", "v1=00"])
def test_malformed_signature_headers_are_refused(header):
    with pytest.raises(InvalidInput):
        stripe_events.verify(b'{"id": "evt_1"}', header, WEBHOOK_SECRET)


@pytest.mark.parametrize("body", [
    # Each was accepted as signed, then failed with an exception (a 5xx, which Stripe retries for days): no object,
    # text that no column holds, a `created` or `data` that recording or processing cannot read.
    b"[1]", b"null", b'"evt_1"',
    b'{"id": "evt_\\u0000", "type": "ping", "created": 1, "data": {"object": {}}}',
    b'{"id": "evt_1", "type": "ping", "created": "yesterday", "data": {"object": {}}}',
    b'{"id": "evt_1", "type": "ping", "created": 1e400, "data": {"object": {}}}',
    b'{"id": "evt_1", "type": "ping", "created": 99999999999999999999999, "data": {"object": {}}}',
    b'{"id": "evt_1", "type": "ping", "created": 1, "data": []}',
    b'{"id": "evt_1", "type": "ping", "created": 1, "data": {"object": {"id": ["cs_1"]}}}',
    b'{"id": "evt_1", "type": "ping", "created": 1}',
])
def test_a_signed_body_that_is_not_an_event_is_refused(body):
    with pytest.raises(InvalidInput, match="not an event"):
        stripe_events.verify(body, sign_stripe_payload(body, WEBHOOK_SECRET), WEBHOOK_SECRET)


def test_completed_checkout_marks_the_payment_paid_and_creates_one_session(db, deps, payment):
    deliver(db, deps, checkout_event(payment))
    db.refresh(payment)
    assert payment.status == PaymentStatus.paid
    assert payment.stripe_payment_intent_id == f"pi_{payment.id}"
    sessions = db.exec(select(DeviceSession).where(DeviceSession.payment_id == payment.id)).all()
    assert len(sessions) == 1
    assert deps.queue.named("jobs.relay.switch_relay_on") == [(sessions[0].id,)]
    assert payment.guest_token in deps.updates.tokens


def test_a_plan_edited_during_checkout_does_not_change_the_minutes_that_were_paid_for(db, deps, payment):
    plan = db.get(UsagePlan, payment.usage_plan_id)
    sold, sold_delay = plan.duration_minutes, plan.delay_minutes
    plan.duration_minutes, plan.delay_minutes = sold + 59, sold_delay + 5
    db.commit()
    deliver(db, deps, checkout_event(payment))
    session = db.exec(select(DeviceSession).where(DeviceSession.payment_id == payment.id)).one()
    assert (session.duration_minutes, session.delay_minutes) == (sold, sold_delay)
    assert session.ends_at - session.paid_at == timedelta(minutes=sold + sold_delay)


def test_the_same_event_delivered_three_times_creates_one_session(db, deps, payment):
    event = checkout_event(payment)
    results = [deliver(db, deps, event) for _ in range(3)]
    assert [r.is_new for r in results] == [True, False, False]
    assert len(db.exec(select(WebhookEvent)).all()) == 1
    assert len(db.exec(select(DeviceSession)).all()) == 1
    assert len(deps.queue.named("jobs.relay.switch_relay_on")) == 1


def test_two_different_events_for_the_same_checkout_still_create_one_session(db, deps, payment):
    deliver(db, deps, checkout_event(payment))
    deliver(db, deps, checkout_event(payment, "checkout.session.async_payment_succeeded"))
    assert len(db.exec(select(DeviceSession)).all()) == 1


def test_expired_arriving_after_completed_changes_nothing(db, deps, payment):
    deliver(db, deps, checkout_event(payment))
    deliver(db, deps, checkout_event(payment, "checkout.session.expired", status="expired", payment_status="unpaid"))
    db.refresh(payment)
    assert payment.status == PaymentStatus.paid
    assert len(db.exec(select(DeviceSession)).all()) == 1


def test_expired_checkout_of_an_unpaid_payment_marks_it_expired(db, deps, payment):
    deliver(db, deps, checkout_event(payment, "checkout.session.expired", status="expired", payment_status="unpaid"))
    db.refresh(payment)
    assert payment.status == PaymentStatus.expired
    assert db.exec(select(DeviceSession)).all() == []


def test_unknown_event_types_are_recorded_and_ignored(db, deps, payment):
    recorded = deliver(db, deps, checkout_event(payment, "customer.created"))
    row = db.exec(select(WebhookEvent).where(WebhookEvent.stripe_event_id == recorded.event_id)).one()
    assert row.status == WebhookEventStatus.ignored
    db.refresh(payment)
    assert payment.status == PaymentStatus.pending


def test_completed_but_not_yet_paid_waits_for_the_async_payment(db, deps, payment):
    deliver(db, deps, checkout_event(payment, payment_status="unpaid"))
    db.refresh(payment)
    assert payment.status == PaymentStatus.pending
    assert db.exec(select(DeviceSession)).all() == []


def test_an_event_for_a_checkout_we_never_created_gives_nothing(db, deps, payment):
    deliver(db, deps, checkout_event(payment, id="cs_not_ours", metadata={}, client_reference_id=None))
    assert db.exec(select(DeviceSession)).all() == []


def test_charge_refunded_records_the_refunded_amount(db, deps, payment):
    deliver(db, deps, checkout_event(payment))
    refund = {"id": f"evt_{uuid.uuid4().hex}", "object": "event", "type": "charge.refunded",
              "created": int(time.time()), "data": {"object": {"id": "ch_1", "object": "charge",
                                                              "payment_intent": f"pi_{payment.id}",
                                                              "amount_refunded": 40}}}
    deliver(db, deps, refund)
    db.refresh(payment)
    assert payment.status == PaymentStatus.partially_refunded
    assert payment.amount_refunded_minor == 40
