"""The frame of every public guest page: mobile-first card, the workspace's brand header (Settings → Branding)
with the language menu, footer.

The branding comes from `GuestBrandState`, loaded at each guest page's on_load; its accent palette (the service
makes every colour of it readable where it is used) is given to Radix's accent variables, so buttons and highlights
take it without each page knowing. The words come from
`GuestTextState` in the guest's language (`t("message.id")`).
"""

import reflex as rx

from hygate_app.components.browser import guest_language
from hygate_app.services.translations import LANGUAGES, N_
from hygate_app.states.guest_branding import GuestBrandState
from hygate_app.states.guest_text import GuestTextState, t

# The staff side's own mark (sign-in, admin shell); guest pages use the workspace's accent instead.
ACCENT = "#0b6bcb"


def accent_variables(palette: rx.Var[dict[str, str]]) -> dict:
    """Radix's accent scale from the branding's palette (`services.branding.palette`): the accent on buttons with
    the text colour that reads on it, and the darkened `ink` wherever the accent is text or an outline."""
    return {
        "--accent-9": palette["solid"],
        "--accent-10": palette["hover"],
        "--accent-11": palette["ink"],
        "--accent-a11": palette["ink"],
        "--accent-12": palette["ink"],
        "--accent-a3": palette["tint"],
        "--accent-a4": palette["tint"],
        "--accent-contrast": palette["on_solid"],
        "--accent-surface": palette["tint"],
        "--focus-8": palette["ink"],
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


def guest_shell(*children: rx.Component, title: rx.Var[str] | None = None) -> rx.Component:
    """`title`, the page's name for the tab's title, e.g. `t("title.use")` (else the workspace's header)."""
    b = GuestBrandState
    return rx.box(
        rx.el.header(rx.hstack(
            brand_mark(b.logo_url, b.accent, b.header),
            guest_language(value=GuestTextState.language, label=t("shell.language"), languages=LANGUAGES,
                           title=title + " | Hygate" if title is not None else b.header),
            justify="between",
            align="center",
            spacing="3",
            padding="14px 18px",
            border_bottom="1px solid var(--gray-a5)",
            border_top=f"4px solid {b.accent}",
            id="guest-header",
        )),
        rx.el.main(rx.box(
            rx.vstack(*children, spacing="4", width="100%"),
            padding="18px",
            max_width="480px",
            margin="0 auto",
            width="100%",
        )),
        rx.el.footer(rx.vstack(
            rx.cond(b.footer != "", rx.text(b.footer, size="2", id="guest-footer")),
            rx.text(t("shell.stripe_note"), size="1", color="var(--gray-11)"),
            padding="18px",
            align="center",
            text_align="center",
            spacing="2",
        )),
        min_height="100vh",
        background="var(--gray-2)",
        class_name="guest-page",
        style=accent_variables(b.palette),
    )


def display_code_badge(code: rx.Var[str] | str) -> rx.Component:
    """Printed on the QR sticker too: a guest can tell a genuine page from a pasted-over sticker."""
    return rx.hstack(
        rx.text(t("shell.sticker_code"), size="2", color="var(--gray-11)"),
        rx.code(code, size="4", weight="bold", id="display-code"),
        align="center",
        spacing="2",
    )


# What a link can name that does not exist, by the message saying so.
NOT_FOUND_TEXT = {
    "page": N_("not_found.page"), "device": N_("not_found.device"), "door": N_("not_found.door"),
    "session": N_("not_found.session"), "access": N_("not_found.access"),
}


def not_found_card(what: str = "page") -> rx.Component:
    """Says only that the link is unknown: no id, no detail of why."""
    return rx.card(
        rx.vstack(
            rx.heading(t("not_found.title"), size="6"),
            rx.text(t(NOT_FOUND_TEXT[what])),
            spacing="2",
        ),
        width="100%",
        id="not-found",
    )


# The words of the receipt links (message ids), in one place for both guest pages.
RECEIPT_LINKS = {"pdf": N_("receipt.pdf"), "page": N_("receipt.page")}


def receipt_links(token: rx.Var[str]) -> rx.Component:
    """Shown once the payment is paid. The PDF downloads in place (a document request: the app's client-side router
    must not take it); the printable page opens beside the live page, which keeps running."""
    words = {link: t(message_id) for link, message_id in RECEIPT_LINKS.items()}
    return rx.hstack(
        rx.link(
            rx.hstack(rx.icon("file-down", size=16), rx.text(words["pdf"], size="2"), spacing="1",
                      align="center"),
            href="/api/receipt/" + token + ".pdf", download=True, reload_document=True, id="receipt-pdf",
        ),
        rx.link(
            rx.hstack(rx.icon("printer", size=16), rx.text(words["page"], size="2"), spacing="1",
                      align="center"),
            href="/receipt/" + token, is_external=True, id="receipt-page",
        ),
        spacing="5",
        justify="center",
        wrap="wrap",
        width="100%",
        id="receipt-links",
    )
