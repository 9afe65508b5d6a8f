"""Resend's e-mail API: send one message (OTP codes, invitations, receipts) and read a sent one back.

Unlike the Shelly client it retries a brief outage itself: every send carries an Idempotency-Key
(one is made up when the caller gives none), so repeating it can never deliver twice, and a mail
that arrives a second late beats a failed job. What outlasts the retries is one MailerError that
says whether trying again later can help. It never touches the database and never logs the key.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

log = logging.getLogger(__name__)

# Resend says "try the request again later" for this 409; every other 4xx needs a different request.
_TRANSIENT_NAMES = {"concurrent_idempotent_requests"}


class MailerError(Exception):
    def __init__(self, message: str, transient: bool, *, status_code: int | None = None,
                 name: str | None = None) -> None:
        super().__init__(message)
        self.transient = transient
        self.status_code = status_code
        self.name = name

    @property
    def is_transient(self) -> bool:
        """ShellyError's spelling, so the job layer can judge both clients' errors alike."""
        return self.transient


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
        timeout: float = 10,
        *,
        transport: httpx.BaseTransport | None = None,
        retries: int = 2,
        backoff: float = 0.5,
        max_retry_after: float = 5.0,
    ) -> None:
        """`retries` extra attempts for a transient error, `backoff` doubling between them; a
        Retry-After longer than `max_retry_after` is not waited for (the job queue can wait better)."""
        self.sender = sender
        self._retries = retries
        self._backoff = backoff
        self._max_retry_after = max_retry_after
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
    ) -> str:
        """Returns Resend's e-mail id. Give an `idempotency_key` derived from what the mail is for
        (an invitation id, say) to make a retried job safe too, not only this call's own retries."""
        payload: dict[str, Any] = {"from": self.sender, "to": [to], "subject": subject, "text": text}
        if html is not None:
            payload["html"] = html
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
        if self._unsendable_key:
            raise MailerError("the Resend API key holds spaces or control characters", transient=False)
        attempt = 0
        while True:
            cause: Exception | None = None
            retry_after: float | None = None
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.LocalProtocolError:
                raise MailerError(f"cannot send the request for {path}: a malformed Idempotency-Key",
                                  transient=False) from None
            except httpx.TimeoutException as exc:
                cause, error = exc, MailerError(f"timeout calling Resend {path}", transient=True)
            except httpx.TransportError as exc:
                cause, error = exc, MailerError(f"cannot reach Resend for {path}: {exc}", transient=True)
            else:
                if response.is_success:
                    return _decode(response, path)
                error, retry_after = _error_from(response, path), _retry_after(response)
            delay = self._backoff * 2**attempt if retry_after is None else retry_after
            if not error.transient or attempt >= self._retries or delay > self._max_retry_after:
                raise error from cause
            log.warning("%s (attempt %d), retrying in %.2fs", error, attempt + 1, delay)
            time.sleep(delay)
            attempt += 1


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
    return MailerError(f"Resend answered {label} on {path}: {detail}", transient, status_code=status, name=name)


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds only; an HTTP-date (which Resend does not send) falls back to the backoff."""
    try:
        return max(float(response.headers["retry-after"]), 0.0)
    except (KeyError, ValueError):
        return None
