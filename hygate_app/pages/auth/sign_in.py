"""`/login` and `/login/verify`: plain HTML forms that POST to the server, which sets the cookie."""

import reflex as rx

from hygate_app.components.browser import post_form
from hygate_app.components.guest_shell import ACCENT
from hygate_app.components.staff_shell import field, message
from hygate_app.states.sign_in_pages import LoginState, VerifyState


def _card(*children: rx.Component) -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(rx.box(width="12px", height="12px", border_radius="50%", background=ACCENT),
                          rx.text("Hygate", weight="bold", size="4"), align="center", spacing="2"),
                *children,
                spacing="4",
                width="100%",
            ),
            width="100%",
            max_width="400px",
            padding="24px",
        ),
        min_height="100vh",
        padding="16px",
        background="var(--gray-2)",
    )


def login_page() -> rx.Component:
    return _card(
        rx.heading("Staff sign-in", size="6"),
        message(LoginState.message, LoginState.message_color, id="login-message", role="alert"),
        post_form(
            rx.vstack(
                field("E-mail", rx.input(name="email", type="email", auto_complete="username", required=True,
                                         size="3", width="100%", id="email")),
                field("Password", rx.input(name="password", type="password", auto_complete="current-password",
                                           required=True, size="3", width="100%", id="password")),
                rx.button("Sign in", type="submit", size="3", width="100%", id="sign-in"),
                spacing="3",
                width="100%",
            ),
            action="/api/auth/login",
            method="post",
            width="100%",
        ),
    )


def _code_form(kind: str, label: str, hint: str, autocomplete: str, input_mode: str) -> rx.Component:
    return post_form(
        rx.vstack(
            rx.text(hint, size="2", color="var(--gray-11)"),
            rx.el.input(type="hidden", name="kind", value=kind),
            field(label, rx.input(name="code", auto_complete=autocomplete, input_mode=input_mode, required=True,
                                  size="3", width="100%", id="code", auto_focus=True)),
            rx.el.label(
                rx.hstack(rx.el.input(type="checkbox", name="trust", id="trust"),
                          rx.text("Trust this browser (skip the code here for a while)", size="2"),
                          align="center", spacing="2"),
            ),
            rx.button("Verify", type="submit", size="3", width="100%", id="verify"),
            spacing="3",
            width="100%",
        ),
        action="/api/auth/verify",
        method="post",
        width="100%",
    )


def verify_page() -> rx.Component:
    return _card(
        rx.heading("Two-step verification", size="6"),
        message(VerifyState.message, VerifyState.message_color, id="verify-message", role="alert"),
        rx.match(
            VerifyState.kind,
            ("totp", _code_form("totp", "Code from your authenticator app",
                                "Open your authenticator app and enter the 6-digit code for Hygate.",
                                "one-time-code", "numeric")),
            ("email", rx.vstack(
                _code_form("email", "Code from the e-mail", "We sent a 6-digit code to your e-mail address. "
                           "It is valid for 5 minutes.", "one-time-code", "numeric"),
                post_form(rx.button("Send a new code", type="submit", variant="ghost", id="resend"),
                           action="/api/auth/email-code", method="post"),
                width="100%",
            )),
            ("backup_code", _code_form("backup_code", "Backup code",
                                       "Enter one of your backup codes. Each works once.", "off", "text")),
            rx.spinner(),
        ),
        rx.cond(
            VerifyState.kind == "backup_code",
            rx.button("Use my usual second factor", variant="ghost", on_click=VerifyState.use_second_factor),
            rx.button("Use a backup code", variant="ghost", on_click=VerifyState.use_backup_code,
                      id="use-backup-code"),
        ),
        rx.link("Start again", href="/login", size="2"),
    )
