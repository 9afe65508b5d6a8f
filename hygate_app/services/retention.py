"""Data retention (Settings → Privacy, run daily by `jobs/retention.py`): personal data is kept only as long as the
operator chose, then removed in place, and each run that removed anything writes one audit row with its counts.

What goes, and why only that:
- a guest's e-mail address on a payment (given for the receipt only) after `guest_email_days`;
- the body of a Stripe event after `stripe_event_days` (it repeats the guest's address and name). The row itself
  stays: its unique event id is what keeps a late redelivery from being applied twice, for ever;
- staff sign-ins, remembered browsers and invitations that ended (expired, revoked or accepted) more than
  `staff_record_days` ago: they hold IP addresses, browsers and invited addresses.
Payments, refunds, sessions and the audit log are the money record (bookkeeping law keeps them for years) and are
not touched: the audit log is append-only (a trigger refuses deletes on PostgreSQL) and its rows never hold a
guest's address.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlmodel import Session

from hygate_app.models import Invitation, LoginSession, Payment, TrustedDevice, WebhookEvent
from hygate_app.models.columns import utcnow
from hygate_app.services import audit, setting_rows
from hygate_app.services.errors import InvalidInput

KEY = "retention"
# What a removed Stripe event body becomes: the row keeps its id, type and object id.
ERASED_PAYLOAD = "{}"


@dataclass(frozen=True)
class RetentionSettings:
    guest_email_days: int = 90
    stripe_event_days: int = 90
    staff_record_days: int = 90


# Lower bounds: a receipt may be resent for a month; Stripe redelivers for three days and support questions
# about a payment come within weeks; a week of sign-ins is the least an incident review needs.
LIMITS = {
    "guest_email_days": (30, 3650),
    "stripe_event_days": (30, 3650),
    "staff_record_days": (7, 3650),
}
LABELS = {
    "guest_email_days": "Guest e-mail addresses",
    "stripe_event_days": "Stripe event details",
    "staff_record_days": "Ended staff sign-ins and invitations",
}


@dataclass(frozen=True)
class RetentionRun:
    guest_emails: int
    stripe_events: int
    login_sessions: int
    trusted_devices: int
    invitations: int

    @property
    def total(self) -> int:
        return sum(asdict(self).values())


def load(db: Session) -> RetentionSettings:
    return setting_rows.load(db, KEY, RetentionSettings)


def save(db: Session, new: RetentionSettings, actor: audit.Actor) -> RetentionSettings:
    """Nothing is written or audited when nothing changed."""
    for name, (low, high) in LIMITS.items():
        value = getattr(new, name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise InvalidInput(f"{LABELS[name]}: keep them between {low} and {high} days.")
    return setting_rows.save(db, KEY, new, actor, "settings.retention_changed")


def _ended_before(model, cutoff: datetime, *ended_columns):
    return or_(model.expires_at < cutoff, *(column < cutoff for column in ended_columns))


def apply(db: Session, now: datetime | None = None) -> RetentionRun:
    """One pass; running it twice removes nothing more. The caller commits."""
    now = now or utcnow()
    settings = load(db)
    email_cutoff = now - timedelta(days=settings.guest_email_days)
    event_cutoff = now - timedelta(days=settings.stripe_event_days)
    staff_cutoff = now - timedelta(days=settings.staff_record_days)
    emails = db.execute(update(Payment).where(Payment.customer_email.is_not(None), Payment.created_at < email_cutoff)
                     .values(customer_email=None)).rowcount
    # Only events already applied (or ignored): an unapplied one still needs its body.
    events = db.execute(update(WebhookEvent)
                     .where(WebhookEvent.processed_at.is_not(None), WebhookEvent.processed_at < event_cutoff,
                            WebhookEvent.payload != ERASED_PAYLOAD)
                     .values(payload=ERASED_PAYLOAD)).rowcount
    sessions = db.execute(delete(LoginSession).where(
        _ended_before(LoginSession, staff_cutoff, LoginSession.revoked_at))).rowcount
    devices = db.execute(delete(TrustedDevice).where(
        _ended_before(TrustedDevice, staff_cutoff, TrustedDevice.revoked_at))).rowcount
    invitations = db.execute(delete(Invitation).where(
        _ended_before(Invitation, staff_cutoff, Invitation.revoked_at, Invitation.accepted_at))).rowcount
    run = RetentionRun(guest_emails=emails, stripe_events=events, login_sessions=sessions, trusted_devices=devices,
                       invitations=invitations)
    if run.total:
        audit.record(db, "retention.applied", target_type="settings", target_id=KEY,
                     details={**asdict(run), "settings": asdict(settings)})
    return run
