"""State of `/pay/{uid}`: the door's price and access time, and the start of checkout."""

from __future__ import annotations

import asyncio

import reflex as rx

from hygate_app import providers
from hygate_app.config import get_settings
from hygate_app.db import session_scope
from hygate_app.services import catalogue, checkout, translations
from hygate_app.services.errors import DomainError, NotFound
from hygate_app.services.translations import N_
from hygate_app.states.guest_text import GuestTextState
from hygate_app.states.routing import last_path_segment

REASON_TEXT = {
    "maintenance": N_("pay.unavailable.maintenance"),
    "not_connected": N_("pay.unavailable.not_connected"),
}


def _offer(uid: str, language: str) -> catalogue.DoorOffer:
    with session_scope() as db:
        return catalogue.door_offer(db, uid, language)


def _start(uid: str, email: str, language: str) -> checkout.CheckoutStarted:
    settings = get_settings()
    with session_scope() as db:
        return checkout.start_door_checkout(
            db, providers.stripe_gateway(), door_uid=uid, email=email, base_url=settings.base_url,
            expires_in_minutes=settings.checkout_expiry_minutes, language=language,
        )


class PayDoorState(GuestTextState):
    loaded: bool = False
    found: bool = True
    door_name: str = ""
    location_name: str = ""
    display_code: str = ""
    price: str = ""
    access_minutes: int = 0
    # sell | free | maintenance | not_connected
    availability: str = "sell"
    email: str = ""
    error: str = ""
    paying: bool = False
    checkout_url: str = ""

    @rx.var
    def unavailable_text(self) -> str:
        reason = REASON_TEXT.get(self.availability)
        return translations.gettext(self.language, reason) if reason else ""

    @rx.var
    def can_pay(self) -> bool:
        return self.found and self.availability == "sell" and not self.paying

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
        self.door_name, self.location_name, self.display_code = offer.name, offer.location_name, offer.display_code
        self.price, self.access_minutes, self.availability = offer.price, offer.access_minutes, offer.availability
        self.loaded = True

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
            started = await asyncio.to_thread(_start, uid, self.email, self.language)
        except DomainError as exc:
            self.paying, self.error = False, self._error_text(exc)
            return
        self.checkout_url = started.checkout_url
