"""The `rq cron` schedule (run exactly one `rq cron jobs.schedule` process: it has no lock of its own)."""

from rq import cron

from hygate_app.services.queue import QUEUE_NAME
from jobs.audit import verify_audit_chain
from jobs.maintenance import session_cleanup

cron.register(session_cleanup, queue_name=QUEUE_NAME, interval=300)
# Daily, at a quiet hour (UTC): the whole chain is walked, so keep it off busy times.
cron.register(verify_audit_chain, queue_name=QUEUE_NAME, cron="17 3 * * *", job_timeout=3600)
