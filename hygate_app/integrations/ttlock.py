"""TTLock Open Platform (cloud API v3) client: OAuth2 tokens, locks, timed passcodes, QR codes, passage mode.

Form-encoded requests with `clientId`, `accessToken` and `date` (ms) on every call, errors in the
`errcode`/`errmsg` envelope. It refreshes its own token (before expiry, and once when the cloud says
the token is gone), paces its calls, and never touches the database: tokens go through a `TokenStore`
the caller provides, and each call's outcome goes to `on_outcome` (the health badge).

Transient failures are retried in-process under the shared policy (`integrations/retries.py`), except that a
request creating a credential (passcode or QR code) is repeated only when the failure proves the cloud never
carried it out (connection refused, rate limit, "busy"): after a 5xx or a read timeout it may exist already,
and a second one would be a valid code for the same window that nobody can delete. The job layer's retry makes a
new one anyway, which can leave that orphan behind; it is bounded to the guest's own paid window and its code
was never shown to anyone.

Taken from TTLock's public documentation and public clients, not confirmed against a live account (the
simulator follows these; revisit them with the first real lock):
- no per-second limit is published: calls are spaced by `min_interval` (TTLOCK_MIN_INTERVAL, 0.2 s) and
  errcode 30006 ("too frequent") is a transient `TTLockRateLimited`; accounts also have a monthly call
  allowance (users report about 5,000 on small plans), errcode 30007 → `TTLockQuotaExceeded`, not retried;
- `keyboardPwd/get` answers `keyboardPwd` and `keyboardPwdId`;
- `featureValue` bit 22 = passage mode, bit 44 = QR reader. A wrong QR bit costs nothing: the lock refuses
  the QR code (`TTLockUnsupported`) and the guest gets a passcode instead.
"""

from __future__ import annotations

import enum
import hashlib
import json
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx

from hygate_app.integrations.pacing import LocalPacer, Pacer
from hygate_app.integrations.retries import RetryPolicy, retry_after_seconds

MAX_PAGE_SIZE = 100
HOUR_MS = 3_600_000
MINUTE_MS = 60_000
MAX_CLOUD_PERIOD_MS = 365 * 24 * HOUR_MS
MAX_QR_REFRESH_MINUTES = 1440
CUSTOM_PASSCODE_DIGITS = 7
CUSTOM_PASSCODE_ATTEMPTS = 3

# featureValue is a hex bit mask; the bit numbers are TTLock's (2**n for "bit n").
FEATURE_PASSAGE_MODE = 22
FEATURE_QR_CODE = 44

_TOKEN_GONE = {10003, 10004}  # token does not exist / token invalid, expired or revoked
_REFRESH_REFUSED = {10004, 10011}
_AUTH = {10000, 10001, 10003, 10004, 10005, 10006, 10007, 10011, 20002, -2018, 30001, 30005, 30008}
_INVALID = {-3, 80000, 80002, -3006, -3008}
_NOT_FOUND = {-1003, -1007, -1008, -2009, -4037}
_GATEWAY = {-2012, -3002, -3034, -3035, -3036}
_BUSY = {-3003, -3037, 90000}
_BUSY_REFUSED = {-3003, -3037}  # "busy, try later": refused before anything was done (90000 is an internal error)
_RATE_LIMITED = {30006}
_QUOTA = {30007}
_UNSUPPORTED = {-4043}
_PASSCODE_TAKEN = -3007
# Requests that create something new each time: repeated only when the cloud cannot have carried them out.
_NOT_IDEMPOTENT = {"/v3/keyboardPwd/get", "/v3/keyboardPwd/add", "/v3/qrCode/add"}


class TTLockError(Exception):
    is_transient = False

    def __init__(self, message: str, *, errcode: int | None = None, maybe_applied: bool = True,
                 retry_after: float | None = None) -> None:
        """`maybe_applied` is False only when the cloud certainly did not carry the request out."""
        super().__init__(message)
        self.errcode = errcode
        self.maybe_applied = maybe_applied
        self.retry_after = retry_after

    @property
    def is_outage(self) -> bool:
        """For the health badge: TTLock could not be used (unreachable, busy, refusing the account, answering
        nonsense), as opposed to an error code about one lock or one request."""
        return self.is_transient or self.errcode is None


class TTLockUnavailable(TTLockError):
    """Timeouts, connection failures, 5xx, and the cloud's own "busy, try later" codes."""

    is_transient = True


class TTLockRateLimited(TTLockError):
    is_transient = True


class TTLockQuotaExceeded(TTLockError):
    """The account's monthly API call allowance is spent: no retry helps before next month."""

    is_outage = True


class TTLockAuthError(TTLockError):
    """Wrong client id/secret or account password, a token the cloud keeps refusing, or no rights on the lock."""

    is_outage = True


class TTLockInvalidParameter(TTLockError):
    pass


class TTLockNotFound(TTLockError):
    pass


class TTLockGatewayOffline(TTLockError):
    """The lock has no gateway, or its gateway (or the WiFi lock itself) is offline."""


class TTLockUnsupported(TTLockError):
    """The lock cannot do this (e.g. QR codes on a lock without a camera)."""


class CredentialKind(enum.StrEnum):
    cloud_passcode = "cloud_passcode"  # keyboardPwd/get: works without a gateway, accurate to the hour
    gateway_passcode = "gateway_passcode"  # keyboardPwd/add through the gateway: exact to the minute
    qr_code = "qr_code"  # qrCode/add: for locks with a QR reader


@dataclass(frozen=True)
class Credential:
    """What the guest gets, and the window the lock will really honour (wider than asked when the
    cloud rounds to the hour). `code` is the passcode, or the QR content when the cloud returned it."""

    kind: CredentialKind
    lock_id: int
    credential_id: int
    code: str | None
    valid_from: datetime
    valid_until: datetime
    link: str | None = None


@dataclass(frozen=True)
class TTLockLock:
    lock_id: int
    name: str
    mac: str
    battery: int | None
    has_gateway: bool
    supports_qr: bool
    supports_passage_mode: bool


@dataclass(frozen=True)
class LockDetail:
    lock_id: int
    name: str
    mac: str
    battery: int | None
    has_gateway: bool
    gateway_online: bool
    passage_mode: bool | None
    supports_qr: bool
    supports_passage_mode: bool
    timezone_offset_ms: int


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: float  # epoch seconds
    lifetime_seconds: int

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Tokens:
        data = json.loads(text)
        return cls(str(data["access_token"]), str(data["refresh_token"]), float(data["expires_at"]),
                   int(data["lifetime_seconds"]))

    def __repr__(self) -> str:
        return f"Tokens(expires_at={self.expires_at!r}, lifetime_seconds={self.lifetime_seconds!r})"


class TokenStore(Protocol):
    def load(self) -> Tokens | None: ...

    def save(self, tokens: Tokens) -> None: ...


def md5_password(password: str) -> str:
    """The API wants the account password as lowercase hex MD5, never in clear."""
    return hashlib.md5(password.encode("utf-8")).hexdigest()  # noqa: S324 - the API's format, not our storage


def hour_window(start_ms: int, end_ms: int, offset_ms: int = 0) -> tuple[int, int]:
    """Cloud passcodes start and end on the hour of the lock's clock: the start is floored and the end
    ceiled, so the code covers the whole paid visit (and a little more)."""
    return _floor(start_ms + offset_ms, HOUR_MS) - offset_ms, _ceil(end_ms + offset_ms, HOUR_MS) - offset_ms


def minute_window(start_ms: int, end_ms: int) -> tuple[int, int]:
    return _floor(start_ms, MINUTE_MS), _ceil(end_ms, MINUTE_MS)


class TTLockClient:
    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        username: str,
        *,
        password: str | None = None,
        password_md5: str | None = None,
        token_store: TokenStore | None = None,
        timeout: float | httpx.Timeout = 10.0,
        transport: httpx.BaseTransport | None = None,
        min_interval: float = 0.2,
        pacer: Pacer | None = None,
        refresh_margin_seconds: float = 300.0,
        refresh_fraction: float = 0.1,
        retry: RetryPolicy = RetryPolicy(),
        on_outcome: Callable[[str | None], None] | None = None,
    ) -> None:
        """`on_outcome` hears each call's result once its retries are over: None when the cloud did its part
        (an error code about one lock or request included), else what went wrong."""
        if (password is None) == (password_md5 is None):
            raise ValueError("give exactly one of password and password_md5")
        self._client_id = client_id
        self._client_secret = client_secret
        self._username = username
        self._password_md5 = (password_md5 or md5_password(password or "")).lower()
        self._store = token_store
        # Shared with other processes when given (integrations/pacing.py), else `min_interval` within this client.
        self._pacer = pacer or LocalPacer(min_interval)
        self._refresh_margin = refresh_margin_seconds
        self._refresh_fraction = refresh_fraction
        self._retry = retry
        self._on_outcome = on_outcome
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport)
        self._token_lock = threading.Lock()
        self._tokens: Tokens | None = None

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> TTLockClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- locks -------------------------------------------------------------------------------

    def list_locks(self, *, page_size: int = MAX_PAGE_SIZE) -> list[TTLockLock]:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}")
        locks: list[TTLockLock] = []
        page_no = 1
        while True:
            data = self._call("GET", "/v3/lock/list", {"pageNo": page_no, "pageSize": page_size})
            entries = data.get("list")
            if not isinstance(entries, list):
                raise TTLockError(f"/v3/lock/list: no list in the reply (page {page_no})")
            locks.extend(_lock_from(entry) for entry in entries)
            pages = int(data.get("pages") or 0)
            if page_no >= pages or not entries:
                return locks
            page_no += 1

    def lock_detail(self, lock_id: int) -> LockDetail:
        """Battery and passage mode from the lock detail; `gateway_online` is whether any gateway has
        reported the lock recently (the cloud keeps that link for about 30 minutes)."""
        data = self._call("GET", "/v3/lock/detail", {"lockId": lock_id})
        has_gateway = _flag(data.get("hasGateway"))
        gateway_online = False
        if has_gateway:
            gateways = self._call("GET", "/v3/gateway/listByLock", {"lockId": lock_id}).get("list")
            gateway_online = isinstance(gateways, list) and len(gateways) > 0
        passage = data.get("passageMode")
        features = _features(data.get("featureValue"))
        return LockDetail(
            lock_id=int(data.get("lockId", lock_id)),
            name=_lock_name(data),
            mac=str(data.get("lockMac") or ""),
            battery=_battery(data.get("electricQuantity")),
            has_gateway=has_gateway,
            gateway_online=gateway_online,
            passage_mode=None if passage in (None, 0, "0") else int(passage) == 1,
            supports_qr=bool(features >> FEATURE_QR_CODE & 1),
            supports_passage_mode=bool(features >> FEATURE_PASSAGE_MODE & 1),
            timezone_offset_ms=int(data.get("timezoneRawOffset") or 0),
        )

    def set_passage_mode(self, lock_id: int, on: bool) -> None:
        """All day, every day, through the gateway; with auto-unlock so the door opens when it starts."""
        params: dict[str, Any] = {"lockId": lock_id, "passageMode": 1 if on else 2, "type": 2}
        if on:
            params.update(isAllDay=1, weekDays=json.dumps([1, 2, 3, 4, 5, 6, 7]), autoUnlock=1)
        self._call("POST", "/v3/lock/configPassageMode", params)

    # --- credentials -------------------------------------------------------------------------

    def create_timed_passcode(
        self,
        lock_id: int,
        start: datetime,
        end: datetime,
        name: str,
        *,
        exact: bool,
        timezone_offset_ms: int = 0,
    ) -> Credential:
        """`exact=True` writes a random custom code through the gateway, valid to the minute;
        `exact=False` asks the cloud for a period code, which needs no gateway but is valid on whole
        hours of the lock's clock (`timezone_offset_ms` from `lock_detail`). Either way the returned
        window is the one the lock honours and always contains [start, end]."""
        start_ms, end_ms = _ms(start), _ms(end)
        if end_ms <= start_ms:
            raise ValueError("end must be after start")
        if exact:
            return self._add_gateway_passcode(lock_id, *minute_window(start_ms, end_ms), name)
        valid_from, valid_until = hour_window(start_ms, end_ms, timezone_offset_ms)
        if valid_until - valid_from > MAX_CLOUD_PERIOD_MS:
            raise ValueError("a cloud period passcode cannot last more than a year")
        data = self._call("POST", "/v3/keyboardPwd/get", {
            "lockId": lock_id, "keyboardPwdType": 3, "keyboardPwdName": name,
            "startDate": valid_from, "endDate": valid_until,
        })
        return Credential(CredentialKind.cloud_passcode, lock_id, _required_int(data, "keyboardPwdId"),
                          str(data.get("keyboardPwd") or ""), _dt(valid_from), _dt(valid_until))

    def create_qr_code(self, lock_id: int, start: datetime, end: datetime, name: str) -> Credential:
        """A cloud-generated period QR code; the window and content are read back from the cloud, so the
        caller gets what the lock will honour. `code` is None when the window has not started yet."""
        valid_from, valid_until = minute_window(_ms(start), _ms(end))
        if valid_until <= valid_from:
            raise ValueError("end must be after start")
        refresh = min(MAX_QR_REFRESH_MINUTES, max(1, math.ceil((valid_until - valid_from) / MINUTE_MS)))
        added = self._call("POST", "/v3/qrCode/add", {
            "lockId": lock_id, "name": name, "type": 1, "addType": 0,
            "startDate": valid_from, "endDate": valid_until, "refreshTime": refresh,
        })
        qr_code_id = _required_int(added, "qrCodeId")
        data = self._call("GET", "/v3/qrCode/getData", {"qrCodeId": qr_code_id})
        content = data.get("qrCodeContent")
        return Credential(
            CredentialKind.qr_code, lock_id, qr_code_id, str(content) if content else None,
            _dt(int(data.get("startDate") or valid_from)), _dt(int(data.get("endDate") or valid_until)),
            link=str(added["link"]) if added.get("link") else None,
        )

    def qr_code_content(self, qr_code_id: int) -> str | None:
        """The current QR content (it can rotate with the refresh time); None outside its window."""
        content = self._call("GET", "/v3/qrCode/getData", {"qrCodeId": qr_code_id}).get("qrCodeContent")
        return str(content) if content else None

    def delete_passcode(self, lock_id: int, passcode_id: int, *, via_gateway: bool = True) -> None:
        """Through the gateway the code is wiped from the lock; without one (`via_gateway=False`) only
        the cloud forgets it, and a cloud code keeps working on the keypad until its window ends."""
        self._call("POST", "/v3/keyboardPwd/delete", {
            "lockId": lock_id, "keyboardPwdId": passcode_id, "deleteType": 2 if via_gateway else 1,
        })

    def delete_qr_code(self, lock_id: int, qr_code_id: int) -> None:
        self._call("POST", "/v3/qrCode/delete", {"lockId": lock_id, "qrCodeId": qr_code_id})

    def delete_credential(self, credential: Credential, *, lock_has_gateway: bool) -> None:
        if credential.kind is CredentialKind.qr_code:
            self.delete_qr_code(credential.lock_id, credential.credential_id)
        else:
            self.delete_passcode(credential.lock_id, credential.credential_id, via_gateway=lock_has_gateway)

    def _add_gateway_passcode(self, lock_id: int, valid_from: int, valid_until: int, name: str) -> Credential:
        attempt = 0
        while True:
            attempt += 1
            code = "".join(secrets.choice("0123456789") for _ in range(CUSTOM_PASSCODE_DIGITS))
            try:
                data = self._call("POST", "/v3/keyboardPwd/add", {
                    "lockId": lock_id, "keyboardPwd": code, "keyboardPwdName": name, "keyboardPwdType": 3,
                    "startDate": valid_from, "endDate": valid_until, "addType": 2,
                })
            except TTLockError as exc:
                # The lock already holds this code for someone else: draw another one.
                if exc.errcode == _PASSCODE_TAKEN and attempt < CUSTOM_PASSCODE_ATTEMPTS:
                    continue
                raise
            return Credential(CredentialKind.gateway_passcode, lock_id, _required_int(data, "keyboardPwdId"),
                              code, _dt(valid_from), _dt(valid_until))

    # --- tokens ------------------------------------------------------------------------------

    def ensure_token(self) -> datetime:
        """Refresh the token now if it is close to expiry (the periodic job calls this, so a quiet account
        never meets an expired refresh token); returns when the current one expires."""
        self._access_token()
        return datetime.fromtimestamp(self._tokens.expires_at, tz=UTC)

    def _access_token(self, *, force_refresh: bool = False, stale: str | None = None) -> str:
        """`stale` is a token the cloud just refused; other threads and workers may already have replaced
        it, so the store (the one truth they share) is read before any new grant."""
        with self._token_lock:
            current = self._tokens
            if current is not None and current.access_token != stale and (
                    force_refresh or not self._needs_refresh(current)):
                return current.access_token
            stored = self._store.load() if self._store is not None else None
            if stored is not None and not self._needs_refresh(stored) and stored.access_token not in (
                    stale, current.access_token if current is not None else None):
                self._tokens = stored
                return stored.access_token
            base = stored or current
            tokens = self._refresh_or_login(base) if base is not None else self._password_grant()
            self._tokens = tokens
            if self._store is not None:
                self._store.save(tokens)
            return tokens.access_token

    def _needs_refresh(self, tokens: Tokens) -> bool:
        margin = min(self._refresh_margin, tokens.lifetime_seconds * self._refresh_fraction)
        return tokens.expires_at - time.time() <= margin

    def _refresh_or_login(self, tokens: Tokens) -> Tokens:
        try:
            return self._token_request({"grant_type": "refresh_token", "refresh_token": tokens.refresh_token})
        except TTLockAuthError as exc:
            if exc.errcode not in _REFRESH_REFUSED:
                raise
            return self._password_grant()

    def _password_grant(self) -> Tokens:
        return self._token_request({"username": self._username, "password": self._password_md5})

    def _token_request(self, params: dict[str, Any]) -> Tokens:
        body = {"clientId": self._client_id, "clientSecret": self._client_secret, **params}
        # Repeating a refresh is safe: a refresh token already spent is refused, and a password grant follows.
        data = self._request("POST", "/oauth2/token", data=_form(body))
        access, refresh, expires_in = data.get("access_token"), data.get("refresh_token"), data.get("expires_in")
        if not access or not refresh or expires_in is None:
            raise TTLockError("/oauth2/token: the reply has no access_token, refresh_token or expires_in")
        lifetime = int(expires_in)
        return Tokens(str(access), str(refresh), time.time() + lifetime, lifetime)

    # --- transport ---------------------------------------------------------------------------

    def _call(self, method: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """One API call, its outcome reported once."""
        try:
            data = self._call_with_token(method, path, params)
        except TTLockError as exc:
            if self._on_outcome is not None:
                self._on_outcome(str(exc) if exc.is_outage else None)
            raise
        if self._on_outcome is not None:
            self._on_outcome(None)
        return data

    def _call_with_token(self, method: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """A token the cloud no longer accepts is refreshed once and the call made again."""
        token = self._access_token()
        try:
            return self._signed(method, path, params, token)
        except TTLockAuthError as exc:
            if exc.errcode not in _TOKEN_GONE:
                raise
        token = self._access_token(force_refresh=True, stale=token)
        return self._signed(method, path, params, token)

    def _signed(self, method: str, path: str, params: dict[str, Any], token: str) -> dict[str, Any]:
        body = _form({**params, "clientId": self._client_id, "accessToken": token,
                      "date": int(time.time() * 1000)})
        return self._request(method, path, **({"params": body} if method == "GET" else {"data": body}))

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """One request and its envelope, retried while transient (see the module docstring for creations)."""
        retryable = _is_transient if path not in _NOT_IDEMPOTENT else _certainly_not_applied
        return self._retry.call(lambda: _check_envelope(self._send(method, path, **kwargs), path), retryable)

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        with self._pacer.turn():
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.TimeoutException as exc:
                raise TTLockUnavailable(f"timeout calling TTLock {path}", maybe_applied=_maybe_sent(exc)) from None
            except httpx.TransportError as exc:
                # Not chained: the failed request (and for a GET its query string with the token) stays out
                # of tracebacks and logs.
                raise TTLockUnavailable(f"cannot reach TTLock for {path}: {type(exc).__name__}",
                                        maybe_applied=_maybe_sent(exc)) from None
        return _decode(response, path)


def _decode(response: httpx.Response, path: str) -> Any:
    if response.status_code >= 500:
        raise TTLockUnavailable(f"TTLock answered {response.status_code} on {path}")
    if response.status_code == 429:
        raise TTLockRateLimited(f"TTLock rate limited {path}", maybe_applied=False,
                                retry_after=retry_after_seconds(response.headers))
    try:
        reply = response.json()
    except ValueError:
        reply = None
    if isinstance(reply, dict) and _errcode(reply) not in (None, 0):
        return reply
    if response.status_code >= 400:
        raise TTLockError(f"TTLock answered {response.status_code} on {path}")
    if not isinstance(reply, dict):
        raise TTLockError(f"TTLock sent a reply that is not a JSON object on {path}")
    return reply


def _check_envelope(reply: dict[str, Any], path: str) -> dict[str, Any]:
    code = _errcode(reply)
    if code in (None, 0):
        return reply
    # errmsg/description are the cloud's own words; the request (and its token) is never echoed.
    words = str(reply.get("errmsg") or reply.get("description") or "no message").strip()
    message = f"TTLock {path}: errcode {code}: {words}"
    refused = code in _BUSY_REFUSED or code in _RATE_LIMITED
    for codes, error in (
        (_AUTH, TTLockAuthError), (_INVALID, TTLockInvalidParameter), (_NOT_FOUND, TTLockNotFound),
        (_GATEWAY, TTLockGatewayOffline), (_BUSY, TTLockUnavailable), (_RATE_LIMITED, TTLockRateLimited),
        (_QUOTA, TTLockQuotaExceeded), (_UNSUPPORTED, TTLockUnsupported),
    ):
        if code in codes:
            raise error(message, errcode=code, maybe_applied=not refused)
    raise TTLockError(message, errcode=code)


def _is_transient(exc: BaseException) -> bool:
    return isinstance(exc, TTLockError) and exc.is_transient


def _certainly_not_applied(exc: BaseException) -> bool:
    return _is_transient(exc) and not exc.maybe_applied


def _maybe_sent(exc: httpx.TransportError) -> bool:
    """Only a connection never made (or no free one in the pool) proves the request did not reach the cloud."""
    return not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


def _errcode(reply: dict[str, Any]) -> int | None:
    code = reply.get("errcode")
    if code is None:
        return None
    try:
        return int(code)
    except (TypeError, ValueError):
        return -1


def _form(params: dict[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in params.items() if value is not None}


def _lock_from(entry: dict[str, Any]) -> TTLockLock:
    features = _features(entry.get("featureValue"))
    return TTLockLock(
        lock_id=int(entry["lockId"]),
        name=_lock_name(entry),
        mac=str(entry.get("lockMac") or ""),
        battery=_battery(entry.get("electricQuantity")),
        has_gateway=_flag(entry.get("hasGateway")),
        supports_qr=bool(features >> FEATURE_QR_CODE & 1),
        supports_passage_mode=bool(features >> FEATURE_PASSAGE_MODE & 1),
    )


def _lock_name(data: dict[str, Any]) -> str:
    return str(data.get("lockAlias") or data.get("lockName") or data.get("lockId") or "")


def _features(value: Any) -> int:
    try:
        return int(str(value), 16) if value else 0
    except ValueError:
        return 0


def _battery(value: Any) -> int | None:
    if value is None or value == "":
        return None
    return max(0, min(100, int(value)))


def _flag(value: Any) -> bool:
    return str(value) in ("1", "True", "true")


def _required_int(data: dict[str, Any], key: str) -> int:
    if data.get(key) is None:
        raise TTLockError(f"TTLock reply has no {key}")
    return int(data[key])


def _ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return int(moment.timestamp() * 1000)


def _dt(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _floor(value: int, unit: int) -> int:
    return value // unit * unit


def _ceil(value: int, unit: int) -> int:
    return -(-value // unit) * unit
