"""`/account`: password, second factor, backup codes, sessions and trusted browsers."""

import reflex as rx

from hygate_app.components.staff_shell import field, message, post_button, section, staff_shell
from hygate_app.states.account import AccountState


def _password_input(name: str = "password", label: str = "Current password",
                    autocomplete: str = "current-password") -> rx.Component:
    """No id: several forms on the page ask for the current password; the wrapping label names each."""
    return field(label, rx.input(name=name, type="password", auto_complete=autocomplete, required=True,
                                 width="100%"))


def _form(on_submit, *children: rx.Component, submit: str, id: str, **button) -> rx.Component:
    return rx.form(rx.vstack(*children, rx.button(submit, type="submit", **button), spacing="3", width="100%"),
                   on_submit=on_submit, reset_on_submit=True, id=id, width="100%")


def _password_section() -> rx.Component:
    return section(
        "Password",
        rx.text("At least 12 characters; a long phrase is best. Common passwords are refused.", size="2"),
        _form(AccountState.change_password,
              _password_input("current", "Current password"),
              _password_input("new", "New password", "new-password"),
              _password_input("confirm", "Repeat the new password", "new-password"),
              submit="Change password", id="change-password"),
    )


def _totp_setup() -> rx.Component:
    return rx.cond(
        AccountState.totp_qr != "",
        rx.vstack(
            rx.text("Scan this with your authenticator app, then enter the code it shows.", size="2"),
            rx.image(src=AccountState.totp_qr, width="200px", height="200px", alt="QR code for your authenticator",
                     id="totp-qr"),
            rx.text("Or type this key: ", rx.code(AccountState.totp_secret_text, id="totp-secret"), size="2"),
            _form(AccountState.confirm_totp, _password_input(),
                  field("Code from the app", rx.input(name="code", input_mode="numeric", auto_complete="one-time-code",
                                                      required=True, width="100%", id="totp-code")),
                  submit="Turn on authenticator app", id="confirm-totp"),
            spacing="3",
            width="100%",
        ),
        rx.button("Set up an authenticator app", on_click=AccountState.start_totp_setup, id="start-totp",
                  variant="soft"),
    )


def _two_factor_section() -> rx.Component:
    return section(
        "Two-step verification",
        rx.cond(AccountState.must_enrol_2fa,
                rx.callout("Administrators must use two-step verification: set it up to continue.",
                           color_scheme="amber", id="must-enrol")),
        rx.text("Now: ", rx.match(AccountState.two_factor_method, ("totp", "authenticator app"),
                                  ("email", "code by e-mail"), "off"), id="two-factor-method"),
        _totp_setup(),
        rx.cond(AccountState.two_factor_method != "email",
                _form(AccountState.enable_email_2fa, _password_input(), submit="Use codes by e-mail instead",
                      id="enable-email-2fa", variant="soft")),
        rx.cond(AccountState.two_factor_method != "none", rx.vstack(
            rx.text(AccountState.backup_codes_left.to_string(), " backup codes left.", size="2", id="codes-left"),
            _form(AccountState.regenerate_backup_codes, _password_input(), submit="Make new backup codes",
                  id="regenerate-codes", variant="soft"),
            rx.cond(~AccountState.is_admin,
                    _form(AccountState.disable_2fa, _password_input(), submit="Turn off two-step verification",
                          id="disable-2fa", color_scheme="red", variant="soft")),
            spacing="3",
            width="100%",
        )),
    )


def _backup_codes() -> rx.Component:
    return rx.cond(
        AccountState.new_backup_codes.length() > 0,
        rx.callout(
            rx.vstack(
                rx.text("Your backup codes. Each works once. Keep them somewhere safe: they are shown only now.",
                        weight="bold"),
                rx.grid(rx.foreach(AccountState.new_backup_codes, lambda c: rx.code(c, class_name="backup-code")),
                        columns="2", spacing="2"),
                rx.button("I have saved them", on_click=AccountState.dismiss_backup_codes, size="1"),
                spacing="2",
            ),
            color_scheme="blue",
            width="100%",
            id="backup-codes",
        ),
    )


def _session_row(row: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["started"]), rx.table.cell(row["last_seen"]), rx.table.cell(row["ip"]),
        rx.table.cell(rx.text(row["browser"], size="1")),
        rx.table.cell(rx.cond(row["current"] != "", rx.badge("this browser"),
                              rx.button("Sign out", size="1", variant="soft",
                                        on_click=AccountState.revoke_session(row["id"])))),
        class_name="session-row",
    )


def _device_row(row: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["since"]), rx.table.cell(row["until"]), rx.table.cell(rx.text(row["browser"], size="1")),
        rx.table.cell(rx.button("Forget", size="1", variant="soft",
                                on_click=AccountState.revoke_trusted_device(row["id"]))),
        class_name="trusted-browser-row",
    )


def _table(headers: list[str], rows, render, empty: str) -> rx.Component:
    return rx.cond(
        rows.length() > 0,
        rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(rows, render)),
            size="1", width="100%",
        ), overflow_x="auto", width="100%"),
        rx.text(empty, size="2", color="var(--gray-11)"),
    )


def account_page() -> rx.Component:
    return staff_shell(
        rx.text(AccountState.name, " · ", AccountState.email, " · ", AccountState.role, id="who"),
        message(AccountState.notice, "green", id="notice", role="status"),
        message(AccountState.error, "red", id="error", role="alert"),
        _backup_codes(),
        _two_factor_section(),
        _password_section(),
        section("Signed-in sessions",
                _table(["Started", "Last active", "IP", "Browser", ""], AccountState.sessions, _session_row,
                       "No other sessions."),
                post_button("Sign out everywhere", "/api/auth/logout-everywhere", color_scheme="red",
                            id="sign-out-everywhere")),
        section("Trusted browsers",
                _table(["Trusted since", "Until", "Browser", ""], AccountState.devices, _device_row,
                       "No trusted browsers: every sign-in asks for a code.")),
        title="Your account",
        access_denied=AccountState.access_denied,
    )
