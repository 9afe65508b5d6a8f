"""The `rq cron` schedule (run exactly one `rq cron jobs.schedule` process: it has no lock of its own)."""

from rq import cron

from hygate_app.services.queue import QUEUE_NAME
from jobs.maintenance import session_cleanup

cron.register(session_cleanup, queue_name=QUEUE_NAME, interval=300)
