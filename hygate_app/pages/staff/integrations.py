"""`/settings/integrations` (administrators): Stripe, Shelly Cloud, TTLock and Resend; secrets are only ever
shown as "set, ends in …4242"."""

import reflex as rx

from hygate_app.components.staff_shell import confirm, message, section, staff_shell
from hygate_app.states.integrations import IntegrationsState as S

INTEGRATIONS = (
    ("stripe", "Stripe", "Card payments. The webhook signing secret checks that events really come from Stripe."),
    ("shelly", "Shelly Cloud", "Relays of machines. The server URL and auth key are in the Shelly app under "
                               "User settings → Authorization cloud key."),
    ("ttlock", "TTLock", "Door locks, from your TTLock Open Platform application and lock account."),
    ("resend", "Resend", "E-mail: sign-in codes, invitations and receipts."),
)


def _field(f: rx.Var[dict[str, str]]) -> rx.Component:
    is_secret = f["secret"] != ""
    return rx.form(
        rx.el.input(type="hidden", name="integration", value=f["integration"]),
        rx.el.input(type="hidden", name="name", value=f["name"]),
        rx.vstack(
            rx.hstack(rx.text(f["label"], size="2", weight="medium"),
                      rx.text(f["status"], size="1", color="var(--gray-11)", class_name="field-status"),
                      spacing="2", align="baseline", wrap="wrap"),
            rx.flex(
                rx.input(name="value", type=rx.cond(is_secret, "password", "text"),
                         default_value=rx.cond(is_secret, "", f["value"]), key=f["status"] + f["value"],
                         placeholder=rx.cond(is_secret, "Paste a new value", ""), auto_complete="off",
                         aria_label=f["label"], required=True, max_length=500, flex="1", min_width="200px"),
                rx.button("Save", type="submit", variant="soft", class_name="save-field"),
                rx.cond(f["stored"] != "", confirm(
                    rx.button("Remove", type="button", variant="soft", color_scheme="gray",
                              class_name="clear-field"),
                    "Remove the stored value?", "The server's environment value (if any) is used again.",
                    S.clear(f["integration"], f["name"]), "Remove")),
                spacing="2", wrap="wrap", width="100%", align="center",
            ),
            spacing="1", width="100%",
        ),
        on_submit=S.save, reset_on_submit=True, width="100%", class_name="credential-field",
        data_integration=f["integration"], data_field=f["name"],
    )


def _check(key: str) -> rx.Component:
    outcome = S.check_outcome.get(key, "")
    colour = rx.match(outcome, ("ok", "green"), ("failed", "red"), "gray")
    return rx.vstack(
        rx.button(rx.cond(S.checking == key, rx.spinner(size="1"), rx.icon("plug-zap", size=16)),
                  "Test connection", variant="outline", id=f"test-{key}", disabled=S.checking != "",
                  on_click=S.test_connection(key)),
        rx.cond(outcome != "", rx.callout(S.check_message.get(key, ""), color_scheme=colour, id=f"check-{key}",
                                          data_outcome=outcome, width="100%", role="status")),
        spacing="2", width="100%",
    )


def _integration(key: str, title: str, text: str) -> rx.Component:
    return section(
        title,
        rx.text(text, size="2", color="var(--gray-11)"),
        rx.foreach(S.fields.get(key, []), _field),
        _check(key),
        id=f"integration-{key}",
    )


def integrations_page() -> rx.Component:
    return staff_shell(
        message(S.notice, "green", id="notice", role="status"),
        message(S.error, "red", id="error", role="alert"),
        rx.text("A stored value takes precedence over the server's environment and is used from the next call on, "
                "by every process. Secrets are encrypted and never shown again.", size="2", color="var(--gray-11)"),
        *[_integration(*i) for i in INTEGRATIONS],
        title="Integrations",
        crumbs=(("Settings", "/settings/security"),),
        access_denied=S.access_denied,
    )
