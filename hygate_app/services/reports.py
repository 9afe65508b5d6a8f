"""Reports: revenue and usage by day, week or month, per location, door or device, and their CSV export.

Every row is bucketed by the local date of its own location (a payment at 23:30 UTC is the next day in
Europe/Berlin), so a report crosses daylight-saving changes and mixes time zones correctly. Amounts are
never summed across currencies: each currency has its own rows.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, func, select

from hygate_app.models import (
    Device,
    DeviceSession,
    DeviceSessionStatus,
    Door,
    DoorAccess,
    DoorAccessStatus,
    Location,
    Payment,
    PaymentStatus,
)
from hygate_app.services.csv_export import csv_line
from hygate_app.services.errors import InvalidInput
from hygate_app.services.local_time import local_day_start
from hygate_app.services.money import decimal_amount

# A payment counts as revenue once money moved; what was given back is subtracted, not the payment dropped.
REVENUE_STATUSES = (PaymentStatus.paid, PaymentStatus.partially_refunded, PaymentStatus.refunded)
# Usage is what was delivered or is being delivered; cancelled and failed sessions gave nothing.
USED_SESSION_STATUSES = (DeviceSessionStatus.pending, DeviceSessionStatus.active, DeviceSessionStatus.completed)
USED_ACCESS_STATUSES = (DoorAccessStatus.pending, DoorAccessStatus.active, DoorAccessStatus.expired)


class Period(enum.StrEnum):
    day = "day"
    week = "week"  # starts on Monday (ISO), as PostgreSQL's date_trunc('week')
    month = "month"


class GroupBy(enum.StrEnum):
    none = "none"
    location = "location"
    door = "door"
    device = "device"


# The longest range per period: enough for any chart, and a bound on the number of rows returned.
MAX_RANGE_DAYS = {Period.day: 366, Period.week: 3 * 366, Period.month: 10 * 366}


@dataclass(frozen=True)
class ReportQuery:
    """date_from and date_to are local dates, both included; each location reads them in its own time zone."""

    period: Period
    group_by: GroupBy
    date_from: date
    date_to: date
    location_id: int | None = None


@dataclass(frozen=True)
class ReportRow:
    """Revenue of one bucket, group and currency. group_key/group_name are None when not grouped."""

    bucket: date  # the local date the day, week (Monday) or month (1st) starts on
    group_key: int | None
    group_name: str | None
    currency: str
    payments: int
    gross_minor: int
    refunded_minor: int
    net_minor: int


@dataclass(frozen=True)
class UsageRow:
    bucket: date
    group_key: int | None
    group_name: str | None
    device_sessions: int
    paid_minutes: int
    door_accesses: int


def _checked(query: ReportQuery) -> ReportQuery:
    """The query with its enums coerced from whatever a page sent, or InvalidInput saying what is wrong."""
    try:
        period, group_by = Period(query.period), GroupBy(query.group_by)
    except ValueError:
        raise InvalidInput("Choose a period (day, week, month) and a grouping (none, location, door, device).") \
            from None
    if query.date_from > query.date_to:
        raise InvalidInput("The start date must not be after the end date.")
    if (query.date_to - query.date_from).days >= MAX_RANGE_DAYS[period]:
        raise InvalidInput(f"A {period.value} report covers at most {MAX_RANGE_DAYS[period]} days: "
                           "choose a shorter range or a longer period.")
    return ReportQuery(period, group_by, query.date_from, query.date_to, query.location_id)


def revenue_report(db: Session, query: ReportQuery) -> list[ReportRow]:
    """Payments count, gross, refunded and net per bucket, group and currency.

    A payment is bucketed by its created_at, and its refunds are counted against it (not on the refund's
    own date), so a past bucket changes when a later refund is recorded.
    """
    query = _checked(query)
    keys = _payment_group_columns(query.group_by)

    def source(*columns: Any) -> sa.Select:
        stmt = select(*columns).select_from(Payment).join(Location, Location.id == Payment.location_id)
        if query.group_by is GroupBy.door:
            stmt = stmt.join(Door, Door.id == Payment.door_id)
        elif query.group_by is GroupBy.device:
            stmt = stmt.join(Device, Device.id == Payment.device_id)
        stmt = stmt.where(Payment.status.in_(REVENUE_STATUSES))
        return stmt if query.location_id is None else stmt.where(Payment.location_id == query.location_id)

    totals = _bucket_totals(db, query, source, Payment.created_at, [*keys, func.lower(Payment.currency)],
                            [sa.literal_column("1"), Payment.amount_minor, Payment.amount_refunded_minor])
    rows = []
    for bucket, *key, currency, count, gross, refunded in totals:
        group_key, group_name = key if key else (None, None)
        rows.append(ReportRow(bucket, group_key, group_name, currency, int(count), int(gross), int(refunded),
                              int(gross) - int(refunded)))
    return sorted(rows, key=lambda r: (r.bucket, r.group_name or "", r.group_key or 0, r.currency))


def _payment_group_columns(group_by: GroupBy) -> list[Any]:
    """Grouping by door keeps door payments only, by device device payments only (inner joins)."""
    return {
        GroupBy.none: [],
        GroupBy.location: [Location.id, Location.name],
        GroupBy.door: [Door.id, Door.name],
        GroupBy.device: [Device.id, Device.name],
    }[group_by]


def usage_report(db: Session, query: ReportQuery) -> list[UsageRow]:
    """Device sessions (count, paid minutes) by when their paid minutes start, door accesses by when they
    become valid. Grouped by door there are no device sessions, grouped by device no door accesses."""
    query = _checked(query)
    usage: dict[tuple[date, int | None, str | None], list[int]] = {}
    if query.group_by is not GroupBy.door:
        for bucket, *key, sessions, minutes in _session_totals(db, query):
            entry = usage.setdefault((bucket, *(key or (None, None))), [0, 0, 0])
            entry[0], entry[1] = int(sessions), int(minutes)
    if query.group_by is not GroupBy.device:
        for bucket, *key, accesses in _access_totals(db, query):
            usage.setdefault((bucket, *(key or (None, None))), [0, 0, 0])[2] = int(accesses)
    rows = [UsageRow(bucket, key, name, *counts) for (bucket, key, name), counts in usage.items()]
    return sorted(rows, key=lambda r: (r.bucket, r.group_name or "", r.group_key or 0))


def _session_totals(db: Session, query: ReportQuery) -> list[tuple]:
    keys = {GroupBy.none: [], GroupBy.location: [Location.id, Location.name],
            GroupBy.device: [Device.id, Device.name]}[query.group_by]

    def source(*columns: Any) -> sa.Select:
        stmt = (select(*columns).select_from(DeviceSession).join(Device, Device.id == DeviceSession.device_id)
                .join(Location, Location.id == Device.location_id)
                .where(DeviceSession.status.in_(USED_SESSION_STATUSES)))
        return stmt if query.location_id is None else stmt.where(Device.location_id == query.location_id)

    return _bucket_totals(db, query, source, DeviceSession.starts_at, keys,
                          [sa.literal_column("1"), DeviceSession.duration_minutes])


def _access_totals(db: Session, query: ReportQuery) -> list[tuple]:
    keys = {GroupBy.none: [], GroupBy.location: [Location.id, Location.name],
            GroupBy.door: [Door.id, Door.name]}[query.group_by]

    def source(*columns: Any) -> sa.Select:
        stmt = (select(*columns).select_from(DoorAccess).join(Door, Door.id == DoorAccess.door_id)
                .join(Location, Location.id == Door.location_id)
                .where(DoorAccess.status.in_(USED_ACCESS_STATUSES)))
        return stmt if query.location_id is None else stmt.where(Door.location_id == query.location_id)

    return _bucket_totals(db, query, source, DoorAccess.valid_from, keys, [sa.literal_column("1")])


def _bucket_totals(db: Session, query: ReportQuery, source: Callable[..., sa.Select], at: Any, keys: list[Any],
                   sums: list[Any]) -> list[tuple]:
    """Rows of (bucket, *keys, *sums) for the rows of `source` whose `at` falls in the query's local dates.

    `source(*columns)` selects from a table joined to Location, with its filters. PostgreSQL buckets and
    sums in SQL; SQLite, which knows no time zones, hands the matching rows to `_sum_by_local_bucket`.
    """
    window = local_dates_condition(db, at, query.date_from, query.date_to, query.location_id)
    if db.get_bind().dialect.name == "postgresql":
        # The period is an enum value written into the SQL (not a parameter), so the bucket expression in
        # SELECT and GROUP BY is the same text and PostgreSQL accepts it.
        local = func.timezone(Location.timezone, at)
        bucket = sa.cast(func.date_trunc(sa.literal_column(f"'{query.period.value}'"), local), sa.Date)
        stmt = source(bucket, *keys, *(func.sum(s) for s in sums)).where(window).group_by(bucket, *keys)
        return [tuple(row) for row in db.execute(stmt)]
    rows = db.execute(source(at, Location.timezone, *keys, *sums).where(window))
    return _sum_by_local_bucket(rows, query.period, len(keys))


def _sum_by_local_bucket(rows: Iterable[Any], period: Period, key_count: int) -> list[tuple]:
    """SQLite only (the embedded single-machine default, with small data): bucket each row in Python by
    its location's local date, then sum. PostgreSQL does the same in SQL with date_trunc."""
    totals: dict[tuple, list[int]] = {}
    for at, timezone, *rest in rows:
        group = (local_bucket(at, timezone, period), *rest[:key_count])
        sums = totals.setdefault(group, [0] * (len(rest) - key_count))
        for i, value in enumerate(rest[key_count:]):
            sums[i] += value or 0
    return [(*group, *sums) for group, sums in totals.items()]


def local_bucket(at: datetime, timezone: str, period: Period) -> date:
    """The local date the day, week (Monday) or month holding `at` starts on, in `timezone`."""
    day = at.astimezone(ZoneInfo(timezone)).date()
    if period is Period.week:
        return day - timedelta(days=day.weekday())
    if period is Period.month:
        return day.replace(day=1)
    return day


def location_zones(db: Session, location_id: int | None = None) -> list[str]:
    """The distinct time zones of the locations: few, whatever the number of payments."""
    stmt = select(Location.timezone).distinct()
    if location_id is not None:
        stmt = stmt.where(Location.id == location_id)
    return list(db.exec(stmt).all())


def local_dates_condition(db: Session, at: Any, date_from: date, date_to: date,
                          location_id: int | None = None) -> sa.ColumnElement[bool]:
    """`at` falls on date_from..date_to in its location's zone (Location must be joined).

    The exact local bounds are computed per time zone in Python, so the condition is plain UTC comparisons
    on both SQLite and PostgreSQL; the outer bounds let PostgreSQL use an index range on `at`.
    """
    bounds = {zone: (local_day_start(date_from, zone), local_day_start(date_to + timedelta(days=1), zone))
              for zone in location_zones(db, location_id)}
    if not bounds:
        return sa.false()
    earliest = min(start for start, _ in bounds.values())
    latest = max(end for _, end in bounds.values())
    if len(bounds) == 1:  # the usual case, one time zone: the outer bounds are exact
        return sa.and_(at >= earliest, at < latest)
    per_zone = [sa.and_(Location.timezone == zone, at >= start, at < end) for zone, (start, end) in bounds.items()]
    return sa.and_(at >= earliest, at < latest, sa.or_(*per_zone))


REVENUE_CSV_HEADER = ["period_start", "group_id", "group", "currency", "payments", "gross", "refunded", "net"]
USAGE_CSV_HEADER = ["period_start", "group_id", "group", "device_sessions", "paid_minutes", "door_accesses"]


def report_csv(rows: Iterable[ReportRow]) -> Iterator[str]:
    """The revenue report as CSV lines, amounts as decimals in the currency's unit (12.50, JPY 1250)."""
    yield csv_line(REVENUE_CSV_HEADER)
    for row in rows:
        yield csv_line([row.bucket.isoformat(), row.group_key, row.group_name, row.currency.upper(), row.payments,
                        *(decimal_amount(v, row.currency) for v in (row.gross_minor, row.refunded_minor,
                                                                      row.net_minor))])


def usage_csv(rows: Iterable[UsageRow]) -> Iterator[str]:
    yield csv_line(USAGE_CSV_HEADER)
    for row in rows:
        yield csv_line([row.bucket.isoformat(), row.group_key, row.group_name, row.device_sessions,
                        row.paid_minutes, row.door_accesses])
