"""Row ids as they arrive from a browser or an address: text that may be anything."""

from __future__ import annotations

import re

# Primary keys are PostgreSQL `integer`s: a larger number is no row, not a database error.
MAX_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")  # ASCII only: str.isdigit() also accepts "²" and other scripts' digits


def parse_id(value: object) -> int | None:
    """The id, or None when no row can have it (not a number, zero, out of range)."""
    text = str(value if value is not None else "").strip()
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def row_id(value: object) -> int:
    """For a lookup: 0 finds nothing, so a bad id is simply "not found"."""
    return parse_id(value) or 0
