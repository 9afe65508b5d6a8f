"""State of `/settings/branding` (administrators): texts, accent colour and logo of guest pages and stickers,
with a preview that follows what is typed before it is saved; and who the receipts name as the seller (legal name,
address, VAT number and rate)."""

from __future__ import annotations

import asyncio

import reflex as rx

from hygate_app.db import session_scope
from hygate_app.services import branding, branding_cache, receipt_settings
from hygate_app.services.authz import Capability
from hygate_app.states.staff import StaffState, staff_event

EDITABLE = ("header", "subtitle", "footer", "accent", "sticker_language", "legal_name", "address", "tax_id",
            "vat_rate")
ACCEPTED_UPLOADS = {"image/png": [".png"], "image/jpeg": [".jpg", ".jpeg"], "image/webp": [".webp"]}


def _current() -> tuple[branding_cache.Current, receipt_settings.ReceiptSettings]:
    with session_scope() as db:
        return branding_cache.current(db), receipt_settings.load(db)


class BrandingState(StaffState):
    header: str = ""
    subtitle: str = ""
    footer: str = ""
    accent: str = branding.DEFAULT_ACCENT
    sticker_language: str = ""
    logo_url: str = ""
    uploading: bool = False
    legal_name: str = ""
    address: str = ""
    tax_id: str = ""
    vat_rate: str = ""

    @rx.var
    def contrast(self) -> str:
        """What text the accent carries, as guest pages, receipts and stickers will draw it (WCAG AA, 4.5:1)."""
        value = self.accent.strip().lower()
        if not branding.is_hex_colour(value):
            return "Enter a colour like #0b6bcb."
        shades = branding.palette(value)
        ratio = int(branding.contrast_ratio(shades.on_solid, value) * 10) / 10
        if shades.on_solid == branding.WHITE:
            return f"White text on it: {ratio}:1, readable."
        return (f"Too light for white text: buttons and stickers get black text ({ratio}:1), and links a darker "
                "shade of it.")

    @rx.var
    def contrast_ok(self) -> bool:
        return branding.is_hex_colour(self.accent.strip().lower())

    @rx.var
    def preview_accent(self) -> str:
        """The preview never paints with something that is not a colour."""
        value = self.accent.strip().lower()
        return value if branding.is_hex_colour(value) else branding.DEFAULT_ACCENT

    @rx.var
    def preview_palette(self) -> dict[str, str]:
        return branding.palette(self.preview_accent).as_dict()

    @rx.var
    def vat_note(self) -> str:
        """Whether receipts will show a VAT line, as the service decides it (rate and VAT number both set)."""
        if self.vat_rate.strip() and self.tax_id.strip():
            return "Receipts show the VAT included in each price (prices are gross)."
        if self.vat_rate.strip() or self.tax_id.strip():
            return "Receipts show a VAT line only when both the rate and the VAT number are set."
        return "No VAT line on receipts."

    def _show(self, current: branding_cache.Current, receipts: receipt_settings.ReceiptSettings) -> None:
        value = current.branding
        self.header, self.subtitle, self.footer = value.header, value.subtitle, value.footer
        self.accent, self.logo_url = value.accent_colour, branding_cache.logo_url(current)
        self.sticker_language = value.sticker_language
        self.legal_name, self.address = receipts.legal_name, receipts.address
        self.tax_id, self.vat_rate = receipts.tax_id, receipts.vat_rate

    async def _refresh(self) -> None:
        self._show(*await asyncio.to_thread(_current))

    @staff_event(Capability.branding)
    async def load(self):
        self.notice, self.error, self.uploading = "", "", False
        await self._refresh()

    @staff_event(Capability.branding)
    async def edit(self, name: str, value: str):
        """What is typed, for the preview; nothing is saved until Save."""
        if name in EDITABLE:
            setattr(self, name, str(value)[:400])

    @staff_event(Capability.branding)
    async def save(self):
        new = branding.Branding(header=self.header, subtitle=self.subtitle, footer=self.footer,
                                accent_colour=self.accent, sticker_language=self.sticker_language)
        await self._run(lambda db, who, actor: branding.save(db, new, actor), "Branding saved.")

    @staff_event(Capability.branding)
    async def save_receipts(self):
        new = receipt_settings.ReceiptSettings(legal_name=self.legal_name, address=self.address, tax_id=self.tax_id,
                                               vat_rate=self.vat_rate)
        await self._run(lambda db, who, actor: receipt_settings.save(db, new, actor), "Receipt details saved.")

    @staff_event(Capability.branding)
    async def upload_logo(self, files: list[rx.UploadFile]):
        self.notice, self.error = "", ""
        if not files:
            self.error = "Choose an image first."
            return
        upload = files[0]
        # One byte more than allowed is enough for the service to refuse it, without reading a huge file.
        data = await upload.read(branding.LOGO_MAX_BYTES + 1)
        name = upload.name or ""
        await self._run(lambda db, who, actor: branding.set_logo(db, data, name, actor), "Logo uploaded.")

    @staff_event(Capability.branding)
    async def remove_logo(self):
        await self._run(lambda db, who, actor: branding.remove_logo(db, actor), "Logo removed.")
