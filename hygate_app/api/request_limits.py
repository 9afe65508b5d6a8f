"""How much one request may carry, and the connection closed after a too-large body.

Bodies are capped with Starlette's `max_body_size` (routes.py): the declared Content-Length is checked first and
the bytes are counted as they arrive, so an oversized or endless body gets 413 without being read into memory.
Websocket messages (the Reflex events) are capped by uvicorn (`cli web`); URLs and headers by uvicorn's HTTP parser
(a 400 beyond about 64 KB).
"""

from __future__ import annotations

from hygate_app.services.branding import LOGO_MAX_BYTES

KIB = 1024
# Stripe events are a few KB.
WEBHOOK_MAX_BYTES = 256 * KIB
# The sign-in forms: a few fields of at most 1 KB each (api/auth.py).
FORM_MAX_BYTES = 16 * KIB
# Reflex's routes behind ours (the frontend, /ping, /_upload) take no body but the logo upload: its own limit plus
# the multipart envelope.
APP_MAX_BYTES = LOGO_MAX_BYTES + 64 * KIB
# One Reflex event: a handler's name and a form's fields, a few KB at most. uvicorn closes the socket (code 1009) as
# soon as a message grows past it, instead of buffering up to its 16 MB default; Engine.IO gets the same cap.
EVENT_MAX_BYTES = 64 * KIB


def close_after_refusal(app):
    """A 413 says `Connection: close`, so the server hangs up instead of reading the rest of the body to discard it."""
    async def middleware(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)

        async def send_closing(message):
            if message["type"] == "http.response.start" and message["status"] == 413:
                message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
            await send(message)

        await app(scope, receive, send_closing)

    return middleware
