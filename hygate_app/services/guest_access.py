"""What the guest's `/access/{token}` page shows, rebuilt from the database at any time.

Only this one payment's door access is read; the credential is shown while the access is active and not
after (an expired code is not the guest's any more). Times are given in the location's time zone, the
one printed on the door.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M
from sqlmodel import Session, select

from hygate_app.models import Door, DoorAccess, DoorAccessStatus, Location, Payment, PaymentKind
from hygate_app.models.columns import utcnow
from hygate_app.services.errors import NotFound
from hygate_app.services.guest_sessions import refund_text
from hygate_app.services.money import format_amount


@dataclass(frozen=True)
class AccessView:
    token: str
    # awaiting_payment | preparing | ready | expired | cancelled | failed
    status: str
    door_name: str
    door_uid: str
    display_code: str
    location_name: str
    amount: str
    access_minutes: int
    passcode: str
    qr_image: str  # a data: URI of the QR code to show at the lock's reader, or ""
    valid_from: str
    valid_until: str
    time_zone: str
    failure_reason: str
    refund_text: str


def qr_data_uri(payload: str) -> str:
    """The QR content as an SVG image the page can show inline (no file, no extra route)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=2,
                         image_factory=qrcode.image.svg.SvgPathImage)
    code.add_data(payload)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_text(moment: datetime, zone: ZoneInfo) -> str:
    """`Sun 29 Mar 2026, 03:15` on the location's clock (so a window across a DST change reads right)."""
    return moment.astimezone(zone).strftime("%a %d %b %Y, %H:%M")


def _status(access: DoorAccess | None, payment_status: str, now: datetime) -> str:
    if access is None:
        return {"expired": "cancelled", "failed": "failed"}.get(payment_status, "awaiting_payment")
    if access.status == DoorAccessStatus.pending:
        return "preparing"
    if access.status == DoorAccessStatus.active:
        # Past its window the code no longer opens the door, even before the expiry job has run.
        return "expired" if access.valid_until <= now else "ready"
    return access.status.value


def load_access_view(db: Session, token: str) -> AccessView:
    payment = db.exec(select(Payment).where(Payment.guest_token == token)).first()
    if payment is None or payment.kind != PaymentKind.door:
        raise NotFound("This access does not exist.")
    access = db.exec(select(DoorAccess).where(DoorAccess.payment_id == payment.id)).first()
    door = db.get(Door, payment.door_id)
    location = db.get(Location, payment.location_id)
    zone = _zone(location.timezone)
    status = _status(access, payment.status.value, utcnow())
    ready = status == "ready"
    return AccessView(
        token=token,
        status=status,
        door_name=door.name,
        door_uid=door.uid,
        display_code=door.display_code,
        location_name=location.name,
        amount=format_amount(payment.amount_minor, payment.currency),
        access_minutes=payment.duration_minutes or door.access_minutes,
        passcode=(access.passcode or "") if ready else "",
        qr_image=qr_data_uri(access.qr_payload) if ready and access.qr_payload else "",
        valid_from=local_text(access.valid_from, zone) if access and access.status != DoorAccessStatus.failed else "",
        valid_until=local_text(access.valid_until, zone) if access and access.status != DoorAccessStatus.failed else "",
        time_zone=zone.key,
        failure_reason=(access.failure_reason or "") if access else "",
        refund_text=refund_text(db, payment),
    )
