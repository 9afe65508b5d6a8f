"""`/settings/privacy` (administrators): how long personal data is kept, and erasing a guest's e-mail on request."""

import reflex as rx

from hygate_app.components.staff_shell import confirm, field, message, section, staff_shell
from hygate_app.services.retention import LABELS, LIMITS
from hygate_app.states.privacy import PrivacyState as S


def _days(name: str, value: rx.Var[str]) -> rx.Component:
    low, high = LIMITS[name]
    return field(f"{LABELS[name]} (days, {low}–{high})",
                 rx.input(name=name, default_value=value, key=value, input_mode="numeric",
                          id=name.replace("_", "-"), width="100%"))


def _retention() -> rx.Component:
    return section("Data retention", rx.text(
        "Once a day, Hygate removes personal data older than these periods: guests' e-mail addresses on "
        "payments, the details of Stripe events (which repeat them), and ended staff sign-ins, remembered "
        "browsers and invitations. Payments, sessions and the audit log are the money record and are kept.",
        size="2", color_scheme="gray"), rx.form(
        rx.vstack(
            _days("guest_email_days", S.guest_email_days),
            _days("stripe_event_days", S.stripe_event_days),
            _days("staff_record_days", S.staff_record_days),
            rx.button("Save", type="submit", id="save-retention"),
            spacing="3", width="100%",
        ),
        on_submit=S.save, width="100%",
    ), id="retention")


def _found() -> rx.Component:
    return rx.cond(S.erase_found >= 0, rx.callout.root(
        rx.callout.text(
            rx.cond(S.erase_found == 0, "No payment carries ",
                    rx.text.span(S.erase_found, " payment(s) carry ")),
            rx.text.strong(S.erase_email), "."),
        rx.hstack(
            confirm(rx.button("Erase the address", color_scheme="red", id="erase-email"),
                    "Erase this guest's e-mail address?",
                    "It is removed from every payment and Stripe event that holds it. The payments stay. "
                    "This cannot be undone.",
                    S.erase, "Erase"),
            rx.button("Cancel", variant="soft", color_scheme="gray", on_click=S.cancel_erase, id="cancel-erase"),
            spacing="2",
        ),
        color_scheme="amber", width="100%", id="erase-found",
    ))


def _erasure() -> rx.Component:
    return section("Erase a guest's e-mail", rx.text(
        "When a guest asks to be forgotten: their address is removed at once, not at the end of the period.",
        size="2", color_scheme="gray"), rx.form(
        rx.flex(
            field("Guest's e-mail address", rx.input(name="email", type="email", required=True, max_length=254,
                                                     id="erase-address", width="100%")),
            rx.button("Look up", type="submit", id="find-email"),
            spacing="3", align="end", wrap="wrap", width="100%",
        ),
        on_submit=S.find_email, width="100%",
    ), _found(), id="erasure")


def privacy_page() -> rx.Component:
    return staff_shell(
        message(S.notice, "green", id="notice", role="status"),
        message(S.error, "red", id="error", role="alert"),
        _retention(),
        _erasure(),
        title="Privacy",
        crumbs=(("Settings", "/settings/security"),),
        access_denied=S.access_denied,
    )
