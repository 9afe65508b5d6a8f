"""`/use/{uid}`: pick a usage plan for a device and pay."""

import reflex as rx

from hygate_app.components.browser import navigate_to
from hygate_app.components.guest_shell import display_code_badge, guest_shell, not_found_card
from hygate_app.states.guest_device import UseState
from hygate_app.states.guest_text import t


def _plan_card(plan: rx.Var[dict[str, str]]) -> rx.Component:
    """A real <button> (Radix's Box cannot be one): reached with Tab and chosen with Space or Enter."""
    selected = UseState.selected_plan_id == plan["id"]
    return rx.el.button(
        rx.hstack(
            rx.vstack(
                rx.text(plan["name"], weight="bold", size="4"),
                rx.text(plan["detail"], size="2", color="var(--gray-11)"),
                spacing="1",
                align="start",
            ),
            rx.spacer(),
            rx.text(plan["price"], weight="bold", size="5"),
            align="center",
            width="100%",
        ),
        type="button",
        role="radio",
        aria_checked=rx.cond(selected, "true", "false"),
        on_click=UseState.select_plan(plan["id"]),
        class_name="plan-option",
        style={
            "width": "100%",
            "textAlign": "left",
            "font": "inherit",
            "color": "inherit",
            "padding": "14px 16px",
            "borderRadius": "12px",
            "border": rx.cond(selected, "2px solid var(--accent-11)", "2px solid var(--gray-a6)"),
            "background": rx.cond(selected, "var(--accent-a3)", "white"),
            "cursor": "pointer",
        },
    )


def _sale_form() -> rx.Component:
    return rx.vstack(
        rx.text(t("use.choose_time"), weight="bold", size="3"),
        rx.box(rx.vstack(rx.foreach(UseState.plans, _plan_card), spacing="2", width="100%"),
               role="radiogroup", aria_label=t("use.plans_label"), width="100%"),
        rx.vstack(
            rx.el.label(t("common.email_label"), html_for="email", style={"fontSize": "14px"}),
            rx.input(id="email", type="email", placeholder=t("common.email_placeholder"), value=UseState.email,
                     on_change=UseState.set_email, width="100%", size="3", auto_complete="email"),
            spacing="1",
            width="100%",
        ),
        rx.cond(UseState.error != "", rx.callout(UseState.error, color_scheme="red", high_contrast=True, role="alert",
                                                 id="form-error", width="100%")),
        rx.button(
            rx.cond(UseState.paying, t("common.opening_payment"), t("use.pay_and_start")),
            id="pay",
            on_click=UseState.pay,
            disabled=~UseState.can_pay,
            loading=UseState.paying,
            size="4",
            width="100%",
        ),
        navigate_to(href=UseState.checkout_url),
        spacing="3",
        width="100%",
    )


def use_device_page() -> rx.Component:
    return guest_shell(
        rx.cond(
            ~UseState.loaded,
            rx.center(rx.spinner(size="3"), padding="40px"),
            rx.cond(
                UseState.found,
                rx.vstack(
                    rx.vstack(
                        rx.text(UseState.location_name, size="2", color="var(--gray-11)"),
                        rx.heading(UseState.device_name, size="7", id="device-name"),
                        display_code_badge(UseState.display_code),
                        spacing="1",
                    ),
                    rx.cond(
                        UseState.unavailable_text != "",
                        rx.callout(UseState.unavailable_text, color_scheme="orange", high_contrast=True,
                                   id="unavailable", width="100%"),
                        _sale_form(),
                    ),
                    spacing="4",
                    width="100%",
                ),
                not_found_card("device"),
            ),
        ),
        title=t("title.use"),
    )
