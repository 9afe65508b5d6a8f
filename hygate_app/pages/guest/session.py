"""`/session/{token}`: the guest's live countdown, updated by server push."""

import reflex as rx

from hygate_app.components.browser import countdown_circle
from hygate_app.components.guest_shell import display_code_badge, guest_shell, not_found_card
from hygate_app.states.guest_branding import GuestBrandState
from hygate_app.states.guest_session import SessionState


def _details() -> rx.Component:
    return rx.data_list.root(
        rx.data_list.item(rx.data_list.label("Plan"), rx.data_list.value(SessionState.plan_name)),
        rx.data_list.item(rx.data_list.label("Paid time"),
                          rx.data_list.value(SessionState.duration_minutes.to_string() + " min")),
        rx.cond(SessionState.delay_minutes > 0,
                rx.data_list.item(rx.data_list.label("Time to get ready"),
                                  rx.data_list.value(SessionState.delay_minutes.to_string() + " min"))),
        rx.data_list.item(rx.data_list.label("Amount"), rx.data_list.value(SessionState.amount)),
        rx.data_list.item(rx.data_list.label("Location"), rx.data_list.value(SessionState.location_name)),
        size="2",
    )


def session_page() -> rx.Component:
    return guest_shell(
        rx.cond(
            ~SessionState.loaded,
            rx.center(rx.spinner(size="3"), padding="40px"),
            rx.cond(
                SessionState.found,
                rx.vstack(
                    rx.vstack(
                        rx.heading(SessionState.device_name, size="7"),
                        display_code_badge(SessionState.display_code),
                        spacing="1",
                    ),
                    rx.box(
                        countdown_circle(
                            status=SessionState.status,
                            starts_at=SessionState.starts_at_ms,
                            ends_at=SessionState.ends_at_ms,
                            finishing_ms=SessionState.finishing_ms,
                            server_now=SessionState.server_now_ms,
                            accent=GuestBrandState.accent,
                        ),
                        id="countdown",
                        data_status=SessionState.status,
                        width="100%",
                        padding_y="8px",
                    ),
                    rx.text(SessionState.status_text, id="status-text", size="3", text_align="center", width="100%"),
                    rx.cond(SessionState.failure_reason != "",
                            rx.callout(SessionState.failure_reason, color_scheme="red", width="100%")),
                    rx.cond(SessionState.refund_text != "",
                            rx.callout(SessionState.refund_text, color_scheme="blue", id="refund", width="100%")),
                    rx.card(_details(), width="100%"),
                    rx.text("Keep this page open or bookmark it: it updates by itself.", size="1",
                            color="var(--gray-11)"),
                    spacing="4",
                    width="100%",
                ),
                not_found_card("session"),
            ),
        )
    )
