"""`/pay/{uid}`: pay for timed access to a door (or learn it is open, or closed for maintenance)."""

import reflex as rx

from hygate_app.components.browser import navigate_to
from hygate_app.components.guest_shell import display_code_badge, guest_shell, not_found_card
from hygate_app.states.guest_door import PayDoorState as S
from hygate_app.states.guest_text import t, t_format


def _offer() -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text(t("pay.access"), size="2", color="var(--gray-11)"),
                rx.text(t_format("common.minutes", minutes=S.access_minutes.to_string()), weight="bold", size="5",
                        id="access-minutes"),
                spacing="0",
                align="start",
            ),
            rx.spacer(),
            rx.vstack(
                rx.text(t("pay.price"), size="2", color="var(--gray-11)"),
                rx.text(S.price, weight="bold", size="5", id="price"),
                spacing="0",
                align="end",
            ),
            width="100%",
            align="center",
        ),
        width="100%",
    )


def _sale_form() -> rx.Component:
    return rx.vstack(
        _offer(),
        rx.text(t("pay.after_payment"), size="2", color="var(--gray-11)"),
        rx.vstack(
            rx.el.label(t("common.email_label"), html_for="email", style={"fontSize": "14px"}),
            rx.input(id="email", type="email", placeholder=t("common.email_placeholder"), value=S.email,
                     on_change=S.set_email, width="100%", size="3", auto_complete="email"),
            spacing="1",
            width="100%",
        ),
        rx.cond(S.error != "", rx.callout(S.error, color_scheme="red", high_contrast=True, role="alert",
                                          id="form-error", width="100%")),
        rx.button(
            rx.cond(S.paying, t("common.opening_payment"), t_format("pay.pay_price", price=S.price)),
            id="pay",
            on_click=S.pay,
            disabled=~S.can_pay,
            loading=S.paying,
            size="4",
            width="100%",
        ),
        navigate_to(href=S.checkout_url),
        spacing="3",
        width="100%",
    )


def _body() -> rx.Component:
    return rx.match(
        S.availability,
        ("sell", _sale_form()),
        ("free", rx.callout(t("pay.free_access"), color_scheme="green", high_contrast=True, icon="door-open",
                            id="free-access",
                            width="100%", size="3")),
        rx.callout(S.unavailable_text, color_scheme="orange", high_contrast=True, id="unavailable", width="100%"),
    )


def pay_door_page() -> rx.Component:
    return guest_shell(
        rx.cond(
            ~S.loaded,
            rx.center(rx.spinner(size="3"), padding="40px"),
            rx.cond(
                S.found,
                rx.vstack(
                    rx.vstack(
                        rx.text(S.location_name, size="2", color="var(--gray-11)", id="location-name"),
                        rx.heading(S.door_name, size="7", id="door-name"),
                        display_code_badge(S.display_code),
                        spacing="1",
                    ),
                    _body(),
                    spacing="4",
                    width="100%",
                ),
                not_found_card("door"),
            ),
        ),
        title=t("title.pay"),
    )
