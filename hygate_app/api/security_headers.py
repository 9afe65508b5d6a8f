"""ASGI middleware adding the security headers to every HTTP response (API routes and the frontend).

The CSP is as strict as Reflex's built pages allow: they carry inline scripts and runtime styles,
so script-src and style-src need 'unsafe-inline'; nothing needs eval.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from hygate_app.config import get_settings

# Pages that show staff data: never stored by the browser or a proxy.
PRIVATE_PREFIXES = ("/login", "/account", "/settings", "/admin", "/invite", "/api/auth", "/api/admin")


def _csp(base_url: str) -> str:
    host = urlsplit(base_url).netloc
    socket = f"{'wss' if base_url.startswith('https://') else 'ws'}://{host}"
    return "; ".join([
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        f"connect-src 'self' {socket}",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def security_headers(app):
    settings = get_settings()
    common = [
        (b"content-security-policy", _csp(settings.base_url).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"x-frame-options", b"DENY"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if settings.base_url.startswith("https://"):
        common.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))

    async def middleware(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        private = scope["path"].startswith(PRIVATE_PREFIXES)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                headers += [(name, value) for name, value in common if name not in present]
                if private:
                    headers = [(n, v) for n, v in headers if n.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware
