"""State of `/admin/payments` (the filtered, paged list) and `/admin/payments/[id]` (one payment).

The list's filters, sort and page live in the address (services/history_filters): `apply` only turns the filter
form into a link and goes there, and `load` reads the address. The browser keeps one page of rows.
"""

from __future__ import annotations

import asyncio

from hygate_app.db import session_scope
from hygate_app.services import history_filters as hf
from hygate_app.services import payment_history
from hygate_app.services.authz import Capability
from hygate_app.services.errors import NotFound
from hygate_app.services.ids import row_id
from hygate_app.states.display import amount, when
from hygate_app.states.history_lists import AddressListMixin, ListSpec, place_params
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


PAYMENTS_LIST = ListSpec(
    LIST_PATH, hf.PAYMENT_PARAMS, hf.PAYMENT_SORTS,
    lambda db, params, request: payment_history.list_payments(db, hf.payment_filters(params), request), _payment_row)


class PaymentsState(AddressListMixin, StaffState):
    export_href: str = EXPORT_PATH

    def _spec(self) -> ListSpec:
        return PAYMENTS_LIST

    async def _refresh(self) -> None:
        await super()._refresh()
        self.export_href = hf.link(EXPORT_PATH, self._params(), hf.PAYMENT_PARAMS, sort="", order="", page="")

    @staff_event(Capability.payments)
    async def load(self):
        self.notice = ""
        await self._refresh()

    @staff_event(Capability.payments)
    async def apply(self, form: dict):
        """The filter form: its values become the address (sort kept, back to the first page)."""
        wanted = {key: str(form.get(key, "") or "").strip()[:200] for key in ("from", "to", "status", "location", "q")}
        wanted.update(place_params(str(form.get("place", ""))))
        return self._apply(wanted)


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
