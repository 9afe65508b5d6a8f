"""Erasure on request (Settings → Privacy): a guest asks for their e-mail address to be forgotten.

The address is removed from every payment that carries it and from the body of every Stripe event that quotes it
(checkout sessions, charges, refunds; applied ones only: an unapplied event still needs its body, and retention
erases it later). The payments
themselves stay: they are the money record. The audit row names the payments, never the address.
"""

from __future__ import annotations

from sqlalchemy import func, update
from sqlmodel import Session, select

from hygate_app.models import Payment, WebhookEvent
from hygate_app.services import audit
from hygate_app.services.retention import ERASED_PAYLOAD
from hygate_app.services.team import normalise_email


def _matching(email: str):
    return func.lower(Payment.customer_email) == normalise_email(email)


def payments_with(db: Session, email: str) -> int:
    """How many payments carry the address (case-insensitive); an invalid address is an InvalidInput."""
    return db.exec(select(func.count()).select_from(Payment).where(_matching(email))).one()


def erase(db: Session, email: str, actor: audit.Actor) -> int:
    """Erase the address everywhere it is kept; the number of payments it was on. The caller commits."""
    address = normalise_email(email)
    ids = list(db.exec(select(Payment.id).where(_matching(email)).order_by(Payment.id).with_for_update()).all())
    # An event quoting the address is erased even when no payment carries it any more (retention took it).
    events = db.execute(update(WebhookEvent)
                        .where(WebhookEvent.processed_at.is_not(None),
                               func.lower(WebhookEvent.payload).contains(address, autoescape=True))
                        .values(payload=ERASED_PAYLOAD)).rowcount
    if not ids and not events:
        return 0
    db.execute(update(Payment).where(Payment.id.in_(ids)).values(customer_email=None))
    audit.record(db, "guest.email_erased", actor=actor, target_type="payment",
                 target_id=str(ids[0]) if ids else None, details={"payments": ids, "stripe_events": events})
    return len(ids)
