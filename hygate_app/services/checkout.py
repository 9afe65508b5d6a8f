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
from hygate_app.services.translations import LANGUAGES, N_

# What a guest is told when the device or door cannot be sold after all: (staff wording, guest message id).
UNAVAILABLE_TEXT = {
    "maintenance": ("This device is temporarily unavailable.", N_("use.unavailable.maintenance")),
    "offline": ("This device is offline right now.", N_("use.unavailable.offline")),
    "in_use": ("This device is in use right now.", N_("use.unavailable.in_use")),
}
DOOR_UNAVAILABLE_TEXT = {
    "free": ("This door is open (free access): there is nothing to pay.", N_("pay.free_access")),
    "maintenance": ("This door is temporarily unavailable.", N_("pay.unavailable.maintenance")),
    "not_connected": ("This door cannot be opened online yet.", N_("pay.unavailable.not_connected")),
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
        raise InvalidInput("Please enter a valid e-mail address, or leave it empty.",
                           message_id=N_("error.email_invalid")) from exc


def start_device_checkout(
    db: Session,
    gateway: StripeGateway,
    *,
    device_uid: str,
    plan_id: int,
    email: str | None,
    base_url: str,
    expires_in_minutes: int = 30,
    language: str | None = None,
) -> CheckoutStarted:
    """The guest buys one of the device's plans; its minutes are fixed in the payment."""
    email = clean_email(email)
    device = catalogue.find_device(db, device_uid)
    offer = catalogue.device_offer(db, device_uid)
    if offer.unavailable_reason is not None:
        text, message_id = UNAVAILABLE_TEXT[offer.unavailable_reason]
        raise Conflict(text, message_id=message_id)
    plan = db.get(UsagePlan, plan_id)
    if plan is None or plan.device_id != device.id or not plan.active:
        raise InvalidInput("Please choose one of the plans shown.", message_id=N_("error.plan_unknown"))
    payment = Payment(
        guest_token=secrets.token_urlsafe(24),
        kind=PaymentKind.device,
        device_id=device.id,
        usage_plan_id=plan.id,
        location_id=device.location_id,
        item_name=f"{device.name} · {plan.name}",
        amount_minor=plan.price_minor,
        currency=plan.currency,
        duration_minutes=plan.duration_minutes,
        delay_minutes=plan.delay_minutes,
        idempotency_key=f"checkout-{uuid.uuid4()}",
        customer_email=email,
        guest_language=language if language in LANGUAGES else None,
    )
    return _open_checkout(db, gateway, payment, guest_page="session", back_url=f"{base_url}/use/{device.uid}",
                          base_url=base_url, expires_in_minutes=expires_in_minutes)


def start_door_checkout(
    db: Session,
    gateway: StripeGateway,
    *,
    door_uid: str,
    email: str | None,
    base_url: str,
    expires_in_minutes: int = 30,
    language: str | None = None,
) -> CheckoutStarted:
    """The guest buys the door's access time; the minutes are fixed in the payment, whatever the door says later."""
    email = clean_email(email)
    door = catalogue.find_door(db, door_uid)
    availability = catalogue.door_availability(door)
    if availability != "sell":
        text, message_id = DOOR_UNAVAILABLE_TEXT[availability]
        raise Conflict(text, message_id=message_id)
    payment = Payment(
        guest_token=secrets.token_urlsafe(24),
        kind=PaymentKind.door,
        door_id=door.id,
        location_id=door.location_id,
        item_name=door.name,
        amount_minor=door.price_minor,
        currency=door.currency,
        duration_minutes=door.access_minutes,
        idempotency_key=f"checkout-{uuid.uuid4()}",
        customer_email=email,
        guest_language=language if language in LANGUAGES else None,
    )
    return _open_checkout(db, gateway, payment, guest_page="access", back_url=f"{base_url}/pay/{door.uid}",
                          base_url=base_url, expires_in_minutes=expires_in_minutes)


def _open_checkout(db: Session, gateway: StripeGateway, payment: Payment, *, guest_page: str, back_url: str,
                   base_url: str, expires_in_minutes: int) -> CheckoutStarted:
    """The Payment is committed before Stripe is called, so a webhook always finds it; a Stripe failure
    leaves it `failed` (nothing was charged) rather than pending for ever."""
    location = db.get(Location, payment.location_id)
    db.add(payment)
    db.commit()
    try:
        session = gateway.create_checkout_session(
            payment_id=str(payment.id),
            amount_minor=payment.amount_minor,
            currency=payment.currency,
            product_name=f"{payment.item_name} ({payment.duration_minutes} min) — {location.name}",
            success_url=f"{base_url}/{guest_page}/{payment.guest_token}",
            cancel_url=back_url,
            customer_email=payment.customer_email,
            locale=payment.guest_language,
            expires_in_minutes=expires_in_minutes,
            idempotency_key=payment.idempotency_key,
            started_at=payment.created_at,
        )
    except StripeGatewayError as exc:
        payment.status = PaymentStatus.failed
        payment.updated_at = utcnow()
        db.commit()
        raise Unavailable("Payment could not be started. Nothing was charged; please try again.",
                          message_id=N_("error.payment_not_started")) from exc
    payment.stripe_checkout_session_id = session.id
    payment.updated_at = utcnow()
    db.commit()
    return CheckoutStarted(guest_token=payment.guest_token, checkout_url=session.url)
