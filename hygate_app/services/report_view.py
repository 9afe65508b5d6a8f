"""What the Reports page and its CSV route need around `services.reports`: reading the choices a browser sent,
the CSV link for them, chart series per currency (amounts of different currencies are never added), totals and
one page of the table.

No Reflex here: the page state and the CSV route both call it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from hygate_app.services.errors import InvalidInput
from hygate_app.services.ids import parse_id
from hygate_app.services.local_time import FIRST_DAY, LAST_DAY, typed_day
from hygate_app.services.money import decimal_amount
from hygate_app.services.paging import Page, PageRequest
from hygate_app.services.reports import GroupBy, Period, ReportQuery, ReportRow, UsageRow

CSV_ROUTE = "/api/admin/reports.csv"
DEFAULT_DAYS = 30
# More lines or bar segments than this are unreadable: the smallest groups are added up as "Other".
MAX_SERIES = 8
OTHER = "Other"
COLOURS = ("#0b6bcb", "#e5484d", "#30a46c", "#f76b15", "#8e4ec6", "#12a594", "#d6409f", "#ffb224", "#8d8d8d")


class Kind(enum.StrEnum):
    revenue = "revenue"
    usage = "usage"


@dataclass(frozen=True)
class ReportRequest:
    kind: Kind
    query: ReportQuery

    def params(self) -> dict[str, str]:
        """The choices as URL parameters, read back by `parse_request`."""
        q = self.query
        params = {"kind": self.kind.value, "period": q.period.value, "group": q.group_by.value,
                  "from": q.date_from.isoformat(), "to": q.date_to.isoformat()}
        if q.location_id is not None:
            params["location"] = str(q.location_id)
        return params

    def csv_href(self) -> str:
        return f"{CSV_ROUTE}?{urlencode(self.params())}"

    def csv_filename(self) -> str:
        q = self.query
        return f"hygate-{self.kind.value}-{q.period.value}-{q.date_from.isoformat()}-{q.date_to.isoformat()}.csv"


def default_request(today: date) -> ReportRequest:
    """Revenue per day over the last 30 days, every location."""
    return ReportRequest(Kind.revenue, ReportQuery(Period.day, GroupBy.none, today - timedelta(days=DEFAULT_DAYS - 1),
                                                   today))


def _choice(enum_type: type[enum.StrEnum], value: Any, what: str) -> Any:
    try:
        return enum_type(str(value or "").strip())
    except ValueError:
        names = ", ".join(m.value for m in enum_type)
        raise InvalidInput(f"Choose a {what} ({names}).") from None


def _day(value: Any, what: str) -> date:
    text = str(value or "").strip()
    if not text:
        raise InvalidInput(f"Enter the {what} date.")
    day = typed_day(text)
    if day is None:
        raise InvalidInput(f"The {what} date must be a date like 2026-06-30, from {FIRST_DAY.year} to "
                           f"{LAST_DAY.year}.")
    return day


def _location(value: Any) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    location_id = parse_id(text)  # beyond an integer column, the query itself would fail
    if location_id is None:
        raise InvalidInput("Choose a location from the list.")
    return location_id


def parse_request(params: Mapping[str, Any]) -> ReportRequest:
    """The page's form or the CSV route's URL parameters as a report request, or InvalidInput saying what to fix.

    Reversed dates and ranges too long for the period are refused by `services.reports` itself.
    """
    kind = _choice(Kind, params.get("kind"), "report")
    period = _choice(Period, params.get("period"), "period")
    group_by = _choice(GroupBy, params.get("group"), "grouping")
    date_from, date_to = _day(params.get("from"), "start"), _day(params.get("to"), "end")
    if date_from > date_to:
        raise InvalidInput("The start date must not be after the end date.")
    return ReportRequest(kind, ReportQuery(period, group_by, date_from, date_to, _location(params.get("location"))))


# --- charts ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Series:
    key: str  # the field of each data point holding this series' value ("s0", "s1", …): never a name
    name: str
    colour: str


@dataclass(frozen=True)
class Chart:
    title: str
    data: list[dict[str, Any]]  # one point per period: {"period": "2026-06-01", "s0": 12.5, …}
    series: list[Series] = field(default_factory=list)


def buckets(query: ReportQuery) -> list[date]:
    """Every day, week (Monday) or month (1st) the range touches, so a chart has no holes where nothing sold."""
    step = query.date_from
    if query.period is Period.week:
        step -= timedelta(days=step.weekday())
    elif query.period is Period.month:
        step = step.replace(day=1)
    found = []
    while step <= query.date_to:
        found.append(step)
        if query.period is Period.day:
            step += timedelta(days=1)
        elif query.period is Period.week:
            step += timedelta(days=7)
        else:
            step = (step.replace(day=28) + timedelta(days=4)).replace(day=1)
    return found


def _series_names(groups: Sequence[tuple[int | None, str | None]]) -> dict[int | None, str]:
    """Group names as the legend shows them; two groups of the same name (two "Washer"s) get their ids."""
    counts: dict[str | None, int] = {}
    for _, name in groups:
        counts[name] = counts.get(name, 0) + 1
    return {key: ("All" if key is None else (f"{name} #{key}" if counts[name] > 1 else name or f"#{key}"))
            for key, name in groups}


def _colours(groups: Sequence[tuple[int | None, str | None]]) -> dict[int | None, str]:
    """One colour per group for all charts of a report, so "North gate" is the same colour in EUR and USD.
    The last colour (grey) is kept for "Other"."""
    ordered = sorted(set(groups), key=lambda g: (g[1] or "", g[0] or 0))
    return {key: COLOURS[i % (len(COLOURS) - 1)] for i, (key, _) in enumerate(ordered)}


def _chart(title: str, query: ReportQuery, values: Sequence[tuple[date, int | None, str | None, float]],
           colours: dict[int | None, str]) -> Chart:
    """One chart from (bucket, group key, group name, value) of one unit: the largest groups as series,
    the others added up as "Other"."""
    totals: dict[int | None, float] = {}
    names: dict[int | None, str | None] = {}
    for _, key, name, value in values:
        totals[key] = totals.get(key, 0) + value
        names[key] = name
    ranked = sorted(totals, key=lambda k: (-totals[k], names[k] or "", k or 0))
    kept, folded = ranked[:MAX_SERIES], ranked[MAX_SERIES:]
    if len(folded) == 1:  # "Other" for one group hides its name for nothing
        kept, folded = ranked, []
    labels = _series_names([(k, names[k]) for k in kept])
    series = [Series(f"s{i}", labels[k], colours[k]) for i, k in enumerate(kept)]
    key_of = {k: f"s{i}" for i, k in enumerate(kept)}
    if folded:
        series.append(Series(f"s{len(kept)}", OTHER, COLOURS[-1]))
    other = f"s{len(kept)}"
    points = {b: {"period": b.isoformat(), **{s.key: 0 for s in series}} for b in buckets(query)}
    for bucket, key, _, value in values:
        point = points.setdefault(bucket, {"period": bucket.isoformat(), **{s.key: 0 for s in series}})
        slot = key_of.get(key, other)
        point[slot] = round(point[slot] + value, 6)
    return Chart(title, [points[b] for b in sorted(points)], series)


def revenue_charts(query: ReportQuery, rows: Sequence[ReportRow]) -> list[Chart]:
    """Net revenue, one chart per currency, in the currency's unit (12.50, not 1250 cents)."""
    currencies = sorted({r.currency for r in rows})
    colours = _colours([(r.group_key, r.group_name) for r in rows])
    return [_chart(f"Net revenue ({currency.upper()})", query,
                   [(r.bucket, r.group_key, r.group_name, float(decimal_amount(r.net_minor, currency)))
                    for r in rows if r.currency == currency], colours)
            for currency in currencies]


USAGE_MEASURES = (("device_sessions", "Device sessions"), ("paid_minutes", "Paid minutes"),
                  ("door_accesses", "Door accesses"))


def usage_measures(group_by: GroupBy) -> list[tuple[str, str]]:
    """Grouped by door there are no device sessions, grouped by device no door accesses."""
    if group_by is GroupBy.door:
        return [USAGE_MEASURES[2]]
    if group_by is GroupBy.device:
        return list(USAGE_MEASURES[:2])
    return list(USAGE_MEASURES)


def usage_charts(query: ReportQuery, rows: Sequence[UsageRow]) -> list[Chart]:
    """One chart per measure: counts and minutes are not drawn against one axis."""
    if not rows:
        return []
    colours = _colours([(r.group_key, r.group_name) for r in rows])
    return [_chart(title, query, [(r.bucket, r.group_key, r.group_name, float(getattr(r, measure))) for r in rows],
                   colours)
            for measure, title in usage_measures(query.group_by)]


# --- totals and the table ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RevenueTotal:
    currency: str
    payments: int
    gross_minor: int
    refunded_minor: int
    net_minor: int


def revenue_totals(rows: Sequence[ReportRow]) -> list[RevenueTotal]:
    """The whole range per currency."""
    sums: dict[str, list[int]] = {}
    for r in rows:
        entry = sums.setdefault(r.currency, [0, 0, 0, 0])
        for i, value in enumerate((r.payments, r.gross_minor, r.refunded_minor, r.net_minor)):
            entry[i] += value
    return [RevenueTotal(currency, *values) for currency, values in sorted(sums.items())]


def usage_totals(rows: Sequence[UsageRow]) -> tuple[int, int, int]:
    """Device sessions, paid minutes, door accesses over the whole range."""
    return (sum(r.device_sessions for r in rows), sum(r.paid_minutes for r in rows),
            sum(r.door_accesses for r in rows))


def bucket_label(bucket: date, period: Period) -> str:
    """How the table names a period: its local date, the Monday a week starts on, a month by name."""
    if period is Period.week:
        return f"Week of {bucket.isoformat()}"
    if period is Period.month:
        return bucket.strftime("%B %Y")
    return bucket.isoformat()


def page_of(rows: Sequence[Any], request: PageRequest) -> Page:
    """One page of an already computed (bounded) report: its rows are per period and group, not per payment."""
    request = request.clamped()
    page = min(request.page, max(1, -(-len(rows) // request.per_page)))
    start = (page - 1) * request.per_page
    return Page(list(rows[start:start + request.per_page]), len(rows), page, request.per_page)
