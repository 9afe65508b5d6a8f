"""A Resend in memory, for the demo and the tests: the e-mail endpoints ResendClient uses, with the real
service's bearer key, error shapes, Idempotency-Key rules and two-requests-a-second limit, attachments
(base64 `content` or a `path`, at most 40 MB per e-mail), and an outbox page (`GET /`) where whoever runs
the demo reads the OTP codes and invitation links sent. `GET /_sim/outbox` also gives each e-mail's
attachments, which Resend's retrieve endpoint leaves out.

State lives in this process's memory only: a restart empties the outbox, and each process serving a
simulator (the web app in demo mode, or `cli simulators`) keeps its own.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import html
import json
import math
import mimetypes
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

MAX_RECIPIENTS = 50
MAX_EMAIL_BYTES = 40 * 1024 * 1024  # Resend's limit for one e-mail, attachments (base64) included
MAX_OUTBOX = 500
PAGE_LIMIT = 50
IDEMPOTENCY_TTL_SECONDS = 24 * 3600
REFRESH_SECONDS = 5

_FAULT_NAMES = {
    400: "validation_error",
    401: "missing_api_key",
    403: "invalid_api_key",
    404: "not_found",
    409: "concurrent_idempotent_requests",
    422: "validation_error",
    429: "rate_limit_exceeded",
    500: "internal_server_error",
}
_ADDRESS = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")
_NAMED_ADDRESS = re.compile(r"[^<>]*<([^<>]+)>")
_ADDRESS_FORMAT = "The email address needs to follow the `email@example.com` or `Name <email@example.com>` format."
_URL = re.compile(r"https?://(?:(?!&quot;|&#x27;|&lt;|&gt;)[^\s])+")


@dataclass
class _Fault:
    status: int = 0
    count: int = 0
    retry_after: int = 1


class _Resend:
    def __init__(self, api_key: str, rate_limit_per_second: int) -> None:
        self.api_key = api_key
        self.rate_limit = rate_limit_per_second
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.emails: dict[str, dict[str, Any]] = {}
            self.attachments: dict[str, list[dict[str, Any]]] = {}
            # (api key, Idempotency-Key) -> (request fingerprint, e-mail id, when)
            self.idempotency: dict[tuple[str, str], tuple[str, str, float]] = {}
            self.accepted: dict[str, deque[float]] = {}
            self.fault = _Fault()

    def admit(self, key: str, now: float) -> float | None:
        """None when the request fits in the one-second window, else seconds until it would;
        refused requests do not count."""
        if self.rate_limit <= 0:
            return None
        with self.lock:
            window = self.accepted.setdefault(key, deque())
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= self.rate_limit:
                return 1.0 - (now - window[0])
            window.append(now)
            return None

    def take_fault(self) -> _Fault | None:
        with self.lock:
            if self.fault.count <= 0:
                return None
            self.fault.count -= 1
            return _Fault(self.fault.status, 1, self.fault.retry_after)

    def store(self, email: dict[str, Any], attachments: list[dict[str, Any]], key: str | None,
              fingerprint: str) -> tuple[str | None, bool]:
        """Returns (id, conflict): the stored id, an earlier id for a replayed key, or a conflict."""
        now = time.time()
        with self.lock:
            if key is not None:
                scope = (self.api_key, key)
                earlier = self.idempotency.get(scope)
                if earlier is not None and now - earlier[2] < IDEMPOTENCY_TTL_SECONDS:
                    return (earlier[1], False) if earlier[0] == fingerprint else (None, True)
                self.idempotency[scope] = (fingerprint, email["id"], now)
            self.emails[email["id"]] = email
            self.attachments[email["id"]] = attachments
            while len(self.emails) > MAX_OUTBOX:
                oldest = next(iter(self.emails))
                del self.emails[oldest]
                self.attachments.pop(oldest, None)
        return email["id"], False

    def outbox(self, to: str | None) -> list[dict[str, Any]]:
        with self.lock:
            emails = [{**e, "attachments": self.attachments.get(e["id"], [])} for e in reversed(self.emails.values())]
        if to:
            wanted = _address_of(to).lower()
            emails = [e for e in emails if any(_address_of(r).lower() == wanted for r in e["to"])]
        return emails


def create_resend_simulator(api_key: str, *, rate_limit_per_second: int = 2) -> Starlette:
    """`rate_limit_per_second` applies per API key as Resend's default team limit does (0 turns it off)."""
    service = _Resend(api_key, rate_limit_per_second)

    def authorise(request: Request) -> Response | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return _error(401, "missing_api_key", "Missing API key in the authorization header.")
        if not hmac.compare_digest(token.encode(), service.api_key.encode()):
            return _error(403, "invalid_api_key", "API key is invalid")
        wait = service.admit(token, time.monotonic())
        if wait is not None:
            return _error(
                429,
                "rate_limit_exceeded",
                f"Too many requests. You can only make {service.rate_limit} requests per second.",
                headers={
                    "retry-after": str(max(math.ceil(wait), 1)),
                    "ratelimit-limit": str(service.rate_limit),
                    "ratelimit-remaining": "0",
                    "ratelimit-reset": str(max(math.ceil(wait), 1)),
                },
            )
        return None

    async def send_email(request: Request) -> Response:
        fault = service.take_fault()
        if fault is not None:
            headers = {"retry-after": str(fault.retry_after)} if fault.status == 429 else None
            name = _FAULT_NAMES.get(fault.status, "application_error" if fault.status >= 500 else "validation_error")
            return _error(fault.status, name, "Simulated fault.", headers=headers)
        refused = authorise(request)
        if refused is not None:
            return refused
        key = request.headers.get("idempotency-key")
        if key is not None and not 1 <= len(key) <= 256:
            return _error(400, "invalid_idempotency_key", "The key must be between 1-256 chars.")
        raw = await request.body()
        body = _parse(raw)
        problem = _validation_problem(body)
        if problem is None and len(raw) > MAX_EMAIL_BYTES:
            problem = ("validation_error", "The email exceeds the maximum size of 40MB, attachments included.")
        if problem is not None:
            return _error(422, *problem)
        email_id, conflict = service.store(_new_email(body), _attachments(body), key,
                                           json.dumps(body, sort_keys=True))
        if conflict:
            return _error(409, "invalid_idempotent_request",
                          "Same idempotency key used with a different request payload.")
        return JSONResponse({"id": email_id})

    async def get_email(request: Request) -> Response:
        refused = authorise(request)
        if refused is not None:
            return refused
        email = service.emails.get(request.path_params["email_id"])
        if email is None:
            return _error(404, "not_found", "Email not found")
        return JSONResponse(email)

    async def list_domains(request: Request) -> Response:
        """One verified domain: the simulator accepts any sender, as a verified domain would."""
        refused = authorise(request)
        if refused is not None:
            return refused
        return JSONResponse({"object": "list", "has_more": False, "data": [
            {"id": "d91cd9bd-1176-453e-8fc1-35364d380206", "object": "domain", "name": "demo.hygate.local",
             "status": "verified", "created_at": "2026-01-01 00:00:00.000000+00", "region": "eu-west-1",
             "capabilities": {"sending": "enabled", "receiving": "disabled"}},
        ]})

    async def page(request: Request) -> HTMLResponse:
        to = request.query_params.get("to")
        return HTMLResponse(_render_page(service.outbox(to), to))

    async def sim_outbox(request: Request) -> JSONResponse:
        return JSONResponse(service.outbox(request.query_params.get("to")))

    async def sim_faults(request: Request) -> JSONResponse:
        """`{"status": 503, "count": 2}` makes the next two sends fail so; count 0 clears it."""
        if request.method == "POST":
            body = await _json(request)
            try:
                count = int(body.get("count", 1))
                status = int(body.get("status", 0)) if count > 0 else 0
                retry_after = int(body.get("retry_after", 1))
            except (AttributeError, TypeError, ValueError):
                return JSONResponse({"error": "status, count and retry_after must be numbers"}, status_code=400)
            if count > 0 and not 400 <= status <= 599:
                return JSONResponse({"error": "status must be a 4xx or 5xx code"}, status_code=400)
            with service.lock:
                service.fault = _Fault(status, max(count, 0), max(retry_after, 0))
        with service.lock:
            fault = service.fault
            return JSONResponse({"status": fault.status, "count": fault.count, "retry_after": fault.retry_after})

    async def sim_reset(_: Request) -> JSONResponse:
        service.reset()
        return JSONResponse({"reset": True})

    routes = [
        Route("/", page, methods=["GET"]),
        Route("/emails", send_email, methods=["POST"]),
        Route("/emails/{email_id}", get_email, methods=["GET"]),
        Route("/domains", list_domains, methods=["GET"]),
        Route("/_sim/outbox", sim_outbox, methods=["GET"]),
        Route("/_sim/faults", sim_faults, methods=["GET", "POST"]),
        Route("/_sim/reset", sim_reset, methods=["POST"]),
    ]
    app = Starlette(routes=routes)
    app.state.resend = service
    return app


def _error(status: int, name: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"statusCode": status, "name": name, "message": message}, status_code=status, headers=headers)


async def _json(request: Request) -> Any:
    return _parse(await request.body())


def _parse(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        return None


def _address_of(value: str) -> str:
    named = _NAMED_ADDRESS.fullmatch(value.strip())
    return (named.group(1) if named else value).strip()


def _is_address(value: Any) -> bool:
    return isinstance(value, str) and bool(_ADDRESS.fullmatch(_address_of(value)))


def _recipients(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value) if isinstance(value, list) else [value]


def _validation_problem(body: Any) -> tuple[str, str] | None:
    """(name, message) as Resend words it, for the first thing wrong with the request body."""
    if not isinstance(body, dict):
        return "validation_error", "The request body must be a JSON object."
    for field in ("from", "to", "subject"):
        if body.get(field) in (None, "", []):
            return "missing_required_field", f"Missing `{field}` field."
    if not _is_address(body["from"]):
        return "invalid_from_address", f"Invalid `from` field. {_ADDRESS_FORMAT}"
    to = _recipients(body["to"])
    if len(to) > MAX_RECIPIENTS:
        return "validation_error", f"Invalid `to` field. At most {MAX_RECIPIENTS} recipients are allowed."
    if not all(_is_address(recipient) for recipient in to):
        return "validation_error", f"Invalid `to` field. {_ADDRESS_FORMAT}"
    if not isinstance(body["subject"], str):
        return "validation_error", "Invalid `subject` field. It must be a string."
    if not any(body.get(field) for field in ("text", "html")):
        return "missing_required_field", "Missing `html` or `text` field."
    if any(body.get(field) is not None and not isinstance(body[field], str) for field in ("text", "html")):
        return "validation_error", "Invalid `html` or `text` field. It must be a string."
    return _attachments_problem(body.get("attachments"))


def _attachments_problem(attachments: Any) -> tuple[str, str] | None:
    """Each attachment is an object with a `filename` and either base64 `content` or a `path` (a URL)."""
    if attachments is None:
        return None
    if not isinstance(attachments, list):
        return "validation_error", "Invalid `attachments` field. It must be an array."
    for item in attachments:
        if not isinstance(item, dict) or not isinstance(item.get("filename", ""), str):
            return "validation_error", "Invalid `attachments` field. Each attachment needs a `filename` string."
        content, path = item.get("content"), item.get("path")
        if (content is None) == (path is None):
            return "validation_error", "Invalid `attachments` field. Give either `content` or `path`."
        if content is not None:
            if not item.get("filename"):
                return "validation_error", "Invalid `attachments` field. `filename` is required with `content`."
            if not isinstance(content, str) or _base64(content) is None:
                return "validation_error", "Invalid `attachments` field. `content` must be base64-encoded."
        elif not isinstance(path, str) or not path.startswith(("http://", "https://")):
            return "validation_error", "Invalid `attachments` field. `path` must be a URL."
    return None


def _base64(value: str) -> bytes | None:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def _attachments(body: dict[str, Any]) -> list[dict[str, Any]]:
    """As the outbox shows them: name, type (given, else told by the name), size and the base64 content."""
    stored = []
    for item in body.get("attachments") or []:
        filename = item.get("filename") or item["path"].rsplit("/", 1)[-1]
        content_type = item.get("content_type") or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        content = item.get("content")
        stored.append({"filename": filename, "content_type": content_type, "path": item.get("path"),
                       "size": len(_base64(content) or b"") if content is not None else None, "content": content})
    return stored


def _new_email(body: dict[str, Any]) -> dict[str, Any]:
    """Resend's retrieve shape; every simulated e-mail is delivered at once."""
    return {
        "object": "email",
        "id": str(uuid.uuid4()),
        "to": _recipients(body["to"]),
        "from": body["from"],
        "created_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00"),
        "subject": body["subject"],
        "html": body.get("html"),
        "text": body.get("text"),
        "bcc": _recipients(body.get("bcc")) or None,
        "cc": _recipients(body.get("cc")) or None,
        "reply_to": _recipients(body.get("reply_to")) or None,
        "last_event": "delivered",
        "scheduled_at": None,
    }


def _render_page(emails: list[dict[str, Any]], to: str | None) -> str:
    items = []
    for email in emails[:PAGE_LIMIT]:
        items.append(
            "<li class='mail'>"
            f"<div class='meta'><time>{html.escape(email['created_at'][:19])} UTC</time>"
            f"<span>to {html.escape(', '.join(email['to']))}</span></div>"
            f"<h2>{html.escape(email['subject'])}</h2>"
            f"<pre>{_body_html(email)}</pre>"
            f"{_attachment_list(email['attachments'])}"
            "</li>"
        )
    items_html = "".join(items) or "<li class='mail'>No e-mail sent yet.</li>"
    scope = f" for {html.escape(to)}" if to else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{REFRESH_SECONDS}">
<title>Mail outbox</title>
<style>
body{{font-family:system-ui,sans-serif;margin:0;padding:1rem;background:#f4f5f7;color:#1d2330}}
h1{{font-size:1.25rem;margin:0}} p{{color:#667;margin:.25rem 0 1rem}}
ul{{list-style:none;padding:0;display:grid;gap:.75rem;max-width:48rem}}
.mail{{background:#fff;border-radius:12px;padding:1rem;box-shadow:0 1px 3px #0002}}
.meta{{display:flex;flex-wrap:wrap;gap:.25rem 1rem;font-size:.85rem;color:#556}}
h2{{font-size:1.05rem;margin:.5rem 0}}
pre{{white-space:pre-wrap;overflow-wrap:anywhere;font:inherit;margin:0;line-height:1.45}}
a{{color:#2b6cb0}}
</style></head>
<body><h1>Mail outbox{scope}</h1>
<p>Simulated Resend: nothing leaves this machine. Newest first, refreshed every {REFRESH_SECONDS} s.</p>
<ul>{items_html}</ul></body></html>"""


def _attachment_list(attachments: list[dict[str, Any]]) -> str:
    if not attachments:
        return ""
    names = ", ".join(html.escape(a["filename"]) + (f" ({a['size']} bytes)" if a["size"] is not None else "")
                      for a in attachments)
    return f"<p class='meta'>Attached: {names}</p>"


def _body_html(email: dict[str, Any]) -> str:
    """The text part (or the HTML part's text) escaped, with web addresses made clickable."""
    text = email.get("text") or html.unescape(re.sub(r"<[^>]*>", " ", email.get("html") or ""))
    return _URL.sub(lambda m: f"<a href=\"{m.group(0)}\">{m.group(0)}</a>", html.escape(text))
