"""The outcome of real calls to each integration, kept in `integration_health` for the dashboard's badges, and the
e-mail to administrators when one keeps failing.

Every client reports each call's outcome to the `HealthRecorder` the providers give it. That costs the caller one
Redis command and never a database write (the caller may be holding its own transaction, or be on the guest's
path): the outcome travels in a job, which applies it here. A success is passed on only when it says something
new, that is after a failure or once a minute to keep "last check" fresh (a Redis key shared by every process
remembers); every failure is, since failures in a row are what the alert counts. The job compares the call's time
with the row's, so outcomes applied out of order cannot undo a newer one.

A run of failures is an incident, known by its first failure (`failing_since`). When it reaches `AlertRule`
(so many failed calls in a row, over at least so long), the row is marked alerted under a row lock, so there is one
alert per incident however many workers record failures, and an e-mail job is queued; when a call succeeds again,
a second e-mail says it is over. Both are audited; their Resend idempotency keys are the incident's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from hygate_app.models import Integration, IntegrationHealth
from hygate_app.models.columns import utcnow
from hygate_app.services import audit
from hygate_app.services.admin_alerts import administrator_emails, alert_administrators
from hygate_app.services.errors import RetryLater
from hygate_app.services.queue import JobQueue

log = logging.getLogger(__name__)

ERROR_MAX = 500
SUCCESS_REFRESH_SECONDS = 60
RECORD_JOB = "jobs.integration_health.record_outcome"
MAIL_JOB = "jobs.integration_health.send_incident_mail"
MAIL_RETRIES = [30, 120, 600]
LABELS = {Integration.stripe: "Stripe", Integration.shelly: "Shelly Cloud", Integration.ttlock: "TTLock",
          Integration.resend: "Resend"}


@dataclass(frozen=True)
class AlertRule:
    failures: int = 5
    after: timedelta = timedelta(minutes=2)


class HealthRecorder:
    """The `on_outcome` callback of one integration's client: `None` for a call that worked, else the error."""

    def __init__(self, integration: Integration, redis: Redis, queue: JobQueue,
                 refresh_seconds: int = SUCCESS_REFRESH_SECONDS) -> None:
        self.integration = integration
        self._redis = redis
        self._queue = queue
        self._refresh_seconds = refresh_seconds
        self._fresh_key = f"hygate:integration-health:{integration.value}:fresh"

    def __call__(self, error: str | None) -> None:
        """Never raises: bookkeeping must not fail the call it describes."""
        try:
            if error is None:
                if not self._redis.set(self._fresh_key, "1", nx=True, ex=self._refresh_seconds):
                    return
            else:
                self._redis.delete(self._fresh_key)
            self._queue.enqueue(RECORD_JOB, self.integration.value, error, utcnow().isoformat())
        except RedisError as exc:
            log.warning("could not record the outcome of a %s call: %s", self.integration.value, exc)


def apply_outcome(db: Session, integration: Integration, error: str | None, at: datetime, queue: JobQueue,
                  rule: AlertRule = AlertRule()) -> IntegrationHealth:
    """One call's outcome (the record job); commits, then queues the incident's e-mail when there is one to send."""
    row = _locked(db, integration)
    if row.last_check_at is not None and at < row.last_check_at:
        db.rollback()  # a newer outcome is already there
        return row
    mail: str | None = None
    since, failures, last_error = row.failing_since, row.consecutive_failures, row.last_error
    if error is None:
        if row.alerted_at is not None:
            mail = "recovered"
        row.ok, row.consecutive_failures, row.last_error = True, 0, None
        row.last_check_at = row.last_success_at = at
        row.failing_since = row.alerted_at = None
    else:
        if row.ok or row.failing_since is None:
            row.failing_since = at
        row.ok = False
        row.consecutive_failures = (row.consecutive_failures or 0) + 1
        row.last_check_at = at
        row.last_error = (" ".join(error.split()) or "unknown error")[:ERROR_MAX]
        if (row.alerted_at is None and row.consecutive_failures >= rule.failures
                and at - row.failing_since >= rule.after):
            row.alerted_at, mail = at, "failing"
        since, failures, last_error = row.failing_since, row.consecutive_failures, row.last_error
    db.add(row)
    db.commit()
    if mail is not None:
        queue.enqueue(MAIL_JOB, integration.value, mail, since.isoformat(), failures, last_error, at.isoformat(),
                      job_id=f"integration-{mail}-{integration.value}-{_stamp(since)}", retries=MAIL_RETRIES)
    return row


def _locked(db: Session, integration: Integration) -> IntegrationHealth:
    query = select(IntegrationHealth).where(IntegrationHealth.integration == integration).with_for_update()
    row = db.exec(query).first()
    if row is None:
        try:
            with db.begin_nested():
                db.add(IntegrationHealth(integration=integration))
        except IntegrityError:
            pass  # another worker made the row first: wait for its lock below
        row = db.exec(query).one()
    return row


def send_incident_mail(db: Session, mailer, integration: Integration, kind: str, failing_since: datetime,
                       failures: int, last_error: str | None, at: datetime, *, final_attempt: bool) -> int:
    """Tell every administrator that an integration keeps failing (`kind` "failing") or works again
    ("recovered"); audited. The text depends on the arguments only, so a retried job sends the very same mail
    under the same idempotency key. Returns how many went out."""
    label = LABELS[integration]
    since = failing_since.strftime("%Y-%m-%d %H:%M UTC")
    if kind == "failing":
        subject = f"ALERT: {label} keeps failing"
        text = (f"Hygate's calls to {label} have failed {failures} times in a row since {since}.\n\n"
                f"Last error: {last_error or 'unknown'}\n\nUntil it works again, what depends on it may fail or "
                f"be refunded. You will get one more e-mail when it recovers.\n")
    else:
        minutes = max(1, round((at - failing_since).total_seconds() / 60))
        subject = f"Resolved: {label} works again"
        text = (f"{label} answered Hygate's calls again at {at.strftime('%Y-%m-%d %H:%M UTC')}, after failing "
                f"since {since} (about {minutes} min).\n")
    recipients = administrator_emails(db)
    sent = alert_administrators(mailer, recipients, subject, text,
                                key=f"integration-{kind}-{integration.value}-{_stamp(failing_since)}")
    if sent < len(recipients) and not final_attempt:
        raise RetryLater(f"{len(recipients) - sent} of {len(recipients)} alert e-mails could not be sent")
    audit.record(db, "integration.failing_alert_sent" if kind == "failing" else "integration.recovery_alert_sent",
                 target_type="integration", target_id=integration.value,
                 details={"failing_since": failing_since.isoformat(), "failures": failures,
                          "recipients": len(recipients), "mailed": sent})
    db.commit()
    return sent


def _stamp(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
