"""What the guest's `/access/{token}` page shows, rebuilt from the database at any time, written in the
guest's language.

Only this one payment's door access is read; the credential is shown while the access is active and not
after (an expired code is not the guest's any more). Times are given in the location's time zone, the
one printed on the door.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import datetime

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M
from sqlmodel import Session, select

from hygate_app.models import Door, DoorAccess, DoorAccessStatus, Location, Payment, PaymentKind
from hygate_app.models.columns import utcnow
from hygate_app.services import receipts
from hygate_app.services.errors import NotFound
from hygate_app.services.guest_sessions import refund_text
from hygate_app.services.local_time import local_datetime_text, location_zone
from hygate_app.services.money import format_amount
from hygate_app.services.translations import N_
from hygate_app.services.typed_text import storable


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
    refund_text: str
    has_receipt: bool  # paid: the page links the receipt (PDF and printable)


def qr_data_uri(payload: str) -> str:
    """The QR content as an SVG image the page can show inline (no file, no extra route)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=2,
                         image_factory=qrcode.image.svg.SvgPathImage)
    code.add_data(payload)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _status(access: DoorAccess | None, payment_status: str, now: datetime) -> str:
    if access is None:
        return {"expired": "cancelled", "failed": "failed"}.get(payment_status, "awaiting_payment")
    if access.status == DoorAccessStatus.pending:
        return "preparing"
    if access.status == DoorAccessStatus.active:
        # Past its window the code no longer opens the door, even before the expiry job has run.
        return "expired" if access.valid_until <= now else "ready"
    return access.status.value


def load_access_view(db: Session, token: str, language: str = "en") -> AccessView:
    payment = db.exec(select(Payment).where(Payment.guest_token == token)).first() if storable(token) else None
    if payment is None or payment.kind != PaymentKind.door:
        raise NotFound("This access does not exist.", message_id=N_("not_found.access"))
    access = db.exec(select(DoorAccess).where(DoorAccess.payment_id == payment.id)).first()
    door = db.get(Door, payment.door_id)
    location = db.get(Location, payment.location_id)
    zone = location_zone(location.timezone)
    status = _status(access, payment.status.value, utcnow())
    ready = status == "ready"
    window = access is not None and access.status != DoorAccessStatus.failed
    return AccessView(
        token=token,
        status=status,
        door_name=door.name,
        door_uid=door.uid,
        display_code=door.display_code,
        location_name=location.name,
        amount=format_amount(payment.amount_minor, payment.currency, language),
        access_minutes=payment.duration_minutes or door.access_minutes,
        passcode=(access.passcode or "") if ready else "",
        qr_image=qr_data_uri(access.qr_payload) if ready and access.qr_payload else "",
        valid_from=local_datetime_text(access.valid_from, zone, language) if window else "",
        valid_until=local_datetime_text(access.valid_until, zone, language) if window else "",
        time_zone=zone.key,
        refund_text=refund_text(db, payment, language),
        has_receipt=receipts.is_available(payment),
    )
