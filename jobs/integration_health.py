"""Integration health: apply one call's outcome to the dashboard's row, and mail administrators about an incident."""

from datetime import datetime, timedelta

from hygate_app import providers
from hygate_app.config import get_settings
from hygate_app.db import session_scope
from hygate_app.models import Integration
from hygate_app.services import integration_health
from jobs import is_final_attempt


def record_outcome(integration: str, error: str | None, at: str) -> None:
    settings = get_settings()
    rule = integration_health.AlertRule(failures=settings.integration_alert_failures,
                                        after=timedelta(minutes=settings.integration_alert_minutes))
    with session_scope() as db:
        integration_health.apply_outcome(db, Integration(integration), error, datetime.fromisoformat(at),
                                         providers.job_queue(), rule)


def send_incident_mail(integration: str, kind: str, failing_since: str, failures: int, last_error: str | None,
                       at: str) -> int:
    with session_scope() as db:
        return integration_health.send_incident_mail(
            db, providers.mailer(), Integration(integration), kind, datetime.fromisoformat(failing_since), failures,
            last_error, datetime.fromisoformat(at), final_attempt=is_final_attempt())
