"""The daily data retention pass (run by `rq cron`): see services/retention.py for what goes and why."""

from __future__ import annotations

import logging
from dataclasses import asdict

from hygate_app.db import session_scope
from hygate_app.services import retention

log = logging.getLogger(__name__)


def apply_retention() -> dict[str, int]:
    with session_scope() as db:
        run = retention.apply(db)
    log.info("data retention: %s", asdict(run))
    return asdict(run)
