"""Printable, branded QR-code sheets (PDF): one A4 page per door or device, or four cards per page for a location.

Each sheet carries the workspace branding, the item's name and location, the QR code of its guest page, its short
display code printed large (a guest compares it with the code on the page they land on, so a pasted-over sticker
shows) and a one-line instruction, in the language chosen for stickers in Settings → Branding.

The document, its font and the text it can draw come from services/pdf_style.py (shared with receipts).

The QR code is embedded as a raster image (PNG), not vector paths, so it prints sharp at this size and a test can
pull it out of the PDF and decode it.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

import qrcode
from fpdf import FPDF
from qrcode.constants import ERROR_CORRECT_Q
from sqlmodel import Session, select

from hygate_app.models import Device, Door, Location
from hygate_app.services import branding as branding_service
from hygate_app.services.branding import Branding
from hygate_app.services.errors import Conflict, NotFound
from hygate_app.services.ids import parse_id
from hygate_app.services.pdf_style import FONT, draw_logo, line_h, logo_image, new_document, printable, rgb
from hygate_app.services.translations import N_, gettext

Kind = Literal["device", "door"]
# The sticker's words, by their id in the guest catalogues.
INSTRUCTIONS: dict[str, str] = {"device": N_("sticker.instruction_device"), "door": N_("sticker.instruction_door")}
CODE_LABEL = N_("sticker.code")
CODE_HINT = N_("sticker.code_hint")

# A4 in millimetres; a full-page card and the 2 × 2 grid of a location sheet keep the same proportions.
PAGE_W, PAGE_H = 210.0, 297.0
FULL = (15.0, 15.0, 180.0, 267.0)
GRID_MARGIN, GRID_GAP = 10.0, 10.0
CARDS_PER_PAGE = 4


@dataclass(frozen=True)
class Card:
    kind: Kind
    name: str
    location: str
    display_code: str
    url: str


@dataclass(frozen=True)
class Sheet:
    filename: str
    pdf: bytes


def guest_url(base_url: str, kind: Kind, uid: str) -> str:
    """Where the QR code leads: a device's `/use/{uid}`, a door's `/pay/{uid}` (PRODUCT.md)."""
    return f"{base_url.rstrip('/')}/{'use' if kind == 'device' else 'pay'}/{uid}"


def item_sheet_pdf(db: Session, kind: Kind, item_id: int, base_url: str) -> bytes:
    return item_sheet(db, kind, item_id, base_url).pdf


def location_sheet_pdf(db: Session, location_id: int, base_url: str) -> bytes:
    return location_sheet(db, location_id, base_url).pdf


def item_sheet(db: Session, kind: Kind, item_id: int, base_url: str) -> Sheet:
    """One A4 page for one door or device."""
    model = {"device": Device, "door": Door}.get(kind)
    item = db.get(model, item_id) if model is not None and _valid_id(item_id) else None
    if item is None:
        raise NotFound(f"This {kind if model is not None else 'item'} does not exist.")
    location = db.get(Location, item.location_id)
    card = _card(kind, item, location.name if location else "", base_url)
    brand = branding_service.load(db)
    pdf = new_document(f"QR code – {item.name}")
    pdf.add_page()
    _draw_card(pdf, card, *FULL, brand)
    return Sheet(filename(item.name, f"{kind}-{item_id}"), bytes(pdf.output()))


def location_sheet(db: Session, location_id: int, base_url: str) -> Sheet:
    """Every door and device of a location, four cards per A4 page, in name order."""
    location = db.get(Location, location_id) if _valid_id(location_id) else None
    if location is None:
        raise NotFound("This location does not exist.")
    cards = location_cards(db, location, base_url)
    if not cards:
        raise Conflict(f"“{location.name}” has no doors or devices yet, so there is no QR code to print.")
    brand = branding_service.load(db)
    pdf = new_document(f"QR codes – {location.name}")
    for index, card in enumerate(cards):
        slot = index % CARDS_PER_PAGE
        if slot == 0:
            pdf.add_page()
            _cut_lines(pdf)
        _draw_card(pdf, card, *_grid_box(slot), brand)
    return Sheet(filename(location.name, f"location-{location_id}"), bytes(pdf.output()))


def location_cards(db: Session, location: Location, base_url: str) -> list[Card]:
    """Doors and devices together, by name (tens per location: sorted here, case-insensitively)."""
    doors = db.exec(select(Door).where(Door.location_id == location.id).order_by(Door.id))
    devices = db.exec(select(Device).where(Device.location_id == location.id).order_by(Device.id))
    cards = [_card("door", d, location.name, base_url) for d in doors]
    cards += [_card("device", d, location.name, base_url) for d in devices]
    return sorted(cards, key=lambda c: (c.name.casefold(), c.kind))  # stable: equal names keep id order


def filename(name: str, fallback: str) -> str:
    """`hygate-qr-<name>.pdf` with the name reduced to ASCII letters, digits and dashes (a header-safe value)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")
    return f"hygate-qr-{slug or fallback}.pdf"


def _valid_id(value: int) -> bool:
    """Ids come from a URL: one beyond PostgreSQL's integer range is simply not there (rather than a database
    error)."""
    return parse_id(value) is not None


def _card(kind: Kind, item: Device | Door, location_name: str, base_url: str) -> Card:
    return Card(kind, item.name, location_name, item.display_code, guest_url(base_url, kind, item.uid))


# ---- drawing -------------------------------------------------------------------------------------------------


def _grid_box(slot: int) -> tuple[float, float, float, float]:
    w = (PAGE_W - 2 * GRID_MARGIN - GRID_GAP) / 2
    h = (PAGE_H - 2 * GRID_MARGIN - GRID_GAP) / 2
    col, row = slot % 2, slot // 2
    return GRID_MARGIN + col * (w + GRID_GAP), GRID_MARGIN + row * (h + GRID_GAP), w, h


def _cut_lines(pdf: FPDF) -> None:
    """Dashed lines between the four cards, to cut along."""
    pdf.set_draw_color(180, 180, 180)
    pdf.set_line_width(0.2)
    pdf.set_dash_pattern(dash=2, gap=2)
    pdf.line(PAGE_W / 2, 4, PAGE_W / 2, PAGE_H - 4)
    pdf.line(4, PAGE_H / 2, PAGE_W - 4, PAGE_H / 2)
    pdf.set_dash_pattern()


def _draw_card(pdf: FPDF, card: Card, x: float, y: float, w: float, h: float, brand: Branding) -> None:
    """Laid out for a 180 mm wide card and scaled by `s`, so a quarter-page card is the same, smaller; small print
    shrinks less (`f`) so it stays readable on the quarter-page card."""
    s = w / FULL[2]
    f = s ** 0.6
    language = brand.sticker_language
    shades = brand.palette
    accent, on_accent, accent_ink = rgb(shades.solid), rgb(shades.on_solid), rgb(shades.ink)
    grey, ink = (90, 90, 90), (20, 20, 20)
    pad, inner = 6 * s, w - 12 * s

    logo = logo_image(brand.logo_bytes()) if brand.has_logo else None
    text_x = x + pad + (29 * s if logo else 0)
    text_w = x + w - pad - text_x
    header = _fit(pdf, printable(brand.header), text_w, 18 * s, 11 * s, True, 2)
    subtitle = _fit(pdf, printable(brand.subtitle), text_w, 11 * f, 6.5 * f, False, 2)
    header_h = len(header[1]) * line_h(header[0])
    band_h = min(40 * s, max(32 * s, 9 * s + header_h + len(subtitle[1]) * line_h(subtitle[0])))
    pdf.set_fill_color(*accent)
    pdf.rect(x, y, w, band_h, style="F")
    if logo:
        draw_logo(pdf, logo, x + pad, y + (band_h - 24 * s) / 2, 24 * s)
    _draw_lines(pdf, header[1], text_x, y + 4 * s, text_w, header[0], True, on_accent, "L")
    _draw_lines(pdf, subtitle[1], text_x, y + 5 * s + header_h, text_w, subtitle[0], False, on_accent, "L")

    top = y + band_h + 6 * s
    top += _text(pdf, card.name, x + pad, top, inner, 24 * s, bold=True, colour=ink, lines=2)
    _text(pdf, card.location, x + pad, top + 1.5 * s, inner, 13 * f, colour=grey, lines=1)

    qr_size = 118 * s
    qr_top = y + 76 * s
    pdf.image(qr_png(card.url), x + (w - qr_size) / 2, qr_top, qr_size, qr_size)
    _text(pdf, card.url, x + pad, qr_top + qr_size, inner, 7.5 * f, colour=(110, 110, 110), lines=1)

    code_top = qr_top + qr_size + 6 * s
    box_w, box_h = 120 * s, 17 * s
    box_x = x + (w - box_w) / 2
    pdf.set_draw_color(*accent_ink)
    pdf.set_line_width(0.8 * s)
    pdf.rect(box_x, code_top, box_w, box_h, style="D", round_corners=True, corner_radius=3 * s)
    pdf.set_text_color(*grey)
    pdf.set_font(FONT, "", 10 * s)
    pdf.set_xy(box_x + 4 * s, code_top)
    pdf.cell(22 * s, box_h, gettext(language, CODE_LABEL), align="L")
    pdf.set_text_color(*ink)
    _text(pdf, card.display_code, box_x + 26 * s, code_top + 2 * s, box_w - 30 * s, 30 * s, bold=True, colour=ink)
    hint = _text(pdf, gettext(language, CODE_HINT), x + pad, code_top + box_h + 1.5 * s, inner, 8.5 * f,
                 colour=grey, lines=2)

    instruction_top = code_top + box_h + 4 * s + hint
    _text(pdf, gettext(language, INSTRUCTIONS[card.kind]), x + pad, instruction_top, inner, 16 * s, bold=True,
          colour=accent_ink)

    strip_h = 4 * s
    footer = printable(brand.footer)
    if footer:
        size, lines = _fit(pdf, footer, inner, 8.5 * f, 8.5 * f * 0.6, False, 3)
        footer_top = y + h - strip_h - 2 * s - len(lines) * line_h(size)
        _draw_lines(pdf, lines, x + pad, footer_top, inner, size, False, grey, "C")
    pdf.set_fill_color(*accent)
    pdf.rect(x, y + h - strip_h, w, strip_h, style="F")


def qr_png(url: str) -> io.BytesIO:
    """The QR code as a PNG with its quiet zone; level Q survives a quarter of the sticker being dirty or torn."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, box_size=10, border=4)
    code.add_data(url)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("L")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def _fit(pdf: FPDF, text: str, w: float, size: float, min_size: float, bold: bool,
         lines: int) -> tuple[float, list[str]]:
    """The largest size from `size` down to `min_size` at which `text` wraps into at most `lines` lines; at the
    smallest size, longer text is cut with an ellipsis."""
    style = "B" if bold else ""
    current = size
    while True:
        pdf.set_font(FONT, style, current)
        wrapped = [str(line) for line in pdf.multi_cell(w, line_h(current), text, dry_run=True, output="LINES")]
        if len(wrapped) <= lines or current <= min_size:
            break
        current = max(min_size, current - max(0.5, size * 0.08))
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        last = wrapped[-1].rstrip()
        while last and pdf.get_string_width(last + "…") > w:
            last = last[:-1].rstrip()
        wrapped[-1] = last + "…"
    return current, wrapped


def _text(pdf: FPDF, text: str, x: float, y: float, w: float, size: float, *, bold: bool = False,
          colour: tuple[int, int, int] = (0, 0, 0), lines: int = 1, align: str = "C",
          min_size: float | None = None) -> float:
    """Draws `text` in at most `lines` lines inside width `w`, shrinking it to fit; returns the height used."""
    text = printable(text)
    if not text:
        return 0.0
    current, wrapped = _fit(pdf, text, w, size, min_size or size * 0.6, bold, lines)
    return _draw_lines(pdf, wrapped, x, y, w, current, bold, colour, align)


def _draw_lines(pdf: FPDF, lines: list[str], x: float, y: float, w: float, size: float, bold: bool,
                colour: tuple[int, int, int], align: str) -> float:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.set_text_color(*colour)
    height = line_h(size)
    for index, line in enumerate(lines):
        pdf.set_xy(x, y + index * height)
        pdf.cell(w, height, line, align=align)
    return len(lines) * height
