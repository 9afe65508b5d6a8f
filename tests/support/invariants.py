"""The four promises Hygate keeps whatever fails, checked against the database and what the simulators hold
(the relay really is OFF in the Shelly cloud, the code really is gone from the TTLock cloud):

1. every paid device session ends with its relay OFF no later than one cleanup period after `ends_at`;
2. no device session or door credential exists without a paid payment;
3. every paid payment has its session or access, or its money back;
4. the audit chain verifies.

Only the payments after `after_payment_id` (and what they bought) are looked at: the shared test database
holds other tests' hand-made rows. The audit chain is checked whole. Every broken promise is listed, one line each.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from sqlmodel import Session, select

from hygate_app.models import (
    Device,
    DeviceSession,
    DeviceSessionStatus,
    Door,
    DoorAccess,
    DoorAccessStatus,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from hygate_app.models.columns import utcnow
from hygate_app.services import audit
from jobs.maintenance import CLEANUP_INTERVAL_SECONDS

S, A = DeviceSessionStatus, DoorAccessStatus
PAID = (PaymentStatus.paid, PaymentStatus.partially_refunded, PaymentStatus.refunded)
SESSION_ENDED = (S.completed, S.failed, S.cancelled)
SESSION_DELIVERED = (S.active, S.completed)
ACCESS_DELIVERED = (A.active, A.expired)


def check_invariants(db: Session, *, after_payment_id: int, shelly_url: str, ttlock_url: str | None = None,
                     stripe_url: str | None = None, now: datetime | None = None) -> None:
    """Raise AssertionError naming every broken promise. Give the simulators' URLs to check them too: the
    Shelly cloud always (relay states), the TTLock cloud for live codes, the Stripe account for money taken."""
    db.expire_all()
    now = now or utcnow()
    problems = [
        *relays_off_after_the_end(db, after_payment_id, now, shelly_url),
        *nothing_without_a_paid_payment(db, after_payment_id, now, ttlock_url),
        *every_payment_delivered_or_refunded(db, after_payment_id, stripe_url),
        *audit_chain_problems(db),
    ]
    assert not problems, f"{len(problems)} invariant(s) broken:\n" + "\n".join(f"- {p}" for p in problems)


def relays_off_after_the_end(db: Session, after_payment_id: int, now: datetime, shelly_url: str) -> list[str]:
    deadline = now - timedelta(seconds=CLEANUP_INTERVAL_SECONDS)
    sessions = db.exec(select(DeviceSession).where(DeviceSession.payment_id > after_payment_id)
                       .order_by(DeviceSession.id)).all()
    relays = {d["id"]: d for d in httpx.get(f"{shelly_url}/_sim/devices", timeout=5).json()["devices"]}
    problems, reported = [], set()
    for session in sessions:
        overdue = session.ends_at <= deadline
        if overdue and session.status not in SESSION_ENDED:
            problems.append(f"device session #{session.id} is still {session.status.value}, "
                            f"{_minutes(now - session.ends_at)} min after its paid end")
        if not (overdue or session.status in SESSION_ENDED) or session.device_id in reported:
            continue
        device = db.get(Device, session.device_id)
        if _in_use(db, device.id, deadline):
            continue  # a later session (still within its time) owns the relay now
        relay = relays.get(device.shelly_device_id)
        if relay is None:
            problems.append(f"device {device.shelly_device_id} of session #{session.id} is unknown to the Shelly cloud")
        elif relay["relays"][device.channel]["on"]:
            reported.add(device.id)
            problems.append(f"relay of device {device.shelly_device_id} is ON although session #{session.id} "
                            f"ended ({session.status.value}, paid end {session.ends_at:%H:%M:%S})")
    return problems


def nothing_without_a_paid_payment(db: Session, after_payment_id: int, now: datetime,
                                   ttlock_url: str | None) -> list[str]:
    problems = []
    for kind, model in (("device session", DeviceSession), ("door access", DoorAccess)):
        for row in db.exec(select(model).where(model.payment_id > after_payment_id).order_by(model.id)).all():
            payment = db.get(Payment, row.payment_id)
            if payment.status not in PAID or payment.paid_at is None:
                problems.append(f"{kind} #{row.id} exists but its payment #{payment.id} is {payment.status.value}")
    if ttlock_url:
        problems += _unheld_lock_codes(db, after_payment_id, now, ttlock_url)
    return problems


def _unheld_lock_codes(db: Session, after_payment_id: int, now: datetime, ttlock_url: str) -> list[str]:
    """A live code on a lock is a key to the door: each must belong to an active, paid door access."""
    accesses = db.exec(select(DoorAccess).where(DoorAccess.payment_id > after_payment_id)).all()
    locks = {int(db.get(Door, a.door_id).ttlock_lock_id) for a in accesses
             if (db.get(Door, a.door_id).ttlock_lock_id or "").isdigit()}
    held = {a.ttlock_credential_id for a in accesses
            if a.status == A.active and db.get(Payment, a.payment_id).status in PAID}
    codes = httpx.get(f"{ttlock_url}/_sim/credentials", timeout=5).json()["credentials"]
    return [f"{c['kind']} #{c['id']} on lock {c['lock_id']} opens the door until {c['valid_until']} "
            "but no active paid door access holds it"
            for c in codes
            if c["lock_id"] in locks and not c["deleted"] and c["end_ms"] > now.timestamp() * 1000
            and str(c["id"]) not in held]


def every_payment_delivered_or_refunded(db: Session, after_payment_id: int, stripe_url: str | None) -> list[str]:
    payments = db.exec(select(Payment).where(Payment.id > after_payment_id).order_by(Payment.id)).all()
    problems = []
    if stripe_url:
        problems += _money_taken_but_not_recorded(payments, stripe_url)
    for payment in payments:
        if payment.status in PAID:
            problems += _delivery_problems(db, payment)
    return problems


def _money_taken_but_not_recorded(payments: list[Payment], stripe_url: str) -> list[str]:
    events = httpx.get(f"{stripe_url}/_sim/events", timeout=5).json()["data"]
    charged = {e["event"]["data"]["object"]["id"] for e in events if e["type"] == "checkout.session.completed"}
    return [f"Stripe took the money for payment #{p.id} (checkout {p.stripe_checkout_session_id}) "
            f"but Hygate has it {p.status.value}"
            for p in payments if p.stripe_checkout_session_id in charged and p.status not in PAID]


def _delivery_problems(db: Session, payment: Payment) -> list[str]:
    model = DeviceSession if payment.device_id is not None else DoorAccess
    kind = "device session" if model is DeviceSession else "door access"
    target = db.exec(select(model).where(model.payment_id == payment.id)).first()
    refunds = db.exec(select(Refund).where(Refund.payment_id == payment.id).order_by(Refund.id)).all()
    refunded = sum(r.amount_minor for r in refunds if r.status == RefundStatus.succeeded)
    name = f"paid payment #{payment.id}"
    problems = [f"{name}: refund #{r.id} of {r.amount_minor} is {r.status.value}"
                + (f" ({r.last_error})" if r.last_error else "")
                for r in refunds if r.status != RefundStatus.succeeded]
    if target is None:
        if refunded < payment.amount_minor:
            problems.append(f"{name} has no {kind} and {refunded} of {payment.amount_minor} refunded")
        return problems
    if target.status in (S.pending, A.pending):
        problems.append(f"{name}: its {kind} #{target.id} is still pending (never delivered)")
    delivered = target.status in (SESSION_DELIVERED if model is DeviceSession else ACCESS_DELIVERED)
    partly_used = model is DeviceSession and target.relay_on_at is not None
    if target.status not in (S.pending, A.pending) and not delivered and not partly_used \
            and refunded < payment.amount_minor:
        problems.append(f"{name}: its {kind} #{target.id} is {target.status.value} but only {refunded} "
                        f"of {payment.amount_minor} was refunded")
    return problems


def audit_chain_problems(db: Session) -> list[str]:
    broken = audit.first_broken_row(db)
    return [] if broken is None else [f"the audit chain is broken at row #{broken}"]


def _in_use(db: Session, device_id: int, deadline: datetime) -> bool:
    return db.exec(select(DeviceSession.id).where(DeviceSession.device_id == device_id,
                                                  DeviceSession.status == S.active,
                                                  DeviceSession.ends_at > deadline)).first() is not None


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)
