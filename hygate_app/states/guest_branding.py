"""The workspace's branding on guest pages: loaded at each guest page's on_load (before the page's own state).

Only short texts and the logo's URL go into the browser's state; the image itself comes from
`GET /api/branding/logo`, cached by the browser.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from hygate_app.db import session_scope
from hygate_app.services import branding_cache
from hygate_app.services.branding import Branding

DEFAULT = Branding()


def _current() -> branding_cache.Current:
    with session_scope() as db:
        return branding_cache.current(db)


class GuestBrandState(rx.State):
    header: str = DEFAULT.header
    subtitle: str = DEFAULT.subtitle
    footer: str = DEFAULT.footer
    accent: str = DEFAULT.accent_colour
    palette: dict[str, str] = DEFAULT.palette.as_dict()  # the accent and the colours that read on and beside it
    logo_url: str = ""

    @rx.event
    async def load(self):
        current = await asyncio.to_thread(_current)
        value = current.branding
        self.header, self.subtitle, self.footer = value.header, value.subtitle, value.footer
        self.accent, self.logo_url = value.accent_colour, branding_cache.logo_url(current)
        self.palette = value.palette.as_dict()
