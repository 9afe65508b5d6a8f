"""What Reflex wraps around every page, replaced so that a guest never sees English-only or internal text:
the notice while the connection to the server is lost (Reflex's own names the server's address), and the page
shown if a page fails to render (Reflex's own shows the JavaScript stack). Both take the guest's language;
staff pages get the English ones."""

from __future__ import annotations

import reflex as rx
from reflex_components_core.base.error_boundary import ErrorBoundary
from reflex_components_core.core.banner import has_too_many_connection_errors

from hygate_app.states.guest_text import t


def connection_notice() -> rx.Component:
    """A fragment: Reflex appends the rest of the app to the wrap as its next children."""
    return rx.fragment(rx.cond(
        has_too_many_connection_errors,
        rx.hstack(
            rx.icon("wifi-off", size=18),
            rx.text(t("connection.lost"), size="2", weight="medium"),
            role="status",
            id="connection-lost",
            position="fixed",
            bottom="16px",
            left="50%",
            transform="translateX(-50%)",
            z_index="9999",
            align="center",
            spacing="2",
            padding="10px 16px",
            border_radius="999px",
            background="#1f2328",
            color="white",
            box_shadow="0 4px 16px rgba(0, 0, 0, 0.2)",
        ),
    ))


def _failed_page() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.heading(t("error.page_title"), size="6"),
            rx.text(t("error.page_hint")),
            rx.el.a(t("error.reload"), href="", id="reload-page", style={"fontWeight": "bold"}),
            spacing="3",
            max_width="420px",
            padding="24px",
            id="page-failed",
        ),
        min_height="100vh",
        background="var(--gray-2)",
    )


def error_boundary(*children: rx.Component, stateful: bool) -> rx.Component:
    """Reflex's boundary with our page instead of its stack trace (it still reports the error to the server)."""
    props = {} if stateful else {"on_error": rx.noop()}
    return ErrorBoundary.create(*children, fallback_render=rx.Var.create(_failed_page()), **props)


def install(app: rx.App) -> None:
    app.app_wraps[(5, "Overlay")] = lambda stateful: connection_notice() if stateful else None
    app.app_wraps[(55, "ErrorBoundary")] = lambda stateful: error_boundary(stateful=stateful)
