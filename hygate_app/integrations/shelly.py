"""Shelly Cloud Control API client: read relay states and switch relays, paced to the cloud's limit.

Speaks the auth-key flavour of the API (form POSTs for v1, JSON for the v2 bulk read). Every request is a read
or an absolute command ("relay ON with this timer"), so a transient failure is retried in-process under the
shared policy (`integrations/retries.py`); what outlasts it is the job layer's to retry. Each call's outcome goes
to `on_outcome` (the health badge), never to the database directly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from hygate_app.integrations.pacing import LocalPacer, Pacer
from hygate_app.integrations.retries import RetryPolicy, retry_after_seconds

BULK_STATUS_LIMIT = 10

_RATE_LIMIT_ERRORS = {"max_req"}
_AUTH_ERRORS = {"invalid_auth_key", "invalid_token", "unauthorized"}
_OFFLINE_MARKERS = ("offline", "not_online", "not_connected")

T = TypeVar("T")


class ShellyError(Exception):
    is_transient = False
    # For the health badge: the cloud could not be used (unreachable, busy, refusing the key, answering
    # nonsense), as opposed to a refusal about one device or one request.
    is_outage = True
    retry_after: float | None = None


class ShellyUnavailable(ShellyError):
    is_transient = True


class ShellyRateLimited(ShellyError):
    is_transient = True

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ShellyRefused(ShellyError):
    """The cloud answered with an error code of its own about this request."""

    is_outage = False


class ShellyDeviceOffline(ShellyError):
    is_transient = False
    is_outage = False


class ShellyAuthError(ShellyError):
    is_transient = False


class ShellyRelayMismatch(ShellyError):
    is_transient = False
    is_outage = False


@dataclass(frozen=True)
class ShellyDevice:
    device_id: str
    name: str
    online: bool
    is_on: bool | None


@dataclass(frozen=True)
class RelayStatus:
    device_id: str
    online: bool
    is_on: bool | None
    auto_off_remaining: float | None


class ShellyClient:
    def __init__(
        self,
        base_url: str,
        auth_key: str,
        *,
        timeout: float | httpx.Timeout = 5.0,
        transport: httpx.BaseTransport | None = None,
        min_interval: float = 1.0,
        pacer: Pacer | None = None,
        retry: RetryPolicy = RetryPolicy(),
        on_outcome: Callable[[str | None], None] | None = None,
    ) -> None:
        """`pacer` shares the account's pace with other processes (see integrations/pacing.py); without one, calls
        are `min_interval` apart within this client. `on_outcome` hears each call's result once its retries are
        over: None when the cloud did its part (a device being offline is not the cloud's failure), else what
        went wrong."""
        self._auth_key = auth_key
        self._pacer = pacer or LocalPacer(min_interval)
        self._retry = retry
        self._on_outcome = on_outcome
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport)
        self.requests_sent = 0  # every request that left, answered or not: what the cloud counts against us

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ShellyClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def list_devices(self) -> list[ShellyDevice]:
        """Names come from the account's device list, relay states from the all-status snapshot."""
        lists = self._post_form("/interface/device/get_all_lists", {})
        devices = lists.get("devices") or {}
        snapshot = self._post_form("/device/all_status", {}).get("devices_status") or {}
        result = []
        for device_id, info in devices.items():
            status = snapshot.get(device_id) or {}
            online = bool(info.get("cloud_online", (status.get("_dev_info") or {}).get("online")))
            is_on = _relay_output(status, 0)[0] if online and status else None
            result.append(
                ShellyDevice(
                    device_id=str(info.get("id") or device_id),
                    name=str(info.get("name") or device_id),
                    online=online,
                    is_on=is_on,
                )
            )
        return result

    def get_status(self, device_id: str, *, channel: int = 0) -> RelayStatus:
        data = self._post_form("/device/status", {"id": device_id})
        online = bool(data.get("online"))
        return _relay_status(device_id, online, data.get("device_status"), channel)

    def get_statuses(self, device_ids: list[str], channels: dict[str, int] | None = None) -> dict[str, RelayStatus]:
        """Ids the cloud does not know are absent from the result; calls are chunked by ten. Each device's
        relay is read on its channel in `channels` (default 0)."""
        channels = channels or {}
        result: dict[str, RelayStatus] = {}
        for start in range(0, len(device_ids), BULK_STATUS_LIMIT):
            chunk = device_ids[start : start + BULK_STATUS_LIMIT]
            entries = self._post_json("/v2/devices/api/get", {"ids": chunk, "select": ["status"]})
            if not isinstance(entries, list):
                raise ShellyError(f"unexpected bulk status reply: {entries!r}")
            for entry in entries:
                device_id = str(entry.get("id", ""))
                online = entry.get("online") in (1, True)
                result[device_id] = _relay_status(device_id, online, entry.get("status"), channels.get(device_id, 0))
        return result

    def set_relay(
        self,
        device_id: str,
        on: bool,
        *,
        channel: int = 0,
        auto_off_seconds: int | None = None,
    ) -> RelayStatus:
        """Absolute command, then a read-back: a relay that did not follow (or an ON whose
        auto-off timer is not running) raises ShellyRelayMismatch."""
        params: dict[str, Any] = {
            "id": device_id,
            "channel": channel,
            "turn": "on" if on else "off",
        }
        if on and auto_off_seconds is not None:
            if auto_off_seconds <= 0:
                raise ValueError("auto_off_seconds must be positive")
            params["timer"] = int(auto_off_seconds)
        self._post_form("/device/relay/control", params)

        status = self.get_status(device_id, channel=channel)
        if not status.online:
            raise ShellyDeviceOffline(f"{device_id} went offline after the command")
        if status.is_on is not on:
            raise ShellyRelayMismatch(
                f"{device_id} channel {channel}: commanded {'on' if on else 'off'}, read back {status.is_on}"
            )
        if on and auto_off_seconds is not None and status.auto_off_remaining is None:
            raise ShellyRelayMismatch(f"{device_id} channel {channel}: auto-off timer not running")
        return status

    def _post_form(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        body = {key: str(value) for key, value in params.items()}
        body["auth_key"] = self._auth_key

        def request() -> dict[str, Any]:
            reply = self._send("POST", path, data=body)
            if not isinstance(reply, dict) or "isok" not in reply:
                raise ShellyError(f"unexpected reply from {path}: {reply!r}")
            if reply["isok"] is not True:
                raise _error_from_codes(reply.get("errors"), path)
            data = reply.get("data")
            return data if isinstance(data, dict) else {}

        return self._call(request)

    def _post_json(self, path: str, payload: dict[str, Any]) -> Any:
        def request() -> Any:
            reply = self._send("POST", path, params={"auth_key": self._auth_key}, json=payload)
            if isinstance(reply, dict) and reply.get("isok") is False:
                raise _error_from_codes(reply.get("errors"), path)
            if isinstance(reply, dict) and "error" in reply:
                raise _error_from_v2(reply, path)
            return reply

        return self._call(request)

    def _call(self, request: Callable[[], T]) -> T:
        """One API call: retried while transient (every request is a read or an absolute command), its
        outcome reported once."""
        try:
            result = self._retry.call(request, _is_transient)
        except ShellyError as exc:
            if self._on_outcome is not None:
                self._on_outcome(str(exc) if exc.is_outage else None)
            raise
        if self._on_outcome is not None:
            self._on_outcome(None)
        return result

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        with self._pacer.turn():
            self.requests_sent += 1
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.TimeoutException as exc:
                raise ShellyUnavailable(f"timeout calling Shelly Cloud {path}") from exc
            except httpx.TransportError as exc:
                raise ShellyUnavailable(f"cannot reach Shelly Cloud for {path}: {exc}") from exc
        return _decode(response, path)


def _decode(response: httpx.Response, path: str) -> Any:
    if response.status_code >= 500:
        raise ShellyUnavailable(f"Shelly Cloud answered {response.status_code} on {path}")
    if response.status_code == 429:
        raise ShellyRateLimited(f"Shelly Cloud rate limited {path}", retry_after_seconds(response.headers))
    try:
        reply = response.json()
    except ValueError:
        reply = None
    if isinstance(reply, dict) and reply.get("isok") is False:
        # The cloud answers 401 for both a rate-limit refusal and a bad key: the body decides.
        return reply
    if response.status_code in (401, 403):
        raise ShellyAuthError(f"Shelly Cloud refused the auth key on {path}")
    if isinstance(reply, dict) and "error" in reply:
        return reply
    if response.status_code >= 400:
        raise ShellyError(f"Shelly Cloud answered {response.status_code} on {path}")
    if reply is None:
        raise ShellyError(f"Shelly Cloud sent a non-JSON reply on {path}")
    return reply


def _error_from_codes(errors: Any, path: str) -> ShellyError:
    """The messages say first what the cloud meant: they reach staff and the dashboard's badge."""
    codes = set(errors) if isinstance(errors, dict) else set()
    detail = f"{path}: {errors!r}"
    if codes & _RATE_LIMIT_ERRORS:
        return ShellyRateLimited(f"Shelly Cloud's rate limit was hit ({detail})")
    if codes & _AUTH_ERRORS:
        return ShellyAuthError(f"Shelly Cloud refused the auth key ({detail})")
    if any(marker in code for code in codes for marker in _OFFLINE_MARKERS):
        return ShellyDeviceOffline(detail)
    return ShellyRefused(detail) if codes else ShellyError(detail)


def _error_from_v2(reply: dict[str, Any], path: str) -> ShellyError:
    code = str(reply.get("error", "")).lower()
    detail = f"{path}: {reply!r}"
    if any(marker in code for marker in _OFFLINE_MARKERS):
        return ShellyDeviceOffline(detail)
    if "limit" in code:
        return ShellyRateLimited(f"Shelly Cloud's rate limit was hit ({detail})")
    if "auth" in code or "token" in code:
        return ShellyAuthError(f"Shelly Cloud refused the auth key ({detail})")
    return ShellyRefused(detail)


def _is_transient(exc: BaseException) -> bool:
    return isinstance(exc, ShellyError) and exc.is_transient


def _relay_status(device_id: str, online: bool, device_status: Any, channel: int) -> RelayStatus:
    if not online or not isinstance(device_status, dict):
        # The last state an offline device reported is not the truth: it may have rebooted.
        return RelayStatus(device_id, online, None, None)
    is_on, remaining = _relay_output(device_status, channel)
    return RelayStatus(device_id, online, is_on, remaining)


def _relay_output(device_status: dict[str, Any], channel: int) -> tuple[bool | None, float | None]:
    """Gen1 devices report `relays[n]`, Gen2+ devices report `switch:n`."""
    relays = device_status.get("relays")
    if isinstance(relays, list) and channel < len(relays):
        relay = relays[channel]
        if not relay.get("has_timer"):
            return bool(relay.get("ison")), None
        remaining = relay.get("timer_remaining")
        if remaining is None:
            remaining = _remaining(relay.get("timer_started"), relay.get("timer_duration"))
        return bool(relay.get("ison")), max(float(remaining), 0.0)
    switch = device_status.get(f"switch:{channel}")
    if isinstance(switch, dict):
        remaining = _remaining(switch.get("timer_started_at"), switch.get("timer_duration"))
        return bool(switch.get("output")), remaining
    return None, None


def _remaining(started_at: Any, duration: Any) -> float | None:
    if started_at is None or duration is None:
        return None
    return max(float(started_at) + float(duration) - time.time(), 0.0)
