"""The `rq cron` schedule (run exactly one `rq cron jobs.schedule` process: it has no lock of its own)."""

from rq import cron

from hygate_app.services.queue import QUEUE_NAME
from jobs.audit import verify_audit_chain
from jobs.catalogue_sync import refresh_ttlock_token, sync_devices, sync_locks
from jobs.maintenance import CLEANUP_INTERVAL_SECONDS, session_cleanup
from jobs.reconcile import reconcile_relays
from jobs.retention import apply_retention

HOUR = 3600

cron.register(session_cleanup, queue_name=QUEUE_NAME, interval=CLEANUP_INTERVAL_SECONDS)
cron.register(reconcile_relays, queue_name=QUEUE_NAME, interval=120, job_timeout=900)
# Daily, at a quiet hour (UTC): the whole chain is walked, so keep it off busy times.
cron.register(verify_audit_chain, queue_name=QUEUE_NAME, cron="17 3 * * *", job_timeout=3600)
# Daily: personal data past the periods chosen in Settings → Privacy (idempotent: a second run finds nothing).
cron.register(apply_retention, queue_name=QUEUE_NAME, cron="47 3 * * *", job_timeout=3600)
# The TTLock token lives for months; refreshing well before expiry means it never lapses on a quiet account.
cron.register(refresh_ttlock_token, queue_name=QUEUE_NAME, interval=6 * HOUR)
# Battery, gateway and online badges. These reads share the accounts' limits with paid work: Shelly Cloud's
# per-second rate, and TTLock's monthly call allowance (a few thousand calls on small plans, two per lock per
# sync), which paid visits must never find spent, hence once a day for locks. Staff can sync at any time.
cron.register(sync_locks, queue_name=QUEUE_NAME, interval=24 * HOUR, job_timeout=HOUR)
cron.register(sync_devices, queue_name=QUEUE_NAME, interval=6 * HOUR, job_timeout=HOUR)
