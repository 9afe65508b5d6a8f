"""The receipt of a paid guest payment: what it states, built from the database whenever it is asked for.

Reachable only with the payment's guest token (the capability the guest's own page already uses), and only once the
payment is paid; later refunds show on it. The same `Receipt` is drawn as a PDF (receipt_pdf), as a printable page
(receipt_page) and summed up in the e-mail (receipt_mail), all with the words in `TEXT`.

VAT: prices are gross. The VAT included in a gross amount is gross × rate / (100 + rate), rounded half-up to the
currency's minor unit, computed on what the guest finally paid (the amount less refunds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from sqlmodel import Session, select

from hygate_app.models import Location, Payment, PaymentKind, PaymentStatus, Refund, RefundStatus
from hygate_app.services import branding, receipt_settings
from hygate_app.services.errors import NotFound
from hygate_app.services.local_time import local_text, location_zone
from hygate_app.services.money import format_amount

RECEIPT_STATUSES = (PaymentStatus.paid, PaymentStatus.partially_refunded, PaymentStatus.refunded)
NOT_AVAILABLE = "There is no receipt here."

# Every word a receipt shows a guest, in one place (the PDF, the printable page and the e-mail use these).
TEXT = {
    "title": "Receipt",
    "number": "Receipt number",
    "date": "Date",
    "item": "Item",
    "location": "Location",
    "paid": "Amount paid",
    "refunded": "Refunded",
    "refund_pending": "Refund in progress",
    "total": "Total",
    "vat": "incl. VAT {rate}%",
    "tax_id": "VAT number",
    "reference": "Payment reference",
    "own_reference": "Hygate payment {id}",
    "local_time": "Local time ({zone})",
    "device_item": "{item}, {minutes} min",
    "door_item": "{item}, door access {minutes} min",
    "thanks": "Thank you for your payment.",
    "print": "Print",
    "pdf": "Download PDF",
    "back": "Back to your page",
    "email_subject": "Your receipt {number}",
    "email_attached": "Your receipt is attached as a PDF. You can also view and print it here:",
}


@dataclass(frozen=True)
class Receipt:
    token: str
    kind: str  # device | door: which guest page it belongs to
    number: str
    seller: str
    seller_address: tuple[str, ...]
    tax_id: str
    item: str
    location: str
    paid_at: str  # on the location's clock
    paid_at_utc: datetime
    time_zone: str
    currency: str
    amount_minor: int
    refunded_minor: int
    refund_pending_minor: int
    vat_rate: str  # "" when no VAT line is shown
    vat_minor: int
    reference: str
    footer: str

    @property
    def total_minor(self) -> int:
        return self.amount_minor - self.refunded_minor

    def money(self, amount_minor: int) -> str:
        return format_amount(amount_minor, self.currency)

    @property
    def guest_page(self) -> str:
        return f"/{'session' if self.kind == PaymentKind.device.value else 'access'}/{self.token}"

    @property
    def filename(self) -> str:
        return f"receipt-{self.number}.pdf"

    def lines(self) -> list[tuple[str, str]]:
        """Label and value of each fact between the seller and the amounts, in print order."""
        return [(TEXT["date"], self.paid_at), (TEXT["item"], self.item), (TEXT["location"], self.location),
                (TEXT["reference"], self.reference)]

    def amounts(self) -> list[tuple[str, str, str]]:
        """Label, value and role of each amount line: role "total" for what the guest finally paid, "vat" for the
        VAT included in it, "line" for the others."""
        if not self.refunded_minor and not self.refund_pending_minor:
            rows = [(TEXT["paid"], self.money(self.amount_minor), "total")]
        else:
            rows = [(TEXT["paid"], self.money(self.amount_minor), "line")]
            if self.refunded_minor:
                rows.append((TEXT["refunded"], "−" + self.money(self.refunded_minor), "line"))
            if self.refund_pending_minor:
                rows.append((TEXT["refund_pending"], self.money(self.refund_pending_minor), "line"))
            rows.append((TEXT["total"], self.money(self.total_minor), "total"))
        if self.vat_rate:
            rows.append((TEXT["vat"].format(rate=self.vat_rate), self.money(self.vat_minor), "vat"))
        return rows


def included_vat(gross_minor: int, rate_percent: Decimal) -> int:
    """The VAT inside a gross amount, half-up to the minor unit, in exact arithmetic (no float, no rounded
    intermediate): 450 at 19 % → 71.85 → 72; 1077 at 7.7 % → 77."""
    if gross_minor <= 0:
        return 0
    rate = Fraction(rate_percent)
    vat = Fraction(gross_minor) * rate / (100 + rate)
    return int(vat + Fraction(1, 2))  # floor(x + ½): half-up for the non-negative amounts here


def receipt_number(payment: Payment, year: int) -> str:
    """Stable for the payment: its year of payment on the location's clock and its id."""
    return f"HY-{year}-{payment.id:06d}"


def is_available(payment: Payment) -> bool:
    """Whether the guest's page should offer the receipt."""
    return payment.status in RECEIPT_STATUSES and payment.paid_at is not None


def load_receipt(db: Session, token: str) -> Receipt:
    """NotFound, with one message whatever the reason (unknown token, not paid yet, never paid)."""
    payment = db.exec(select(Payment).where(Payment.guest_token == token)).first() if token else None
    if payment is None:
        raise NotFound(NOT_AVAILABLE)
    return receipt_for(db, payment)


def receipt_for(db: Session, payment: Payment) -> Receipt:
    if not is_available(payment):
        raise NotFound(NOT_AVAILABLE)
    location = db.get(Location, payment.location_id)
    zone = location_zone(location.timezone if location else None)
    settings = receipt_settings.load(db)
    brand = branding.load(db)
    pending = sum(db.exec(select(Refund.amount_minor).where(Refund.payment_id == payment.id,
                                                            Refund.status == RefundStatus.pending)).all())
    refunded = payment.amount_refunded_minor
    rate = settings.vat_percent
    minutes = payment.duration_minutes
    item = TEXT["device_item" if payment.kind == PaymentKind.device else "door_item"].format(
        item=payment.item_name, minutes=minutes) if minutes else payment.item_name
    return Receipt(
        token=payment.guest_token,
        kind=payment.kind.value,
        number=receipt_number(payment, payment.paid_at.astimezone(zone).year),
        seller=settings.legal_name or brand.header,
        seller_address=settings.address_lines,
        tax_id=settings.tax_id,
        item=item,
        location=location.name if location else "",
        paid_at=local_text(payment.paid_at, zone),
        paid_at_utc=payment.paid_at,
        time_zone=zone.key,
        currency=payment.currency,
        amount_minor=payment.amount_minor,
        refunded_minor=refunded,
        # What is still on its way, beyond what Stripe already confirmed.
        refund_pending_minor=max(0, min(pending, payment.amount_minor - refunded)),
        vat_rate=settings.vat_rate if rate is not None else "",
        vat_minor=included_vat(payment.amount_minor - refunded, rate) if rate is not None else 0,
        # Stripe's payment intent is what the guest's bank statement and Stripe's support know; never a secret.
        reference=payment.stripe_payment_intent_id or TEXT["own_reference"].format(id=payment.id),
        footer=brand.footer,
    )
