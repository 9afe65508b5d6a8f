"""The guest's receipt: `GET /receipt/{token}` (printable page) and `GET /api/receipt/{token}.pdf`.

The guest token is the capability, as for the guest's own page: anyone holding it may read the receipt, nobody else.
Unknown and not-yet-paid tokens get the same 404, with no detail. Never stored by a browser or a proxy (the URL is
the key to it). Written in the guest pages' language: the language menu's cookie, else the browser's.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from hygate_app.api.qr_pdf import PDF_CSP
from hygate_app.db import session_scope
from hygate_app.services import branding_cache, receipt_page, receipt_pdf, receipts, translations
from hygate_app.services.errors import NotFound

TOKEN_MAX = 64  # the column's length: anything longer cannot be a guest token
PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"}


@dataclass(frozen=True)
class _Loaded:
    current: branding_cache.Current
    receipt: receipts.Receipt | None
    language: str


def _language(request: Request) -> str:
    return translations.choose_language(request.cookies.get(translations.LANGUAGE_COOKIE),
                                        request.headers.get("accept-language"))


def _load(token: str, language: str) -> _Loaded:
    with session_scope() as db:
        current = branding_cache.current(db)
        if len(token) > TOKEN_MAX:
            return _Loaded(current, None, language)
        try:
            return _Loaded(current, receipts.load_receipt(db, token, language), language)
        except NotFound:
            return _Loaded(current, None, language)


async def receipt_html(request: Request) -> Response:
    loaded = await run_in_threadpool(_load, request.path_params["token"], _language(request))
    brand = loaded.current.branding
    if loaded.receipt is None:
        return HTMLResponse(receipt_page.render_not_found(brand, loaded.language), status_code=404,
                            headers=PRIVATE)
    body = receipt_page.render(loaded.receipt, brand, branding_cache.logo_url(loaded.current))
    return HTMLResponse(body, headers=PRIVATE)


async def receipt_file(request: Request) -> Response:
    loaded = await run_in_threadpool(_load, request.path_params["token"], _language(request))
    if loaded.receipt is None:
        return Response("Not found.", status_code=404, media_type="text/plain", headers=PRIVATE)
    pdf = await run_in_threadpool(receipt_pdf.render, loaded.receipt, loaded.current.branding)
    return Response(pdf, media_type="application/pdf", headers={
        **PRIVATE,
        "Content-Disposition": f'attachment; filename="{loaded.receipt.filename}"',
        "Content-Security-Policy": PDF_CSP,
        "X-Frame-Options": "SAMEORIGIN",
    })
