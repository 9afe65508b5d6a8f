"""Amounts are integers in the currency's minor unit everywhere; this turns them into text."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision


def format_amount(amount_minor: int, currency: str, locale: str = "en") -> str:
    code = currency.upper()
    value = Decimal(amount_minor).scaleb(-get_currency_precision(code))
    return format_currency(value, code, locale=locale)
