"""Times on a location's clock: its calendar days as UTC instants the database can compare, and moments
written for a guest in the guest's language (Babel's CLDR data: `So., 29. März 2026, 03:15`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_skeleton

# The days a filter may name: any Hygate can have data for. Farther ones break day arithmetic (9999-12-31 has no
# next day; 0001-01-01 in UTC+1 begins before year 1).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)


def typed_day(text: str) -> date | None:
    """A date typed in a filter (YYYY-MM-DD), or None when it is not one or is outside FIRST_DAY…LAST_DAY."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def local_day_start(day: date, timezone: str) -> datetime:
    """The UTC instant `day` begins in `timezone` (where midnight does not exist, when the day begins)."""
    return datetime.combine(day, time(), ZoneInfo(timezone)).astimezone(UTC)


def location_zone(name: str | None) -> ZoneInfo:
    """A location's zone; an unknown or empty name (never stored through the admin, but possible) reads as UTC."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_clock_text(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """The 24-hour time on the location's clock (`03:15`; `3:15` in Spanish)."""
    return format_skeleton("Hm", moment, tzinfo=zone, locale=language)


def local_datetime_text(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """Weekday, date and 24-hour time on the location's clock, as the language writes them. Converted from
    the UTC instant, so a window across a daylight-saving change reads right (01:30 → 03:30 in one hour)."""
    day = format_skeleton("yMMMEd", moment, tzinfo=zone, locale=language)
    pattern = Locale.parse(language).datetime_formats["medium"]
    return pattern.replace("'", "").replace("{1}", day).replace("{0}", local_clock_text(moment, zone, language))

