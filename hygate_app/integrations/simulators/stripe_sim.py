"""A Stripe in memory, for the demo and the tests: Checkout Sessions with a hosted payment page,
refunds, idempotency keys, Stripe's error shapes, and webhook events signed as Stripe signs them.
`/_sim/faults` makes the next API requests fail with a 5xx, and `/_sim/requests` lists what arrived."""

from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import hmac
import html
import json
import re
import secrets
import string
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

DEFAULT_API_VERSION = "2026-10-28.endive"
MIN_EXPIRY_SECONDS = 30 * 60
MAX_EXPIRY_SECONDS = 24 * 3600
DEFAULT_EXPIRY_SECONDS = 24 * 3600
DELIVERY_DELAYS = (0.0, 0.5, 1.0, 2.0, 4.0)
DELIVERY_TIMEOUT_SECONDS = 10.0
ZERO_DECIMAL_CURRENCIES = {
    "bif",
    "clp",
    "djf",
    "gnf",
    "jpy",
    "kmf",
    "krw",
    "mga",
    "pyg",
    "rwf",
    "ugx",
    "vnd",
    "vuv",
    "xaf",
    "xof",
    "xpf",
}
_ID_ALPHABET = string.ascii_letters + string.digits


def sign_stripe_payload(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header value: HMAC-SHA256 of "<t>.<body>" keyed with the whole
    endpoint secret (the `whsec_` prefix included), as Stripe computes it."""
    signed_at = int(time.time()) if timestamp is None else int(timestamp)
    message = str(signed_at).encode("ascii") + b"." + payload
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"t={signed_at},v1={digest}"


class StripeApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        type_: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message, "type": type_}
        if code:
            self.body["code"] = code
            self.body["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
        if param:
            self.body["param"] = param

    def response(self) -> JSONResponse:
        return JSONResponse({"error": self.body}, status_code=self.status)


@dataclass
class _Delivery:
    status: str = "pending"
    attempts: int = 0
    last_status_code: int | None = None
    last_error: str | None = None
    delivered_at: int | None = None


@dataclass
class _EventRecord:
    event: dict[str, Any]
    raw: bytes
    delivery: _Delivery = field(default_factory=_Delivery)

    def view(self) -> dict[str, Any]:
        return {
            "id": self.event["id"],
            "type": self.event["type"],
            "created": self.event["created"],
            "delivery": self.delivery.__dict__.copy(),
            "event": self.event,
        }


@dataclass
class _Saved:
    path: str
    params: list[tuple[str, str]]
    status: int
    body: dict[str, Any]


class _Ledger:
    """Everything this Stripe account holds, and the rules that change it."""

    def __init__(self, public_base_url: str) -> None:
        self.public_base_url = public_base_url.rstrip("/")
        self.reset()

    def reset(self) -> None:
        self.sessions: dict[str, dict[str, Any]] = {}
        self.line_items: dict[str, list[dict[str, Any]]] = {}
        self.session_versions: dict[str, str] = {}
        self.payment_intents: dict[str, dict[str, Any]] = {}
        self.charges: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.events: list[_EventRecord] = []
        self.idempotency: dict[str, _Saved] = {}
        self.outbox: list[_EventRecord] = []
        self.requests: deque[dict[str, Any]] = deque(maxlen=500)
        self.fault_status, self.fault_count = 500, 0
        # Webhook sending switched off (as an unreachable endpoint would be): events wait here until it resumes.
        self.paused = False
        self.held: list[_EventRecord] = []

    def take_fault(self) -> int | None:
        if self.fault_count <= 0:
            return None
        self.fault_count -= 1
        return self.fault_status

    def emit(self, type_: str, obj: dict[str, Any], api_version: str, request: dict[str, Any] | None = None) -> None:
        event = {
            "id": _new_id("evt_"),
            "object": "event",
            "api_version": api_version,
            "created": int(time.time()),
            "data": {"object": copy.deepcopy(obj)},
            "livemode": False,
            "pending_webhooks": 1,
            "request": request or {"id": None, "idempotency_key": None},
            "type": type_,
        }
        record = _EventRecord(event, json.dumps(event, indent=2).encode("utf-8"))
        self.events.append(record)
        self.outbox.append(record)

    def create_session(self, params: dict[str, Any], api_version: str, request: dict[str, Any]) -> dict[str, Any]:
        if params.get("mode") != "payment":
            raise StripeApiError(400, "This simulator only supports mode=payment.", param="mode")
        items = params.get("line_items")
        if not isinstance(items, list) or not items:
            raise StripeApiError(
                400, "Missing required param: line_items.", code="parameter_missing", param="line_items"
            )
        success_url = params.get("success_url")
        if not success_url:
            raise StripeApiError(
                400, "Missing required param: success_url.", code="parameter_missing", param="success_url"
            )
        lines = [_line_item(index, item) for index, item in enumerate(items)]
        currencies = {line["currency"] for line in lines}
        if len(currencies) != 1:
            raise StripeApiError(400, "All line items must share one currency.", param="line_items")
        now = int(time.time())
        expires_at = _integer(params.get("expires_at"), "expires_at", now + DEFAULT_EXPIRY_SECONDS)
        if expires_at - now < MIN_EXPIRY_SECONDS:
            raise StripeApiError(
                400,
                "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.",
                param="expires_at",
            )
        if expires_at - now > MAX_EXPIRY_SECONDS:
            raise StripeApiError(
                400,
                "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.",
                param="expires_at",
            )
        metadata = params.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise StripeApiError(400, "Invalid object", param="metadata")
        total = sum(line["amount_total"] for line in lines)
        session_id = _new_id("cs_test_", 58)
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": total,
            "amount_total": total,
            "cancel_url": params.get("cancel_url"),
            "client_reference_id": params.get("client_reference_id"),
            "created": now,
            "currency": currencies.pop(),
            "customer": None,
            "customer_creation": "if_required",
            "customer_details": None,
            "customer_email": params.get("customer_email"),
            "expires_at": expires_at,
            "invoice": None,
            "livemode": False,
            "locale": params.get("locale"),
            "metadata": {str(k): str(v) for k, v in metadata.items()},
            "mode": "payment",
            "payment_intent": None,
            "payment_link": None,
            "payment_method_types": ["card"],
            "payment_status": "unpaid",
            "status": "open",
            "success_url": success_url,
            "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            "ui_mode": "hosted",
            "url": f"{self.public_base_url}/pay/{session_id}",
        }
        self.sessions[session_id] = session
        self.line_items[session_id] = lines
        self.session_versions[session_id] = api_version
        return session

    def session(self, session_id: str) -> dict[str, Any]:
        session = self.sessions.get(session_id)
        if session is None:
            raise StripeApiError(
                404, f"No such checkout.session: '{session_id}'", code="resource_missing", param="session"
            )
        if session["status"] == "open" and time.time() >= session["expires_at"]:
            self._expire(session, None)
        return session

    def list_sessions(self, params: dict[str, Any]) -> dict[str, Any]:
        """Newest first, `limit` 1 to 100 (default 10), as Stripe pages a list; no cursors."""
        try:
            limit = int(params.get("limit", 10))
        except (TypeError, ValueError):
            raise StripeApiError(400, "Invalid integer: limit", param="limit") from None
        if not 1 <= limit <= 100:
            raise StripeApiError(400, "This value must be greater than or equal to 1 and at most 100.",
                                 param="limit")
        newest = sorted(self.sessions.values(), key=lambda s: s["created"], reverse=True)
        return {"object": "list", "data": newest[:limit], "has_more": len(newest) > limit,
                "url": "/v1/checkout/sessions"}

    def expire_session(self, session_id: str, request: dict[str, Any]) -> dict[str, Any]:
        session = self.session(session_id)
        if session["status"] != "open":
            raise StripeApiError(
                400,
                'Only Checkout Sessions with a status in ["open"] can be expired. '
                f"This Checkout Session has a status of {session['status']}.",
            )
        self._expire(session, request)
        return session

    def _expire(self, session: dict[str, Any], request: dict[str, Any] | None) -> None:
        session["status"] = "expired"
        session["url"] = None
        self.emit("checkout.session.expired", session, self.session_versions[session["id"]], request)

    def pay_session(self, session_id: str) -> dict[str, Any]:
        session = self.session(session_id)
        if session["status"] == "expired":
            raise StripeApiError(400, "This Checkout Session has expired.", code="checkout_session_expired")
        if session["status"] == "complete":
            raise StripeApiError(400, "This Checkout Session has already been paid.", code="checkout_session_completed")
        now = int(time.time())
        intent_id, charge_id = _new_id("pi_"), _new_id("ch_")
        amount, currency = session["amount_total"], session["currency"]
        self.charges[charge_id] = {
            "id": charge_id,
            "object": "charge",
            "amount": amount,
            "amount_captured": amount,
            "amount_refunded": 0,
            "balance_transaction": _new_id("txn_"),
            "captured": True,
            "created": now,
            "currency": currency,
            "livemode": False,
            "metadata": {},
            "paid": True,
            "payment_intent": intent_id,
            "refunded": False,
            "refunds": {
                "object": "list",
                "data": [],
                "has_more": False,
                "total_count": 0,
                "url": f"/v1/charges/{charge_id}/refunds",
            },
            "status": "succeeded",
        }
        self.payment_intents[intent_id] = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_received": amount,
            "created": now,
            "currency": currency,
            "latest_charge": charge_id,
            "livemode": False,
            "metadata": {},
            "status": "succeeded",
        }
        session.update(
            status="complete",
            payment_status="paid",
            payment_intent=intent_id,
            url=None,
            customer_details={
                "address": None,
                "email": session["customer_email"],
                "name": None,
                "phone": None,
                "tax_exempt": "none",
                "tax_ids": [],
            },
        )
        self.emit("checkout.session.completed", session, self.session_versions[session_id])
        return session

    def create_refund(self, params: dict[str, Any], api_version: str, request: dict[str, Any]) -> dict[str, Any]:
        charge = self._refundable_charge(params)
        remaining = charge["amount"] - charge["amount_refunded"]
        if remaining <= 0:
            raise StripeApiError(
                400, f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded"
            )
        amount = _integer(params.get("amount"), "amount", remaining)
        if amount <= 0:
            raise StripeApiError(400, "Amount must be at least 1.", code="amount_too_small", param="amount")
        if amount > remaining:
            raise StripeApiError(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})",
                code="amount_too_large",
                param="amount",
            )
        metadata = params.get("metadata") or {}
        refund = {
            "id": _new_id("re_"),
            "object": "refund",
            "amount": amount,
            "balance_transaction": _new_id("txn_"),
            "charge": charge["id"],
            "created": int(time.time()),
            "currency": charge["currency"],
            "metadata": {str(k): str(v) for k, v in metadata.items()},
            "payment_intent": charge["payment_intent"],
            "reason": params.get("reason"),
            "receipt_number": None,
            "status": "succeeded",
        }
        self.refunds[refund["id"]] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        charge["refunds"]["data"].insert(0, refund)
        charge["refunds"]["total_count"] += 1
        self.emit("charge.refunded", charge, api_version, request)
        self.emit("refund.created", refund, api_version, request)
        return refund

    def _refundable_charge(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("charge"):
            charge = self.charges.get(str(params["charge"]))
            if charge is None:
                raise StripeApiError(
                    400, f"No such charge: '{params['charge']}'", code="resource_missing", param="charge"
                )
            return charge
        intent_id = params.get("payment_intent")
        if not intent_id:
            raise StripeApiError(
                400,
                "One of the following params should be provided for this request: payment_intent or charge.",
                code="parameter_missing",
            )
        intent = self.payment_intents.get(str(intent_id))
        if intent is None:
            raise StripeApiError(
                400, f"No such payment_intent: '{intent_id}'", code="resource_missing", param="payment_intent"
            )
        return self.charges[intent["latest_charge"]]

    def refund(self, refund_id: str) -> dict[str, Any]:
        refund = self.refunds.get(refund_id)
        if refund is None:
            raise StripeApiError(404, f"No such refund: '{refund_id}'", code="resource_missing", param="id")
        return refund


def create_stripe_simulator(
    *, secret_key: str, webhook_secret: str, webhook_url: str, public_base_url: str
) -> Starlette:
    ledger = _Ledger(public_base_url)
    tasks: set[asyncio.Task] = set()

    async def deliver(record: _EventRecord) -> None:
        record.delivery.status = "pending"
        for delay in DELIVERY_DELAYS:
            if delay:
                await asyncio.sleep(delay)
            record.delivery.attempts += 1
            headers = {
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": sign_stripe_payload(record.raw, webhook_secret),
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            }
            try:
                async with httpx.AsyncClient(timeout=DELIVERY_TIMEOUT_SECONDS) as client:
                    reply = await client.post(webhook_url, content=record.raw, headers=headers)
            except httpx.HTTPError as exc:
                record.delivery.last_status_code = None
                record.delivery.last_error = f"{type(exc).__name__}: {exc}"
                continue
            record.delivery.last_status_code = reply.status_code
            if 200 <= reply.status_code < 300:
                record.delivery.status = "delivered"
                record.delivery.last_error = None
                record.delivery.delivered_at = int(time.time())
                return
            record.delivery.last_error = f"HTTP {reply.status_code}"
        record.delivery.status = "failed"

    def start_delivery(record: _EventRecord) -> None:
        if not webhook_url:
            record.delivery.status = "disabled"
            return
        task = asyncio.get_running_loop().create_task(deliver(record))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def flush_outbox() -> None:
        """Runs once the response is out, so a simulator mounted in the very app it posts to
        never makes a request wait on its own webhook."""
        pending, ledger.outbox = ledger.outbox, []
        for record in pending:
            if ledger.paused:
                record.delivery.status = "held"
                ledger.held.append(record)
            else:
                start_delivery(record)

    def answer(response: Response) -> Response:
        response.background = BackgroundTask(flush_outbox)
        return response

    async def api(request: Request, action: Any) -> Response:
        """Authentication, form decoding and idempotency, the way Stripe's v1 API applies them."""
        fault = ledger.take_fault()
        ledger.requests.append({"method": request.method, "path": request.url.path, "outcome": fault or "ok",
                                "idempotency_key": request.headers.get("idempotency-key")})
        if fault is not None:
            return StripeApiError(fault, "Simulated fault.", type_="api_error").response()
        try:
            _authenticate(request, secret_key)
            raw = (await request.body()).decode("utf-8")
            pairs = (
                parse_qsl(raw, keep_blank_values=True)
                if request.method == "POST"
                else list(request.query_params.multi_items())
            )
            params = _decode_form(pairs)
            api_version = request.headers.get("stripe-version") or DEFAULT_API_VERSION
            key = request.headers.get("idempotency-key")
            context = {"id": _new_id("req_", 14), "idempotency_key": key}
            if request.method != "POST" or not key:
                return answer(JSONResponse(action(request, params, api_version, context)))
            signature = sorted(pairs)
            saved = ledger.idempotency.get(key)
            if saved is not None:
                return _replay(saved, request.url.path, signature, key)
            try:
                body = action(request, params, api_version, context)
            except StripeApiError as exc:
                if exc.status >= 500:
                    ledger.idempotency[key] = _Saved(request.url.path, signature, exc.status, {"error": exc.body})
                raise
            ledger.idempotency[key] = _Saved(request.url.path, signature, 200, copy.deepcopy(body))
            return answer(JSONResponse(body))
        except StripeApiError as exc:
            return answer(exc.response())

    def api_route(path: str, action: Any, methods: list[str]) -> Route:
        async def route(request: Request) -> Response:
            return await api(request, action)

        return Route(path, route, methods=methods)

    def create_session(_: Request, params: dict, version: str, context: dict) -> dict:
        return ledger.create_session(params, version, context)

    def list_sessions(_: Request, params: dict, *__: Any) -> dict:
        return ledger.list_sessions(params)

    def get_session(request: Request, *_: Any) -> dict:
        return ledger.session(request.path_params["session_id"])

    def expire_session(request: Request, _: dict, __: str, context: dict) -> dict:
        return ledger.expire_session(request.path_params["session_id"], context)

    def create_refund(_: Request, params: dict, version: str, context: dict) -> dict:
        return ledger.create_refund(params, version, context)

    def get_refund(request: Request, *_: Any) -> dict:
        return ledger.refund(request.path_params["refund_id"])

    def unknown(request: Request, *_: Any) -> dict:
        raise StripeApiError(404, f"Unrecognized request URL ({request.method}: {request.url.path}).")

    async def checkout_page(request: Request) -> Response:
        session_id = request.path_params["session_id"]
        try:
            session = ledger.session(session_id)
        except StripeApiError:
            return answer(
                HTMLResponse(
                    _page("Payment not found", "<p class='note'>This payment link is not valid.</p>"), status_code=404
                )
            )
        if request.method == "GET":
            return answer(HTMLResponse(_checkout_html(session, ledger.line_items[session_id])))
        form = dict(parse_qsl((await request.body()).decode("utf-8")))
        if form.get("action") == "cancel":
            return answer(RedirectResponse(session["cancel_url"] or "/", status_code=303))
        try:
            ledger.pay_session(session_id)
        except StripeApiError:
            return answer(HTMLResponse(_checkout_html(session, ledger.line_items[session_id]), status_code=409))
        target = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
        return answer(RedirectResponse(target, status_code=303))

    async def sim_pay(request: Request) -> Response:
        try:
            return answer(JSONResponse(ledger.pay_session(request.path_params["session_id"])))
        except StripeApiError as exc:
            return answer(exc.response())

    async def sim_events(_: Request) -> Response:
        return JSONResponse({"object": "list", "data": [r.view() for r in ledger.events]})

    async def sim_redeliver(request: Request) -> Response:
        event_id = request.path_params["event_id"]
        record = next((r for r in ledger.events if r.event["id"] == event_id), None)
        if record is None:
            return JSONResponse({"error": f"no event {event_id}"}, status_code=404)
        record.delivery = _Delivery()
        ledger.outbox.append(record)
        return answer(JSONResponse(record.view()))

    async def sim_faults(request: Request) -> Response:
        """`{"status": 503, "count": 2}` makes the next two API requests fail so; count 0 clears it."""
        body = json.loads(await request.body() or b"{}")
        ledger.fault_status, ledger.fault_count = int(body.get("status", 500)), max(int(body.get("count", 1)), 0)
        return JSONResponse({"status": ledger.fault_status, "count": ledger.fault_count})

    async def sim_requests(_: Request) -> Response:
        return JSONResponse({"requests": list(ledger.requests)})

    async def sim_delivery(request: Request) -> Response:
        """`{"paused": true}` holds every webhook; `{"paused": false}` sends the held ones and resumes."""
        if request.method == "POST":
            body = json.loads(await request.body() or b"{}")
            ledger.paused = bool(body.get("paused"))
            if not ledger.paused:
                ledger.outbox.extend(ledger.held)
                ledger.held = []
        return answer(JSONResponse({"paused": ledger.paused, "held": [r.event["id"] for r in ledger.held]}))

    async def sim_reset(_: Request) -> Response:
        ledger.reset()
        return JSONResponse({"reset": True})

    routes = [
        api_route("/v1/checkout/sessions", create_session, ["POST"]),
        api_route("/v1/checkout/sessions", list_sessions, ["GET"]),
        api_route("/v1/checkout/sessions/{session_id}", get_session, ["GET"]),
        api_route("/v1/checkout/sessions/{session_id}/expire", expire_session, ["POST"]),
        api_route("/v1/refunds", create_refund, ["POST"]),
        api_route("/v1/refunds/{refund_id}", get_refund, ["GET"]),
        api_route("/v1/{rest:path}", unknown, ["GET", "POST", "DELETE"]),
        Route("/pay/{session_id}", checkout_page, methods=["GET", "POST"]),
        Route("/_sim/events", sim_events, methods=["GET"]),
        Route("/_sim/events/{event_id}/redeliver", sim_redeliver, methods=["POST"]),
        Route("/_sim/delivery", sim_delivery, methods=["GET", "POST"]),
        Route("/_sim/checkout/{session_id}/pay", sim_pay, methods=["POST"]),
        Route("/_sim/faults", sim_faults, methods=["POST"]),
        Route("/_sim/requests", sim_requests, methods=["GET"]),
        Route("/_sim/reset", sim_reset, methods=["POST"]),
    ]
    app = Starlette(routes=routes)
    app.state.stripe_ledger = ledger
    return app


def _authenticate(request: Request, secret_key: str) -> None:
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            credential = base64.b64decode(credential).decode("utf-8").partition(":")[0]
        except ValueError:
            credential = ""
    elif scheme.lower() != "bearer":
        credential = ""
    if not credential:
        raise StripeApiError(
            401,
            "You did not provide an API key. You need to provide your API key in the "
            "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
            "YOUR_SECRET_KEY').",
        )
    if not hmac.compare_digest(credential, secret_key):
        head = credential[:8] if len(credential) > 12 else ""
        masked = head + "*" * max(len(credential) - len(head) - 4, 0) + credential[-4:]
        raise StripeApiError(401, f"Invalid API Key provided: {masked}")


def _replay(saved: _Saved, path: str, signature: list[tuple[str, str]], key: str) -> Response:
    if saved.path != path:
        raise StripeApiError(
            400,
            "Keys for idempotent requests can only be used for the same endpoint they "
            f"were first used for ('{path}' vs '{saved.path}'). Try using a key other than "
            f"'{key}' if you meant to execute a different request.",
            type_="idempotency_error",
        )
    if saved.params != signature:
        raise StripeApiError(
            400,
            "Keys for idempotent requests can only be used with the same parameters they "
            f"were first used with. Try using a key other than '{key}' if you meant to execute "
            "a different request.",
            type_="idempotency_error",
        )
    return JSONResponse(saved.body, status_code=saved.status, headers={"Idempotent-Replayed": "true"})


def _decode_form(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """`line_items[0][price_data][unit_amount]=500` becomes nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        if not parts:
            continue
        node = root
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = value
    return _listify(root)


def _listify(node: Any, under_metadata: bool = False) -> Any:
    if not isinstance(node, dict):
        return node
    node = {key: _listify(value, key == "metadata") for key, value in node.items()}
    if node and not under_metadata and all(key.isdigit() for key in node):
        return [node[key] for key in sorted(node, key=int)]
    return node


def _integer(value: Any, param: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise StripeApiError(400, f"Invalid integer: {value}", param=param) from None


def _line_item(index: int, item: Any) -> dict[str, Any]:
    prefix = f"line_items[{index}]"
    if not isinstance(item, dict) or not isinstance(item.get("price_data"), dict):
        raise StripeApiError(
            400,
            "This simulator needs price_data on every line item.",
            code="parameter_missing",
            param=f"{prefix}[price_data]",
        )
    price = item["price_data"]
    product = price.get("product_data")
    named = isinstance(product, dict) and product.get("name")
    for name, present in (
        ("currency", price.get("currency")),
        ("unit_amount", price.get("unit_amount")),
        ("product_data][name", named),
    ):
        if not present:
            raise StripeApiError(
                400,
                f"Missing required param: {prefix}[price_data][{name}].",
                code="parameter_missing",
                param=f"{prefix}[price_data][{name}]",
            )
    unit_amount = _integer(price["unit_amount"], f"{prefix}[price_data][unit_amount]", 0)
    quantity = _integer(item.get("quantity"), f"{prefix}[quantity]", 1)
    if unit_amount < 0 or quantity < 1:
        raise StripeApiError(400, "Amounts must be positive.", param=prefix)
    return {
        "name": str(product["name"]),
        "currency": str(price["currency"]).lower(),
        "unit_amount": unit_amount,
        "quantity": quantity,
        "amount_total": unit_amount * quantity,
    }


def _new_id(prefix: str, length: int = 24) -> str:
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def _money(amount: int, currency: str) -> str:
    if currency.lower() in ZERO_DECIMAL_CURRENCIES:
        return f"{amount} {currency.upper()}"
    return f"{amount / 100:.2f} {currency.upper()}"


def _checkout_html(session: dict[str, Any], lines: list[dict[str, Any]]) -> str:
    items = "".join(
        f"<li><span>{html.escape(line['name'])}"
        f"{' × ' + str(line['quantity']) if line['quantity'] > 1 else ''}</span>"
        f"<span>{_money(line['amount_total'], line['currency'])}</span></li>"
        for line in lines
    )
    total = _money(session["amount_total"], session["currency"])
    if session["status"] == "expired":
        action = "<p class='note' id='message'>This checkout session has expired. Nothing was charged.</p>"
    elif session["status"] == "complete":
        action = "<p class='note' id='message'>This payment is already complete.</p>"
    else:
        email = session.get("customer_email")
        action = (
            (f"<p class='email'>Receipt to {html.escape(email)}</p>" if email else "") + "<form method='post'>"
            "<button id='pay' name='action' value='pay' type='submit'>Pay " + total + "</button>"
            "<button id='cancel' name='action' value='cancel' type='submit' class='cancel'>"
            "Cancel</button></form>"
        )
    body = (
        f"<p class='label'>Test mode · simulated Stripe Checkout</p><ul>{items}</ul>"
        f"<p class='total'><span>Total</span><strong id='total'>{total}</strong></p>{action}"
    )
    return _page("Checkout", body)


def _page(title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:0;background:#f6f9fc;color:#1a1f36}}
main{{max-width:28rem;margin:0 auto;padding:1.5rem 1rem}}
.label{{color:#697386;font-size:.85rem}} ul{{list-style:none;padding:0}}
li,.total{{display:flex;justify-content:space-between;padding:.5rem 0}}
.total{{border-top:1px solid #e3e8ee;font-size:1.4rem}}
button{{display:block;width:100%;font-size:1.1rem;padding:1rem;border-radius:8px;border:0;
margin-top:.75rem;background:#635bff;color:#fff;font-weight:600}}
button.cancel{{background:transparent;color:#635bff;border:1px solid #cfd7df}}
.note{{background:#fff4e5;padding:1rem;border-radius:8px}} .email{{color:#697386}}
</style></head><body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>"""
