"""Reconciliation on the real stack: the job on the RQ worker, its Redis lock and cursor, two passes at once on
PostgreSQL refunding once, and session cleanup ending a free-restart offer whose job was lost."""

from __future__ import annotations

import threading
from datetime import timedelta

import httpx
from rq import Queue
from rq.cron import CronScheduler
from sqlmodel import select

from hygate_app import providers
from hygate_app.config import get_settings
from hygate_app.integrations.shelly import ShellyClient
from hygate_app.models import AuditLog, DeviceSessionStatus, Payment, Refund
from hygate_app.models.columns import utcnow
from hygate_app.services import reconciliation
from hygate_app.services.device_sessions import SessionDeps
from hygate_app.services.guest_updates import RedisGuestUpdates
from hygate_app.services.queue import QUEUE_NAME
from jobs.maintenance import session_cleanup
from jobs.reconcile import CURSOR_KEY, LOCK_KEY, reconcile_relays
from tests.support.catalogue import new_device, relay_state
from tests.support.purchases import running_session, session_of
from tests.support.stack import wait_for

S = DeviceSessionStatus


def audited(pg, action: str, target_id) -> list[AuditLog]:
    pg.expire_all()
    return pg.exec(select(AuditLog).where(AuditLog.action == action, AuditLog.target_id == str(target_id))).all()


def test_the_cron_schedule_runs_reconciliation_every_two_minutes():
    scheduler = CronScheduler(connection=providers.redis())
    scheduler.load_config_from_file("jobs.schedule")
    jobs = {job.func_name: job for job in scheduler.get_jobs()}
    assert jobs["jobs.reconcile.reconcile_relays"].interval == 120


def test_the_job_on_the_worker_switches_off_a_relay_nobody_paid_for(stack, pg):
    device = new_device(pg, stack.shelly)
    httpx.post(f"{stack.shelly}/_sim/devices/{device.shelly_device_id}/relay", json={"on": True}).raise_for_status()
    Queue(QUEUE_NAME, connection=providers.redis()).enqueue("jobs.reconcile.reconcile_relays")
    wait_for(lambda: audited(pg, "device.relay_off_unpaid", device.id), timeout=60, interval=1,
             message="the unpaid relay to be switched OFF")
    assert relay_state(stack.shelly, device.shelly_device_id)["on"] is False


def test_a_pass_finding_another_running_is_skipped_and_a_pass_keeps_its_cursor(stack, pg):
    redis = providers.redis()
    held = redis.lock(LOCK_KEY, timeout=30)
    # The stack's own cron pass may hold the lock for a moment: wait our turn, then hold it ourselves.
    assert held.acquire(blocking=True, blocking_timeout=90)
    try:
        assert reconcile_relays() == {"skipped": True}
    finally:
        held.release()
    summary = reconcile_relays()
    assert summary["api_calls"] >= 1 and summary["error"] == ""
    assert int(redis.get(CURSOR_KEY)) == summary["next_cursor"]


def test_two_passes_at_once_fail_a_stuck_relay_session_and_refund_it_once(stack, pg):
    device = new_device(pg, stack.shelly, minutes=10, price=1000)
    session = running_session(stack, pg, device)
    # The relay board dies: it is OFF and follows no command any more.
    httpx.post(f"{stack.shelly}/_sim/devices", json={"id": device.shelly_device_id, "name": "Test washer",
                                                     "stuck": True}).raise_for_status()
    # One client for both passes, as one worker process has: its pacing keeps the pair under the cloud's limit.
    shelly = ShellyClient(stack.shelly, get_settings().shelly_auth_key, min_interval=1.0)
    deps = SessionDeps(shelly=shelly, queue=providers.job_queue(), updates=RedisGuestUpdates(providers.redis()),
                       auto_off_margin_seconds=30)
    from hygate_app.db import session_scope

    results: list[dict] = []
    passes = [threading.Thread(target=lambda: results.append(reconciliation.reconcile(session_scope, deps)))
              for _ in range(2)]
    for each in passes:
        each.start()
    for each in passes:
        each.join(timeout=120)
    assert len(results) == 2 and all(r["error"] == "" for r in results)
    assert sum(r["failed"] for r in results) == 1

    ended = session_of(pg, session_payment := pg.get(Payment, session.payment_id))
    assert ended.status == S.failed
    [refund] = pg.exec(select(Refund).where(Refund.payment_id == session_payment.id)).all()
    assert refund.idempotency_key.endswith(":unused-minutes")
    # Unused: the paid time after the last sight of the device working (its relay ON), rounded down.
    assert refund.amount_minor == 1000 * ended.unused_seconds // 600
    assert 0 < refund.amount_minor <= 1000
    assert len(audited(pg, "device_session.failed", session.id)) == 1
    wait_for(lambda: (pg.expire_all(), pg.get(Refund, refund.id).status.value)[1] == "succeeded", timeout=30,
             message="the refund job to send it to Stripe")


def test_session_cleanup_refunds_an_interrupted_session_whose_offer_job_was_lost(stack, pg):
    device = new_device(pg, stack.shelly, minutes=10, price=1000)
    session = running_session(stack, pg, device)
    session.status, session.unused_seconds = S.interrupted, 300
    session.restart_until = utcnow() - timedelta(seconds=1)
    pg.commit()

    assert session_cleanup()["restart_offers_ended"] >= 1

    assert session_of(pg, payment := pg.get(Payment, session.payment_id)).status == S.failed
    [refund] = pg.exec(select(Refund).where(Refund.payment_id == payment.id)).all()
    assert refund.amount_minor == 500
