"""Amounts are integers in the currency's minor unit everywhere; this turns them into text."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision


def decimal_amount(amount_minor: int, currency: str) -> Decimal:
    """450 EUR cents → Decimal("4.50"); 450 JPY → Decimal("450"); 450 KWD fils → Decimal("0.450")."""
    return Decimal(amount_minor).scaleb(-get_currency_precision(currency.upper()))


def format_amount(amount_minor: int, currency: str, locale: str = "en") -> str:
    return format_currency(decimal_amount(amount_minor, currency), currency.upper(), locale=locale)
