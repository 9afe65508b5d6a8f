"""The workspace's branding (Settings → Branding) for guest pages and QR-code stickers, one JSON row in `settings`.

Any accent colour is accepted: its `palette` gives what is drawn on it and with it, each readable (WCAG AA, 4.5:1) —
white or black text on the accent, and the accent darkened where it is itself text or a thin line on white.
The logo is stored inline (base64) and accepted only as a PNG, JPEG or WebP image, told by its bytes.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlmodel import Session

from hygate_app.services import audit, setting_rows, translations
from hygate_app.services.errors import InvalidInput
from hygate_app.services.typed_text import printable

KEY = "branding"
DEFAULT_ACCENT = "#0b6bcb"
TEXT_LIMITS = {"header": 80, "subtitle": 160, "footer": 200}
REQUIRED_TEXTS = {"header"}
MIN_CONTRAST = 4.5  # WCAG 2 AA, normal-size text
WHITE, BLACK = "#ffffff", "#000000"
TINT = 0.14  # how much of the accent is in its light wash
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
    # What the printed QR stickers say, in one language (a guest's phone picks the page's language, a sticker cannot).
    sticker_language: str = translations.DEFAULT_LANGUAGE

    @property
    def has_logo(self) -> bool:
        return bool(self.logo_mime and self.logo_base64)

    @property
    def logo_data_uri(self) -> str | None:
        """For an <img src>: always an image type checked on upload, never SVG, so it cannot run a script."""
        return f"data:{self.logo_mime};base64,{self.logo_base64}" if self.has_logo else None

    @property
    def palette(self) -> Palette:
        return palette(self.accent_colour)

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


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _luminance(colour: str) -> float:
    r, g, b = _rgb(colour)
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(one: str, other: str) -> float:
    """WCAG 2 contrast ratio of two "#rrggbb" colours, from 1 (the same) to 21 (black and white)."""
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def contrast_with_white(colour: str) -> float:
    return contrast_ratio(colour, WHITE)


def mix(colour: str, other: str, weight: float) -> str:
    """`weight` of `colour` and the rest of `other`, channel by channel (as CSS color-mix in sRGB)."""
    pairs = zip(_rgb(colour), _rgb(other), strict=True)
    return "#" + "".join(f"{round(a * weight + b * (1 - weight)):02x}" for a, b in pairs)


def text_colour_on(colour: str) -> str:
    """White where it reads (the usual look of a button), else black: one of the two always reaches 4.5:1."""
    return WHITE if contrast_with_white(colour) >= MIN_CONTRAST else BLACK


def readable_on(colour: str, background: str) -> str:
    """`colour` darkened just enough to be read as text on a light `background` (itself when it already is)."""
    for step in range(21):
        darker = mix(colour, BLACK, 1 - step / 20)
        if contrast_ratio(darker, background) >= MIN_CONTRAST:
            return darker
    return BLACK


@dataclass(frozen=True)
class Palette:
    """What guest pages, receipts and stickers paint with, from one accent colour."""
    solid: str  # the accent itself: buttons, the bar above the header, the sticker's band
    on_solid: str  # text and icons on `solid`
    hover: str  # `solid` when pressed or hovered: moved away from `on_solid`, so still readable
    tint: str  # a light wash of the accent behind a highlighted choice or the sticker code
    ink: str  # the accent as text or thin line, on white, the page's grey and `tint`

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def palette(accent: str) -> Palette:
    on_solid = text_colour_on(accent)
    tint = mix(accent, WHITE, TINT)
    return Palette(solid=accent, on_solid=on_solid, hover=mix(accent, BLACK if on_solid == WHITE else WHITE, 0.85),
                   tint=tint, ink=readable_on(accent, tint))


def is_hex_colour(value: str) -> bool:
    """"#rrggbb", what the accent colour must be (the settings page checks it as it is typed)."""
    return bool(_HEX_COLOUR.fullmatch(value or ""))


def _clean_accent(value: str) -> str:
    value = (value or "").strip()
    if not _HEX_COLOUR.fullmatch(value):
        raise InvalidInput("The accent colour must be a hex colour like #0b6bcb (a # and six hex digits).")
    return value.lower()


def _logo_summary(branding: Branding) -> dict[str, Any] | None:
    """What the audit row says about a logo: its type, size and fingerprint, never its bytes."""
    data = branding.logo_bytes()
    if data is None:
        return None
    return {"mime": branding.logo_mime, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _record_changes(db: Session, old: Branding, new: Branding, actor: audit.Actor, **extra: Any) -> None:
    changes: dict[str, Any] = {}
    for name in ("header", "subtitle", "footer", "accent_colour", "sticker_language"):
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
    if new.sticker_language not in translations.LANGUAGES:
        raise InvalidInput("Choose one of the languages offered for the stickers.")
    cleaned = replace(old, accent_colour=_clean_accent(new.accent_colour), sticker_language=new.sticker_language,
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
