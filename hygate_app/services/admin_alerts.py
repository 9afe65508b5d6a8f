"""E-mail to every active administrator (audit checkpoints, integration alarms).

A failed delivery is logged and counted, never raised: the alert's content is in the log as well,
and the job that raised the alert must still finish its own work.
"""

from __future__ import annotations

import logging

from sqlmodel import Session, select

from hygate_app.integrations.mailer import MailerError
from hygate_app.models import Role, User

log = logging.getLogger(__name__)


def administrator_emails(db: Session) -> list[str]:
    return list(db.exec(select(User.email).where(User.role == Role.admin, User.is_active.is_(True))
                        .order_by(User.id)).all())


def alert_administrators(mailer, recipients: list[str], subject: str, text: str, *, key: str) -> int:
    """`key` makes a retried job's mail idempotent (one per recipient and key). Returns how many went out."""
    sent = 0
    for email in recipients:
        try:
            mailer.send(email, subject, text, idempotency_key=f"{key}:{email}")
            sent += 1
        except MailerError as exc:
            log.error("could not e-mail %s about %r: %s", email, subject, exc)
    return sent
