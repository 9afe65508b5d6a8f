"""A Shelly Cloud in memory, for the demo and the tests: the endpoints ShellyClient uses, with the
real service's one-request-per-second limit, error shapes and relay auto-off timers."""

from __future__ import annotations

import asyncio
import html
import json
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

RATE_LIMIT_REPLY = {"isok": False, "errors": {"max_req": "Request limit reached!"}}
WRONG_KEY_REPLY = {"isok": False, "errors": {"invalid_auth_key": "Wrong auth key"}}
OFFLINE_REPLY = {"isok": False, "errors": {"device_not_online": "Device is not online!"}}
UNKNOWN_DEVICE_REPLY = {"isok": False, "errors": {"device_not_found": "Device not found!"}}
BULK_LIMIT = 10
DEFAULT_TIMEOUT_FAULT_SECONDS = 15.0
# error500: a 500; timeout: a 504 after the delay, nothing done; slow: done at once, answered after the
# delay; rate_limited: the answer of the cloud's own request limit.
FAULT_MODES = ("ok", "error500", "timeout", "slow", "rate_limited")

DEFAULT_DEVICES = [
    {"id": "shelly-washer-1", "name": "Washer 1", "online": True},
    {"id": "shelly-dryer-1", "name": "Dryer 1", "online": True},
]

_MODELS = {1: "SHSW-1", 2: "SNSW-001X16EU"}


@dataclass
class _Relay:
    on: bool = False
    source: str = "init"
    timer_started: float | None = None
    timer_duration: float | None = None

    def settle(self, now: float) -> None:
        """The auto-off timer is applied lazily, whenever anyone looks at the relay."""
        if self.timer_started is None or self.timer_duration is None:
            return
        if now >= self.timer_started + self.timer_duration:
            if self.on:
                self.on = False
                self.source = "timer"
            self.clear_timer()

    def clear_timer(self) -> None:
        self.timer_started = None
        self.timer_duration = None

    def remaining(self, now: float) -> float | None:
        if self.timer_started is None or self.timer_duration is None:
            return None
        return max(self.timer_started + self.timer_duration - now, 0.0)


@dataclass
class _Device:
    id: str
    name: str
    online: bool
    gen: int
    stuck: bool = False
    relays: list[_Relay] = field(default_factory=list)

    def settle(self, now: float) -> None:
        for relay in self.relays:
            relay.settle(now)


@dataclass
class _Fault:
    mode: str = "ok"
    count: int = 0
    delay: float = DEFAULT_TIMEOUT_FAULT_SECONDS
    device_id: str | None = None  # only calls about this device take the fault (None: every call)


class _ShellyCloud:
    def __init__(self, auth_key: str, devices: list[dict], rate_limit_per_second: float) -> None:
        self.auth_key = auth_key
        self.initial_devices = [dict(device) for device in devices]
        self.min_spacing = 1.0 / rate_limit_per_second if rate_limit_per_second > 0 else 0.0
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.devices: dict[str, _Device] = {}
            self.commands: list[dict[str, Any]] = []
            self.fault = _Fault()
            self.last_accepted: dict[str, float] = {}
        for spec in self.initial_devices:
            self.put_device(spec)

    def put_device(self, spec: dict) -> _Device:
        device_id = str(spec["id"])
        gen = int(spec.get("gen", 1))
        if gen not in _MODELS:
            raise ValueError("gen must be 1 or 2")
        channels = int(spec.get("channels", 1))
        device = _Device(
            id=device_id,
            name=str(spec.get("name") or device_id),
            online=bool(spec.get("online", True)),
            gen=gen,
            stuck=bool(spec.get("stuck", False)),
            relays=[_Relay(on=bool(spec.get("on", False))) for _ in range(max(channels, 1))],
        )
        with self.lock:
            self.devices[device_id] = device
        return device

    def take_fault(self, device_ids: set[str]) -> _Fault | None:
        with self.lock:
            if self.fault.mode == "ok" or self.fault.count <= 0:
                return None
            if self.fault.device_id is not None and self.fault.device_id not in device_ids:
                return None
            self.fault.count -= 1
            return _Fault(self.fault.mode, 1, self.fault.delay)

    def admit(self, key: str, now: float) -> bool:
        """One accepted request per `min_spacing` seconds per key; refused requests do not count."""
        with self.lock:
            last = self.last_accepted.get(key)
            if last is not None and now - last < self.min_spacing:
                return False
            self.last_accepted[key] = now
            return True

    def record(self, endpoint: str, params: dict[str, Any], outcome: str) -> None:
        with self.lock:
            self.commands.append(
                {
                    "seq": len(self.commands) + 1,
                    "at": time.time(),
                    "endpoint": endpoint,
                    "device_id": params.get("id"),
                    "params": {k: v for k, v in params.items() if k != "auth_key"},
                    "outcome": outcome,
                }
            )

    def device(self, device_id: str) -> _Device | None:
        device = self.devices.get(device_id)
        if device is not None:
            device.settle(time.time())
        return device


def create_shelly_simulator(
    auth_key: str,
    devices: list[dict] | None = None,
    *,
    rate_limit_per_second: float = 1.0,
) -> Starlette:
    """`rate_limit_per_second` applies per auth key as the real cloud does (0 turns it off); a
    client pacing itself at `min_interval >= 1 / rate_limit_per_second` is never refused."""
    cloud = _ShellyCloud(auth_key, DEFAULT_DEVICES if devices is None else devices, rate_limit_per_second)

    async def api_call(request: Request, endpoint: str, handler: Any) -> Response:
        params, json_body = await _read_params(request)
        ids = set(json_body.get("ids") or []) if isinstance(json_body, dict) else set()
        fault = cloud.take_fault({str(params.get("id")), *map(str, ids)})
        if fault is not None and fault.mode != "slow":
            cloud.record(endpoint, params, fault.mode)
            if fault.mode == "timeout":
                await asyncio.sleep(fault.delay)
                return PlainTextResponse("Gateway Timeout", status_code=504)
            if fault.mode == "rate_limited":
                return JSONResponse(RATE_LIMIT_REPLY, status_code=401)
            return PlainTextResponse("Internal Server Error", status_code=500)
        if params.get("auth_key") != cloud.auth_key:
            cloud.record(endpoint, params, "unauthorized")
            return JSONResponse(WRONG_KEY_REPLY, status_code=401)
        if not cloud.admit(cloud.auth_key, time.monotonic()):
            cloud.record(endpoint, params, "rate_limited")
            return JSONResponse(RATE_LIMIT_REPLY, status_code=401)
        outcome, status_code, body = handler(params, json_body)
        if fault is not None:
            # Done, but the answer is late: whoever asked may be gone (timed out, killed) before it comes.
            cloud.record(endpoint, params, f"slow:{outcome}")
            await asyncio.sleep(fault.delay)
        else:
            cloud.record(endpoint, params, outcome)
        return JSONResponse(body, status_code=status_code)

    def device_status(params: dict[str, Any], _: Any) -> tuple[str, int, Any]:
        device = cloud.device(str(params.get("id", "")))
        if device is None:
            return "unknown_device", 200, UNKNOWN_DEVICE_REPLY
        data = {"online": device.online, "device_status": _status_payload(device)}
        return "ok", 200, {"isok": True, "data": data}

    def relay_control(params: dict[str, Any], _: Any) -> tuple[str, int, Any]:
        device = cloud.device(str(params.get("id", "")))
        if device is None:
            return "unknown_device", 200, UNKNOWN_DEVICE_REPLY
        if not device.online:
            return "offline", 200, OFFLINE_REPLY
        try:
            channel = int(params.get("channel", 0))
            timer = float(params["timer"]) if params.get("timer") not in (None, "") else None
        except ValueError:
            return "bad_request", 400, _bad_request("channel and timer must be numbers")
        turn = params.get("turn")
        if turn not in ("on", "off", "toggle") or not 0 <= channel < len(device.relays):
            return "bad_request", 400, _bad_request("turn must be on|off|toggle on a known channel")
        if device.stuck:
            # A welded contact or dead relay board: the cloud accepts, nothing moves.
            return "ok", 200, {"isok": True, "data": {"device_id": device.id}}
        relay = device.relays[channel]
        relay.on = {"on": True, "off": False, "toggle": not relay.on}[turn]
        relay.source = "cloud"
        relay.clear_timer()
        if relay.on and turn == "on" and timer is not None and timer > 0:
            relay.timer_started = time.time()
            relay.timer_duration = timer
        return "ok", 200, {"isok": True, "data": {"device_id": device.id}}

    def all_status(_: dict[str, Any], __: Any) -> tuple[str, int, Any]:
        snapshot = {}
        for device in list(cloud.devices.values()):
            device.settle(time.time())
            payload = _status_payload(device)
            payload["_dev_info"] = {
                "id": device.id,
                "code": _MODELS[device.gen],
                "gen": f"G{device.gen}",
                "online": device.online,
            }
            snapshot[device.id] = payload
        return "ok", 200, {"isok": True, "data": {"devices_status": snapshot}}

    def all_lists(_: dict[str, Any], __: Any) -> tuple[str, int, Any]:
        listed = {
            device.id: {
                "id": device.id,
                "type": _MODELS[device.gen],
                "category": "relay",
                "name": device.name,
                "gen": f"G{device.gen}",
                "cloud_online": device.online,
                "channel": 0,
                "channels_count": len(device.relays),
                "room_id": -10,
            }
            for device in list(cloud.devices.values())
        }
        return "ok", 200, {"isok": True, "data": {"devices": listed, "rooms": {}, "groups": {}}}

    def bulk_get(_: dict[str, Any], body: Any) -> tuple[str, int, Any]:
        ids = body.get("ids") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not ids or len(ids) > BULK_LIMIT:
            return (
                "bad_request",
                400,
                {
                    "error": "BAD_REQUEST",
                    "data": {"messages": [f"ids must be a list of 1 to {BULK_LIMIT} device ids"]},
                },
            )
        select = body.get("select") or []
        entries = []
        for device_id in ids:
            device = cloud.device(str(device_id))
            if device is None:
                continue
            entry: dict[str, Any] = {
                "id": device.id,
                "type": "relay",
                "code": _MODELS[device.gen],
                "gen": f"G{device.gen}",
                "online": 1 if device.online else 0,
            }
            if device.online and "status" in select:
                entry["status"] = _status_payload(device)
            if device.online and "settings" in select:
                entry["settings"] = _settings_payload(device)
            entries.append(entry)
        return "ok", 200, entries

    def api_route(path: str, handler: Any, methods: list[str]) -> Route:
        async def route(request: Request) -> Response:
            return await api_call(request, path, handler)

        return Route(path, route, methods=methods)

    async def page(_: Request) -> HTMLResponse:
        return HTMLResponse(_render_page(cloud))

    async def sim_devices(request: Request) -> JSONResponse:
        if request.method == "POST":
            body = await _json(request)
            if not isinstance(body, dict) or not body.get("id"):
                return JSONResponse({"error": "a device needs an id"}, status_code=400)
            try:
                device = cloud.put_device(body)
            except ValueError as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
            return JSONResponse(_device_view(device))
        now = time.time()
        views = []
        for device in list(cloud.devices.values()):
            device.settle(now)
            views.append(_device_view(device))
        return JSONResponse({"devices": views})

    async def sim_devices_bulk(request: Request) -> JSONResponse:
        """Many devices in one call (a bench registers thousands): each spec as for POST /_sim/devices, plus
        `on` to start its relays ON. All are checked before any is stored."""
        body = await _json(request)
        specs = body.get("devices") if isinstance(body, dict) else None
        if not isinstance(specs, list) or not all(isinstance(s, dict) and s.get("id") for s in specs):
            return JSONResponse({"error": "devices must be a list of devices, each with an id"}, status_code=400)
        if any(str(s.get("gen", 1)) not in ("1", "2") for s in specs):
            return JSONResponse({"error": "gen must be 1 or 2"}, status_code=400)
        for spec in specs:
            cloud.put_device(spec)
        return JSONResponse({"stored": len(specs), "devices": len(cloud.devices)})

    async def sim_online(request: Request) -> JSONResponse:
        device = cloud.device(request.path_params["device_id"])
        body = await _json(request)
        if device is None or not isinstance(body, dict) or "online" not in body:
            return JSONResponse({"error": "unknown device or missing 'online'"}, status_code=400)
        device.online = bool(body["online"])
        return JSONResponse(_device_view(device))

    async def sim_relay(request: Request) -> JSONResponse:
        """Flips a relay behind the cloud's back, as a power loss or a reboot would."""
        device = cloud.device(request.path_params["device_id"])
        body = await _json(request)
        if device is None or not isinstance(body, dict) or "on" not in body:
            return JSONResponse({"error": "unknown device or missing 'on'"}, status_code=400)
        channel = int(body.get("channel", 0))
        if not 0 <= channel < len(device.relays):
            return JSONResponse({"error": "unknown channel"}, status_code=400)
        relay = device.relays[channel]
        relay.on = bool(body["on"])
        relay.source = "power"
        relay.clear_timer()
        return JSONResponse(_device_view(device))

    async def sim_commands(_: Request) -> JSONResponse:
        with cloud.lock:
            commands = list(cloud.commands)
        return JSONResponse({"commands": commands})

    async def sim_faults(request: Request) -> JSONResponse:
        body = await _json(request)
        mode = body.get("mode") if isinstance(body, dict) else None
        if mode not in FAULT_MODES:
            return JSONResponse({"error": f"mode must be {'|'.join(FAULT_MODES)}"}, status_code=400)
        fault = _Fault(
            mode=mode,
            count=int(body.get("count", 1)) if mode != "ok" else 0,
            delay=float(body.get("delay_seconds", DEFAULT_TIMEOUT_FAULT_SECONDS)),
            device_id=body.get("device_id"),
        )
        with cloud.lock:
            cloud.fault = fault
        return JSONResponse({"mode": fault.mode, "count": fault.count, "delay_seconds": fault.delay,
                             "device_id": fault.device_id})

    async def sim_reset(_: Request) -> JSONResponse:
        cloud.reset()
        return JSONResponse({"reset": True})

    routes = [
        Route("/", page, methods=["GET"]),
        api_route("/device/status", device_status, ["GET", "POST"]),
        api_route("/device/relay/control", relay_control, ["POST"]),
        api_route("/device/all_status", all_status, ["GET", "POST"]),
        api_route("/interface/device/get_all_lists", all_lists, ["GET", "POST"]),
        api_route("/v2/devices/api/get", bulk_get, ["POST"]),
        Route("/_sim/devices", sim_devices, methods=["GET", "POST"]),
        Route("/_sim/devices/bulk", sim_devices_bulk, methods=["POST"]),
        Route("/_sim/devices/{device_id}/online", sim_online, methods=["POST"]),
        Route("/_sim/devices/{device_id}/relay", sim_relay, methods=["POST"]),
        Route("/_sim/commands", sim_commands, methods=["GET"]),
        Route("/_sim/faults", sim_faults, methods=["POST"]),
        Route("/_sim/reset", sim_reset, methods=["POST"]),
    ]
    app = Starlette(routes=routes)
    app.state.shelly_cloud = cloud
    return app


async def _read_params(request: Request) -> tuple[dict[str, Any], Any]:
    """v1 takes form fields (or the query string); v2 takes JSON with auth_key in the query."""
    params: dict[str, Any] = dict(request.query_params)
    raw = await request.body()
    json_body: Any = None
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            json_body = json.loads(raw or b"null")
        except ValueError:
            json_body = None
        if isinstance(json_body, dict) and "auth_key" in json_body:
            params.setdefault("auth_key", str(json_body["auth_key"]))
    elif raw:
        params.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    return params, json_body


async def _json(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        return None


def _bad_request(message: str) -> dict[str, Any]:
    return {"isok": False, "errors": {"bad_request": message}}


def _status_payload(device: _Device) -> dict[str, Any]:
    now = time.time()
    updated = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now))
    if device.gen == 1:
        relays = []
        for relay in device.relays:
            remaining = relay.remaining(now)
            relays.append(
                {
                    "ison": relay.on,
                    "has_timer": remaining is not None,
                    "timer_started": int(relay.timer_started or 0),
                    "timer_duration": int(math.ceil(relay.timer_duration or 0)),
                    "timer_remaining": int(math.ceil(remaining or 0)),
                    "overpower": False,
                    "source": relay.source,
                }
            )
        return {
            "relays": relays,
            "meters": [{"power": 0.0, "is_valid": True} for _ in device.relays],
            "cloud": {"enabled": True, "connected": device.online},
            "wifi_sta": {"connected": True, "ssid": "hygate-sim", "rssi": -55},
            "_updated": updated,
        }
    payload: dict[str, Any] = {
        "cloud": {"connected": device.online},
        "sys": {"mac": device.id, "unixtime": int(now)},
        "_updated": updated,
    }
    for channel, relay in enumerate(device.relays):
        switch: dict[str, Any] = {
            "id": channel,
            "source": relay.source,
            "output": relay.on,
            "apower": 0.0,
            "voltage": 230.0,
            "current": 0.0,
        }
        if relay.timer_started is not None:
            switch["timer_started_at"] = relay.timer_started
            switch["timer_duration"] = relay.timer_duration
        payload[f"switch:{channel}"] = switch
    return payload


def _settings_payload(device: _Device) -> dict[str, Any]:
    if device.gen == 1:
        return {"name": device.name}
    return {"sys": {"device": {"name": device.name}}}


def _device_view(device: _Device) -> dict[str, Any]:
    now = time.time()
    return {
        "id": device.id,
        "name": device.name,
        "online": device.online,
        "gen": device.gen,
        "stuck": device.stuck,
        "relays": [
            {"channel": channel, "on": relay.on, "auto_off_remaining": relay.remaining(now)}
            for channel, relay in enumerate(device.relays)
        ],
    }


def _render_page(cloud: _ShellyCloud) -> str:
    now = time.time()
    rows = []
    for device in list(cloud.devices.values()):
        device.settle(now)
        for channel, relay in enumerate(device.relays):
            remaining = relay.remaining(now)
            label = device.name if len(device.relays) == 1 else f"{device.name} · {channel}"
            rows.append(
                "<li class='device'>"
                f"<div><strong>{html.escape(label)}</strong>"
                f"<small>{html.escape(device.id)}</small>"
                f"<span class='net {'up' if device.online else 'down'}'>"
                f"{'online' if device.online else 'offline'}</span></div>"
                f"<span class='badge {'on' if relay.on else 'off'}'>"
                f"{'ON' if relay.on else 'OFF'}</span>"
                f"<div class='timer'>{_format_remaining(remaining)}</div>"
                "</li>"
            )
    items = "".join(rows) or "<li>No simulated devices.</li>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="2">
<title>Shelly simulator</title>
<style>
body{{font-family:system-ui,sans-serif;margin:0;padding:1rem;background:#f4f5f7;color:#1d2330}}
h1{{font-size:1.25rem}} ul{{list-style:none;padding:0;display:grid;gap:.75rem}}
.device{{background:#fff;border-radius:12px;padding:1rem;display:grid;gap:.5rem;
grid-template-columns:1fr auto;align-items:center;box-shadow:0 1px 3px #0002}}
.device small{{display:block;color:#667}}
.badge{{font-size:2rem;font-weight:800;padding:.5rem 1.25rem;border-radius:10px;color:#fff}}
.badge.on{{background:#1a9e4b}} .badge.off{{background:#8a919e}}
.net{{font-size:.8rem;padding:.1rem .5rem;border-radius:6px;color:#fff}}
.net.up{{background:#2b6cb0}} .net.down{{background:#c53030}}
.timer{{grid-column:1/-1;color:#445}}
</style></head>
<body><h1>Shelly simulator</h1><ul>{items}</ul></body></html>"""


def _format_remaining(remaining: float | None) -> str:
    if remaining is None:
        return "No auto-off timer"
    minutes, seconds = divmod(int(math.ceil(remaining)), 60)
    return f"Auto-off in {minutes}:{seconds:02d}"
