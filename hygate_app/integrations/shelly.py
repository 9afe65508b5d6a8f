"""Shelly Cloud Control API client: read relay states and switch relays, paced to the cloud's limit.

Speaks the auth-key flavour of the API (form POSTs for v1, JSON for the v2 bulk read). It never
retries and never touches the database: the job layer decides what to do with a transient error.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx

BULK_STATUS_LIMIT = 10

_RATE_LIMIT_ERRORS = {"max_req"}
_AUTH_ERRORS = {"invalid_auth_key", "invalid_token", "unauthorized"}
_OFFLINE_MARKERS = ("offline", "not_online", "not_connected")


class ShellyError(Exception):
    is_transient = False


class ShellyUnavailable(ShellyError):
    is_transient = True


class ShellyRateLimited(ShellyError):
    is_transient = True


class ShellyDeviceOffline(ShellyError):
    is_transient = False


class ShellyAuthError(ShellyError):
    is_transient = False


class ShellyRelayMismatch(ShellyError):
    is_transient = False


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
        timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
        min_interval: float = 1.0,
    ) -> None:
        self._auth_key = auth_key
        self._min_interval = min_interval
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport)
        self._lock = threading.Lock()
        self._last_done = float("-inf")

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

    def get_statuses(self, device_ids: list[str]) -> dict[str, RelayStatus]:
        """Ids the cloud does not know are absent from the result; calls are chunked by ten."""
        result: dict[str, RelayStatus] = {}
        for start in range(0, len(device_ids), BULK_STATUS_LIMIT):
            chunk = device_ids[start : start + BULK_STATUS_LIMIT]
            entries = self._post_json("/v2/devices/api/get", {"ids": chunk, "select": ["status"]})
            if not isinstance(entries, list):
                raise ShellyError(f"unexpected bulk status reply: {entries!r}")
            for entry in entries:
                device_id = str(entry.get("id", ""))
                online = entry.get("online") in (1, True)
                result[device_id] = _relay_status(device_id, online, entry.get("status"), 0)
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
        reply = self._send("POST", path, data=body)
        if not isinstance(reply, dict) or "isok" not in reply:
            raise ShellyError(f"unexpected reply from {path}: {reply!r}")
        if reply["isok"] is not True:
            raise _error_from_codes(reply.get("errors"), path)
        data = reply.get("data")
        return data if isinstance(data, dict) else {}

    def _post_json(self, path: str, payload: dict[str, Any]) -> Any:
        reply = self._send("POST", path, params={"auth_key": self._auth_key}, json=payload)
        if isinstance(reply, dict) and reply.get("isok") is False:
            raise _error_from_codes(reply.get("errors"), path)
        if isinstance(reply, dict) and "error" in reply:
            raise _error_from_v2(reply, path)
        return reply

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        with self._lock:
            wait = self._last_done + self._min_interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.TimeoutException as exc:
                raise ShellyUnavailable(f"timeout calling {path}") from exc
            except httpx.TransportError as exc:
                raise ShellyUnavailable(f"cannot reach Shelly Cloud for {path}: {exc}") from exc
            finally:
                # Spacing is measured from the end of the previous call, so jitter on the
                # way out can never land two requests inside the cloud's one-second window.
                self._last_done = time.monotonic()
        return _decode(response, path)


def _decode(response: httpx.Response, path: str) -> Any:
    if response.status_code >= 500:
        raise ShellyUnavailable(f"Shelly Cloud answered {response.status_code} on {path}")
    if response.status_code == 429:
        raise ShellyRateLimited(f"rate limited on {path}")
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
    codes = set(errors) if isinstance(errors, dict) else set()
    detail = f"{path}: {errors!r}"
    if codes & _RATE_LIMIT_ERRORS:
        return ShellyRateLimited(detail)
    if codes & _AUTH_ERRORS:
        return ShellyAuthError(detail)
    if any(marker in code for code in codes for marker in _OFFLINE_MARKERS):
        return ShellyDeviceOffline(detail)
    return ShellyError(detail)


def _error_from_v2(reply: dict[str, Any], path: str) -> ShellyError:
    code = str(reply.get("error", "")).lower()
    detail = f"{path}: {reply!r}"
    if any(marker in code for marker in _OFFLINE_MARKERS):
        return ShellyDeviceOffline(detail)
    if "limit" in code:
        return ShellyRateLimited(detail)
    if "auth" in code or "token" in code:
        return ShellyAuthError(detail)
    return ShellyError(detail)


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
