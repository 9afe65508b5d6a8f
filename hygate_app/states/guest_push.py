"""Server push for guest pages: which browser tabs watch which guest token (and on which page: the device
session or the door access), and the listener that refreshes them when a worker or webhook publishes a
change (see services/guest_updates.py)."""

from __future__ import annotations

import asyncio
import logging

import redis.asyncio as aioredis
import reflex as rx

from hygate_app.config import get_settings
from hygate_app.services.guest_updates import CHANNEL

log = logging.getLogger(__name__)
WATCH_TTL_SECONDS = 6 * 3600
_redis: aioredis.Redis | None = None
_pushes: set[asyncio.Task] = set()  # the event loop keeps only weak references to tasks


def _conn() -> aioredis.Redis:
    global _redis
    if _redis is None:
        # A connect timeout only: the update listener waits on its subscription for as long as it takes.
        settings = get_settings()
        _redis = aioredis.from_url(settings.redis_url, socket_connect_timeout=settings.redis_connect_timeout)
    return _redis


def _key(guest_token: str) -> str:
    return f"hygate:watchers:{guest_token}"


def _page_states() -> dict[str, type]:
    """The pushable guest states by page name; each has `token` and `_refresh()`. Imported late: they import us."""
    from hygate_app.states.guest_access import AccessState
    from hygate_app.states.guest_session import SessionState

    return {"session": SessionState, "access": AccessState}


async def watch(guest_token: str, client_token: str, page: str = "session") -> None:
    key = _key(guest_token)
    async with _conn().pipeline(transaction=False) as pipe:
        pipe.sadd(key, f"{client_token} {page}")
        pipe.expire(key, WATCH_TTL_SECONDS)
        await pipe.execute()


async def _refresh_watchers(app: rx.App, guest_token: str) -> None:
    conn = _conn()
    states = _page_states()
    for raw in await conn.smembers(_key(guest_token)):
        client_token, _, page = raw.decode().partition(" ")
        cls = states.get(page or "session")  # members written before pages were named are session tabs
        if cls is None:
            await conn.srem(_key(guest_token), raw)
            continue
        try:
            async with app.modify_state(rx.BaseStateToken(ident=client_token, cls=cls)) as root:
                state = await root.get_state(cls)
                if state.token != guest_token:
                    # The tab moved on to another page or its state expired.
                    await conn.srem(_key(guest_token), raw)
                    continue
                await state._refresh()
        except Exception:  # one broken tab must not stop the others
            log.exception("push to a guest tab failed")


async def listen_for_guest_updates(app: rx.App) -> None:
    """Runs in every web process; the message id is claimed once so one process does each push."""
    while True:
        pubsub = None
        try:
            conn = _conn()
            pubsub = conn.pubsub()
            await pubsub.subscribe(CHANNEL)
            async for message in pubsub.listen():
                if message.get("type") != "message":
                    continue
                guest_token, _, message_id = message["data"].decode().partition(" ")
                if await conn.set(f"hygate:push:{message_id}", 1, nx=True, ex=300):
                    push = asyncio.create_task(_refresh_watchers(app, guest_token))
                    _pushes.add(push)
                    push.add_done_callback(_pushes.discard)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("guest update listener lost Redis; reconnecting")
            await asyncio.sleep(1)
        finally:
            if pubsub is not None:
                await pubsub.aclose()
