"""The receipt of a paid guest payment: what it states, built from the database whenever it is asked for.

Reachable only with the payment's guest token (the capability the guest's own page already uses), and only once the
payment is paid; later refunds show on it. The same `Receipt` is drawn as a PDF (receipt_pdf), as a printable page
(receipt_page) and summed up in the e-mail (receipt_mail), all with the words in `TEXT`, in the guest's language
(the guest catalogues, `receipt.*`), its amounts and date written the language's way, the date on the location's
clock.

VAT: prices are gross. The VAT included in a gross amount is gross × rate / (100 + rate), rounded half-up to the
currency's minor unit, computed on what the guest finally paid (the amount less refunds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from babel.numbers import format_decimal
from sqlmodel import Session, select

from hygate_app.models import Location, Payment, PaymentKind, PaymentStatus, Refund, RefundStatus
from hygate_app.services import branding, receipt_settings, translations
from hygate_app.services.errors import NotFound
from hygate_app.services.local_time import local_datetime_text, location_zone
from hygate_app.services.money import format_amount
from hygate_app.services.translations import N_

RECEIPT_STATUSES = (PaymentStatus.paid, PaymentStatus.partially_refunded, PaymentStatus.refunded)
NOT_AVAILABLE = "There is no receipt here."

# Every word a receipt shows a guest, by the message id it has in the guest catalogues.
TEXT = {
    "title": N_("receipt.title"),
    "number": N_("receipt.number"),
    "date": N_("receipt.date"),
    "item": N_("receipt.item"),
    "location": N_("receipt.location"),
    "paid": N_("receipt.paid"),
    "refunded": N_("receipt.refunded"),
    "refund_pending": N_("receipt.refund_pending"),
    "total": N_("receipt.total"),
    "vat": N_("receipt.vat"),
    "tax_id": N_("receipt.tax_id"),
    "reference": N_("receipt.reference"),
    "own_reference": N_("receipt.own_reference"),
    "local_time": N_("receipt.local_time"),
    "device_item": N_("receipt.device_item"),
    "door_item": N_("receipt.door_item"),
    "thanks": N_("receipt.thanks"),
    "print": N_("receipt.print"),
    "pdf": N_("receipt.download_pdf"),
    "back": N_("receipt.back"),
    "not_available": N_("receipt.not_available"),
    "email_subject": N_("receipt.email_subject"),
    "email_attached": N_("receipt.email_attached"),
}


def word(language: str, key: str, **params: object) -> str:
    """One of the receipt's words in `language` (English where a catalogue lacks it)."""
    return translations.gettext(language, TEXT[key], **params)


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
    language: str = translations.DEFAULT_LANGUAGE

    @property
    def total_minor(self) -> int:
        return self.amount_minor - self.refunded_minor

    def money(self, amount_minor: int) -> str:
        return format_amount(amount_minor, self.currency, locale=self.language)

    def text(self, key: str, **params: object) -> str:
        return word(self.language, key, **params)

    @property
    def guest_page(self) -> str:
        return f"/{'session' if self.kind == PaymentKind.device.value else 'access'}/{self.token}"

    @property
    def filename(self) -> str:
        return f"receipt-{self.number}.pdf"

    def lines(self) -> list[tuple[str, str, str]]:
        """Label, value and a note under the value (the date's time zone) of each fact between the seller and the
        amounts, in print order."""
        return [(self.text("date"), self.paid_at, self.text("local_time", zone=self.time_zone)),
                (self.text("item"), self.item, ""), (self.text("location"), self.location, ""),
                (self.text("reference"), self.reference, "")]

    def amounts(self) -> list[tuple[str, str, str]]:
        """Label, value and role of each amount line: role "total" for what the guest finally paid, "vat" for the
        VAT included in it, "line" for the others."""
        if not self.refunded_minor and not self.refund_pending_minor:
            rows = [(self.text("paid"), self.money(self.amount_minor), "total")]
        else:
            rows = [(self.text("paid"), self.money(self.amount_minor), "line")]
            if self.refunded_minor:
                rows.append((self.text("refunded"), "−" + self.money(self.refunded_minor), "line"))
            if self.refund_pending_minor:
                rows.append((self.text("refund_pending"), self.money(self.refund_pending_minor), "line"))
            rows.append((self.text("total"), self.money(self.total_minor), "total"))
        if self.vat_rate:
            rows.append((self.text("vat", rate=format_decimal(Decimal(self.vat_rate), locale=self.language)),
                         self.money(self.vat_minor), "vat"))
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


def load_receipt(db: Session, token: str, language: str = translations.DEFAULT_LANGUAGE) -> Receipt:
    """NotFound, with one message whatever the reason (unknown token, not paid yet, never paid)."""
    payment = db.exec(select(Payment).where(Payment.guest_token == token)).first() if token else None
    if payment is None:
        raise NotFound(NOT_AVAILABLE)
    return receipt_for(db, payment, language)


def receipt_for(db: Session, payment: Payment, language: str = translations.DEFAULT_LANGUAGE) -> Receipt:
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
    item = word(language, "device_item" if payment.kind == PaymentKind.device else "door_item",
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
        paid_at=local_datetime_text(payment.paid_at, zone, language),
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
        reference=payment.stripe_payment_intent_id or word(language, "own_reference", id=payment.id),
        footer=brand.footer,
        language=language,
    )
