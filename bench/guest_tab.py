"""A guest's browser tab without the browser: speaks Reflex's Socket.IO protocol on `/_event` as the built frontend
does (`reflex_base/.templates/web/utils/state.js`), so a bench can hold thousands of guest pages open.

What the frontend does, and this does too: open the websocket `/_event/?EIO=4&transport=websocket&token=<tab
token>` with the Reflex version as subprotocol; answer Engine.IO's open packet with the namespace CONNECT carrying
the `hydrate_and_load` event (the page path in its router data); apply every pushed `event` update to its copy of
the state; send back the chained events an update asks for (the page's `on_load`); answer Engine.IO pings. It
does not send the compiled state hashes on the first connect, so the server answers with the full state, as it
does on any reconnect.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Ping, RejectConnection, Request, TextMessage

NAMESPACE = "/_event"
ROOT_STATE = "reflex___state____state"
HYDRATE = f"{ROOT_STATE}.hydrate_and_load"


def _reflex_version() -> str:
    from reflex_base.constants import Reflex

    return Reflex.VERSION


class GuestTab:
    def __init__(self, host: str, port: int, path: str) -> None:
        self.host, self.port, self.path = host, port, path
        self.token = str(uuid.uuid4())
        self.state: dict[str, dict[str, Any]] = {}
        self.updates = 0  # Socket.IO `event` messages: state pushed to this tab
        self.pings = 0  # Engine.IO heartbeats (the transport's keep-alive, not page data)
        self.changed = asyncio.Event()
        self._ws = WSConnection(ConnectionType.CLIENT)
        self._text: list[str] = []
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task | None = None
        self.closed = asyncio.Event()
        self.close_reason = ""

    async def open(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        target = f"{NAMESPACE}/?EIO=4&transport=websocket&token={self.token}"
        self._writer.write(self._ws.send(Request(host=f"{self.host}:{self.port}", target=target,
                                                 subprotocols=[_reflex_version()])))
        self._task = asyncio.create_task(self._receive())

    def var(self, state: str, name: str) -> Any:
        """A var of the substate whose name ends with `state` (e.g. "session_state", "status")."""
        for key, values in self.state.items():
            if key.endswith("____" + state):
                return values.get(f"{name}_rx_state_")
        return None

    @property
    def hydrated(self) -> bool:
        """The page finished loading (Reflex sets this once the on_load handlers have run)."""
        return bool(self.state.get(ROOT_STATE, {}).get("is_hydrated_rx_state_"))

    async def wait_until(self, predicate, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self):
            if self.closed.is_set():
                raise ConnectionError(f"tab {self.token} closed")
            self.changed.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"tab on {self.path} did not reach the expected state")
            try:
                await asyncio.wait_for(self.changed.wait(), remaining)
            except TimeoutError:
                pass

    async def close(self) -> None:
        if self._writer is not None and not self._writer.is_closing():
            try:
                self._writer.write(self._ws.send(CloseConnection(code=1000)))
            except Exception:
                pass
            self._writer.close()
        if self._task is not None:
            self._task.cancel()

    def _send_text(self, text: str) -> None:
        self._writer.write(self._ws.send(TextMessage(data=text)))

    def _event(self, name: str, payload: dict | None = None) -> dict:
        query = {"token": self.path.rstrip("/").rsplit("/", 1)[-1]}
        event: dict[str, Any] = {"name": name, "router_data": {"pathname": self.path, "asPath": self.path,
                                                              "query": query}}
        if payload:
            event["payload"] = payload
        return event

    async def _receive(self) -> None:
        try:
            while data := await self._reader.read(65536):
                self._ws.receive_data(data)
                for event in self._ws.events():
                    if isinstance(event, TextMessage):
                        self._text.append(event.data)
                        if event.message_finished:
                            self._packet("".join(self._text))
                            self._text.clear()
                    elif isinstance(event, Ping):
                        self._writer.write(self._ws.send(event.response()))
                    elif isinstance(event, CloseConnection):
                        self.close_reason = f"server closed: {event.code} {event.reason}"
                        return
                    elif isinstance(event, RejectConnection):
                        self.close_reason = f"server refused: {event.status_code}"
                        return
                    elif isinstance(event, AcceptConnection):
                        pass
            self.close_reason = self.close_reason or "connection ended"
        except ConnectionError as exc:
            self.close_reason = f"{type(exc).__name__}: {exc}"
        except asyncio.CancelledError:
            self.close_reason = "closed by the bench"
        finally:
            self.closed.set()
            self.changed.set()

    def _packet(self, text: str) -> None:
        kind, body = text[:1], text[1:]
        if kind == "0":  # Engine.IO open: connect the namespace, hydrating in the same packet
            self._send_text(f"4{'0'}{NAMESPACE}," + json.dumps({"event": self._event(HYDRATE)}))
        elif kind == "2":  # Engine.IO ping
            self.pings += 1
            self._send_text("3")
        elif kind == "4":
            self._socketio(body)

    def _socketio(self, body: str) -> None:
        kind, body = body[:1], body[1:]
        if body.startswith(NAMESPACE):
            body = body[len(NAMESPACE):].lstrip(",")
        if kind == "2":  # EVENT
            name, update = json.loads(body)[:2]
            if name == "event":
                self._apply(update)
        elif kind == "4":  # CONNECT_ERROR
            raise ConnectionError(f"connect refused: {body}")

    def _apply(self, update: dict) -> None:
        self.updates += 1
        for substate, values in (update.get("delta") or {}).items():
            self.state.setdefault(substate, {}).update(values)
        for chained in update.get("events") or []:
            # Frontend-only events (`_redirect`, `_call_script` ...) start with "_"; the rest go back to the server.
            if not chained["name"].split(".")[-1].startswith("_"):
                self._send_text(f"42{NAMESPACE}," + json.dumps(["event", self._event(chained["name"],
                                                                                      chained.get("payload"))]))
        self.changed.set()
