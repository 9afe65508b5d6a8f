"""`GET /api/admin/payments.csv?<the Payments page's filters>`: the filtered payments as a CSV download.

It holds guests' e-mail addresses, so it is guarded like the page (Capability.payments) and every export is
audited with the filters it used. The filters are checked and the audit row committed before the first byte:
a bad filter is a 400, never a half-written file.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from hygate_app.api.staff_access import actor_of, staff_caller
from hygate_app.db import session_scope
from hygate_app.models.columns import utcnow
from hygate_app.services import audit, history_filters, payment_history
from hygate_app.services.authz import Capability
from hygate_app.services.errors import InvalidInput

FILTER_PARAMS = tuple(p for p in history_filters.PAYMENT_PARAMS if p not in ("sort", "order", "page"))


def _lines(filters: payment_history.PaymentFilters, actor: audit.Actor, used: dict[str, str]) -> Iterator[str]:
    with session_scope() as db:
        lines = payment_history.payments_csv(db, filters)
        audit.record(db, "payments.exported", actor=actor, target_type="payment", details={"filters": used})
        db.commit()
        yield from lines


async def payments_csv(request: Request) -> Response:
    who = await staff_caller(request, Capability.payments)
    if isinstance(who, Response):
        return who
    params = dict(request.query_params)
    used = {key: params[key][:200] for key in FILTER_PARAMS if params.get(key)}
    try:
        filters = history_filters.payment_filters(params)
        lines = _lines(filters, actor_of(request, who), used)
        first = await run_in_threadpool(next, lines)
    except InvalidInput as exc:
        return PlainTextResponse(str(exc), status_code=400)
    name = f"payments-{utcnow():%Y%m%d-%H%M}.csv"
    return StreamingResponse(itertools.chain([first], lines), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"',
                                      "Cache-Control": "no-store"})
