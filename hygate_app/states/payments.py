"""State of `/admin/payments` (the filtered, paged list) and `/admin/payments/[id]` (one payment).

The list's filters, sort and page live in the address (services/history_filters): `apply` only turns the filter
form into a link and goes there, and `load` reads the address. The browser keeps one page of rows.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from hygate_app.db import session_scope
from hygate_app.services import history_filters as hf
from hygate_app.services import payment_history
from hygate_app.services.authz import Capability
from hygate_app.services.errors import InvalidInput, NotFound
from hygate_app.services.ids import row_id
from hygate_app.states.display import amount, when
from hygate_app.states.history_lists import (
    address_params,
    choice_options,
    pager,
    place_params,
    place_value,
    sort_links,
)
from hygate_app.states.routing import last_path_segment
from hygate_app.states.staff import StaffState, staff_event

LIST_PATH = "/admin/payments"
EXPORT_PATH = "/api/admin/payments.csv"
STATUSES = [s.value for s in payment_history.PaymentStatus]


def _payment_row(r: payment_history.PaymentRow) -> dict[str, str]:
    return {"id": str(r.id), "href": f"{LIST_PATH}/{r.id}", "when": when(r.created_at), "item": r.item_name,
            "location": r.location_name, "email": r.customer_email or "", "amount": amount(r.amount_minor, r.currency),
            "refunded": amount(r.amount_refunded_minor, r.currency) if r.amount_refunded_minor else "",
            "status": r.status.value}


def _list(params: dict[str, str]) -> dict:
    request = hf.page_request(params, hf.PAYMENT_SORTS)
    result = {"error": "", "rows": [], "total": 0, "first": 0, "last": 0, "prev_href": "", "next_href": "",
              "sort": request.sort, "descending": request.descending,
              "sort_hrefs": sort_links(LIST_PATH, params, hf.PAYMENT_PARAMS, hf.PAYMENT_SORTS, request)}
    with session_scope() as db:
        result.update(choice_options(hf.place_choices(db)))
        try:
            page = payment_history.list_payments(db, hf.payment_filters(params), request)
        except InvalidInput as exc:
            result["error"] = str(exc)
            return result
    result.update(pager(LIST_PATH, params, hf.PAYMENT_PARAMS, page), rows=[_payment_row(r) for r in page.rows])
    return result


class PaymentsState(StaffState):
    rows: list[dict[str, str]] = []
    total: int = 0
    first: int = 0
    last: int = 0
    prev_href: str = ""
    next_href: str = ""
    sort: str = "created"
    descending: bool = True
    sort_hrefs: dict[str, str] = {}
    # The filters shown in the form, as in the address. `form_key` is the address the list shows: the form is
    # rebuilt when it changes, and the page carries it (data-address) so a test knows the list is loaded.
    query: dict[str, str] = {}
    place: str = ""
    form_key: str = ""
    export_href: str = EXPORT_PATH
    locations: list[dict[str, str]] = []
    places: list[dict[str, str]] = []

    def _params(self) -> dict[str, str]:
        return address_params(self.router.url.query_parameters, hf.PAYMENT_PARAMS)

    async def _refresh(self) -> None:
        params = self._params()
        for key, value in (await asyncio.to_thread(_list, params)).items():
            setattr(self, key, value)
        self.query = {key: params.get(key, "") for key in hf.PAYMENT_PARAMS}
        self.place = place_value(params)
        self.export_href = hf.link(EXPORT_PATH, params, hf.PAYMENT_PARAMS, sort="", order="", page="")
        self.form_key = hf.link(LIST_PATH, params, hf.PAYMENT_PARAMS)

    @staff_event(Capability.payments)
    async def load(self):
        self.notice = ""
        await self._refresh()

    @staff_event(Capability.payments)
    async def apply(self, form: dict):
        """The filter form: its values become the address (sort kept, back to the first page)."""
        wanted = {key: str(form.get(key, "") or "").strip()[:200] for key in ("from", "to", "status", "location", "q")}
        wanted.update(place_params(str(form.get("place", ""))))
        current = self._params()
        wanted.update(sort=current.get("sort", ""), order=current.get("order", ""))
        return rx.redirect(hf.link(LIST_PATH, wanted, hf.PAYMENT_PARAMS))


def _detail(payment_id: int) -> dict | None:
    try:
        with session_scope() as db:
            d = payment_history.payment_detail(db, payment_id)
    except NotFound:
        return None
    p, currency = d.payment, d.payment.currency
    access = {}
    if d.access is not None:
        kind = d.access.kind.value
        access = {"kind": "Device session" if kind == "device" else "Door access", "id": str(d.access.id),
                  "href": f"/admin/sessions/{kind}/{d.access.id}", "status": d.access.status.value,
                  "starts": when(d.access.starts_at), "ends": when(d.access.ends_at)}
    return {
        "payment": {
            "id": str(p.id), "status": p.status.value, "kind": p.kind.value, "item": p.item_name,
            "location": p.location_name, "email": p.customer_email or "", "created": when(p.created_at),
            "paid": when(p.paid_at), "updated": when(d.updated_at), "amount": amount(p.amount_minor, currency),
            "refunded": amount(p.amount_refunded_minor, currency),
            "kept": amount(p.amount_minor - p.amount_refunded_minor, currency), "currency": currency.upper(),
            "checkout": d.stripe_checkout_session_id or "", "intent": d.stripe_payment_intent_id or "",
            "place": d.device_name or d.door_name or "", "plan": d.usage_plan_name or "",
        },
        "refunds": [{"id": str(r.id), "when": when(r.created_at), "amount": amount(r.amount_minor, currency),
                     "status": r.status.value, "reason": r.reason, "stripe_id": r.stripe_refund_id or "",
                     "error": r.last_error or ""} for r in d.refunds],
        "access": access,
    }


class PaymentDetailState(StaffState):
    found: bool = True
    loaded: bool = False
    payment: dict[str, str] = {}
    refunds: list[dict[str, str]] = []
    access: dict[str, str] = {}
    bought: bool = False

    async def _refresh(self) -> None:
        detail = await asyncio.to_thread(_detail, row_id(last_path_segment(self.router.url.path)))
        self.found, self.loaded = detail is not None, True
        self.payment, self.refunds, self.access = (detail["payment"], detail["refunds"], detail["access"]) \
            if detail else ({}, [], {})
        self.bought = bool(self.access)

    @staff_event(Capability.payments)
    async def load(self):
        self.loaded = False
        await self._refresh()
