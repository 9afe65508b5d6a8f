"""Starting a purchase: a pending Payment, then a Stripe Checkout Session for it."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session

from hygate_app.integrations.stripe_gateway import StripeGateway, StripeGatewayError
from hygate_app.models import Location, Payment, PaymentKind, PaymentStatus, UsagePlan
from hygate_app.models.columns import utcnow
from hygate_app.services import catalogue
from hygate_app.services.errors import Conflict, InvalidInput, Unavailable

UNAVAILABLE_TEXT = {
    "maintenance": "This device is temporarily unavailable.",
    "offline": "This device is offline right now.",
    "in_use": "This device is in use right now.",
}


@dataclass(frozen=True)
class CheckoutStarted:
    guest_token: str
    checkout_url: str


def clean_email(email: str | None) -> str | None:
    email = (email or "").strip()
    if not email:
        return None
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidInput("Please enter a valid e-mail address, or leave it empty.") from exc


def start_device_checkout(
    db: Session,
    gateway: StripeGateway,
    *,
    device_uid: str,
    plan_id: int,
    email: str | None,
    base_url: str,
    expires_in_minutes: int = 30,
) -> CheckoutStarted:
    """The Payment is committed before Stripe is called, so a webhook always finds it."""
    email = clean_email(email)
    device = catalogue.find_device(db, device_uid)
    offer = catalogue.device_offer(db, device_uid)
    if offer.unavailable_reason is not None:
        raise Conflict(UNAVAILABLE_TEXT[offer.unavailable_reason])
    plan = db.get(UsagePlan, plan_id)
    if plan is None or plan.device_id != device.id or not plan.active:
        raise InvalidInput("Please choose one of the plans shown.")
    location = db.get(Location, device.location_id)
    payment = Payment(
        guest_token=secrets.token_urlsafe(24),
        kind=PaymentKind.device,
        device_id=device.id,
        usage_plan_id=plan.id,
        location_id=location.id,
        item_name=f"{device.name} · {plan.name}",
        amount_minor=plan.price_minor,
        currency=plan.currency,
        duration_minutes=plan.duration_minutes,
        delay_minutes=plan.delay_minutes,
        idempotency_key=f"checkout-{uuid.uuid4()}",
        customer_email=email,
    )
    db.add(payment)
    db.commit()
    try:
        session = gateway.create_checkout_session(
            payment_id=str(payment.id),
            amount_minor=payment.amount_minor,
            currency=payment.currency,
            product_name=f"{payment.item_name} ({payment.duration_minutes} min) — {location.name}",
            success_url=f"{base_url}/session/{payment.guest_token}",
            cancel_url=f"{base_url}/use/{device.uid}",
            customer_email=email,
            expires_in_minutes=expires_in_minutes,
            idempotency_key=payment.idempotency_key,
            started_at=payment.created_at,
        )
    except StripeGatewayError as exc:
        payment.status = PaymentStatus.failed
        payment.updated_at = utcnow()
        db.commit()
        raise Unavailable("Payment could not be started. Nothing was charged; please try again.") from exc
    payment.stripe_checkout_session_id = session.id
    payment.updated_at = utcnow()
    db.commit()
    return CheckoutStarted(guest_token=payment.guest_token, checkout_url=session.url)
