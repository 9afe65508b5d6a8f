"""`/settings/branding` (administrators): what guests see on every page and on the QR-code stickers, with a
preview that follows the form as it is typed; and the seller's details printed on receipts."""

import reflex as rx

from hygate_app.components.form_controls import native_select
from hygate_app.components.guest_shell import accent_variables, brand_mark
from hygate_app.components.staff_shell import confirm, field, message, section, staff_shell
from hygate_app.services.branding import LOGO_MAX_BYTES, TEXT_LIMITS
from hygate_app.services.receipt_settings import ADDRESS_LINES_MAX, NAME_MAX, TAX_ID_MAX
from hygate_app.services.translations import LANGUAGES
from hygate_app.states.branding import ACCEPTED_UPLOADS
from hygate_app.states.branding import BrandingState as S


def _text_input(name: str, label: str, value: rx.Var[str]) -> rx.Component:
    return field(f"{label} (at most {TEXT_LIMITS[name]} characters)", rx.input(
        value=value, on_change=lambda v: S.edit(name, v), debounce_timeout=300, max_length=TEXT_LIMITS[name],
        id=f"branding-{name}", width="100%"))


def _form() -> rx.Component:
    return section(
        "Texts and colour",
        _text_input("header", "Header", S.header),
        _text_input("subtitle", "Subtitle (on stickers)", S.subtitle),
        _text_input("footer", "Footer", S.footer),
        field("Accent colour", rx.hstack(
            rx.el.input(type="color", value=S.preview_accent, on_change=lambda v: S.edit("accent", v),
                        aria_label="Pick the accent colour", id="accent-picker",
                        style={"width": "44px", "height": "32px", "border": "none", "padding": "0",
                               "background": "none"}),
            rx.input(value=S.accent, on_change=lambda v: S.edit("accent", v), debounce_timeout=300,
                     max_length=7, id="branding-accent", width="120px", font_family="monospace"),
            spacing="2", align="center")),
        rx.text(S.contrast, size="2", id="contrast", color=rx.cond(S.contrast_ok, "var(--gray-11)",
                                                                    "var(--red-11)")),
        field("Language of the QR stickers (guest pages follow each phone's language)", native_select(
            *(rx.el.option(name, value=code) for code, name in LANGUAGES.items()),
            value=S.sticker_language, on_change=lambda v: S.edit("sticker_language", v), id="sticker-language")),
        rx.button("Save", on_click=S.save, id="save-branding"),
    )


def _logo() -> rx.Component:
    return section(
        "Logo",
        rx.text(f"PNG, JPEG or WebP, at most {LOGO_MAX_BYTES // 1024} KB. It replaces the dot before the header.",
                size="2", color="var(--gray-11)"),
        rx.upload(
            rx.vstack(rx.icon("image-up"), rx.text("Drop an image here or click to choose one", size="2"),
                      align="center", spacing="1"),
            id="logo", accept=ACCEPTED_UPLOADS, max_files=1, multiple=False, max_size=LOGO_MAX_BYTES,
            on_drop=S.upload_logo(rx.upload_files(upload_id="logo")),
            border="1px dashed var(--gray-a7)", border_radius="8px", padding="18px", width="100%",
            cursor="pointer", class_name="logo-drop",
        ),
        rx.cond(S.logo_url != "", confirm(
            rx.button("Remove logo", variant="soft", color_scheme="red", id="remove-logo"),
            "Remove the logo?", "Guest pages and new stickers show the coloured dot again.", S.remove_logo(),
            "Remove")),
    )


def _receipts() -> rx.Component:
    return section(
        "Receipts",
        rx.text("Printed on every guest receipt (PDF, printable page and e-mail). Without a legal name the header "
                "above is used.", size="2", color="var(--gray-11)"),
        field("Legal name", rx.input(value=S.legal_name, on_change=lambda v: S.edit("legal_name", v),
                                     debounce_timeout=300, max_length=NAME_MAX, id="receipt-legal-name",
                                     width="100%")),
        field(f"Address (up to {ADDRESS_LINES_MAX} lines)", rx.text_area(
            value=S.address, on_change=lambda v: S.edit("address", v), debounce_timeout=300, rows="3",
            id="receipt-address", width="100%")),
        rx.grid(
            field("VAT number", rx.input(value=S.tax_id, on_change=lambda v: S.edit("tax_id", v),
                                         debounce_timeout=300, max_length=TAX_ID_MAX, id="receipt-tax-id",
                                         width="100%")),
            field("VAT rate (%)", rx.input(value=S.vat_rate, on_change=lambda v: S.edit("vat_rate", v),
                                           debounce_timeout=300, max_length=8, input_mode="decimal",
                                           placeholder="e.g. 19 or 7.7", id="receipt-vat-rate", width="100%")),
            columns="2", spacing="3", width="100%",
        ),
        rx.text(S.vat_note, size="2", id="vat-note", color="var(--gray-11)"),
        rx.button("Save receipt details", on_click=S.save_receipts, id="save-receipts"),
    )


def _guest_header_preview() -> rx.Component:
    return rx.box(
        rx.box(brand_mark(S.logo_url, S.preview_accent, S.header), padding="12px 14px",
               border_top=f"4px solid {S.preview_accent}", border_bottom="1px solid var(--gray-a5)"),
        rx.vstack(
            rx.text("Washer 7", weight="bold", size="4"),
            rx.button("Pay and start", width="100%"),
            rx.cond(S.footer != "", rx.text(S.footer, size="1", text_align="center", width="100%",
                                            class_name="preview-footer")),
            padding="12px 14px", spacing="2",
        ),
        border="1px solid var(--gray-a6)", border_radius="12px", overflow="hidden", background="var(--gray-2)",
        max_width="360px", width="100%", id="preview-guest", style=accent_variables(S.preview_palette),
    )


def _sticker_preview() -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(rx.cond(S.logo_url != "", rx.image(src=S.logo_url, alt="", height="24px", width="auto",
                                                         background="white", border_radius="4px", padding="2px")),
                      rx.text(S.header, weight="bold", size="3", color=S.preview_palette["on_solid"]),
                      align="center", spacing="2"),
            rx.text(S.subtitle, size="1", color=S.preview_palette["on_solid"]),
            background=S.preview_accent, padding="10px 12px", width="100%", spacing="1",
        ),
        rx.vstack(
            rx.box(rx.icon("qr-code", size=96, color="black"), padding="6px", background="white"),
            rx.text("Washer 7 · code ", rx.code("K7Q"), size="1"),
            rx.cond(S.footer != "", rx.text(S.footer, size="1", color="var(--gray-11)")),
            align="center", padding="10px", spacing="1", width="100%",
        ),
        border="1px solid var(--gray-a6)", border_radius="8px", overflow="hidden", background="white",
        color="black", width="200px", id="preview-sticker",
    )


def branding_page() -> rx.Component:
    return staff_shell(
        message(S.notice, "green", id="notice", role="status"),
        message(S.error, "red", id="error", role="alert"),
        rx.grid(
            rx.vstack(_form(), _logo(), _receipts(), spacing="4", width="100%"),
            section("Preview", rx.text("A guest page's header", size="2", color="var(--gray-11)"),
                    _guest_header_preview(),
                    rx.text("A card of the QR-code sheet", size="2", color="var(--gray-11)"),
                    _sticker_preview()),
            columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
        ),
        title="Branding",
        crumbs=(("Settings", "/settings/security"),),
        access_denied=S.access_denied,
        wide=True,
    )
