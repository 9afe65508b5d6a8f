"""`GET /api/health`: is the database and Redis reachable from this web process."""

from __future__ import annotations

from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from hygate_app import providers
from hygate_app.db import get_engine


def _check() -> dict[str, bool]:
    result = {"database": False, "redis": False}
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
        result["database"] = True
    except Exception:
        pass
    try:
        result["redis"] = bool(providers.redis().ping())
    except Exception:
        pass
    return result


async def health(request: Request) -> JSONResponse:
    checks = await run_in_threadpool(_check)
    return JSONResponse({"ok": all(checks.values()), **checks}, status_code=200 if all(checks.values()) else 503)
