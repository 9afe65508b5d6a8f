"""What every PDF Hygate prints shares (QR-code sheets, receipts): the document, its embedded font, the text that
font can draw, colours and the workspace logo.

Library: fpdf2, pure Python with only Pillow and fontTools below it (no system libraries, nothing to install on the
host), maintained, and able to embed (and subset) a TrueType font and a raster image, which is all a sticker or a
receipt needs. reportlab would do as well but is larger and its Unicode TTF handling is no simpler.

Text: the PDF base fonts only know Latin-1, so documents embed DejaVu Sans (services/data/fonts: a subset covering
Latin, Greek, Cyrillic and common symbols, with its licence; no system font is needed on the host). Characters that
font lacks: emoji and other symbols are left out, letters of other scripts (CJK, …) are printed as "?", so a name
never breaks the PDF.
"""

from __future__ import annotations

import io
import logging
import unicodedata
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF
from PIL import Image

log = logging.getLogger(__name__)

FONT_DIR = Path(__file__).parent / "data" / "fonts"  # not assets/: Reflex publishes that folder as-is
FONT = "DejaVu"
PT = 0.3528  # mm per point


def new_document(title: str, *, created_at: datetime | None = None) -> FPDF:
    """An A4 document in millimetres with the embedded font. `created_at` fixes the creation date, so the same
    content gives the same bytes (a retried e-mail carrying it stays the same request)."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(printable(title))
    pdf.set_creator("Hygate")
    if created_at is not None:
        pdf.set_creation_date(created_at)
    return pdf


def rgb(colour: str) -> tuple[int, int, int]:
    """"#rrggbb" (the branding's checked accent colour) as fpdf's three channels."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def line_h(size: float) -> float:
    """The height in mm of one line of text at `size` points."""
    return size * PT * 1.2


def logo_image(data: bytes | None) -> Image.Image | None:
    """A logo that cannot be decoded (its first bytes passed the upload check but the rest is damaged) is left out
    rather than failing the whole document."""
    try:
        image = Image.open(io.BytesIO(data or b""))
        image.load()
    except (OSError, ValueError, SyntaxError) as error:
        log.warning("branding logo left off the PDF: %s", error)
        return None
    return image


def draw_logo(pdf: FPDF, image: Image.Image, x: float, y: float, size: float) -> None:
    """On a white tile, so any logo reads on any accent colour."""
    inset = size * 0.08
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F", round_corners=True, corner_radius=size * 0.1)
    pdf.image(image, x + inset, y + inset, size - 2 * inset, size - 2 * inset, keep_aspect_ratio=True)


@lru_cache(maxsize=1)
def _font_chars() -> frozenset[int]:
    chars: set[int] = set()
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        font = TTFont(FONT_DIR / name)
        found = set(font.getBestCmap())
        chars = found if not chars else chars & found
    return frozenset(chars)


def printable(text: str) -> str:
    """`text` with only characters the embedded font has: a missing letter becomes its base letter when it has one
    (NFKD) or "?", a missing symbol or emoji is dropped, and so are invisible joiners and variation selectors."""
    known = _font_chars()
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text or ""):
        category = unicodedata.category(ch)
        if ord(ch) in known and category[0] != "C":  # the font maps joiners, but they mean nothing alone
            out.append(ch)
            continue
        if category[0] in "MCZ" or category in ("So", "Sk", "Sm"):
            out.append(" " if category[0] == "Z" else "")
            continue
        base = [c for c in unicodedata.normalize("NFKD", ch) if ord(c) in known]
        out.append("".join(base) if base else "?")
    return " ".join("".join(out).split())
