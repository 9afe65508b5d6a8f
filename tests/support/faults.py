"""The fault suite's tools (`tests/faults/`): faults put into the running stack (integration failures, a stopped
or killed worker, lost Redis, held webhooks), time moved forward without waiting for it, and `FaultRun`: one
test's payments, the cleanup pass run as the cron runs it, the wait for everything to settle, the invariants."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import httpx
import sqlalchemy as sa
from redis import Redis
from rq.scheduler import RQScheduler
from sqlmodel import Session, select

from hygate_app.config import get_settings
from hygate_app.models import (
    DeviceSession,
    DeviceSessionStatus,
    DoorAccess,
    DoorAccessStatus,
    Payment,
    Refund,
    RefundStatus,
    WebhookEvent,
)
from hygate_app.models.columns import UTCDateTime
from hygate_app.services.queue import QUEUE_NAME
from jobs.maintenance import session_cleanup
from tests.support.invariants import check_invariants
from tests.support.stack import Stack, wait_for


def set_fault(simulator_url: str, **fault) -> None:
    """`/_sim/faults` of the Shelly or TTLock simulator: mode, count, delay_seconds, device_id / lock_id …"""
    httpx.post(f"{simulator_url}/_sim/faults", json=fault, timeout=5).raise_for_status()


def clear_faults() -> None:
    settings = get_settings()
    for url in (settings.shelly_base, settings.ttlock_base):
        set_fault(url, mode="ok")
    hold_webhooks(False)


def hold_webhooks(held: bool) -> None:
    """Stripe stops (or resumes) sending webhooks, so a test can deliver them itself, in its own order."""
    httpx.post(f"{get_settings().stripe_base}/_sim/delivery", json={"paused": held}, timeout=5).raise_for_status()


def last_payment_id(db: Session) -> int:
    """The invariants and the waits look at payments made after this one: the test's own."""
    return db.exec(select(sa.func.coalesce(sa.func.max(Payment.id), 0))).one()


@contextmanager
def worker_stopped(stack: Stack) -> Iterator[None]:
    """No worker takes jobs in the block: what it queues stays in Redis (or is lost with it)."""
    stack.stop("worker")
    try:
        yield
    finally:
        start_worker(stack)


def start_worker(stack: Stack) -> None:
    stack.start("worker", "-m", "jobs.worker")


def forget_dead_scheduler(redis: Redis) -> None:
    """A SIGKILLed worker's scheduler keeps its lock for another minute (its TTL): let that minute pass, so the
    next worker runs the scheduler (retries and `enqueue_at` jobs) from its start."""
    redis.delete(RQScheduler.get_locking_key(QUEUE_NAME))


def rewind(db: Session, model: type, ids: list[int], *, minutes: float) -> None:
    """As if these rows had been made `minutes` earlier: every timestamp they hold moves back in one UPDATE
    (the simulators' clocks do not move: a relay's own auto-off timer still runs in real time)."""
    delta = sa.literal(timedelta(minutes=minutes), sa.Interval())
    columns = {c.key: c - delta for c in model.__table__.columns if isinstance(c.type, UTCDateTime)}
    db.execute(sa.update(model).where(model.id.in_(ids)).values(**columns))
    db.commit()
    db.expire_all()


def unsettled(db: Session, after_payment_id: int) -> list[str]:
    """What is still on its way for the payments after `after_payment_id`: money Stripe took that Hygate has not
    recorded yet, deliveries, refunds."""
    db.expire_all()
    events = httpx.get(f"{get_settings().stripe_base}/_sim/events", timeout=5).json()["data"]
    charged = {e["event"]["data"]["object"]["id"] for e in events if e["type"] == "checkout.session.completed"}
    payments = db.exec(select(Payment).where(Payment.id > after_payment_id)).all()
    return [
        *(f"payment #{p.id} (paid at Stripe)" for p in payments
          if p.stripe_checkout_session_id in charged and p.paid_at is None),
        *(f"device session #{i}" for i in db.exec(select(DeviceSession.id).where(
            DeviceSession.payment_id > after_payment_id, DeviceSession.status == DeviceSessionStatus.pending))),
        *(f"door access #{i}" for i in db.exec(select(DoorAccess.id).where(
            DoorAccess.payment_id > after_payment_id, DoorAccess.status == DoorAccessStatus.pending))),
        *(f"refund #{i}" for i in db.exec(select(Refund.id).where(
            Refund.payment_id > after_payment_id, Refund.status == RefundStatus.pending))),
    ]


@dataclass
class FaultRun:
    """The payments one fault test makes (ids after `after`) and the promises they must keep."""

    stack: Stack
    db: Session
    after: int

    def minutes_pass(self, minutes: float) -> None:
        """Move everything this test made `minutes` into the past: its payments, sessions, accesses, refunds
        and Stripe events (the simulators keep real time)."""
        made = self.db.exec(select(Payment).where(Payment.id > self.after)).all()
        payments, checkouts = [p.id for p in made], [p.stripe_checkout_session_id for p in made]
        for model, column, values in ((Payment, Payment.id, payments),
                                      (DeviceSession, DeviceSession.payment_id, payments),
                                      (DoorAccess, DoorAccess.payment_id, payments),
                                      (Refund, Refund.payment_id, payments),
                                      (WebhookEvent, WebhookEvent.object_id, checkouts)):
            ids = self.db.exec(select(model.id).where(column.in_(values))).all()
            if ids:
                rewind(self.db, model, list(ids), minutes=minutes)

    def cleanup(self) -> dict[str, int]:
        """The cleanup pass, as `rq cron` runs it. It waits until the Shelly cloud has been quiet for a second:
        the client paces its calls per process (per RQ job, in fact) and does not yet retry a call refused by the
        cloud's one-request-a-second limit, so a pass starting right after another process's call would leave
        that relay to the next pass, five minutes later."""
        wait_for(lambda: time.time() - _last_shelly_call(self.stack) > 1.1, timeout=10, interval=0.2,
                 message="a quiet second on the Shelly cloud")
        return session_cleanup()

    def settle(self, timeout: float = 60) -> None:
        """Until nothing of this test's payments is on its way any more (the worker's retries included)."""
        left: list[str] = []

        def settled() -> bool:
            left[:] = unsettled(self.db, self.after)
            return not left

        try:
            wait_for(settled, timeout=timeout, interval=0.5, message="the payments to settle")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; still pending: {', '.join(left)}") from None

    def check_invariants(self) -> None:
        check_invariants(self.db, after_payment_id=self.after, shelly_url=self.stack.shelly,
                         ttlock_url=get_settings().ttlock_base, stripe_url=self.stack.stripe)


def _last_shelly_call(stack: Stack) -> float:
    commands = httpx.get(f"{stack.shelly}/_sim/commands", timeout=5).json()["commands"]
    return max((c["at"] for c in commands), default=0.0)
