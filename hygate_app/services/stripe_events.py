"""Stripe webhooks: verify and record each event once, then apply it idempotently to its payment.

The unique `webhook_events.stripe_event_id` decides what is new; the unique `device_sessions.payment_id`
and `door_accesses.payment_id` decide that a payment buys exactly one session or door access.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import stripe
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from hygate_app.models import (
    DeviceSession,
    DoorAccess,
    Payment,
    PaymentKind,
    PaymentStatus,
    WebhookEvent,
    WebhookEventStatus,
)
from hygate_app.models.columns import utcnow
from hygate_app.services import audit, catalogue, device_sessions, door_access, receipt_mail, refunds
from hygate_app.services.device_sessions import SessionDeps
from hygate_app.services.errors import InvalidInput
from hygate_app.services.queue import JobQueue
from hygate_app.services.typed_text import storable

log = logging.getLogger(__name__)

TOLERANCE_SECONDS = 300
PROCESS_RETRIES = [5, 30, 120, 600]


@dataclass(frozen=True)
class RecordedEvent:
    event_id: str
    is_new: bool
    needs_processing: bool


def verify(payload: bytes, signature_header: str, secret: str, now: float | None = None) -> dict:
    """Check the signature and the timestamp window (both directions) before parsing anything, then that the body
    is an event `record` and `process` can take: refused with a 400, not failed with a 5xx Stripe would retry."""
    now = time.time() if now is None else now
    try:
        stripe.WebhookSignature.verify_header(payload, signature_header, secret, tolerance=TOLERANCE_SECONDS)
        body = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise InvalidInput("invalid signature") from exc
    timestamps = [int(p[2:]) for p in signature_header.split(",") if p.startswith("t=") and p[2:].isdigit()]
    if not timestamps or timestamps[0] > now + TOLERANCE_SECONDS:
        raise InvalidInput("timestamp outside the tolerance")
    if not _is_event(body):
        raise InvalidInput("not an event")
    return body


def _is_event(body: object) -> bool:
    """Id and type as text a column holds, `created` a whole number, `data.object` an object with a text id."""
    def text(value: object, longest: int) -> bool:
        return isinstance(value, str) and 0 < len(value) <= longest and storable(value)

    if not isinstance(body, dict) or not text(body.get("id"), 255) or not text(body.get("type"), 100):
        return False
    created = body.get("created", 0)
    obj = body.get("data", {}).get("object") if isinstance(body.get("data"), dict) else None
    return (isinstance(created, int) and not isinstance(created, bool) and 0 <= created < 2**63
            and isinstance(obj, dict) and (obj.get("id") is None or text(obj.get("id"), 255)))


def enqueue_processing(queue: JobQueue, event_id: str) -> None:
    queue.enqueue("jobs.stripe_events.process_stripe_event", event_id, job_id=f"stripe-{event_id}",
                  retries=PROCESS_RETRIES)


def record(db: Session, event: dict) -> RecordedEvent:
    """Insert the event under its unique id; a duplicate is recognised by the constraint, not a lookup."""
    obj = (event.get("data") or {}).get("object") or {}
    row = WebhookEvent(
        stripe_event_id=event["id"],
        type=event["type"][:100],
        stripe_created=int(event.get("created") or 0),
        object_id=str(obj.get("id"))[:255] if obj.get("id") else None,
        payload=json.dumps(event),
    )
    try:
        db.add(row)
        db.commit()
        return RecordedEvent(event["id"], is_new=True, needs_processing=True)
    except IntegrityError:
        db.rollback()
    existing = db.exec(select(WebhookEvent).where(WebhookEvent.stripe_event_id == event["id"])).one()
    # A duplicate of an event not yet processed is queued again, in case its job was lost.
    return RecordedEvent(event["id"], is_new=False, needs_processing=existing.status == WebhookEventStatus.received)


def process(db: Session, stripe_event_id: str, deps: SessionDeps) -> list[str]:
    """Apply one recorded event. Returns guest tokens whose pages changed. Safe to run twice."""
    row = db.exec(
        select(WebhookEvent).where(WebhookEvent.stripe_event_id == stripe_event_id).with_for_update()
    ).first()
    if row is None or row.status != WebhookEventStatus.received:
        return []
    row.attempts += 1
    event = json.loads(row.payload)
    obj = event["data"]["object"]
    handler = HANDLERS.get(row.type)
    touched: list[str] = []
    after_commit: list = []
    if handler is None:
        row.status = WebhookEventStatus.ignored
    else:
        touched = handler(db, obj, after_commit) or []
        row.status = WebhookEventStatus.processed
    row.processed_at = utcnow()
    db.commit()
    for action in after_commit:
        action(deps)
    for token in touched:
        deps.updates.changed(token)
    return touched


def _payment_for_checkout(db: Session, obj: dict) -> Payment | None:
    """Find our payment by the checkout session id; fall back to the metadata we put there."""
    session_id = obj.get("id")
    payment = db.exec(
        select(Payment).where(Payment.stripe_checkout_session_id == session_id).with_for_update()
    ).first()
    if payment is not None:
        return payment
    payment_id = (obj.get("metadata") or {}).get("payment_id") or obj.get("client_reference_id")
    if not payment_id or not str(payment_id).isdigit():
        return None
    payment = db.exec(select(Payment).where(Payment.id == int(payment_id)).with_for_update()).first()
    if payment is not None and payment.stripe_checkout_session_id is None:
        # The create call's answer was lost but Stripe made the session: adopt it.
        payment.stripe_checkout_session_id = session_id
    elif payment is not None and payment.stripe_checkout_session_id != session_id:
        return None
    return payment


def _on_checkout_completed(db: Session, obj: dict, after_commit: list) -> list[str]:
    if obj.get("payment_status") != "paid":
        return []  # an async payment method: wait for async_payment_succeeded
    return _confirm_payment(db, obj, after_commit)


def _confirm_payment(db: Session, obj: dict, after_commit: list) -> list[str]:
    payment = _payment_for_checkout(db, obj)
    if payment is None:
        audit.record(db, "stripe.unmatched_payment", actor=audit.STRIPE, target_type="checkout_session",
                     target_id=obj.get("id"), details={"amount_total": obj.get("amount_total")})
        return []
    became_paid = payment.status in (PaymentStatus.pending, PaymentStatus.expired, PaymentStatus.failed)
    if became_paid:
        if obj.get("amount_total") != payment.amount_minor or str(obj.get("currency", "")).lower() != payment.currency:
            audit.record(db, "payment.amount_mismatch", actor=audit.STRIPE, target_type="payment", target_id=payment.id,
                         details={"expected": payment.amount_minor, "got": obj.get("amount_total")})
        now = utcnow()
        payment.status = PaymentStatus.paid
        payment.paid_at = now
        payment.updated_at = now
        payment.stripe_payment_intent_id = obj.get("payment_intent") or payment.stripe_payment_intent_id
        audit.record(db, "payment.paid", actor=audit.STRIPE, target_type="payment", target_id=payment.id,
                     details={"amount_minor": payment.amount_minor, "currency": payment.currency,
                              "checkout_session": payment.stripe_checkout_session_id})
    if payment.kind == PaymentKind.device:
        _deliver_device_session(db, payment, after_commit)
    else:
        _deliver_door_access(db, payment, after_commit)
    if became_paid and payment.customer_email:
        # Queued once, when the payment becomes paid, and after the access jobs: a receipt never delays access.
        after_commit.append(lambda deps, pid=payment.id: _enqueue_receipt(deps, pid))
    return [payment.guest_token]


def _enqueue_receipt(deps: SessionDeps, payment_id: int) -> None:
    """A queue that fails here fails for the access jobs queued just before too; the event is processed either way,
    so the receipt's own failure is only logged (the guest's page still offers it)."""
    try:
        receipt_mail.enqueue(deps.queue, payment_id)
    except Exception:
        log.exception("could not queue the receipt e-mail of payment %s", payment_id)


def _create_once(db: Session, model: type, payment: Payment, create):
    """The row this payment bought, made once: None when it exists already (a redelivery, or another worker
    that got there first; the unique payment_id settles the race)."""
    if db.exec(select(model).where(model.payment_id == payment.id)).first() is not None:
        return None
    try:
        with db.begin_nested():
            return create(db, payment)
    except IntegrityError:
        return None


def _deliver_door_access(db: Session, payment: Payment, after_commit: list) -> None:
    access = _create_once(db, DoorAccess, payment, door_access.create_for_payment)
    if access is None:
        return
    audit.record(db, "door_access.created", target_type="door_access", target_id=access.id,
                 details={"payment_id": payment.id, "valid_until": access.valid_until.isoformat()})
    after_commit.append(lambda deps, aid=access.id: door_access.enqueue_issue(deps.queue, aid))


def _deliver_device_session(db: Session, payment: Payment, after_commit: list) -> None:
    busy = catalogue.running_session(db, payment.device_id)
    session = _create_once(db, DeviceSession, payment, device_sessions.create_for_payment)
    if session is None:
        return
    audit.record(db, "device_session.created", target_type="device_session", target_id=session.id,
                 details={"payment_id": payment.id, "ends_at": session.ends_at.isoformat()})
    if busy is not None:
        # Two guests paid for the same machine at once: the later one gets their money back.
        refund = device_sessions.mark_failed(db, session, "The device was already in use.", now=utcnow())
        if refund is not None:
            after_commit.append(lambda deps, r=refund: refunds.enqueue_send(deps.queue, r))
        return
    after_commit.append(lambda deps, sid=session.id: deps.queue.enqueue(
        "jobs.relay.switch_relay_on", sid, job_id=f"relay-on-{sid}", retries=device_sessions.RELAY_ON_RETRIES))


def _on_checkout_expired(db: Session, obj: dict, after_commit: list) -> list[str]:
    payment = _payment_for_checkout(db, obj)
    if payment is None or payment.status != PaymentStatus.pending:
        return []  # an `expired` arriving after `completed` changes nothing
    payment.status = PaymentStatus.expired
    payment.updated_at = utcnow()
    return [payment.guest_token]


def _on_async_payment_failed(db: Session, obj: dict, after_commit: list) -> list[str]:
    payment = _payment_for_checkout(db, obj)
    if payment is None or payment.status != PaymentStatus.pending:
        return []
    payment.status = PaymentStatus.failed
    payment.updated_at = utcnow()
    return [payment.guest_token]


def _on_charge_refunded(db: Session, obj: dict, after_commit: list) -> list[str]:
    intent = obj.get("payment_intent")
    payment = db.exec(select(Payment).where(Payment.stripe_payment_intent_id == intent).with_for_update()).first()
    if payment is None or payment.status not in (PaymentStatus.paid, PaymentStatus.partially_refunded):
        return []
    before = payment.amount_refunded_minor
    refunds.apply_refunded_total(payment, int(obj.get("amount_refunded") or 0))
    if payment.amount_refunded_minor != before:
        audit.record(db, "payment.refund_recorded", actor=audit.STRIPE, target_type="payment", target_id=payment.id,
                     details={"amount_refunded_minor": payment.amount_refunded_minor})
    return [payment.guest_token]


HANDLERS = {
    "checkout.session.completed": _on_checkout_completed,
    "checkout.session.async_payment_succeeded": _confirm_payment,
    "checkout.session.async_payment_failed": _on_async_payment_failed,
    "checkout.session.expired": _on_checkout_expired,
    "charge.refunded": _on_charge_refunded,
}


def unprocessed_event_ids(db: Session, now: datetime, older_than_seconds: int = 60) -> list[str]:
    """Recorded but never applied (its job was lost): the cleanup pass queues them again."""
    return list(
        db.exec(
            select(WebhookEvent.stripe_event_id)
            .where(WebhookEvent.status == WebhookEventStatus.received,
                   WebhookEvent.received_at <= now - timedelta(seconds=older_than_seconds))
            .order_by(WebhookEvent.id)
            .limit(500)
        ).all()
    )
