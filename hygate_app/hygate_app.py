"""Assembles the app: Reflex pages, the API routes in front of them, and the push listener."""

import reflex as rx

from hygate_app.api.routes import build_api
from hygate_app.config import get_settings
from hygate_app.pages.guest.not_found import not_found_page
from hygate_app.pages.guest.session import session_page
from hygate_app.pages.guest.use_device import use_device_page
from hygate_app.states.guest_device import UseState
from hygate_app.states.guest_push import listen_for_guest_updates
from hygate_app.states.guest_session import SessionState

app = rx.App(
    api_transformer=[build_api(get_settings())],
    head_components=[
        rx.el.meta(name="theme-color", content="#0b6bcb"),
        rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
    ],
)
app.add_page(use_device_page, route="/use/[uid]", title="Pay and start | Hygate",
             on_load=UseState.load)
app.add_page(session_page, route="/session/[token]", title="Your session | Hygate",
             on_load=SessionState.load)
app.add_page(not_found_page, route="404", title="Not found | Hygate")
app.register_lifespan_task(listen_for_guest_updates)
