"""The frame of every public guest page: mobile-first card, the workspace's brand header (Settings → Branding),
footer.

The branding comes from `GuestBrandState`, loaded at each guest page's on_load; its accent colour is given to
Radix's accent variables, so buttons and highlights take it without each page knowing.
"""

import reflex as rx

from hygate_app.states.guest_branding import GuestBrandState

# The staff side's own mark (sign-in, admin shell); guest pages use the workspace's accent instead.
ACCENT = "#0b6bcb"


def accent_variables(accent: rx.Var[str] | str) -> dict:
    """Radix's accent scale, from the one colour the service has checked for contrast with white text."""
    return {
        "--accent-9": accent,
        "--accent-10": f"color-mix(in srgb, {accent} 85%, black)",
        "--accent-11": accent,
        "--accent-a11": accent,
        "--accent-a3": f"color-mix(in srgb, {accent} 14%, transparent)",
        "--accent-a4": f"color-mix(in srgb, {accent} 20%, transparent)",
        "--accent-contrast": "white",
        "--focus-8": accent,
    }


def brand_mark(logo_url: rx.Var[str], accent: rx.Var[str], header: rx.Var[str]) -> rx.Component:
    """The logo when there is one, else a dot in the accent colour; then the header text."""
    return rx.hstack(
        rx.cond(
            logo_url != "",
            rx.image(src=logo_url, alt="", height="32px", width="auto", max_width="120px", object_fit="contain",
                     class_name="brand-logo"),
            rx.box(width="12px", height="12px", border_radius="50%", background=accent, flex_shrink="0",
                   class_name="brand-dot"),
        ),
        rx.text(header, weight="bold", size="4", class_name="brand-header"),
        align="center",
        spacing="2",
    )


def guest_shell(*children: rx.Component) -> rx.Component:
    b = GuestBrandState
    return rx.box(
        rx.box(
            brand_mark(b.logo_url, b.accent, b.header),
            padding="14px 18px",
            border_bottom="1px solid var(--gray-a5)",
            border_top=f"4px solid {b.accent}",
            id="guest-header",
        ),
        rx.box(
            rx.vstack(*children, spacing="4", width="100%"),
            padding="18px",
            max_width="480px",
            margin="0 auto",
            width="100%",
        ),
        rx.vstack(
            rx.cond(b.footer != "", rx.text(b.footer, size="2", id="guest-footer")),
            rx.text("Secure payment by Stripe · Card details never reach this site.", size="1", color="var(--gray-11)"),
            padding="18px",
            align="center",
            text_align="center",
            spacing="2",
        ),
        min_height="100vh",
        background="var(--gray-2)",
        style=accent_variables(b.accent),
    )


def display_code_badge(code: rx.Var[str] | str) -> rx.Component:
    """Printed on the QR sticker too: a guest can tell a genuine page from a pasted-over sticker."""
    return rx.hstack(
        rx.text("Code on sticker:", size="2", color="var(--gray-11)"),
        rx.code(code, size="4", weight="bold", id="display-code"),
        align="center",
        spacing="2",
    )


def not_found_card(what: str = "page") -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Not found", size="6"),
            rx.text(f"This {what} does not exist. Please scan the QR code on the machine or door again."),
            spacing="2",
        ),
        width="100%",
        id="not-found",
    )
