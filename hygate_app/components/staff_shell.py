"""The frame of the staff pages: a header with the modules the signed-in role may open, and sign-out.

Hiding a link is only convenience: every handler behind these pages checks the role on the server.
"""

import reflex as rx

from hygate_app.components.browser import post_form
from hygate_app.components.guest_shell import ACCENT


def post_button(label: str, action: str, **props) -> rx.Component:
    """A real form POST (sign-out must not be a GET link, and the server needs the HttpOnly cookie)."""
    return post_form(rx.button(label, type="submit", variant="soft", **props), action=action, method="post")


def staff_shell(*children: rx.Component, title: str, is_admin: rx.Var[bool] | bool = False,
                access_denied: rx.Var[str] | str = "") -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.hstack(
                rx.box(width="12px", height="12px", border_radius="50%", background=ACCENT),
                rx.text("Hygate", weight="bold", size="4"),
                align="center",
                spacing="2",
            ),
            rx.spacer(),
            rx.link("Account", href="/account", id="nav-account"),
            rx.cond(is_admin, rx.hstack(
                rx.link("Team", href="/settings/team", id="nav-team"),
                rx.link("Security", href="/settings/security", id="nav-security"),
                spacing="4",
            )),
            post_button("Sign out", "/api/auth/logout", id="sign-out", size="1"),
            align="center",
            spacing="4",
            padding="12px 18px",
            border_bottom="1px solid var(--gray-a5)",
            wrap="wrap",
        ),
        rx.box(
            rx.heading(title, size="6", margin_bottom="16px"),
            rx.cond(
                access_denied != "",
                rx.callout(access_denied, color_scheme="red", role="alert", id="access-denied"),
                rx.vstack(*children, spacing="5", width="100%"),
            ),
            padding="18px",
            max_width="900px",
            margin="0 auto",
            width="100%",
        ),
        min_height="100vh",
        background="var(--gray-2)",
    )


def section(title: str, *children: rx.Component, **props) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4"), *children, spacing="3", width="100%"), width="100%",
                   **props)


def field(label: str, control: rx.Component) -> rx.Component:
    """A labelled control; the label wraps it, so screen readers and tests find it by its label."""
    return rx.el.label(
        rx.vstack(rx.text(label, size="2", weight="medium"), control, spacing="1", width="100%"),
        width="100%", display="block",
    )


def message(text: rx.Var[str], color: str, **props) -> rx.Component:
    return rx.cond(text != "", rx.callout(text, color_scheme=color, width="100%", **props))
