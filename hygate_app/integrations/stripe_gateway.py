"""Stripe through the official library: Checkout Sessions for guest payments, and refunds.

Results come back as small typed records; Stripe's errors come back as one StripeGatewayError that
says whether trying again later can help. Retries are the library's own (`max_network_retries`: connection
errors, 409 and 5xx, with jittered exponential backoff of half a second up), safe because every POST carries
an idempotency key: ours where the caller gives one, else the library's. Each call's outcome goes to
`on_outcome` (the health badge).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import stripe

MIN_EXPIRY_MINUTES = 30
MAX_EXPIRY_SECONDS = 24 * 3600
# Stripe wants expires_at at least 30 minutes after it creates the session; the anchor is
# rounded down to the minute, so this margin keeps a retried request both valid and identical.
EXPIRY_MARGIN_SECONDS = 120

T = TypeVar("T")


class StripeGatewayError(Exception):
    def __init__(self, message: str, transient: bool, *, outage: bool | None = None) -> None:
        super().__init__(message)
        self.transient = transient
        # For the health badge: Stripe could not be used (unreachable, failing, refusing the key), as opposed
        # to refusing one request.
        self.is_outage = transient if outage is None else outage


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str | None
    status: str | None
    payment_status: str | None
    payment_intent: str | None
    metadata: dict[str, str]
    amount_total: int | None
    currency: str | None
    expires_at: int | None = None


@dataclass(frozen=True)
class Refund:
    id: str
    status: str | None
    amount: int
    metadata: dict[str, str] = field(default_factory=dict)


class StripeGateway:
    def __init__(self, secret_key: str, *, api_base: str | None = None,
                 timeout: float | tuple[float, float] = 10.0, max_network_retries: int = 2,
                 on_outcome: Callable[[str | None], None] | None = None) -> None:
        """`timeout` is seconds, or (connect, read) seconds. `on_outcome` hears each call's result once the
        library's retries are over: None when Stripe did its part, else what went wrong."""
        # The library's own default transport (requests ships with stripe), given our timeout.
        self._http_client = stripe.RequestsClient(timeout=timeout)
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base.rstrip("/")} if api_base else None,
            http_client=self._http_client,
            max_network_retries=max_network_retries,
        )
        self._on_outcome = on_outcome

    def close(self) -> None:
        self._http_client.close()

    def create_checkout_session(
        self,
        *,
        payment_id: str,
        amount_minor: int,
        currency: str,
        product_name: str,
        success_url: str,
        cancel_url: str,
        customer_email: str | None,
        expires_in_minutes: int = 30,
        idempotency_key: str,
        started_at: datetime | None = None,
        locale: str | None = None,
    ) -> CheckoutSession:
        """Pass the payment's own `started_at` so a retry with the same idempotency key sends
        the very same parameters (Stripe refuses a key reused with different ones). `locale` is the guest page's
        language for Stripe's own page (Stripe takes "auto", the browser's, when none is given)."""
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": currency.lower(),
                        "unit_amount": amount_minor,
                        "product_data": {"name": product_name},
                    },
                }
            ],
            "metadata": {"payment_id": payment_id},
            "client_reference_id": payment_id,
            "success_url": success_url,
            "cancel_url": cancel_url,
            "expires_at": _expires_at(started_at, expires_in_minutes),
        }
        if customer_email:
            params["customer_email"] = customer_email
        if locale:
            params["locale"] = locale
        session = self._call(
            lambda: self._client.v1.checkout.sessions.create(params, {"idempotency_key": idempotency_key})
        )
        return _checkout_session(session.to_dict())

    def retrieve_checkout_session(self, session_id: str) -> CheckoutSession:
        session = self._call(lambda: self._client.v1.checkout.sessions.retrieve(session_id))
        return _checkout_session(session.to_dict())

    def check_connection(self) -> int:
        """A harmless authenticated read (the newest Checkout Session, if any) for Settings → Integrations;
        returns how many came back (0 or 1). A wrong key raises like any other call."""
        page = self._call(lambda: self._client.v1.checkout.sessions.list({"limit": 1}))
        return len(page.data)

    def create_refund(
        self,
        *,
        payment_intent: str,
        amount_minor: int | None,
        idempotency_key: str,
        metadata: dict | None = None,
    ) -> Refund:
        params: dict[str, Any] = {"payment_intent": payment_intent}
        if amount_minor is not None:
            params["amount"] = amount_minor
        if metadata:
            params["metadata"] = metadata
        refund = self._call(
            lambda: self._client.v1.refunds.create(params, {"idempotency_key": idempotency_key})
        ).to_dict()
        return Refund(
            id=refund["id"],
            status=refund.get("status"),
            amount=int(refund.get("amount") or 0),
            metadata=dict(refund.get("metadata") or {}),
        )

    def _call(self, request: Callable[[], T]) -> T:
        try:
            result = request()
        except stripe.StripeError as exc:
            transient = _is_transient(exc)
            error = StripeGatewayError(_describe(exc), transient=transient, outage=transient or isinstance(
                exc, (stripe.AuthenticationError, stripe.PermissionError)))
            if self._on_outcome is not None:
                self._on_outcome(str(error) if error.is_outage else None)
            raise error from exc
        if self._on_outcome is not None:
            self._on_outcome(None)
        return result


def _expires_at(started_at: datetime | None, minutes: int) -> int:
    anchor = int(started_at.timestamp() if started_at else time.time())
    seconds = max(minutes, MIN_EXPIRY_MINUTES) * 60 + EXPIRY_MARGIN_SECONDS
    return anchor - anchor % 60 + min(seconds, MAX_EXPIRY_SECONDS - EXPIRY_MARGIN_SECONDS)


def _is_transient(exc: stripe.StripeError) -> bool:
    if isinstance(exc, (stripe.APIConnectionError, stripe.RateLimitError)):
        return True
    if isinstance(
        exc, (stripe.InvalidRequestError, stripe.AuthenticationError, stripe.IdempotencyError, stripe.PermissionError)
    ):
        return False
    return exc.http_status is None or exc.http_status >= 500 or exc.http_status == 409


def _describe(exc: stripe.StripeError) -> str:
    status = f" (HTTP {exc.http_status})" if exc.http_status else ""
    return f"{type(exc).__name__}{status}: {exc.user_message or exc}"


def _checkout_session(data: dict[str, Any]) -> CheckoutSession:
    payment_intent = data.get("payment_intent")
    if isinstance(payment_intent, dict):
        payment_intent = payment_intent.get("id")
    return CheckoutSession(
        id=data["id"],
        url=data.get("url"),
        status=data.get("status"),
        payment_status=data.get("payment_status"),
        payment_intent=payment_intent,
        metadata=dict(data.get("metadata") or {}),
        amount_total=data.get("amount_total"),
        currency=data.get("currency"),
        expires_at=data.get("expires_at"),
    )
