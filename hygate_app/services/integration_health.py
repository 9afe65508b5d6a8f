"""The outcome of real calls to an integration, kept in `integration_health` for the dashboard's badges."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from hygate_app.models import Integration, IntegrationHealth
from hygate_app.models.columns import utcnow

ERROR_MAX = 500


def _row(db: Session, integration: Integration) -> IntegrationHealth:
    return db.get(IntegrationHealth, integration) or IntegrationHealth(integration=integration)


def record_success(db: Session, integration: Integration, now: datetime | None = None) -> IntegrationHealth:
    now = now or utcnow()
    row = _row(db, integration)
    row.ok, row.consecutive_failures, row.last_error = True, 0, None
    row.last_check_at = row.last_success_at = now
    db.add(row)
    db.flush()
    return row


def record_failure(db: Session, integration: Integration, error: str,
                   now: datetime | None = None) -> IntegrationHealth:
    row = _row(db, integration)
    row.ok = False
    row.consecutive_failures = (row.consecutive_failures or 0) + 1
    row.last_check_at = now or utcnow()
    row.last_error = (" ".join(error.split()) or "unknown error")[:ERROR_MAX]
    db.add(row)
    db.flush()
    return row
