"""The printable QR-code sheets: `GET /api/admin/qr/device/{id}.pdf`, `/api/admin/qr/door/{id}.pdf` and
`/api/admin/qr/location/{id}.pdf`, for staff whose role may manage devices (doors for a door's sheet).

Opened in a new tab from the admin pages, so a refusal is a small HTML page rather than JSON.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from hygate_app.api import staff_access
from hygate_app.config import get_settings
from hygate_app.db import session_scope
from hygate_app.services import qr_sheets
from hygate_app.services.authz import Capability
from hygate_app.services.errors import DomainError, NotFound, PermissionDenied
from hygate_app.services.ids import row_id

# Chrome shows a PDF through its own viewer, which `object-src 'none'` (the pages' CSP) blocks: a PDF answer gets a
# policy of its own that allows only that (crbug.com/271452). Nothing in it can run script.
PDF_CSP = "default-src 'none'; object-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; " \
          "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"


def _answer(request: Request, capability: Capability, build: Callable[[Session, str], qr_sheets.Sheet]) -> Response:
    try:
        with session_scope() as db:
            staff_access.authorise(db, request, capability)
            sheet = build(db, get_settings().base_url)
    except PermissionDenied as error:
        return staff_access.refused(error)
    except NotFound as error:
        return staff_access.page("Not found", str(error), 404, ("/admin", "Back to the dashboard"))
    except DomainError as error:
        return staff_access.page("Nothing to print", str(error), 409, ("/admin/locations", "Back to locations"))
    return Response(sheet.pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{sheet.filename}"',
        "Cache-Control": "no-store",
        "Content-Security-Policy": PDF_CSP,
        "X-Frame-Options": "SAMEORIGIN",
    })


# The ids in the path are read here rather than by Starlette's `int` convertor, which fails with a 500 on a number
# of more than 4300 digits; an id that names no row is a 404 page like any unknown one.
async def device_sheet(request: Request) -> Response:
    item_id = row_id(request.path_params["item_id"])
    return await run_in_threadpool(_answer, request, Capability.devices,
                                   lambda db, base: qr_sheets.item_sheet(db, "device", item_id, base))


async def door_sheet(request: Request) -> Response:
    item_id = row_id(request.path_params["item_id"])
    return await run_in_threadpool(_answer, request, Capability.doors,
                                   lambda db, base: qr_sheets.item_sheet(db, "door", item_id, base))


async def location_sheet(request: Request) -> Response:
    location_id = row_id(request.path_params["location_id"])
    return await run_in_threadpool(_answer, request, Capability.devices,
                                   lambda db, base: qr_sheets.location_sheet(db, location_id, base))
