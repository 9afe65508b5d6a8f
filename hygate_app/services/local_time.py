"""Local calendar days in a location's time zone, as UTC instants the database can compare."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def local_day_start(day: date, timezone: str) -> datetime:
    """The UTC instant `day` begins in `timezone` (where midnight does not exist, when the day begins)."""
    return datetime.combine(day, time(), ZoneInfo(timezone)).astimezone(UTC)
