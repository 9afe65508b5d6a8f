"""`GET /api/admin/reports.csv?kind=&period=&group=&from=&to=&location=`: the report the Reports page shows,
as CSV, for staff whose role allows reports."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from hygate_app.api.staff_access import staff_caller
from hygate_app.db import session_scope
from hygate_app.services import report_view, reports
from hygate_app.services.authz import Capability
from hygate_app.services.errors import DomainError
from hygate_app.services.report_view import Kind


def _csv(request: report_view.ReportRequest) -> str:
    with session_scope() as db:
        if request.kind is Kind.revenue:
            return "".join(reports.report_csv(reports.revenue_report(db, request.query)))
        return "".join(reports.usage_csv(reports.usage_report(db, request.query)))


async def report_csv(request: Request) -> Response:
    caller = await staff_caller(request, Capability.reports)
    if isinstance(caller, Response):
        return caller
    try:
        wanted = report_view.parse_request(request.query_params)
        body = await run_in_threadpool(_csv, wanted)
    except DomainError as exc:
        return PlainTextResponse(str(exc), status_code=400, headers={"Cache-Control": "no-store"})
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{wanted.csv_filename()}"', "Cache-Control": "no-store"})
