"""Stripe webhooks as they may really arrive: each three times, shuffled and at once; late, beyond the
five-minute tolerance; forged. Exactly one session or access per payment, and nothing written for what is
refused. Stripe holds its own sending (`hold_webhooks`) so the test delivers, signed as Stripe signs."""

from __future__ import annotations

import json
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlmodel import func, select

from hygate_app.config import get_settings
from hygate_app.integrations.simulators.stripe_sim import sign_stripe_payload
from hygate_app.models import DeviceSession, DeviceSessionStatus, DoorAccess, Payment, PaymentStatus, WebhookEvent
from tests.support.catalogue import new_device, relay_commands
from tests.support.doors import add_lock, issued_for, new_door
from tests.support.faults import hold_webhooks
from tests.support.purchases import open_checkout, pay_for, pay_for_door, session_of

pytestmark = pytest.mark.faults


def completed_event(stack, payment: Payment) -> dict:
    events = httpx.get(f"{stack.stripe}/_sim/events", timeout=5).json()["data"]
    [event] = [e["event"] for e in events if e["type"] == "checkout.session.completed"
               and e["event"]["data"]["object"]["id"] == payment.stripe_checkout_session_id]
    return event


def deliver(stack, event: dict, *, timestamp: int | None = None, secret: str | None = None,
            body: bytes | None = None) -> httpx.Response:
    """POST as Stripe does; `body` replaces what was signed (a body changed on the way)."""
    signed = json.dumps(event).encode()
    header = sign_stripe_payload(signed, secret or get_settings().stripe_webhook_secret, timestamp)
    return httpx.post(f"{stack.url}/api/stripe/webhook", content=body or signed, timeout=15,
                      headers={"Stripe-Signature": header, "Content-Type": "application/json"})


def recorded(pg, *event_ids: str) -> int:
    return pg.exec(select(func.count()).select_from(WebhookEvent)
                   .where(WebhookEvent.stripe_event_id.in_(event_ids))).one()


def bought(pg, payment: Payment) -> int:
    model = DeviceSession if payment.device_id else DoorAccess
    return pg.exec(select(func.count()).select_from(model).where(model.payment_id == payment.id)).one()


def test_each_webhook_three_times_shuffled_and_at_once_buys_one_session_or_access(run, stack, pg):
    ttlock = get_settings().ttlock_base
    devices = [new_device(pg, stack.shelly, minutes=30) for _ in range(2)]
    locks = [add_lock(ttlock, has_gateway=True) for _ in range(2)]
    hold_webhooks(True)
    payments = ([pay_for(stack, pg, d) for d in devices]
                + [pay_for_door(stack, pg, new_door(pg, lock, minutes=30)) for lock in locks])
    deliveries = [completed_event(stack, p) for p in payments] * 3
    random.shuffle(deliveries)

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda event: deliver(stack, event), deliveries))

    assert [a.status_code for a in answers] == [200] * 12
    assert sorted(a.json()["duplicate"] for a in answers) == [False] * 4 + [True] * 8
    run.settle(timeout=120)  # a duplicate of an event not yet applied queues it again: many jobs
    pg.expire_all()
    assert [bought(pg, p) for p in payments] == [1] * 4
    assert [relay_commands(stack.shelly, d.shelly_device_id) for d in devices] == [["on"]] * 2
    assert [len(issued_for(ttlock, lock)) for lock in locks] == [1] * 2
    run.check_invariants()


def test_a_late_webhook_is_refused_and_writes_nothing_until_stripe_sends_it_again(run, stack, pg):
    device = new_device(pg, stack.shelly, minutes=30)
    hold_webhooks(True)
    payment = pay_for(stack, pg, device)
    event = completed_event(stack, payment)

    now = int(time.time())
    for timestamp in (now - 360, now + 360):  # a minute beyond the five-minute tolerance, either way
        assert deliver(stack, event, timestamp=timestamp).status_code == 400

    assert recorded(pg, event["id"]) == 0
    pg.expire_all()
    assert pg.get(Payment, payment.id).status == PaymentStatus.pending and bought(pg, payment) == 0
    hold_webhooks(False)  # Stripe sends it again, freshly signed
    run.settle()
    assert session_of(pg, payment).status == DeviceSessionStatus.active
    run.check_invariants()


def test_forged_webhooks_are_refused_and_write_nothing(run, stack, pg):
    device, other = new_device(pg, stack.shelly, minutes=30), new_device(pg, stack.shelly, minutes=30)
    hold_webhooks(True)
    paid = pay_for(stack, pg, device)
    unpaid = open_checkout(stack, pg, other)
    genuine = completed_event(stack, paid)
    # The paid checkout's event rewritten for a checkout nobody paid.
    for_unpaid = json.loads(json.dumps(genuine))
    for_unpaid["id"] = f"evt_{uuid.uuid4().hex}"
    for_unpaid["data"]["object"].update(id=unpaid.stripe_checkout_session_id, metadata={"payment_id": str(unpaid.id)},
                                        client_reference_id=str(unpaid.id))

    answers = [
        deliver(stack, genuine, secret="whsec_not_the_endpoint_secret"),
        deliver(stack, for_unpaid, secret="whsec_not_the_endpoint_secret"),
        deliver(stack, genuine, body=json.dumps(for_unpaid).encode()),  # signed one body, sent another
        httpx.post(f"{stack.url}/api/stripe/webhook", content=json.dumps(for_unpaid).encode(), timeout=15),
    ]

    assert [a.status_code for a in answers] == [400] * 4
    assert recorded(pg, genuine["id"], for_unpaid["id"]) == 0
    pg.expire_all()
    assert [pg.get(Payment, p.id).status for p in (paid, unpaid)] == [PaymentStatus.pending] * 2
    assert bought(pg, paid) == bought(pg, unpaid) == 0
    hold_webhooks(False)  # the genuine one, from Stripe
    run.settle()
    assert session_of(pg, paid).status == DeviceSessionStatus.active and bought(pg, unpaid) == 0
    run.check_invariants()
