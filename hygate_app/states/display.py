"""How staff pages show times and amounts: one spelling everywhere."""

from __future__ import annotations

from datetime import datetime

from hygate_app.services.money import format_amount


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def iso(value: datetime | None) -> str:
    """For `rx.moment`, which shows it relative to now in the browser."""
    return value.isoformat() if value else ""


def amount(minor: int, currency: str) -> str:
    return format_amount(minor, currency)
