"""Who the receipts say the seller is (Settings → Branding → Receipts): legal name, address, VAT number and VAT rate,
one JSON row in `settings`.

Prices are gross (VAT included). A receipt shows its VAT line only when both the rate and the VAT number are set:
a rate alone would print a tax line no tax office can attribute to anyone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlmodel import Session

from hygate_app.services import audit, setting_rows
from hygate_app.services.errors import InvalidInput

KEY = "receipts"
NAME_MAX = 120
ADDRESS_LINES_MAX = 3
ADDRESS_LINE_MAX = 120
TAX_ID_MAX = 40
_TAX_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .\-/]*")
# Up to two decimals ("19", "7.7", "5.5", "8.10"); a comma is read as the decimal point.
_RATE = re.compile(r"\d{1,2}(?:\.\d{1,2})?")


@dataclass(frozen=True)
class ReceiptSettings:
    legal_name: str = ""
    address: str = ""  # up to three lines, "\n" between them
    tax_id: str = ""
    vat_rate: str = ""  # percent as entered and normalised ("19", "7.7"); "" for none

    @property
    def address_lines(self) -> tuple[str, ...]:
        return tuple(line for line in self.address.split("\n") if line)

    @property
    def vat_percent(self) -> Decimal | None:
        """The rate when the receipt shows VAT (rate and VAT number both set), else None."""
        return Decimal(self.vat_rate) if self.vat_rate and self.tax_id else None


def load(db: Session) -> ReceiptSettings:
    return setting_rows.load(db, KEY, ReceiptSettings)


def _one_line(label: str, value: str, limit: int) -> str:
    value = " ".join((value or "").split())
    if len(value) > limit:
        raise InvalidInput(f"{label} is {len(value)} characters long; at most {limit} fit on a receipt.")
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise InvalidInput(f"{label} may not contain control characters.")
    return value


def _clean_address(value: str) -> str:
    lines = [_one_line("Each address line", line, ADDRESS_LINE_MAX) for line in (value or "").splitlines()]
    lines = [line for line in lines if line]
    if len(lines) > ADDRESS_LINES_MAX:
        raise InvalidInput(f"The address has {len(lines)} lines; at most {ADDRESS_LINES_MAX} fit on a receipt.")
    return "\n".join(lines)


def _clean_tax_id(value: str) -> str:
    value = _one_line("The VAT number", value, TAX_ID_MAX)
    if value and not _TAX_ID.fullmatch(value):
        raise InvalidInput("The VAT number may hold only letters, digits, spaces, dots, dashes and slashes.")
    return value


def clean_rate(value: str) -> str:
    """"19", "7,7", "7.70 %" → "19", "7.7", "7.7"; "" stays "" (no VAT). Between 0 and 100, exclusive."""
    text = (value or "").strip().removesuffix("%").strip().replace(",", ".")
    if not text:
        return ""
    problem = InvalidInput("The VAT rate must be a percentage like 19 or 7.7 (above 0, below 100, "
                           "at most two decimals).")
    if not _RATE.fullmatch(text):
        raise problem
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise problem from None
    if rate <= 0:
        raise problem
    return format(rate.normalize(), "f")


def save(db: Session, new: ReceiptSettings, actor: audit.Actor) -> ReceiptSettings:
    """Nothing is written or audited when nothing changed."""
    cleaned = ReceiptSettings(
        legal_name=_one_line("The legal name", new.legal_name, NAME_MAX),
        address=_clean_address(new.address),
        tax_id=_clean_tax_id(new.tax_id),
        vat_rate=clean_rate(new.vat_rate),
    )
    return setting_rows.save(db, KEY, cleaned, actor, "settings.receipts_changed")
