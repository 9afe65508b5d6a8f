"""What the guest's `/session/{token}` page shows, rebuilt from the database at any time, written in the
guest's language; times on the location's clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from hygate_app.models import Device, DeviceSession, Location, Payment, PaymentKind, Refund, RefundStatus, UsagePlan
from hygate_app.models.columns import utcnow
from hygate_app.services import receipts, refunds
from hygate_app.services.device_sessions import GuestPhase, finishing_seconds, guest_phase
from hygate_app.services.errors import NotFound
from hygate_app.services.local_time import local_clock_text, location_zone
from hygate_app.services.money import format_amount
from hygate_app.services.translations import N_, gettext
from hygate_app.services.typed_text import storable


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
    spoken_marks: list[int]  # seconds left at which a screen reader is told the time (see `spoken_marks`)
    server_now_ms: int
    ends_at_text: str  # the end of the paid time on the location's clock, "" before it is known
    refund_text: str
    has_receipt: bool  # paid: the page links the receipt (PDF and printable)
    # While `interrupted`: until when the free restart is offered (on the location's clock), the minutes it
    # gives back and what is refunded instead if the guest lets the offer pass.
    restart_until: str = ""
    restart_minutes: int = 0
    restart_refund: str = ""


def spoken_marks(length_seconds: int) -> list[int]:
    """When the countdown tells a screen reader the time left (seconds left, ascending): every 5 minutes, then each
    minute of the last 5, then at 30 and 10 seconds. Often enough to plan by, never so often that it talks over
    whatever else the guest is listening to; the end itself is told by the phase changing."""
    return [10, 30, *range(60, 301, 60), *range(600, length_seconds + 1, 300)]


def _ms(value: datetime | None) -> int:
    return int(value.timestamp() * 1000) if value else 0


def refund_text(db: Session, payment: Payment, language: str = "en") -> str:
    refunds = db.exec(select(Refund).where(Refund.payment_id == payment.id)).all()
    if not refunds:
        return ""
    amount = format_amount(sum(r.amount_minor for r in refunds), payment.currency, language)
    if all(r.status == RefundStatus.succeeded for r in refunds):
        return gettext(language, "refund.done", amount=amount)
    if any(r.status == RefundStatus.failed for r in refunds):
        return gettext(language, "refund.failed", amount=amount)
    return gettext(language, "refund.pending", amount=amount)


def load_session_view(db: Session, token: str, language: str = "en") -> SessionView:
    payment = db.exec(select(Payment).where(Payment.guest_token == token)).first() if storable(token) else None
    if payment is None or payment.kind != PaymentKind.device:
        raise NotFound("This session does not exist.", message_id=N_("not_found.session"))
    session = db.exec(select(DeviceSession).where(DeviceSession.payment_id == payment.id)).first()
    device = db.get(Device, payment.device_id)
    plan = db.get(UsagePlan, payment.usage_plan_id)
    location = db.get(Location, payment.location_id)
    zone = location_zone(location.timezone)
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
        amount=format_amount(payment.amount_minor, payment.currency, language),
        duration_minutes=payment.duration_minutes,
        delay_minutes=payment.delay_minutes,
        starts_at_ms=_ms(session.starts_at) if session else 0,
        ends_at_ms=_ms(session.ends_at) if session else 0,
        finishing_ms=int(finishing_seconds(payment.duration_minutes) * 1000),
        spoken_marks=spoken_marks(payment.duration_minutes * 60),
        server_now_ms=_ms(now),
        ends_at_text=local_clock_text(session.ends_at, zone, language) if session else "",
        refund_text=refund_text(db, payment, language),
        has_receipt=receipts.is_available(payment),
        **_restart_offer(session, payment, now, zone, language),
    )


def _restart_offer(session: DeviceSession | None, payment: Payment, now: datetime, zone: ZoneInfo,
                   language: str) -> dict:
    """The offer's deadline on the location's clock and the refund, both written in the guest's language."""
    if session is None or session.restart_until is None or session.restart_until <= now:
        return {}
    unused = session.unused_seconds or 0
    refund = refunds.pro_rata_minor(payment.amount_minor, unused, session.duration_minutes * 60)
    return {"restart_until": local_clock_text(session.restart_until, zone, language),
            "restart_minutes": -(-unused // 60),
            "restart_refund": format_amount(refund, payment.currency, language)}
