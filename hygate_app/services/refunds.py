"""Refunds: requested exactly once per reason (a unique key), sent to Stripe by a retried job."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from hygate_app.integrations.stripe_gateway import StripeGateway, StripeGatewayError
from hygate_app.models import Payment, PaymentStatus, Refund, RefundStatus
from hygate_app.models.columns import utcnow
from hygate_app.services import audit
from hygate_app.services.errors import Conflict, RetryLater
from hygate_app.services.queue import JobQueue

SEND_RETRIES = [10, 60, 300, 1800]


def request_refund(db: Session, payment: Payment, amount_minor: int, *, reason: str, key_suffix: str) -> Refund | None:
    """Record the intent to refund (in the caller's transaction); the same key never refunds twice."""
    if amount_minor <= 0 or payment.stripe_payment_intent_id is None:
        return None
    key = f"refund:{payment.id}:{key_suffix}"
    existing = db.exec(select(Refund).where(Refund.idempotency_key == key)).first()
    if existing is not None:
        return existing
    refund = Refund(payment_id=payment.id, amount_minor=amount_minor, reason=reason, idempotency_key=key)
    try:
        with db.begin_nested():
            db.add(refund)
    except IntegrityError:
        return db.exec(select(Refund).where(Refund.idempotency_key == key)).one()
    audit.record(db, "payment.refund_requested", target_type="payment", target_id=payment.id,
                 details={"amount_minor": amount_minor, "currency": payment.currency, "reason": reason})
    return refund


def pro_rata_minor(amount_minor: int, unused_seconds: int, paid_seconds: int) -> int:
    """The share of a payment for the paid seconds not delivered, rounded down to the minor unit."""
    if paid_seconds <= 0:
        return 0
    return amount_minor * min(max(unused_seconds, 0), paid_seconds) // paid_seconds


def enqueue_send(queue: JobQueue, refund: Refund) -> None:
    queue.enqueue("jobs.refunds.send_refund", refund.id, job_id=f"refund-{refund.id}", retries=SEND_RETRIES)


def send_refund(db: Session, refund_id: int, gateway: StripeGateway, *, final_attempt: bool) -> str | None:
    """Ask Stripe for the refund with the row's idempotency key. Returns the guest token to notify."""
    refund = db.exec(select(Refund).where(Refund.id == refund_id).with_for_update()).first()
    if refund is None or refund.status != RefundStatus.pending:
        return None
    payment = db.exec(select(Payment).where(Payment.id == refund.payment_id).with_for_update()).one()
    try:
        result = gateway.create_refund(
            payment_intent=payment.stripe_payment_intent_id,
            amount_minor=refund.amount_minor,
            idempotency_key=refund.idempotency_key,
            metadata={"payment_id": str(payment.id), "reason": refund.reason},
        )
    except StripeGatewayError as exc:
        refund.last_error = str(exc)[:500]
        refund.updated_at = utcnow()
        if exc.transient and not final_attempt:
            db.commit()
            raise RetryLater(str(exc)) from exc
        refund.status = RefundStatus.failed
        audit.record(db, "payment.refund_failed", target_type="payment", target_id=payment.id,
                     details={"refund_id": refund.id, "error": str(exc)[:200]})
        db.commit()
        return payment.guest_token
    refund.stripe_refund_id = result.id
    refund.status = RefundStatus.failed if result.status in ("failed", "canceled") else RefundStatus.succeeded
    refund.updated_at = utcnow()
    if refund.status == RefundStatus.succeeded:
        apply_refunded_total(payment, _succeeded_total(db, payment.id))
    audit.record(db, "payment.refunded", target_type="payment", target_id=payment.id,
                 details={"refund_id": refund.id, "stripe_refund_id": result.id, "amount_minor": refund.amount_minor,
                          "status": refund.status.value})
    db.commit()
    return payment.guest_token


def apply_refunded_total(payment: Payment, refunded_minor: int) -> None:
    """Refunded totals only grow (events arrive in any order); the status follows the total."""
    if payment.status not in (PaymentStatus.paid, PaymentStatus.partially_refunded, PaymentStatus.refunded):
        raise Conflict("Only a paid payment can be refunded.")
    total = min(max(payment.amount_refunded_minor, refunded_minor), payment.amount_minor)
    payment.amount_refunded_minor = total
    if total >= payment.amount_minor:
        payment.status = PaymentStatus.refunded
    elif total > 0:
        payment.status = PaymentStatus.partially_refunded
    payment.updated_at = utcnow()


def _succeeded_total(db: Session, payment_id: int) -> int:
    rows = db.exec(select(Refund.amount_minor).where(Refund.payment_id == payment_id,
                                                     Refund.status == RefundStatus.succeeded)).all()
    return sum(rows)


def stuck_pending_refunds(db: Session, now: datetime, older_than: timedelta = timedelta(minutes=10)) -> list[Refund]:
    """Requested but not sent, and untouched for a while: their send job was lost (Redis flushed, a killed worker).
    A job still retrying touches the row at each try; one queued again while a retry also waits does no harm
    (the row is locked and re-read, and Stripe sees the same idempotency key)."""
    return list(
        db.exec(
            select(Refund)
            .where(Refund.status == RefundStatus.pending, Refund.updated_at <= now - older_than)
            .order_by(Refund.id)
            .limit(500)
        ).all()
    )
