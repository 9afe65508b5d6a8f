"""A paid 45-minute wash (4.50 EUR) on the demo washer, for the reconciliation and free-restart unit tests, and
the few simulator and clock moves those tests make."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from sqlmodel import select

from hygate_app.integrations.stripe_gateway import StripeGateway
from hygate_app.models import Device, DeviceSession, DeviceSessionStatus, Payment, UsagePlan
from hygate_app.models.columns import utcnow
from hygate_app.services import checkout, device_sessions
from tests.support.webhooks import checkout_event, deliver

WASHER = "shelly-demo-washer"


def sim(server, path: str, body: dict) -> None:
    """A control call on the Shelly simulator (`/_sim/<path>`)."""
    httpx.post(f"{server.url}/_sim/{path}", json=body).raise_for_status()


def paid_wash(db, deps, gateway: StripeGateway) -> DeviceSession:
    """Paid: a pending session whose relay-ON job has not run yet."""
    plan = db.exec(select(UsagePlan).where(UsagePlan.name == "Standard wash")).one()
    started = checkout.start_device_checkout(db, gateway, device_uid="demo-washer", plan_id=plan.id, email=None,
                                             base_url="http://guest.test")
    payment = db.exec(select(Payment).where(Payment.guest_token == started.guest_token)).one()
    deliver(db, deps, checkout_event(payment))
    return db.exec(select(DeviceSession).where(DeviceSession.payment_id == payment.id)).one()


def running_wash(db, deps, gateway: StripeGateway) -> DeviceSession:
    session = paid_wash(db, deps, gateway)
    device_sessions.switch_relay_on(db, session.id, deps, final_attempt=True)
    db.refresh(session)
    assert session.status == DeviceSessionStatus.active
    return session


def age(db, session: DeviceSession, *, minutes: int, seconds: int = 0, seen_after: int = 0) -> datetime:
    """The session started this long ago (relay ON confirmed then), and Hygate last saw its device online
    `seen_after` seconds after that start. Returns that last sight."""
    started = utcnow() - timedelta(minutes=minutes, seconds=seconds)
    session.paid_at = session.starts_at = session.relay_on_at = started
    session.ends_at = started + timedelta(minutes=session.duration_minutes)
    seen = started + timedelta(seconds=seen_after)
    db.get(Device, session.device_id).last_seen_at = seen
    db.commit()
    return seen
