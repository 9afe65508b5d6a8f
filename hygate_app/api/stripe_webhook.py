"""`POST /api/stripe/webhook`: verify on the raw body, record once, answer at once, process in RQ."""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from hygate_app import providers
from hygate_app.db import session_scope
from hygate_app.services import stripe_events
from hygate_app.services.errors import InvalidInput

log = logging.getLogger(__name__)


def _record(event: dict) -> stripe_events.RecordedEvent:
    with session_scope() as db:
        return stripe_events.record(db, event)


async def stripe_webhook(request: Request) -> JSONResponse:
    payload = await request.body()
    try:
        # Stored under Settings → Integrations, else the environment's; read each time, so a change applies at once.
        secret = await run_in_threadpool(providers.stripe_webhook_secret)
    except Exception:
        log.exception("could not read the Stripe webhook secret")
        return JSONResponse({"error": "temporarily unavailable"}, status_code=503)
    try:
        event = stripe_events.verify(payload, request.headers.get("stripe-signature", ""), secret)
    except InvalidInput as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    try:
        recorded = await run_in_threadpool(_record, event)
    except Exception:
        # Not recorded: a non-2xx makes Stripe deliver it again later.
        log.exception("could not record Stripe event")
        return JSONResponse({"error": "temporarily unavailable"}, status_code=503)
    if recorded.needs_processing:
        try:
            await run_in_threadpool(stripe_events.enqueue_processing, providers.job_queue(), recorded.event_id)
        except Exception:
            # Recorded in the database: the maintenance pass queues it again.
            log.exception("could not queue Stripe event %s", recorded.event_id)
    return JSONResponse({"received": True, "duplicate": not recorded.is_new})
