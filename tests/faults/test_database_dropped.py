"""The database connection dropped in the middle of a webhook: the server process serving it is terminated
(`pg_terminate_backend`) while it waits on a lock the test holds. First while the web process records the event
(Stripe gets a non-2xx and sends it again), then while the worker applies it (RQ runs the job again). Either way
nothing is half-written and the payment buys exactly one session."""

from __future__ import annotations

import httpx
import psycopg
import pytest
from sqlmodel import func, select

from hygate_app.config import get_settings
from hygate_app.models import AuditLog, DeviceSession, DeviceSessionStatus, WebhookEvent
from tests.support.catalogue import new_device
from tests.support.purchases import open_checkout, session_of
from tests.support.stack import wait_for

pytestmark = pytest.mark.faults


def terminate_backend_waiting_on(sql_start: str) -> None:
    """Find the server process blocked on the test's lock while running `sql_start…`, and end it."""
    with psycopg.connect(get_settings().database_url, autocommit=True) as admin:
        def blocked():
            return admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                " AND query ILIKE %s", [f"{sql_start}%"]).fetchone()

        [pid] = wait_for(blocked, timeout=20, message=f"a server process blocked in {sql_start}")
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)


def pay(stack, payment) -> None:
    httpx.post(f"{stack.stripe}/_sim/checkout/{payment.stripe_checkout_session_id}/pay", timeout=10).raise_for_status()


def exactly_once(pg, payment) -> None:
    pg.expire_all()
    [event] = pg.exec(select(WebhookEvent).where(WebhookEvent.object_id == payment.stripe_checkout_session_id)).all()
    assert event.attempts == 1  # the interrupted try left nothing, not even its count
    assert pg.exec(select(func.count()).select_from(DeviceSession)
                   .where(DeviceSession.payment_id == payment.id)).one() == 1
    assert pg.exec(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "payment.paid", AuditLog.target_id == str(payment.id))).one() == 1


def test_connection_dropped_while_the_web_process_records_the_webhook(run, stack, pg):
    payment = open_checkout(stack, pg, new_device(pg, stack.shelly, minutes=30))
    with psycopg.connect(get_settings().database_url) as blocker:
        blocker.execute("LOCK TABLE webhook_events IN SHARE MODE")  # inserts wait
        pay(stack, payment)
        terminate_backend_waiting_on("INSERT INTO webhook_events")
    run.settle()

    deliveries = [e["delivery"] for e in httpx.get(f"{stack.stripe}/_sim/events", timeout=5).json()["data"]
                  if e["event"]["data"]["object"]["id"] == payment.stripe_checkout_session_id]
    assert [(d["status"], d["attempts"] >= 2) for d in deliveries] == [("delivered", True)]  # refused, then sent again
    assert session_of(pg, payment).status == DeviceSessionStatus.active
    exactly_once(pg, payment)
    run.check_invariants()


def test_connection_dropped_while_the_worker_applies_the_webhook(run, stack, pg):
    payment = open_checkout(stack, pg, new_device(pg, stack.shelly, minutes=30))
    with psycopg.connect(get_settings().database_url) as blocker:
        blocker.execute("SELECT id FROM payments WHERE id = %s FOR UPDATE", [payment.id])
        pay(stack, payment)
        terminate_backend_waiting_on("SELECT payments.")
    run.settle()

    assert session_of(pg, payment).status == DeviceSessionStatus.active
    exactly_once(pg, payment)
    run.check_invariants()
