"""`/session/{token}`: the guest's live countdown, updated by server push."""

import reflex as rx

from hygate_app.components.browser import countdown_circle
from hygate_app.components.guest_shell import display_code_badge, guest_shell, not_found_card, receipt_links
from hygate_app.states.guest_branding import GuestBrandState
from hygate_app.states.guest_session import SessionState
from hygate_app.states.guest_text import GuestTextState, t, t_format


def _details() -> rx.Component:
    return rx.data_list.root(
        rx.data_list.item(rx.data_list.label(t("session.plan")), rx.data_list.value(SessionState.plan_name)),
        rx.data_list.item(rx.data_list.label(t("session.paid_time")),
                          rx.data_list.value(t_format("common.minutes",
                                                      minutes=SessionState.duration_minutes.to_string()))),
        rx.cond(SessionState.delay_minutes > 0,
                rx.data_list.item(rx.data_list.label(t("session.get_ready_time")),
                                  rx.data_list.value(t_format("common.minutes",
                                                              minutes=SessionState.delay_minutes.to_string())))),
        rx.cond(SessionState.ends_at_text != "",
                rx.data_list.item(rx.data_list.label(t("session.ends_at")),
                                  rx.data_list.value(SessionState.ends_at_text, id="ends-at"))),
        rx.data_list.item(rx.data_list.label(t("common.amount")),
                          rx.data_list.value(SessionState.amount, id="amount")),
        rx.data_list.item(rx.data_list.label(t("common.location")), rx.data_list.value(SessionState.location_name)),
        size="2",
    )


def _restart_offer() -> rx.Component:
    """An interrupted session: the unused minutes again for free, or their refund when the offer ends."""
    return rx.cond(
        SessionState.restart_until != "",
        rx.card(
            rx.vstack(
                rx.text(t_format("session.restart_offer", minutes=SessionState.restart_minutes.to_string()),
                        size="3"),
                rx.button(rx.icon("rotate-ccw", size=18), t("session.restart"), id="restart", size="3", width="100%",
                          on_click=SessionState.restart, loading=SessionState.restarting),
                rx.text(t_format("session.restart_ends", time=SessionState.restart_until,
                                 amount=SessionState.restart_refund),
                        size="2", color="var(--gray-11)", id="restart-ends"),
                rx.cond(SessionState.error != "",
                        rx.callout(SessionState.error, color_scheme="red", high_contrast=True, id="restart-error",
                                   width="100%")),
                spacing="3",
                width="100%",
            ),
            id="restart-offer",
            width="100%",
        ),
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
                            accent=GuestBrandState.palette["ink"],
                            texts=GuestTextState.t,
                            lang=GuestTextState.language,
                            spoken_marks=SessionState.spoken_marks,
                        ),
                        id="countdown",
                        data_status=SessionState.status,
                        width="100%",
                        padding_y="8px",
                    ),
                    rx.text(SessionState.status_text, id="status-text", size="3", text_align="center", width="100%"),
                    _restart_offer(),
                    rx.cond(SessionState.refund_text != "",
                            rx.callout(SessionState.refund_text, color_scheme="blue", high_contrast=True,
                                       id="refund", width="100%")),
                    rx.card(_details(), width="100%"),
                    rx.cond(SessionState.has_receipt, receipt_links(SessionState.token)),
                    rx.text(t("common.keep_open"), size="1", color="var(--gray-11)"),
                    spacing="4",
                    width="100%",
                ),
                not_found_card("session"),
            ),
        ),
        title=t("title.session"),
    )
