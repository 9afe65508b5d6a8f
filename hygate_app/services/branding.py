"""The workspace's branding (Settings → Branding) for guest pages and QR-code stickers, one JSON row in `settings`.

The accent colour carries white text on stickers and buttons, so it must be dark enough to read (WCAG AA).
The logo is stored inline (base64) and accepted only as a PNG, JPEG or WebP image, told by its bytes.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import Session

from hygate_app.services import audit, setting_rows
from hygate_app.services.errors import InvalidInput
from hygate_app.services.typed_text import printable

KEY = "branding"
DEFAULT_ACCENT = "#0b6bcb"
TEXT_LIMITS = {"header": 80, "subtitle": 160, "footer": 200}
REQUIRED_TEXTS = {"header"}
MIN_CONTRAST = 4.5  # WCAG 2 AA, normal-size text
LOGO_MAX_BYTES = 512 * 1024
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class Branding:
    header: str = "Hygate"
    subtitle: str = "Scan the QR code to pay and start."
    footer: str = ""
    accent_colour: str = DEFAULT_ACCENT
    logo_mime: str | None = None
    logo_base64: str | None = None

    @property
    def has_logo(self) -> bool:
        return bool(self.logo_mime and self.logo_base64)

    @property
    def logo_data_uri(self) -> str | None:
        """For an <img src>: always an image type checked on upload, never SVG, so it cannot run a script."""
        return f"data:{self.logo_mime};base64,{self.logo_base64}" if self.has_logo else None

    def logo_bytes(self) -> bytes | None:
        """For the QR-code PDF."""
        return base64.b64decode(self.logo_base64) if self.has_logo else None


def load(db: Session) -> Branding:
    return setting_rows.load(db, KEY, Branding)


def _clean_text(name: str, value: str) -> str:
    """Trimmed, with runs of whitespace (line breaks, tabs, no-break spaces) made one space: one line each."""
    value = " ".join((value or "").split())
    label, limit = name.capitalize(), TEXT_LIMITS[name]
    if name in REQUIRED_TEXTS and not value:
        raise InvalidInput(f"{label} cannot be empty.")
    if len(value) > limit:
        raise InvalidInput(f"{label} is {len(value)} characters long; at most {limit} fit on the sticker.")
    if not printable(value):
        raise InvalidInput(f"{label} may not contain control characters.")
    return value


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def contrast_with_white(colour: str) -> float:
    """WCAG 2 contrast ratio of white text on `colour` ("#rrggbb"), from 1 (white) to 21 (black)."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)
    return 1.05 / (luminance + 0.05)


def is_hex_colour(value: str) -> bool:
    """"#rrggbb", what the accent colour must be (the settings page checks it as it is typed)."""
    return bool(_HEX_COLOUR.fullmatch(value or ""))


def _clean_accent(value: str) -> str:
    value = (value or "").strip()
    if not _HEX_COLOUR.fullmatch(value):
        raise InvalidInput("The accent colour must be a hex colour like #0b6bcb (a # and six hex digits).")
    value = value.lower()
    ratio = contrast_with_white(value)
    if ratio < MIN_CONTRAST:
        shown = math.floor(ratio * 10) / 10  # never round a failing ratio up to a passing-looking one
        raise InvalidInput(f"The accent colour {value} is too light: white text on it has a contrast of "
                           f"{shown}:1, and at least {MIN_CONTRAST}:1 is needed to be readable. "
                           "Choose a darker colour.")
    return value


def _logo_summary(branding: Branding) -> dict[str, Any] | None:
    """What the audit row says about a logo: its type, size and fingerprint, never its bytes."""
    data = branding.logo_bytes()
    if data is None:
        return None
    return {"mime": branding.logo_mime, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _record_changes(db: Session, old: Branding, new: Branding, actor: audit.Actor, **extra: Any) -> None:
    changes: dict[str, Any] = {}
    for name in ("header", "subtitle", "footer", "accent_colour"):
        if getattr(old, name) != getattr(new, name):
            changes[name] = [getattr(old, name), getattr(new, name)]
    if (old.logo_mime, old.logo_base64) != (new.logo_mime, new.logo_base64):
        changes["logo"] = [_logo_summary(old), _logo_summary(new)]
    if changes:
        audit.record(db, "branding.changed", actor=actor, target_type="settings", target_id=KEY,
                     details={"changed": sorted(changes), "changes": changes, **extra})


def save(db: Session, new: Branding, actor: audit.Actor) -> Branding:
    """Save the texts and the accent colour; the logo stays as it is (it changes only through `set_logo`,
    which checks the image). Nothing is written or audited when nothing changed."""
    old = load(db)
    cleaned = replace(old, accent_colour=_clean_accent(new.accent_colour),
                      **{name: _clean_text(name, getattr(new, name)) for name in TEXT_LIMITS})
    if cleaned != old:
        setting_rows.write(db, KEY, cleaned)
        _record_changes(db, old, cleaned, actor)
    return cleaned


def image_type(data: bytes) -> str | None:
    """The MIME type told by the file's first bytes (not its name): PNG, JPEG or WebP, else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def set_logo(db: Session, data: bytes, filename: str, actor: audit.Actor) -> Branding:
    """SVG is refused on purpose: it can carry scripts. The filename is only recorded, never trusted."""
    if not data:
        raise InvalidInput("The logo file is empty.")
    if len(data) > LOGO_MAX_BYTES:
        raise InvalidInput(f"The logo is {math.ceil(len(data) / 1024)} KB; at most {LOGO_MAX_BYTES // 1024} KB "
                           "is allowed.")
    mime = image_type(data)
    if mime is None:
        raise InvalidInput("The logo must be a PNG, JPEG or WebP image (SVG and other formats are not accepted).")
    old = load(db)
    new = replace(old, logo_mime=mime, logo_base64=base64.b64encode(data).decode("ascii"))
    if new != old:
        setting_rows.write(db, KEY, new)
        _record_changes(db, old, new, actor, filename=(filename or "")[:120])
    return new


def remove_logo(db: Session, actor: audit.Actor) -> Branding:
    old = load(db)
    if not old.has_logo:
        return old
    new = replace(old, logo_mime=None, logo_base64=None)
    setting_rows.write(db, KEY, new)
    _record_changes(db, old, new, actor)
    return new
