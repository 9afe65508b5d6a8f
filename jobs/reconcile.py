"""Reconciliation every two minutes (services/reconciliation.py), one pass at a time across all workers.

A Redis lock (non-blocking, with a timeout so a killed worker cannot hold it for ever) lets a pass that finds
another still running skip. The rotating sweep's cursor lives in Redis too: losing it only restarts the sweep.
"""

from __future__ import annotations

import logging

from redis.exceptions import LockError

from hygate_app import providers
from hygate_app.config import get_settings
from hygate_app.db import session_scope
from hygate_app.services import reconciliation

log = logging.getLogger(__name__)
LOCK_KEY = "hygate:reconcile:lock"
CURSOR_KEY = "hygate:reconcile:cursor"
# Longer than any pass (60 reads and a few commands at one call a second): a pass never outlives its lock.
LOCK_TIMEOUT_SECONDS = 600


def reconcile_relays() -> dict:
    redis = providers.redis()
    lock = redis.lock(LOCK_KEY, timeout=LOCK_TIMEOUT_SECONDS, blocking=False)
    if not lock.acquire():
        log.info("reconciliation: another pass is running; this one is skipped")
        return {"skipped": True}
    try:
        cursor = int(redis.get(CURSOR_KEY) or 0)
        summary = reconciliation.reconcile(session_scope, providers.session_deps(), cursor=cursor,
                                           read_calls=get_settings().reconcile_read_calls)
        redis.set(CURSOR_KEY, summary["next_cursor"])
        return summary
    finally:
        try:
            lock.release()
        except LockError:  # it outlived its timeout and another pass holds it now: that one releases it
            log.warning("reconciliation: the lock expired before the pass ended")
