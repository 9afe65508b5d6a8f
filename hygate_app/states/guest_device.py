"""State of `/use/{uid}`: the device's plans and the start of checkout."""

from __future__ import annotations

import asyncio

import reflex as rx

from hygate_app import providers
from hygate_app.config import get_settings
from hygate_app.db import session_scope
from hygate_app.services import catalogue, checkout
from hygate_app.services.errors import DomainError, NotFound
from hygate_app.services.translations import N_
from hygate_app.states.guest_text import GuestTextState
from hygate_app.states.routing import last_path_segment

REASON_TEXT = {
    "maintenance": N_("use.unavailable.maintenance"),
    "offline": N_("use.unavailable.offline"),
    "in_use": N_("use.unavailable.in_use"),
}


def _offer(uid: str, language: str) -> catalogue.DeviceOffer:
    with session_scope() as db:
        return catalogue.device_offer(db, uid, language)


def _start(uid: str, plan_id: int, email: str, language: str) -> checkout.CheckoutStarted:
    settings = get_settings()
    with session_scope() as db:
        return checkout.start_device_checkout(
            db, providers.stripe_gateway(), device_uid=uid, plan_id=plan_id, email=email,
            base_url=settings.base_url, expires_in_minutes=settings.checkout_expiry_minutes, language=language,
        )


class UseState(GuestTextState):
    loaded: bool = False
    found: bool = True
    device_name: str = ""
    location_name: str = ""
    display_code: str = ""
    unavailable_text: str = ""
    plans: list[dict[str, str]] = []
    selected_plan_id: str = ""
    email: str = ""
    error: str = ""
    paying: bool = False
    checkout_url: str = ""

    @rx.var
    def can_pay(self) -> bool:
        return self.found and not self.unavailable_text and self.selected_plan_id != "" and not self.paying

    @rx.event
    async def load(self):
        self.loaded, self.error, self.paying, self.checkout_url = False, "", False, ""
        uid = last_path_segment(self.router.url.path)
        try:
            offer = await asyncio.to_thread(_offer, uid, self.language)
        except NotFound:
            self.found, self.loaded = False, True
            return
        self.found = True
        self.device_name, self.location_name, self.display_code = offer.name, offer.location_name, offer.display_code
        text = self._text(REASON_TEXT[offer.unavailable_reason]) if offer.unavailable_reason else ""
        if offer.unavailable_reason == "in_use" and offer.busy_until:
            text += " " + self._text("use.try_again_soon")
        if not offer.plans and not text:
            text = self._text("use.nothing_on_sale")
        self.unavailable_text = text
        self.plans = [
            {"id": str(p.id), "name": p.name, "detail": self._plan_detail(p), "price": p.price} for p in offer.plans
        ]
        ids = [p["id"] for p in self.plans]
        if self.selected_plan_id not in ids:
            self.selected_plan_id = ids[0] if len(ids) == 1 else ""
        self.loaded = True

    def _plan_detail(self, plan: catalogue.PlanOffer) -> str:
        text = self._text("common.minutes", minutes=plan.duration_minutes)
        if plan.delay_minutes:
            text += " · " + self._text("use.plan_delay", minutes=plan.delay_minutes)
        return text

    @rx.event
    def select_plan(self, plan_id: str):
        self.selected_plan_id = str(plan_id)
        self.error = ""

    @rx.event
    def set_email(self, value: str):
        self.email = str(value)[:254]

    @rx.event
    async def pay(self):
        if not self.can_pay:
            return
        self.paying, self.error = True, ""
        yield
        uid = last_path_segment(self.router.url.path)
        try:
            plan_id = int(self.selected_plan_id) if self.selected_plan_id.isdigit() else 0
            started = await asyncio.to_thread(_start, uid, plan_id, self.email, self.language)
        except DomainError as exc:
            self.paying, self.error = False, self._error_text(exc)
            return
        self.checkout_url = started.checkout_url
