"""What the guest's `/session/{token}` page shows, rebuilt from the database at any time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from hygate_app.models import Device, DeviceSession, Location, Payment, PaymentKind, Refund, RefundStatus, UsagePlan
from hygate_app.models.columns import utcnow
from hygate_app.services.device_sessions import GuestPhase, finishing_seconds, guest_phase
from hygate_app.services.errors import NotFound
from hygate_app.services.money import format_amount


@dataclass(frozen=True)
class SessionView:
    token: str
    # awaiting_payment | starting | active | complete | cancelled | failed: the browser derives
    # grace / running / finishing from the times below while `active`.
    status: str
    phase: GuestPhase
    device_name: str
    device_uid: str
    display_code: str
    location_name: str
    plan_name: str
    amount: str
    duration_minutes: int
    delay_minutes: int
    starts_at_ms: int
    ends_at_ms: int
    finishing_ms: int
    server_now_ms: int
    failure_reason: str
    refund_text: str


def _ms(value: datetime | None) -> int:
    return int(value.timestamp() * 1000) if value else 0


def refund_text(db: Session, payment: Payment) -> str:
    refunds = db.exec(select(Refund).where(Refund.payment_id == payment.id)).all()
    if not refunds:
        return ""
    amount = format_amount(sum(r.amount_minor for r in refunds), payment.currency)
    if all(r.status == RefundStatus.succeeded for r in refunds):
        return f"{amount} has been refunded to your card."
    if any(r.status == RefundStatus.failed for r in refunds):
        return f"The refund of {amount} could not be sent automatically; staff have been alerted."
    return f"A refund of {amount} is on its way to your card."


def load_session_view(db: Session, token: str) -> SessionView:
    payment = db.exec(select(Payment).where(Payment.guest_token == token)).first()
    if payment is None or payment.kind != PaymentKind.device:
        raise NotFound("This session does not exist.")
    session = db.exec(select(DeviceSession).where(DeviceSession.payment_id == payment.id)).first()
    device = db.get(Device, payment.device_id)
    plan = db.get(UsagePlan, payment.usage_plan_id)
    location = db.get(Location, payment.location_id)
    now = utcnow()
    phase = guest_phase(session, payment.status.value, now)
    if session is None:
        status = phase.value
    else:
        status = {"pending": "starting", "active": "active", "completed": "complete"}.get(
            session.status.value, session.status.value
        )
    return SessionView(
        token=token,
        status=status,
        phase=phase,
        device_name=device.name,
        device_uid=device.uid,
        display_code=device.display_code,
        location_name=location.name,
        plan_name=plan.name,
        amount=format_amount(payment.amount_minor, payment.currency),
        duration_minutes=payment.duration_minutes,
        delay_minutes=payment.delay_minutes,
        starts_at_ms=_ms(session.starts_at) if session else 0,
        ends_at_ms=_ms(session.ends_at) if session else 0,
        finishing_ms=int(finishing_seconds(payment.duration_minutes) * 1000),
        server_now_ms=_ms(now),
        failure_reason=(session.failure_reason or "") if session else "",
        refund_text=refund_text(db, payment),
    )
