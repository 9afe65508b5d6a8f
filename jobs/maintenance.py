"""Periodic passes that make the database, not Redis, the guarantee: nothing paid is ever lost.

Session cleanup switches OFF overdue sessions whose OFF job was lost (Redis flushed, worker killed),
refunds interrupted sessions whose free-restart window ended with its job lost, expires overdue door
accesses (deleting their credential from the lock), and re-queues relay-ON for paid sessions that never
started, credentials never made, refunds never sent and Stripe events never applied.
"""

from __future__ import annotations

import logging

from hygate_app import providers
from hygate_app.db import session_scope
from hygate_app.models.columns import utcnow
from hygate_app.services import device_sessions, door_access, refunds, session_recovery, stripe_events

log = logging.getLogger(__name__)
# How often `rq cron` runs the cleanup: an OFF lost with Redis or a killed worker is at most this late.
CLEANUP_INTERVAL_SECONDS = 300


def session_cleanup() -> dict[str, int]:
    deps = providers.session_deps()
    now = utcnow()
    with session_scope() as db:
        overdue = device_sessions.overdue_sessions(db, now)
        stuck = device_sessions.stuck_pending_sessions(db, now)
        offers_over = session_recovery.expired_restart_offers(db, now)
        unapplied = stripe_events.unprocessed_event_ids(db, now)
        overdue_accesses = door_access.overdue_accesses(db, now)
        stuck_accesses = door_access.stuck_pending_accesses(db, now)
        stuck_refunds = refunds.stuck_pending_refunds(db, now)
    ended = 0
    for session_id in overdue:
        with session_scope() as db:
            ended += device_sessions.switch_relay_off(db, session_id, deps, final_attempt=True,
                                                      reason="session cleanup")
    for session_id in offers_over:
        with session_scope() as db:
            session_recovery.end_restart_offer(db, session_id, deps.queue, deps.updates)
    for session_id in stuck:
        deps.queue.enqueue("jobs.relay.switch_relay_on", session_id, job_id=f"relay-on-{session_id}",
                           retries=device_sessions.RELAY_ON_RETRIES)
    for event_id in unapplied:
        stripe_events.enqueue_processing(deps.queue, event_id)
    for refund in stuck_refunds:
        refunds.enqueue_send(deps.queue, refund)
    expired = _expire_door_accesses(overdue_accesses, stuck_accesses)
    result = {"ended": ended, "restart_offers_ended": len(offers_over),
              "requeued_relay_on": len(stuck), "requeued_events": len(unapplied),
              "requeued_refunds": len(stuck_refunds),
              "expired_accesses": expired, "requeued_credentials": len(stuck_accesses)}
    log.info("session cleanup: %s", result)
    return result


def _expire_door_accesses(overdue: list[int], stuck: list[int]) -> int:
    if not overdue and not stuck:
        return 0  # no TTLock client is built (nor its token fetched) when there is nothing to do
    deps = providers.access_deps()
    for access_id in overdue:
        with session_scope() as db:
            door_access.expire_access(db, access_id, deps, final_attempt=True)
    for access_id in stuck:
        door_access.enqueue_issue(deps.queue, access_id)
    return len(overdue)
