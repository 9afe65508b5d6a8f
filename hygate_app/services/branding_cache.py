"""The branding as guest pages and the logo route read it on every request.

The row holds the logo inline (up to ~700 KB of base64 JSON), so each process keeps the parsed value and re-reads
it only when the row's `updated_at` moved: one small primary-key read per guest page instead of a parse.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from hygate_app.models import Setting
from hygate_app.services import branding
from hygate_app.services.branding import Branding


@dataclass(frozen=True)
class Current:
    branding: Branding
    logo: bytes | None
    logo_etag: str  # "" without a logo; changes with the image, so a page can use it to bust caches


_lock = threading.Lock()
_cached: tuple[datetime | None, Current] | None = None


def _build(value: Branding) -> Current:
    data = value.logo_bytes()
    return Current(value, data, hashlib.sha256(data).hexdigest()[:20] if data else "")


def current(db: Session) -> Current:
    global _cached
    stamp = db.exec(select(Setting.updated_at).where(Setting.key == branding.KEY)).first()
    cached = _cached
    if cached is not None and cached[0] == stamp:
        return cached[1]
    fresh = _build(branding.load(db))
    with _lock:
        _cached = (stamp, fresh)
    return fresh


def logo_url(value: Current) -> str:
    """Versioned, so a browser's cached copy is never shown after the logo changed."""
    return f"/api/branding/logo?v={value.logo_etag}" if value.logo_etag else ""
