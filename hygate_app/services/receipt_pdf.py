"""A receipt as an A4 PDF, branded like the QR-code sheets (accent band with the logo and header, footer, strip).

The same receipt gives the same bytes (the creation date is the payment's), so an e-mail carrying it can be
retried under one idempotency key.
"""

from __future__ import annotations

from fpdf import FPDF

from hygate_app.services.branding import Branding
from hygate_app.services.pdf_style import FONT, draw_logo, line_h, logo_image, new_document, printable, rgb
from hygate_app.services.receipts import Receipt

MARGIN = 18.0
PAGE_W, PAGE_H = 210.0, 297.0
WIDTH = PAGE_W - 2 * MARGIN
LABEL_W = 48.0
INK, GREY = (20, 20, 20), (100, 100, 100)


def render(receipt: Receipt, brand: Branding) -> bytes:
    pdf = new_document(f"{receipt.text('title')} {receipt.number}", created_at=receipt.paid_at_utc)
    pdf.add_page()
    accent, ink = rgb(brand.palette.solid), rgb(brand.palette.ink)
    y = _band(pdf, brand, accent)

    y = _write(pdf, receipt.text("title"), MARGIN, y + 10, WIDTH, 22, bold=True) + 1
    y = _write(pdf, f"{receipt.text('number')} {receipt.number}", MARGIN, y, WIDTH, 11, colour=GREY) + 6

    y = _write(pdf, receipt.seller, MARGIN, y, WIDTH, 11, bold=True)
    for line in receipt.seller_address:
        y = _write(pdf, line, MARGIN, y, WIDTH, 10)
    if receipt.tax_id:
        y = _write(pdf, f"{receipt.text('tax_id')}: {receipt.tax_id}", MARGIN, y, WIDTH, 10)
    y += 6

    for label, value, note in receipt.lines():
        top = y
        _write(pdf, label, MARGIN, top + 0.5, LABEL_W - 2, 10, colour=GREY)  # on the value's baseline
        y = _write(pdf, value, MARGIN + LABEL_W, top, WIDTH - LABEL_W, 11) + 2.5
        if note:
            y = _write(pdf, note, MARGIN + LABEL_W, y - 2.5, WIDTH - LABEL_W, 8, colour=GREY) + 2.5

    y += 2
    pdf.set_draw_color(*ink)
    pdf.set_line_width(0.5)
    pdf.line(MARGIN, y, PAGE_W - MARGIN, y)
    y += 4
    for label, value, role in receipt.amounts():
        strong = role == "total"
        size, colour = {"total": (13, INK), "vat": (10, GREY)}.get(role, (11, INK))
        _write(pdf, label, MARGIN, y, WIDTH * 0.6, size, bold=strong, colour=colour)
        y = _write(pdf, value, MARGIN + WIDTH * 0.6, y, WIDTH * 0.4, size, bold=strong, colour=colour, align="R") + 2

    _write(pdf, receipt.text("thanks"), MARGIN, y + 8, WIDTH, 11, colour=ink)
    _footer(pdf, brand, accent)
    return bytes(pdf.output())


def _band(pdf: FPDF, brand: Branding, accent: tuple[int, int, int]) -> float:
    """The accent band across the top with the logo (on its white tile) and the branding header; returns its
    bottom."""
    height = 28.0
    pdf.set_fill_color(*accent)
    pdf.rect(0, 0, PAGE_W, height, style="F")
    logo = logo_image(brand.logo_bytes()) if brand.has_logo else None
    text_x = MARGIN
    if logo is not None:
        draw_logo(pdf, logo, MARGIN, (height - 18) / 2, 18)
        text_x += 23
    size = 16
    _write(pdf, brand.header, text_x, (height - line_h(size)) / 2, PAGE_W - MARGIN - text_x, size, bold=True,
           colour=rgb(brand.palette.on_solid), max_lines=1)
    return height


def _footer(pdf: FPDF, brand: Branding, accent: tuple[int, int, int]) -> None:
    strip = 4.0
    footer = printable(brand.footer)
    if footer:
        pdf.set_font(FONT, "", 9)
        lines = pdf.multi_cell(WIDTH, line_h(9), footer, dry_run=True, output="LINES")[:3]
        top = PAGE_H - strip - 4 - len(lines) * line_h(9)
        for index, line in enumerate(lines):
            _write(pdf, str(line), MARGIN, top + index * line_h(9), WIDTH, 9, colour=GREY, align="C")
    pdf.set_fill_color(*accent)
    pdf.rect(0, PAGE_H - strip, PAGE_W, strip, style="F")


def _write(pdf: FPDF, text: str, x: float, y: float, w: float, size: float, *, bold: bool = False,
           colour: tuple[int, int, int] = INK, align: str = "L", max_lines: int = 3) -> float:
    """`text` wrapped into at most `max_lines` lines of width `w` (the last one cut with an ellipsis); returns the
    y below it."""
    text = printable(text)
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.set_text_color(*colour)
    height = line_h(size)
    lines = [str(line) for line in pdf.multi_cell(w, height, text, dry_run=True, output="LINES")] or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1].rstrip()
        while last and pdf.get_string_width(last + "…") > w:
            last = last[:-1].rstrip()
        lines[-1] = last + "…"
    for index, line in enumerate(lines):
        pdf.set_xy(x, y + index * height)
        pdf.cell(w, height, line, align=align)
    return y + len(lines) * height
