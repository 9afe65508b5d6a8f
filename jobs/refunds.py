"""Send a requested refund to Stripe, with retries; the guest's page hears the outcome."""

from hygate_app import providers
from hygate_app.db import session_scope
from hygate_app.services import refunds
from hygate_app.services.guest_updates import RedisGuestUpdates
from jobs import is_final_attempt


def send_refund(refund_id: int) -> None:
    with session_scope() as db:
        token = refunds.send_refund(db, refund_id, providers.stripe_gateway(), final_attempt=is_final_attempt())
    if token:
        RedisGuestUpdates(providers.redis()).changed(token)
