"""The frame of every public guest page: mobile-first card, brand header, footer."""

import reflex as rx

ACCENT = "#0b6bcb"


def guest_shell(*children: rx.Component) -> rx.Component:
    return rx.box(
        rx.box(
            rx.hstack(
                rx.box(width="12px", height="12px", border_radius="50%", background=ACCENT),
                rx.text("Hygate", weight="bold", size="4"),
                align="center",
                spacing="2",
            ),
            padding="14px 18px",
            border_bottom="1px solid var(--gray-a5)",
        ),
        rx.box(
            rx.vstack(*children, spacing="4", width="100%"),
            padding="18px",
            max_width="480px",
            margin="0 auto",
            width="100%",
        ),
        rx.box(
            rx.text("Secure payment by Stripe · Card details never reach this site.", size="1", color="var(--gray-11)"),
            padding="18px",
            text_align="center",
        ),
        min_height="100vh",
        background="var(--gray-2)",
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
