"""`GET /api/branding/logo`: the workspace logo for guest pages and stickers, public like the pages that show it.

Served from here rather than as a data URI in every guest's state; guest pages ask for `?v=<etag>`, so the
browser may keep it, and a changed logo has a new address. 404 when there is none.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from hygate_app.db import session_scope
from hygate_app.services import branding_cache

MAX_AGE_SECONDS = 3600


def _current() -> branding_cache.Current:
    with session_scope() as db:
        return branding_cache.current(db)


async def branding_logo(request: Request) -> Response:
    current = await run_in_threadpool(_current)
    if current.logo is None:
        return Response("No logo.", status_code=404, media_type="text/plain",
                        headers={"Cache-Control": "no-store"})
    etag = f'"{current.logo_etag}"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={MAX_AGE_SECONDS}",
               "Content-Disposition": "inline; filename=logo"}
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(current.logo, media_type=current.branding.logo_mime, headers=headers)
