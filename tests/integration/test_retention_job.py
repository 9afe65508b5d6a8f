"""The daily retention job on the real stack: run by the RQ worker against PostgreSQL, registered with `rq cron`."""

from __future__ import annotations

from datetime import timedelta

from rq import Queue
from rq.cron import CronScheduler
from sqlmodel import select

from hygate_app import providers
from hygate_app.models import AuditLog, Payment, WebhookEvent
from hygate_app.models.columns import utcnow
from hygate_app.services.queue import QUEUE_NAME
from hygate_app.services.retention import ERASED_PAYLOAD
from tests.support.catalogue import new_device
from tests.support.purchases import running_session
from tests.support.stack import wait_for


def test_the_worker_erases_an_address_past_its_period_and_keeps_the_payment(stack, pg):
    session = running_session(stack, pg, new_device(pg, stack.shelly), email="ninety.one@example.com")
    payment = pg.get(Payment, session.payment_id)
    payment.created_at = utcnow() - timedelta(days=91)
    event = wait_for(lambda: pg.exec(select(WebhookEvent).where(
        WebhookEvent.object_id == payment.stripe_checkout_session_id,
        WebhookEvent.processed_at.is_not(None))).first(), timeout=30, message="the event to be applied")
    event.processed_at = utcnow() - timedelta(days=91)
    pg.commit()

    Queue(QUEUE_NAME, connection=providers.redis()).enqueue("jobs.retention.apply_retention")

    def erased():
        pg.expire_all()
        return pg.get(Payment, payment.id).customer_email is None
    wait_for(erased, timeout=30, interval=0.5, message="the address to be erased")
    pg.expire_all()
    assert pg.get(Payment, payment.id).amount_minor == payment.amount_minor
    assert pg.get(WebhookEvent, event.id).payload == ERASED_PAYLOAD
    assert pg.exec(select(AuditLog).where(AuditLog.action == "retention.applied")).first() is not None


def test_the_cron_schedule_runs_retention_daily():
    scheduler = CronScheduler(connection=providers.redis())
    scheduler.load_config_from_file("jobs.schedule")
    jobs = {job.func_name: job for job in scheduler.get_jobs()}
    assert jobs["jobs.retention.apply_retention"].cron == "47 3 * * *"
