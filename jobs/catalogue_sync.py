"""Periodic cloud reads (run by `rq cron`): keep the TTLock token fresh and the doors' and devices' state current.

Staff can sync on demand from the Doors and Devices pages; these runs do the same in the background so the
battery, gateway and online badges are never stale for long. Each step is skipped when its integration is
not configured, and a failure is recorded in the integration's health (the sync services do that) and logged,
never raised: the next run simply tries again.
"""

from __future__ import annotations

import collections
import logging
from collections.abc import Iterator

from hygate_app import providers
from hygate_app.db import session_scope
from hygate_app.integrations.ttlock import TTLockError
from hygate_app.services import device_sync, door_sync
from hygate_app.services.errors import Unavailable

log = logging.getLogger(__name__)


def refresh_ttlock_token() -> str:
    if not providers.integration_config().ttlock_configured:
        return "skipped: TTLock is not configured"
    try:
        expires = providers.ttlock_client().ensure_token()
    except TTLockError as exc:  # the client reports the failure to the integration's health itself
        log.error("TTLock token refresh failed: %s", exc)
        return f"failed: {exc}"
    return f"token valid until {expires.isoformat()}"


def sync_locks() -> str:
    if not providers.integration_config().ttlock_configured:
        return "skipped: TTLock is not configured"
    return _drain("doors", door_sync.sync_doors(providers.ttlock_client(), session_scope))


def sync_devices() -> str:
    if not providers.integration_config().shelly_configured:
        return "skipped: Shelly Cloud is not configured"
    return _drain("devices", device_sync.sync_devices(providers.shelly_client(), session_scope))


def _drain(what: str, steps: Iterator) -> str:
    try:
        final = collections.deque(steps, maxlen=1)
    except Unavailable as exc:
        log.error("periodic %s sync failed: %s", what, exc)
        return f"failed: {exc}"
    return f"{what} read: {final[0].total if final else 0}"
