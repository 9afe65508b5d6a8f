"""Apply one recorded Stripe event (queued by the webhook route with job id `stripe:<event id>`)."""

from hygate_app import providers
from hygate_app.db import session_scope
from hygate_app.services import stripe_events


def process_stripe_event(event_id: str) -> list[str]:
    with session_scope() as db:
        return stripe_events.process(db, event_id, providers.session_deps())
