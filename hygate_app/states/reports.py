"""State of `/admin/reports`: the choices of the shown report, its charts and one page of its table.

The report itself is recomputed from the database for each page of the table (its rows are per period and
group, so it is quick): the browser's state holds one page, never the whole report.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from hygate_app.db import session_scope
from hygate_app.models import Location
from hygate_app.models.columns import utcnow
from hygate_app.services import locations, report_view, reports
from hygate_app.services.authz import Capability
from hygate_app.services.errors import DomainError
from hygate_app.services.paging import PageRequest
from hygate_app.services.report_view import Kind, ReportRequest
from hygate_app.services.reports import GroupBy
from hygate_app.states.display import amount
from hygate_app.states.staff import StaffState, staff_event

PER_PAGE = 50


def _locations() -> list[dict[str, str]]:
    with session_scope() as db:
        return [{"id": str(r.id), "name": r.name} for r in locations.list_locations(db)]


def _revenue_row(r: reports.ReportRow, period: reports.Period) -> dict[str, str]:
    return {"period": report_view.bucket_label(r.bucket, period), "group": r.group_name or "All",
            "currency": r.currency.upper(), "payments": str(r.payments), "gross": amount(r.gross_minor, r.currency),
            "refunded": amount(r.refunded_minor, r.currency), "net": amount(r.net_minor, r.currency)}


def _usage_row(r: reports.UsageRow, period: reports.Period) -> dict[str, str]:
    return {"period": report_view.bucket_label(r.bucket, period), "group": r.group_name or "All",
            "sessions": str(r.device_sessions), "minutes": str(r.paid_minutes), "accesses": str(r.door_accesses)}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _totals(request: ReportRequest, rows: list) -> list[dict[str, str]]:
    if request.kind is Kind.revenue:
        return [{"label": f"Net {t.currency.upper()}", "value": amount(t.net_minor, t.currency),
                 "note": f"{_count(t.payments, 'payment')}, {amount(t.refunded_minor, t.currency)} refunded"}
                for t in report_view.revenue_totals(rows)]
    sessions, minutes, accesses = report_view.usage_totals(rows)
    measures = {"device_sessions": ("Device sessions", str(sessions), _count(minutes, 'paid minute')),
                "door_accesses": ("Door accesses", str(accesses), "")}
    return [{"label": label, "value": value, "note": note}
            for key, (label, value, note) in measures.items()
            if key in {m for m, _ in report_view.usage_measures(request.query.group_by)}]


def _chart(chart: report_view.Chart) -> dict[str, Any]:
    return {"title": chart.title, "data": chart.data, "series": [dataclasses.asdict(s) for s in chart.series]}


def _caption(db, request: ReportRequest) -> str:
    """What the shown report is, in words: the form may already hold other choices."""
    q = request.query
    place = db.get(Location, q.location_id) if q.location_id is not None else None
    grouped = "" if q.group_by is GroupBy.none else f" by {q.group_by.value}"
    where = place.name if place else ("all locations" if q.location_id is None else "no such location")
    return (f"{request.kind.value.capitalize()} per {q.period.value}{grouped}, {q.date_from.isoformat()} to "
            f"{q.date_to.isoformat()}, {where}")


def _report(request: ReportRequest, page: int) -> dict[str, Any]:
    """Everything the page shows for one request and one page of the table."""
    with session_scope() as db:
        caption = _caption(db, request)
        if request.kind is Kind.revenue:
            rows: list = reports.revenue_report(db, request.query)
            charts = report_view.revenue_charts(request.query, rows)
            shown = report_view.page_of(rows, PageRequest(page, PER_PAGE))
            table = [_revenue_row(r, request.query.period) for r in shown.rows]
        else:
            rows = reports.usage_report(db, request.query)
            charts = report_view.usage_charts(request.query, rows)
            shown = report_view.page_of(rows, PageRequest(page, PER_PAGE))
            table = [_usage_row(r, request.query.period) for r in shown.rows]
    return {"charts": [_chart(c) for c in charts], "rows": table, "totals": _totals(request, rows),
            "page": shown.page, "pages": shown.pages, "total_rows": shown.total,
            "shown_kind": request.kind.value, "csv_href": request.csv_href(), "caption": caption}


class ReportsState(StaffState):
    # The choices in the form (as the form sends them) and those of the report shown.
    kind: str = ""
    period: str = ""
    group_by: str = ""
    date_from: str = ""
    date_to: str = ""
    location: str = ""
    locations: list[dict[str, str]] = []
    # The shown report: empty until one ran.
    shown_kind: str = ""
    caption: str = ""
    charts: list[dict[str, Any]] = []
    totals: list[dict[str, str]] = []
    rows: list[dict[str, str]] = []
    page: int = 1
    pages: int = 1
    total_rows: int = 0
    csv_href: str = ""

    def _choices(self) -> dict[str, str]:
        return {"kind": self.kind, "period": self.period, "group": self.group_by, "from": self.date_from,
                "to": self.date_to, "location": self.location}

    def _remember(self, request: ReportRequest) -> None:
        params = request.params()
        self.kind, self.period, self.group_by = params["kind"], params["period"], params["group"]
        self.date_from, self.date_to, self.location = params["from"], params["to"], params.get("location", "")

    async def _show(self, request: ReportRequest, page: int) -> None:
        """Show the report and keep its choices; a refused one (a range too long) keeps the last report."""
        self.error = ""
        try:
            result = await asyncio.to_thread(_report, request, page)
        except DomainError as exc:
            self.error = str(exc)
            return
        for key, value in result.items():
            setattr(self, key, value)
        self._remember(request)

    @staff_event(Capability.reports)
    async def load(self):
        self.notice, self.error = "", ""
        self.locations = await asyncio.to_thread(_locations)
        try:
            request = report_view.parse_request(self._choices())
        except DomainError:  # first visit in this tab: the last 30 days
            request = report_view.default_request(utcnow().date())
        await self._show(request, 1)

    @staff_event(Capability.reports)
    async def run(self, form: dict):
        """The form's choices; a wrong one leaves the shown report and says what to fix."""
        try:
            request = report_view.parse_request({k: str(v)[:40] for k, v in form.items()})
        except DomainError as exc:
            self.error = str(exc)
            return
        await self._show(request, 1)

    @staff_event(Capability.reports)
    async def go_to_page(self, page: str):
        try:
            request = report_view.parse_request(self._choices())
        except DomainError as exc:
            self.error = str(exc)
            return
        await self._show(request, int(page) if str(page).isdigit() else 1)
