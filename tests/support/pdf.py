"""Reading produced PDFs in tests: page count, text per page, and the QR codes its images decode to."""

from __future__ import annotations

import io

import zxingcpp
from pypdf import PdfReader


def reader(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-"), "not a PDF"
    return PdfReader(io.BytesIO(data))


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in reader(data).pages]


def qr_codes(data: bytes) -> list[list[str]]:
    """Per page, the text of every QR code found in the page's images (in the order they were placed)."""
    return [[code.text for image in page.images for code in zxingcpp.read_barcodes(image.image)
             if code.format == zxingcpp.BarcodeFormat.QRCode] for page in reader(data).pages]
