"""`/settings/api-keys` (administrators): keys for the programmatic API; the secret is shown once."""

import reflex as rx

from hygate_app.components.staff_shell import confirm, field, message, section, staff_shell
from hygate_app.components.tables import simple_table
from hygate_app.states.api_keys import ApiKeysState as S


def _new_secret() -> rx.Component:
    return rx.cond(S.new_secret != "", rx.callout.root(
        rx.callout.icon(rx.icon("key-round")),
        rx.vstack(
            rx.text("Copy the key for ", rx.text.strong(S.new_name),
                    " now: it is not stored and cannot be shown again.", size="2"),
            rx.hstack(
                rx.code(S.new_secret, id="new-secret", word_break="break-all"),
                rx.button(rx.icon("copy", size=14), "Copy", size="1", variant="soft", id="copy-secret",
                          on_click=rx.set_clipboard(S.new_secret)),
                spacing="2", align="center", wrap="wrap",
            ),
            rx.button("I have copied it", size="1", variant="outline", on_click=S.dismiss_secret, id="dismiss-secret"),
            spacing="2",
        ),
        color_scheme="amber", width="100%", id="secret-callout",
    ))


def _status(k: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.cond(k["active"] != "", rx.badge("active", color_scheme="green"),
                   rx.tooltip(rx.badge("revoked", color_scheme="gray"), content=k["revoked"]))


def _revoke(k: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.cond(k["active"] != "", confirm(
        rx.button("Revoke", size="1", variant="soft", color_scheme="red", class_name="revoke-key"),
        "Revoke this API key?", "Whatever uses it is refused from now on. This cannot be undone.",
        S.revoke(k["id"]), "Revoke"))


def _cells(k: rx.Var[dict[str, str]]) -> list:
    return [rx.text(k["name"], class_name="key-name"), rx.code(k["hint"]), k["created_by"], k["created"],
            k["last_used"], _status(k), _revoke(k)]


def api_keys_page() -> rx.Component:
    return staff_shell(
        message(S.notice, "green", id="notice", role="status"),
        message(S.error, "red", id="error", role="alert"),
        _new_secret(),
        section("New API key", rx.form(
            rx.flex(
                field("Name (what will use it)", rx.input(name="name", required=True, max_length=80,
                                                         id="key-name", width="100%")),
                rx.button("Create key", type="submit", id="create-key"),
                spacing="3", align="end", wrap="wrap", width="100%",
            ),
            on_submit=S.create, reset_on_submit=True, width="100%",
        )),
        section("API keys", simple_table(
            ["Name", "Key", "Created by", "Created", "Last used", "Status", ""], S.keys, _cells,
            "No API keys yet.", id="api-keys")),
        title="API keys",
        crumbs=(("Settings", "/settings/security"),),
        access_denied=S.access_denied,
    )
