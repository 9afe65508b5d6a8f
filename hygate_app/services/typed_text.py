"""Text as browsers send it, which may be anything: PostgreSQL stores neither a NUL byte nor half of a UTF-16
surrogate pair (a JSON string may carry one), so such text names no row and is refused as a name."""

from __future__ import annotations

import unicodedata

from hygate_app.services.errors import InvalidInput

# Control characters (NUL, escape, line breaks…) and lone surrogates.
_UNPRINTABLE = ("Cc", "Cs")
UNSEARCHABLE = "The filter contains characters no record can have (such as a NUL byte); remove them."


def storable(text: str) -> bool:
    """Can a text column hold it? A lookup by text that cannot be stored finds nothing, without asking."""
    return "\x00" not in text and not any(unicodedata.category(ch) == "Cs" for ch in text)


def printable(text: str) -> bool:
    """One line of visible text: what a name, a label or a setting may be."""
    return not any(unicodedata.category(ch) in _UNPRINTABLE for ch in text)


def clean_name(value: str, what: str, max_length: int) -> str:
    """A name as staff typed it: trimmed, runs of whitespace made one space, 1 to `max_length` printable characters."""
    name = " ".join((value or "").split())
    if not name or len(name) > max_length:
        raise InvalidInput(f"A {what} needs a name of 1 to {max_length} characters.")
    if not printable(name):
        raise InvalidInput(f"A {what}'s name may not contain control characters.")
    return name
