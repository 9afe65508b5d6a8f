"""The daily audit check (run by `rq cron`): verify the chain, record the result, publish a checkpoint.

The checkpoint line goes to the log and to the administrators' inboxes, and the last good one is kept
in Redis so the next run can check that history up to it was not rewritten.
"""

from __future__ import annotations

import logging

from hygate_app import providers
from hygate_app.db import session_scope
from hygate_app.services import audit
from hygate_app.services.admin_alerts import administrator_emails, alert_administrators
from hygate_app.services.audit_verification import Checkpoint, CheckpointError, verify
from hygate_app.services.encryption import key_ring

log = logging.getLogger("hygate.audit")
LAST_CHECKPOINT_KEY = "hygate:audit:last-checkpoint"


def _last_checkpoint(redis) -> Checkpoint | None:
    stored = redis.get(LAST_CHECKPOINT_KEY)
    if stored is None:
        return None
    try:
        return Checkpoint.parse(stored.decode())
    except CheckpointError:
        log.error("the stored audit checkpoint is damaged and was ignored: %r", stored[:200])
        return None


def verify_audit_chain() -> dict:
    redis = providers.redis()
    with session_scope() as db:
        result = verify(db, key_ring(), _last_checkpoint(redis))
        audit.record(db, "audit.verified" if result.intact else "audit.verification_failed",
                     target_type="audit_log", details=result.details())
        admins = administrator_emails(db)
    checkpoint = result.checkpoint.line() if result.checkpoint else "(the audit log is empty)"
    if result.intact:
        log.info("%s checkpoint: %s", result.summary(), checkpoint)
        if result.checkpoint:
            # Only a verified head moves the pin forward: a broken chain keeps failing every day.
            redis.set(LAST_CHECKPOINT_KEY, checkpoint)
    else:
        log.error("%s checkpoint: %s", result.summary(), checkpoint)
    subject = "Hygate audit log verified" if result.intact else "ALERT: Hygate audit log verification failed"
    text = (f"{result.summary()}\n\nKeep this checkpoint; `python -m hygate_app.cli verify-audit --checkpoint "
            f"'<line>'` checks later that history up to it is unchanged:\n\n{checkpoint}\n")
    key = f"audit-{result.checkpoint.row_id if result.checkpoint else 0}-{'ok' if result.intact else 'failed'}"
    mailed = alert_administrators(providers.mailer(), admins, subject, text, key=key)
    return {**result.details(), "checkpoint": checkpoint, "mailed": mailed}
