"""A TTLock Open Platform in memory, for the demo and the tests: the OAuth2 token endpoint and the v3
calls TTLockClient makes, form-encoded, with the real error envelope, paging, hour-rounded cloud passcodes,
minute-exact gateway passcodes, QR codes and passage mode; `/_sim/...` controls faults, tokens and locks."""

from __future__ import annotations

import asyncio
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

HOUR_MS = 3_600_000
MINUTE_MS = 60_000
DATE_TOLERANCE_MS = 5 * MINUTE_MS
MAX_PERIOD_MS = 365 * 24 * HOUR_MS
DEFAULT_TOKEN_LIFETIME_SECONDS = 90 * 24 * 3600  # the real default: 90 days
DEFAULT_TIMEOUT_FAULT_SECONDS = 15.0

# featureValue bits (2**n): gateway unlock, passage mode, QR code.
_GATEWAY_BIT, _PASSAGE_BIT, _QR_BIT = 10, 22, 44

_MESSAGES = {
    -3: "Invalid Parameter.",
    -1003: "Lock does not exist.",
    -2009: "Passcode does not exist.",
    -2012: "The Lock is not connected to any Gateway.",
    -3002: "The gateway is offline. Please check and try again.",
    -3006: "Invalid passcode. Passcode should be between 4 - 9 digits in length.",
    -3007: "The same passcode already exists. Please use another one.",
    -4043: "The function is not supported for this lock.",
    10000: "invalid client_id",
    10001: "invalid client",
    10003: "invalid token",
    10004: "invalid grant",
    10007: "invalid account or invalid password",
    10011: "invalid refresh_token",
    30006: "exceeds the restrictions of API call number",
    80000: "date must be current time, in 5 minutes",
    90000: "internal server error",
}

DEFAULT_LOCKS = [
    {"id": 7100001, "alias": "Front door", "battery": 90, "has_gateway": True, "supports_qr": False},
    {"id": 7100002, "alias": "Gym door", "battery": 75, "has_gateway": False, "supports_qr": False},
]


def envelope(code: int, message: str | None = None) -> dict[str, Any]:
    return {"errcode": code, "errmsg": message or _MESSAGES.get(code, "failed"), "description": ""}


OK = {"errcode": 0, "errmsg": "none error message or means yes", "description": ""}


@dataclass
class _Lock:
    id: int
    alias: str
    mac: str
    battery: int
    has_gateway: bool
    gateway_online: bool
    supports_qr: bool
    passage_mode: bool
    timezone_offset_ms: int

    @property
    def feature_value(self) -> str:
        bits = 1 << _PASSAGE_BIT | 1 << _GATEWAY_BIT
        if self.supports_qr:
            bits |= 1 << _QR_BIT
        return format(bits, "X")

    def listed(self) -> dict[str, Any]:
        return {
            "lockId": self.id, "lockName": f"S31_{self.mac[-5:].replace(':', '').lower()}", "lockAlias": self.alias,
            "lockMac": self.mac, "electricQuantity": self.battery, "featureValue": self.feature_value,
            "hasGateway": 1 if self.has_gateway else 0, "groupId": 0, "groupName": "", "date": 1_700_000_000_000,
        }

    def view(self) -> dict[str, Any]:
        return {"id": self.id, "alias": self.alias, "mac": self.mac, "battery": self.battery,
                "has_gateway": self.has_gateway, "gateway_online": self.gateway_online,
                "supports_qr": self.supports_qr, "passage_mode": self.passage_mode,
                "timezone_offset_ms": self.timezone_offset_ms}


@dataclass
class _Credential:
    id: int
    lock_id: int
    kind: str
    code: str
    name: str
    start_ms: int
    end_ms: int
    issued_at: float
    deleted: bool = False

    def view(self) -> dict[str, Any]:
        return {"id": self.id, "lock_id": self.lock_id, "kind": self.kind, "code": self.code, "name": self.name,
                "start_ms": self.start_ms, "end_ms": self.end_ms, "valid_from": _iso(self.start_ms),
                "valid_until": _iso(self.end_ms), "issued_at": self.issued_at, "deleted": self.deleted}


@dataclass
class _Token:
    access: str
    refresh: str
    expires_at: float
    refresh_valid: bool = True


@dataclass
class _Fault:
    mode: str = "ok"
    count: int = 0
    errcode: int = 90000
    errmsg: str | None = None
    delay: float = DEFAULT_TIMEOUT_FAULT_SECONDS
    lock_id: int | None = None  # only calls about this lock take the fault (None: every call)


@dataclass
class _Cloud:
    client_id: str
    client_secret: str
    username: str
    password_md5: str
    initial_locks: list[dict]
    token_lifetime: int
    page_size_max: int
    min_spacing: float
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.locks: dict[int, _Lock] = {}
            self.credentials: dict[int, _Credential] = {}
            self.tokens: dict[str, _Token] = {}
            self.calls: list[dict[str, Any]] = []
            self.fault = _Fault()
            self.next_id = 40_000_001
            self.last_accepted: float | None = None
        for spec in self.initial_locks:
            self.put_lock(spec)

    def put_lock(self, spec: dict) -> _Lock:
        lock_id = int(spec["id"])
        mac = str(spec.get("mac") or ":".join(f"{b:02X}" for b in lock_id.to_bytes(6, "big")))
        has_gateway = bool(spec.get("has_gateway", True))
        lock = _Lock(
            id=lock_id, alias=str(spec.get("alias") or f"Lock {lock_id}"), mac=mac,
            battery=int(spec.get("battery", 100)), has_gateway=has_gateway,
            gateway_online=bool(spec.get("gateway_online", has_gateway)), supports_qr=bool(spec.get("supports_qr")),
            passage_mode=bool(spec.get("passage_mode", False)),
            timezone_offset_ms=int(spec.get("timezone_offset_ms", 0)),
        )
        with self.lock:
            self.locks[lock_id] = lock
        return lock

    def new_id(self) -> int:
        with self.lock:
            self.next_id += 1
            return self.next_id

    def issue_tokens(self) -> _Token:
        token = _Token(secrets.token_hex(16), secrets.token_hex(16), time.time() + self.token_lifetime)
        with self.lock:
            self.tokens[token.access] = token
        return token

    def take_fault(self, lock_id: str | None) -> _Fault | None:
        with self.lock:
            if self.fault.mode == "ok" or self.fault.count <= 0:
                return None
            if self.fault.lock_id is not None and str(self.fault.lock_id) != lock_id:
                return None
            self.fault.count -= 1
            return _Fault(self.fault.mode, 1, self.fault.errcode, self.fault.errmsg, self.fault.delay)

    def admit(self, now: float) -> bool:
        """One accepted call per `min_spacing` seconds for the application; refused calls do not count."""
        with self.lock:
            if self.last_accepted is not None and now - self.last_accepted < self.min_spacing:
                return False
            self.last_accepted = now
            return True

    def record(self, path: str, params: dict[str, Any], outcome: str, arrived: float) -> None:
        hidden = {"accessToken", "clientSecret", "password", "refresh_token"}
        with self.lock:
            self.calls.append({"seq": len(self.calls) + 1, "path": path, "arrived": arrived, "outcome": outcome,
                               "params": {k: "***" if k in hidden else v for k, v in params.items()}})


def create_ttlock_simulator(
    client_id: str,
    client_secret: str,
    username: str,
    password_md5: str,
    locks: list[dict] | None = None,
    *,
    token_lifetime_seconds: int = DEFAULT_TOKEN_LIFETIME_SECONDS,
    page_size_max: int = 100,
    rate_limit_per_second: float = 0.0,
) -> Starlette:
    """A lock spec is `{"id", "alias", "battery", "has_gateway", "gateway_online", "supports_qr",
    "passage_mode", "timezone_offset_ms", "mac"}` (only `id` required). `rate_limit_per_second` (0 = off)
    answers errcode 30006 to calls closer together than the limit allows."""
    cloud = _Cloud(client_id, client_secret, username, password_md5.lower(),
                   [dict(spec) for spec in (DEFAULT_LOCKS if locks is None else locks)],
                   token_lifetime_seconds, page_size_max,
                   1.0 / rate_limit_per_second if rate_limit_per_second > 0 else 0.0)

    async def token_endpoint(request: Request) -> Response:
        arrived = time.monotonic()
        params = await _params(request)
        outcome, body = oauth_token(params)
        cloud.record("/oauth2/token", {**params, "grant_type": params.get("grant_type", "password")}, outcome,
                     arrived)
        return JSONResponse(body)

    def oauth_token(params: dict[str, str]) -> tuple[str, dict[str, Any]]:
        if params.get("clientId") != cloud.client_id:
            return "invalid_client", envelope(10000)
        if params.get("clientSecret") != cloud.client_secret:
            return "invalid_client", envelope(10001)
        if params.get("grant_type") == "refresh_token":
            with cloud.lock:
                found = next((t for t in cloud.tokens.values() if t.refresh == params.get("refresh_token")), None)
                if found is None or not found.refresh_valid:
                    return "refresh_refused", envelope(10011)
                found.refresh_valid = False  # each refresh token is used once
            token = cloud.issue_tokens()
            return "refreshed", {"access_token": token.access, "refresh_token": token.refresh,
                                 "expires_in": cloud.token_lifetime}
        if params.get("username") != cloud.username or params.get("password") != cloud.password_md5:
            return "wrong_account", envelope(10007)
        token = cloud.issue_tokens()
        return "granted", {"access_token": token.access, "uid": 2340, "refresh_token": token.refresh,
                           "expires_in": cloud.token_lifetime}

    async def api_call(request: Request, path: str, handler: Any) -> Response:
        arrived = time.monotonic()
        params = await _params(request)
        fault = cloud.take_fault(params.get("lockId"))
        if fault is not None:
            cloud.record(path, params, fault.mode, arrived)
            if fault.mode == "timeout":
                await asyncio.sleep(fault.delay)
                return PlainTextResponse("Gateway Timeout", status_code=504)
            if fault.mode == "error500":
                return PlainTextResponse("Internal Server Error", status_code=500)
            return JSONResponse(envelope(fault.errcode, fault.errmsg))
        refusal = check_auth(params)
        if refusal is not None:
            cloud.record(path, params, refusal[0], arrived)
            return JSONResponse(refusal[1])
        if not cloud.admit(arrived):
            cloud.record(path, params, "rate_limited", arrived)
            return JSONResponse(envelope(30006))
        try:
            outcome, body = handler(params)
        except (KeyError, ValueError):
            outcome, body = "invalid_parameter", envelope(-3)
        cloud.record(path, params, outcome, arrived)
        return JSONResponse(body)

    def check_auth(params: dict[str, str]) -> tuple[str, dict[str, Any]] | None:
        if params.get("clientId") != cloud.client_id:
            return "invalid_client", envelope(10000)
        token = cloud.tokens.get(params.get("accessToken", ""))
        if token is None:
            return "unknown_token", envelope(10003)
        if token.expires_at <= time.time():
            return "expired_token", envelope(10004)
        try:
            date = int(params.get("date", ""))
        except ValueError:
            return "invalid_parameter", envelope(-3)
        if abs(date - time.time() * 1000) > DATE_TOLERANCE_MS:
            return "bad_date", envelope(80000)
        return None

    def find_lock(params: dict[str, str]) -> _Lock | None:
        return cloud.locks.get(int(params["lockId"]))

    def gateway_refusal(lock: _Lock) -> tuple[str, dict[str, Any]] | None:
        if not lock.has_gateway:
            return "no_gateway", envelope(-2012)
        if not lock.gateway_online:
            return "gateway_offline", envelope(-3002)
        return None

    def lock_list(params: dict[str, str]) -> tuple[str, dict[str, Any]]:
        page_no, page_size = int(params["pageNo"]), int(params["pageSize"])
        if page_no < 1 or not 1 <= page_size <= cloud.page_size_max:
            return "invalid_parameter", envelope(-3)
        everything = sorted(cloud.locks.values(), key=lambda lock: lock.id)
        pages = -(-len(everything) // page_size)
        chunk = everything[(page_no - 1) * page_size: page_no * page_size]
        return "ok", {"list": [lock.listed() for lock in chunk], "pageNo": page_no, "pageSize": page_size,
                      "pages": pages, "total": len(everything)}

    def lock_detail(params: dict[str, str]) -> tuple[str, dict[str, Any]]:
        lock = find_lock(params)
        if lock is None:
            return "unknown_lock", envelope(-1003)
        detail = lock.listed()
        detail.update(timezoneRawOffset=lock.timezone_offset_ms, passageMode=1 if lock.passage_mode else 2,
                      passageModeAutoUnlock=1, modelNum="SN9161_PV53", firmwareRevision="6.4.11",
                      hardwareRevision="1.8", autoLockTime=5, keyboardPwdVersion=4, noKeyPwd="0000000")
        return "ok", detail

    def gateways_by_lock(params: dict[str, str]) -> tuple[str, dict[str, Any]]:
        lock = find_lock(params)
        if lock is None:
            return "unknown_lock", envelope(-1003)
        listed = []
        if lock.has_gateway and lock.gateway_online:
            listed.append({"gatewayId": 900_000 + lock.id % 1000, "gatewayMac": "DC:A4:53:85:39:74",
                           "gatewayName": "G2_sim", "rssi": -60, "rssiUpdateDate": int(time.time() * 1000)})
        return "ok", {"list": listed}

    def passcode_get(params: dict[str, str]) -> tuple[str, dict[str, Any]]:
        lock = find_lock(params)
        if lock is None:
            return "unknown_lock", envelope(-1003)
        if params.get("keyboardPwdType") != "3":
            return "invalid_parameter", envelope(-3, "Only period passcodes are simulated.")
        offset = lock.timezone_offset_ms
        # Valid on whole hours of the lock's clock only: 19:20 becomes 19:00, as the real cloud does.
        start = (int(params["startDate"]) + offset) // HOUR_MS * HOUR_MS - offset
        end = (int(params["endDate"]) + offset) // HOUR_MS * HOUR_MS - offset
        if end <= start or end - start > MAX_PERIOD_MS:
            return "invalid_parameter", envelope(-3)
        code = "".join(secrets.choice("0123456789") for _ in range(9 if end - start > 24 * HOUR_MS else 8))
        credential = store("cloud_passcode", lock, code, params.get("keyboardPwdName", ""), start, end)
        return "ok", {"keyboardPwd": code, "keyboardPwdId": credential.id}

    def passcode_add(params: dict[str, str]) -> tuple[str, dict[str, Any]]:
        lock = find_lock(params)
        if lock is None:
            return "unknown_lock", envelope(-1003)
        if params.get("addType") != "2":
            return "invalid_parameter", envelope(-3, "Only gateway passcodes (addType=2) are simulated.")
        refusal = gateway_refusal(lock)
        if refusal is not None:
            return refusal
        code = params.get("keyboardPwd", "")
        if not code.isdigit() or not 4 <= len(code) <= 9:
            return "invalid_passcode", envelope(-3006)
        if any(c.code == code and c.lock_id == lock.id and not c.deleted and c.kind != "qr_code"
               for c in cloud.credentials.values()):
            return "passcode_taken", envelope(-3007)
        start = int(params["startDate"]) // MINUTE_MS * MINUTE_MS
        end = int(params["endDate"]) // MINUTE_MS * MINUTE_MS
        if end <= start:
            return "invalid_parameter", envelope(-3)
        credential = store("gateway_passcode", lock, code, params.get("keyboardPwdName", ""), start, end)
        return "ok", {"keyboardPwdId": credential.id}

    def passcode_delete(params: dict[str, str]) -> tuple[str, dict[str, Any]]:
        lock = find_lock(params)
        if lock is None:
            return "unknown_lock", envelope(-1003)
        credential = cloud.credentials.get(int(params["keyboardPwdId"]))
        if credential is None or credential.lock_id != lock.id or credential.kind == "qr_code" or credential.deleted:
            return "unknown_passcode", envelope(-2009)
        if params.get("deleteType") == "2":
            refusal = gateway_refusal(lock)
            if refusal is not None:
                return refusal
        credential.deleted = True
        return "ok", dict(OK)

    def qr_add(params: dict[str, str]) -> tuple[str, dict[str, Any]]:
        lock = find_lock(params)
        if lock is None:
            return "unknown_lock", envelope(-1003)
        if not lock.supports_qr:
            return "unsupported", envelope(-4043)
        if params.get("type") != "1":
            return "invalid_parameter", envelope(-3, "Only period QR codes are simulated.")
        start, end = int(params["startDate"]), int(params["endDate"])
        if end <= start:
            return "invalid_parameter", envelope(-3)
        content = secrets.token_urlsafe(24)
        credential = store("qr_code", lock, content, params.get("name", ""), start, end)
        return "ok", {"qrCodeId": credential.id, "qrCodeNumber": credential.id % 1000,
                      "link": f"https://ttlock.sim/qr/{credential.id}"}

    def qr_data(params: dict[str, str]) -> tuple[str, dict[str, Any]]:
        credential = cloud.credentials.get(int(params["qrCodeId"]))
        if credential is None or credential.kind != "qr_code" or credential.deleted:
            return "unknown_qr_code", envelope(-3, "QR code does not exist.")
        now = time.time() * 1000
        live = credential.start_ms <= now < credential.end_ms
        data: dict[str, Any] = {"lockAlias": cloud.locks[credential.lock_id].alias, "type": 1,
                                "qrCodeNumber": credential.id % 1000, "name": credential.name,
                                "startDate": credential.start_ms, "endDate": credential.end_ms,
                                "status": 1 if live else (3 if now < credential.start_ms else 2)}
        if live:
            data["qrCodeContent"] = credential.code
        return "ok", data

    def qr_delete(params: dict[str, str]) -> tuple[str, dict[str, Any]]:
        credential = cloud.credentials.get(int(params["qrCodeId"]))
        if credential is None or credential.kind != "qr_code" or credential.deleted:
            return "unknown_qr_code", envelope(-3, "QR code does not exist.")
        credential.deleted = True
        return "ok", dict(OK)

    def passage_mode(params: dict[str, str]) -> tuple[str, dict[str, Any]]:
        lock = find_lock(params)
        if lock is None:
            return "unknown_lock", envelope(-1003)
        if params.get("type") != "2" or params.get("passageMode") not in ("1", "2"):
            return "invalid_parameter", envelope(-3)
        refusal = gateway_refusal(lock)
        if refusal is not None:
            return refusal
        lock.passage_mode = params["passageMode"] == "1"
        return "ok", dict(OK)

    def store(kind: str, lock: _Lock, code: str, name: str, start: int, end: int) -> _Credential:
        credential = _Credential(cloud.new_id(), lock.id, kind, code, name, start, end, time.time())
        with cloud.lock:
            cloud.credentials[credential.id] = credential
        return credential

    def api_route(path: str, handler: Any, methods: list[str]) -> Route:
        async def route(request: Request) -> Response:
            return await api_call(request, path, handler)

        return Route(path, route, methods=methods)

    async def page(_: Request) -> HTMLResponse:
        return HTMLResponse(_render_page(cloud))

    async def sim_locks(request: Request) -> JSONResponse:
        if request.method == "POST":
            body = await _json(request)
            if not isinstance(body, dict) or "id" not in body:
                return JSONResponse({"error": "a lock needs an id"}, status_code=400)
            try:
                return JSONResponse(cloud.put_lock(body).view())
            except (TypeError, ValueError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"locks": [lock.view() for lock in sorted(cloud.locks.values(), key=lambda x: x.id)]})

    async def sim_lock(request: Request) -> JSONResponse:
        lock = cloud.locks.get(int(request.path_params["lock_id"]))
        body = await _json(request)
        if lock is None or not isinstance(body, dict):
            return JSONResponse({"error": "unknown lock or body not a JSON object"}, status_code=400)
        for key, cast in (("alias", str), ("battery", int), ("has_gateway", bool), ("gateway_online", bool),
                          ("supports_qr", bool), ("passage_mode", bool), ("timezone_offset_ms", int)):
            if key in body:
                setattr(lock, key, cast(body[key]))
        return JSONResponse(lock.view())

    async def sim_credentials(_: Request) -> JSONResponse:
        with cloud.lock:
            views = [credential.view() for credential in cloud.credentials.values()]
        return JSONResponse({"credentials": views})

    async def sim_calls(_: Request) -> JSONResponse:
        with cloud.lock:
            calls = list(cloud.calls)
        return JSONResponse({"calls": calls})

    async def sim_faults(request: Request) -> JSONResponse:
        body = await _json(request)
        mode = body.get("mode") if isinstance(body, dict) else None
        if mode not in ("ok", "errcode", "error500", "timeout"):
            return JSONResponse({"error": "mode must be ok|errcode|error500|timeout"}, status_code=400)
        fault = _Fault(mode=mode, count=int(body.get("count", 1)) if mode != "ok" else 0,
                       errcode=int(body.get("errcode", 90000)), errmsg=body.get("errmsg"),
                       delay=float(body.get("delay_seconds", DEFAULT_TIMEOUT_FAULT_SECONDS)),
                       lock_id=body.get("lock_id"))
        with cloud.lock:
            cloud.fault = fault
        return JSONResponse({"mode": fault.mode, "count": fault.count, "errcode": fault.errcode})

    async def sim_expire_tokens(request: Request) -> JSONResponse:
        """Every access token expires now; with `{"refresh_tokens": true}` refresh tokens die too."""
        body = await _json(request)
        revoke = isinstance(body, dict) and bool(body.get("refresh_tokens"))
        with cloud.lock:
            for token in cloud.tokens.values():
                token.expires_at = min(token.expires_at, time.time())
                if revoke:
                    token.refresh_valid = False
            count = len(cloud.tokens)
        return JSONResponse({"expired": count, "refresh_tokens_revoked": revoke})

    async def sim_reset(_: Request) -> JSONResponse:
        cloud.reset()
        return JSONResponse({"reset": True})

    read, write = ["GET", "POST"], ["POST"]
    routes = [
        Route("/", page, methods=["GET"]),
        Route("/oauth2/token", token_endpoint, methods=["POST"]),
        api_route("/v3/lock/list", lock_list, read),
        api_route("/v3/lock/detail", lock_detail, read),
        api_route("/v3/gateway/listByLock", gateways_by_lock, read),
        api_route("/v3/keyboardPwd/get", passcode_get, write),
        api_route("/v3/keyboardPwd/add", passcode_add, write),
        api_route("/v3/keyboardPwd/delete", passcode_delete, write),
        api_route("/v3/qrCode/add", qr_add, write),
        api_route("/v3/qrCode/getData", qr_data, read),
        api_route("/v3/qrCode/delete", qr_delete, write),
        api_route("/v3/lock/configPassageMode", passage_mode, write),
        Route("/_sim/locks", sim_locks, methods=["GET", "POST"]),
        Route("/_sim/locks/{lock_id:int}", sim_lock, methods=["POST"]),
        Route("/_sim/credentials", sim_credentials, methods=["GET"]),
        Route("/_sim/calls", sim_calls, methods=["GET"]),
        Route("/_sim/faults", sim_faults, methods=["POST"]),
        Route("/_sim/tokens/expire", sim_expire_tokens, methods=["POST"]),
        Route("/_sim/reset", sim_reset, methods=["POST"]),
    ]
    app = Starlette(routes=routes)
    app.state.ttlock_cloud = cloud
    return app


async def _params(request: Request) -> dict[str, str]:
    """Query string and form body together, as the real API reads either."""
    params = dict(request.query_params)
    raw = await request.body()
    if raw:
        params.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    return params


async def _json(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        return None


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat()


def _render_page(cloud: _Cloud) -> str:
    lock_rows = "".join(
        "<li class='lock'>"
        f"<div><strong>{html.escape(lock.alias)}</strong><small>#{lock.id} · {html.escape(lock.mac)}</small></div>"
        f"<span class='badge'>{lock.battery}%</span>"
        f"<span class='net {'up' if lock.has_gateway and lock.gateway_online else 'down'}'>"
        f"{'gateway online' if lock.has_gateway and lock.gateway_online else 'no gateway' if not lock.has_gateway else 'gateway offline'}"  # noqa: E501
        "</span>"
        f"<span>{'passage mode' if lock.passage_mode else 'normal'}{' · QR' if lock.supports_qr else ''}</span>"
        "</li>"
        for lock in sorted(cloud.locks.values(), key=lambda x: x.id)
    ) or "<li>No simulated locks.</li>"
    with cloud.lock:
        issued = sorted(cloud.credentials.values(), key=lambda c: c.id, reverse=True)[:50]
    credential_rows = "".join(
        f"<tr class='{'deleted' if c.deleted else ''}'><td>{c.lock_id}</td><td>{html.escape(c.kind)}</td>"
        f"<td><code>{html.escape(c.code if c.kind != 'qr_code' else c.code[:12] + '…')}</code></td>"
        f"<td>{html.escape(c.name)}</td><td>{_iso(c.start_ms)[:16]}</td><td>{_iso(c.end_ms)[:16]}</td>"
        f"<td>{'deleted' if c.deleted else 'active'}</td></tr>"
        for c in issued
    ) or "<tr><td colspan='7'>No credentials issued yet.</td></tr>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="2">
<title>TTLock simulator</title>
<style>
body{{font-family:system-ui,sans-serif;margin:0;padding:1rem;background:#f4f5f7;color:#1d2330}}
h1,h2{{font-size:1.2rem}} ul{{list-style:none;padding:0;display:grid;gap:.75rem}}
.lock{{background:#fff;border-radius:12px;padding:1rem;display:flex;gap:1rem;align-items:center;
box-shadow:0 1px 3px #0002}} .lock small{{display:block;color:#667}}
.badge{{font-weight:800;padding:.25rem .75rem;border-radius:8px;background:#1a9e4b;color:#fff}}
.net{{font-size:.8rem;padding:.1rem .5rem;border-radius:6px;color:#fff}}
.net.up{{background:#2b6cb0}} .net.down{{background:#c53030}}
table{{border-collapse:collapse;background:#fff;width:100%}} td{{padding:.35rem .5rem;border-top:1px solid #ddd}}
tr.deleted{{color:#999;text-decoration:line-through}}
</style></head>
<body><h1>TTLock simulator</h1><ul>{lock_rows}</ul>
<h2>Issued credentials</h2>
<table><tr><th>Lock</th><th>Kind</th><th>Code</th><th>Name</th><th>From (UTC)</th><th>Until (UTC)</th><th></th></tr>
{credential_rows}</table></body></html>"""
