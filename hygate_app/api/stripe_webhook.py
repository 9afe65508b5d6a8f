"""`POST /api/stripe/webhook`: verify on the raw body, record once, answer at once, process in RQ.

Everything after reading the body runs in one worker thread (read the secret, verify, record, queue): each hand-off
between the event loop and the thread pool costs more CPU than verifying the signature does (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import logging

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse

from hygate_app import providers
from hygate_app.db import session_scope
from hygate_app.services import stripe_events
from hygate_app.services.errors import InvalidInput

log = logging.getLogger(__name__)
# A few threads for the database work, not the pool's forty: a burst of deliveries then waits in the event loop
# instead of forty threads taking turns at the interpreter lock (the CPU that costs was the larger part).
_THREADS = anyio.CapacityLimiter(4)
UNAVAILABLE = (503, {"error": "temporarily unavailable"})


def _record(event: dict) -> stripe_events.RecordedEvent:
    with session_scope() as db:
        return stripe_events.record(db, event)


def _ingest(payload: bytes, signature: str) -> tuple[int, dict]:
    """The status and body to answer Stripe with."""
    try:
        # Stored under Settings → Integrations, else the environment's; read each time, so a change applies at once.
        secret = providers.stripe_webhook_secret()
    except Exception:
        log.exception("could not read the Stripe webhook secret")
        return UNAVAILABLE
    try:
        event = stripe_events.verify(payload, signature, secret)
    except InvalidInput as exc:
        return 400, {"error": str(exc)}
    try:
        recorded = _record(event)
    except Exception:
        # Not recorded: a non-2xx makes Stripe deliver it again later.
        log.exception("could not record Stripe event")
        return UNAVAILABLE
    if recorded.needs_processing:
        try:
            stripe_events.enqueue_processing(providers.job_queue(), recorded.event_id)
        except Exception:
            # Recorded in the database: the maintenance pass queues it again.
            log.exception("could not queue Stripe event %s", recorded.event_id)
    return 200, {"received": True, "duplicate": not recorded.is_new}


async def stripe_webhook(request: Request) -> JSONResponse:
    payload = await request.body()
    status, body = await anyio.to_thread.run_sync(_ingest, payload, request.headers.get("stripe-signature", ""),
                                                  limiter=_THREADS)
    return JSONResponse(body, status_code=status)
