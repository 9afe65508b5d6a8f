"""Resend's e-mail API: send one message (OTP codes, invitations, receipts with their PDF) and read a sent one back.

A brief outage is retried in-process under the shared policy (`integrations/retries.py`), Resend's
Retry-After included: every send carries an Idempotency-Key (one is made up when the caller gives none),
so repeating it can never deliver twice. What outlasts the retries is one MailerError that says whether
trying again later can help. Each call's outcome goes to `on_outcome` (the health badge); the client
never touches the database and never logs the key.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from hygate_app.integrations.retries import RetryPolicy, retry_after_seconds

# Resend says "try the request again later" for this 409; every other 4xx needs a different request.
_TRANSIENT_NAMES = {"concurrent_idempotent_requests"}


class MailerError(Exception):
    def __init__(self, message: str, transient: bool, *, status_code: int | None = None,
                 name: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.transient = transient
        self.status_code = status_code
        self.name = name
        self.retry_after = retry_after

    @property
    def is_transient(self) -> bool:
        """ShellyError's spelling, so the job layer can judge both clients' errors alike."""
        return self.transient

    @property
    def is_outage(self) -> bool:
        """For the health badge: Resend could not be used (unreachable, refusing the key, answering nonsense),
        as opposed to refusing one message (a bad address, say). A sending-only key is not an outage."""
        if self.transient or self.status_code is None:
            return True
        return self.status_code in (401, 403) and self.name != "restricted_api_key"


@dataclass(frozen=True)
class Attachment:
    """A file sent with the mail. Resend takes it base64-encoded in `content`; without a `content_type` it derives
    one from the filename."""

    filename: str
    content: bytes
    content_type: str | None = None

    def payload(self) -> dict[str, str]:
        body = {"filename": self.filename, "content": base64.b64encode(self.content).decode("ascii")}
        if self.content_type:
            body["content_type"] = self.content_type
        return body


@dataclass(frozen=True)
class SentEmail:
    id: str
    sender: str
    to: tuple[str, ...]
    subject: str
    text: str | None
    html: str | None
    created_at: str
    last_event: str | None


class ResendClient:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        sender: str,
        timeout: float | httpx.Timeout = 10,
        *,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy = RetryPolicy(),
        on_outcome: Callable[[str | None], None] | None = None,
    ) -> None:
        """`on_outcome` hears each call's result once its retries are over: None when Resend did its part,
        else what went wrong."""
        self.sender = sender
        self._retry = retry
        self._on_outcome = on_outcome
        api_key = api_key.strip()
        # A key no header can carry is never sent: the HTTP stack would quote it in its errors and logs.
        self._unsendable_key = any(not 33 <= ord(char) <= 126 for char in api_key)
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            transport=transport,
            # No key, no header: Resend then answers 401 missing_api_key, which says what is wrong.
            headers={"Authorization": f"Bearer {api_key}"} if api_key and not self._unsendable_key else None,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ResendClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def send(
        self,
        to: str,
        subject: str,
        text: str,
        html: str | None = None,
        idempotency_key: str | None = None,
        attachments: Sequence[Attachment] = (),
    ) -> str:
        """Returns Resend's e-mail id. Give an `idempotency_key` derived from what the mail is for
        (an invitation id, say) to make a retried job safe too, not only this call's own retries."""
        payload: dict[str, Any] = {"from": self.sender, "to": [to], "subject": subject, "text": text}
        if html is not None:
            payload["html"] = html
        if attachments:
            payload["attachments"] = [attachment.payload() for attachment in attachments]
        headers = {"Idempotency-Key": idempotency_key or f"hygate-{uuid.uuid4()}"}
        reply = self._request("POST", "/emails", json=payload, headers=headers)
        email_id = reply.get("id") if isinstance(reply, dict) else None
        if not isinstance(email_id, str) or not email_id:
            raise MailerError(f"unexpected reply from Resend on /emails: {reply!r}", transient=False)
        return email_id

    def get_email(self, email_id: str) -> SentEmail:
        reply = self._request("GET", f"/emails/{quote(email_id, safe='')}")
        if not isinstance(reply, dict) or not reply.get("id"):
            raise MailerError(f"unexpected reply from Resend on /emails/{email_id}: {reply!r}", transient=False)
        to = reply.get("to")
        return SentEmail(
            id=str(reply["id"]),
            sender=str(reply.get("from") or ""),
            to=tuple(to) if isinstance(to, list) else (str(to),) if to else (),
            subject=str(reply.get("subject") or ""),
            text=reply.get("text"),
            html=reply.get("html"),
            created_at=str(reply.get("created_at") or ""),
            last_event=reply.get("last_event"),
        )

    def check_key(self) -> str:
        """A harmless authenticated read (the account's domains) for Settings → Integrations. A sending-only key
        may not read them and Resend says `restricted_api_key`: that still proves the key is genuine."""
        try:
            reply = self._request("GET", "/domains")
        except MailerError as exc:
            if exc.name == "restricted_api_key":
                return "the key is valid (sending access only)"
            raise
        domains = reply.get("data") if isinstance(reply, dict) else None
        if not isinstance(domains, list):
            raise MailerError(f"unexpected reply from Resend on /domains: {reply!r}", transient=False)
        return f"the key is valid; {len(domains)} sending domain(s)"

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Every request is a read or a send with an Idempotency-Key: any transient failure may be repeated."""
        try:
            if self._unsendable_key:
                raise MailerError("the Resend API key holds spaces or control characters", transient=False)
            reply = self._retry.call(lambda: self._send(method, path, **kwargs),
                                     lambda exc: isinstance(exc, MailerError) and exc.transient)
        except MailerError as exc:
            if self._on_outcome is not None:
                self._on_outcome(str(exc) if exc.is_outage else None)
            raise
        if self._on_outcome is not None:
            self._on_outcome(None)
        return reply

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.LocalProtocolError:
            raise MailerError(f"cannot send the request for {path}: a malformed Idempotency-Key",
                              transient=False) from None
        except httpx.TimeoutException as exc:
            raise MailerError(f"timeout calling Resend {path}", transient=True) from exc
        except httpx.TransportError as exc:
            raise MailerError(f"cannot reach Resend for {path}: {exc}", transient=True) from exc
        if not response.is_success:
            raise _error_from(response, path)
        return _decode(response, path)


def _decode(response: httpx.Response, path: str) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise MailerError(f"Resend sent a non-JSON reply on {path}", transient=False) from exc


def _error_from(response: httpx.Response, path: str) -> MailerError:
    """Resend's errors are `{statusCode, name, message}`; a proxy in between may send anything."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    name = message = None
    if isinstance(body, dict):
        name = str(body["name"]) if body.get("name") else None
        message = str(body["message"]) if body.get("message") else None
    detail = message or response.text[:200].strip() or response.reason_phrase
    transient = status == 429 or status >= 500 or name in _TRANSIENT_NAMES
    label = f"{status} {name}" if name else str(status)
    return MailerError(f"Resend answered {label} on {path}: {detail}", transient, status_code=status, name=name,
                       retry_after=retry_after_seconds(response.headers))
