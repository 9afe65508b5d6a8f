"""Data retention and erasure on request: what goes after its period, what stays, and what is audited."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from hygate_app.models import (
    AuditLog,
    DeviceSession,
    DeviceSessionStatus,
    Invitation,
    LoginSession,
    Payment,
    Role,
    TrustedDevice,
    User,
    WebhookEvent,
)
from hygate_app.models.columns import utcnow
from hygate_app.services import audit, checkout, guest_erasure, retention
from hygate_app.services.errors import InvalidInput
from hygate_app.services.retention import ERASED_PAYLOAD, RetentionSettings
from tests.support.webhooks import checkout_event, deliver

ADMIN = audit.Actor("user", "1")


def paid(db, deps, gateway, email: str | None, *, days_ago: int = 0) -> Payment:
    started = checkout.start_device_checkout(db, gateway, device_uid="demo-washer", plan_id=1, email=email,
                                             base_url="http://guest.test")
    payment = db.exec(select(Payment).where(Payment.guest_token == started.guest_token)).one()
    deliver(db, deps, checkout_event(payment, customer_details={"email": email}))
    # The washer is free again for the next purchase.
    session = db.exec(select(DeviceSession).where(DeviceSession.payment_id == payment.id)).one()
    session.status = DeviceSessionStatus.completed
    when = utcnow() - timedelta(days=days_ago)
    payment.created_at = when
    event = db.exec(select(WebhookEvent).where(WebhookEvent.object_id == payment.stripe_checkout_session_id)).one()
    event.processed_at = when
    db.commit()
    return payment


def event_of(db, payment: Payment) -> WebhookEvent:
    db.expire_all()
    return db.exec(select(WebhookEvent).where(WebhookEvent.object_id == payment.stripe_checkout_session_id)).one()


def actions(db, action: str) -> list[AuditLog]:
    return db.exec(select(AuditLog).where(AuditLog.action == action)).all()


def staff(db) -> User:
    user = User(email="staff@example.com", name="Staff", role=Role.admin, password_hash="x")
    db.add(user)
    db.commit()
    return user


def test_defaults_keep_ninety_days_and_saving_is_validated_and_audited_once(db):
    assert retention.load(db) == RetentionSettings(90, 90, 90)
    with pytest.raises(InvalidInput, match="between 30 and 3650"):
        retention.save(db, RetentionSettings(guest_email_days=7), ADMIN)
    with pytest.raises(InvalidInput, match="between 7 and 3650"):
        retention.save(db, RetentionSettings(staff_record_days=3), ADMIN)
    with pytest.raises(InvalidInput):
        retention.save(db, RetentionSettings(stripe_event_days=True), ADMIN)
    assert retention.save(db, RetentionSettings(guest_email_days=30), ADMIN).guest_email_days == 30
    retention.save(db, RetentionSettings(guest_email_days=30), ADMIN)
    db.commit()
    assert retention.load(db).guest_email_days == 30
    [changed] = actions(db, "settings.retention_changed")
    assert changed.actor_id == "1"
    assert json.loads(changed.details) == {"changed": ["guest_email_days"], "changes": {"guest_email_days": [90, 30]}}


def test_a_pass_removes_only_what_is_past_its_period_and_a_second_pass_nothing(db, demo, deps, gateway):
    old = paid(db, deps, gateway, "old@example.com", days_ago=91)
    recent = paid(db, deps, gateway, "recent@example.com", days_ago=89)
    user = staff(db)
    now = utcnow()
    long_ago, lately = now - timedelta(days=100), now - timedelta(days=10)
    db.add_all([
        LoginSession(user_id=user.id, session_hash="a" * 64, session_version=1, expires_at=long_ago),
        LoginSession(user_id=user.id, session_hash="b" * 64, session_version=1, expires_at=now + timedelta(hours=1),
                     revoked_at=long_ago),
        LoginSession(user_id=user.id, session_hash="c" * 64, session_version=1, expires_at=lately),
        LoginSession(user_id=user.id, session_hash="d" * 64, session_version=1, expires_at=now + timedelta(hours=1)),
        TrustedDevice(user_id=user.id, token_hash="e" * 64, expires_at=long_ago),
        TrustedDevice(user_id=user.id, token_hash="f" * 64, expires_at=now + timedelta(days=20)),
        Invitation(email="gone@example.com", role=Role.operator, token_hash="g" * 64, invited_by_id=user.id,
                   expires_at=now + timedelta(days=1), accepted_at=long_ago),
        Invitation(email="open@example.com", role=Role.operator, token_hash="h" * 64, invited_by_id=user.id,
                   expires_at=now + timedelta(days=1)),
    ])
    db.commit()

    run = retention.apply(db)
    db.commit()
    assert (run.guest_emails, run.stripe_events, run.login_sessions, run.trusted_devices, run.invitations) == \
        (1, 1, 2, 1, 1)
    db.expire_all()
    assert db.get(Payment, old.id).customer_email is None
    assert db.get(Payment, recent.id).customer_email == "recent@example.com"
    # The old event keeps its id (a redelivery is still recognised), not its body.
    assert event_of(db, old).payload == ERASED_PAYLOAD and event_of(db, old).stripe_event_id.startswith("evt_")
    assert "recent@example.com" in event_of(db, recent).payload
    assert sorted(s.session_hash[0] for s in db.exec(select(LoginSession)).all()) == ["c", "d"]
    assert [d.token_hash[0] for d in db.exec(select(TrustedDevice)).all()] == ["f"]
    assert [i.email for i in db.exec(select(Invitation)).all()] == ["open@example.com"]
    [applied] = actions(db, "retention.applied")
    assert json.loads(applied.details)["guest_emails"] == 1 and "old@example.com" not in applied.details

    assert retention.apply(db).total == 0
    assert len(actions(db, "retention.applied")) == 1  # nothing removed, nothing audited
    assert audit.first_broken_row(db) is None


def test_an_event_not_yet_applied_keeps_its_body_whatever_its_age(db, demo, deps, gateway):
    payment = paid(db, deps, gateway, "late@example.com", days_ago=200)
    event = event_of(db, payment)
    event.processed_at = None
    db.commit()
    retention.apply(db)
    db.commit()
    assert "late@example.com" in event_of(db, payment).payload


def test_erasure_removes_the_address_from_every_payment_and_event_whatever_its_case(db, demo, deps, gateway):
    first = paid(db, deps, gateway, "Ana.Guest@Example.com")
    second = paid(db, deps, gateway, "ana.guest@example.com")
    other = paid(db, deps, gateway, "other@example.com")
    assert guest_erasure.payments_with(db, "ANA.GUEST@example.com") == 2
    with pytest.raises(InvalidInput):
        guest_erasure.payments_with(db, "not an address")

    assert guest_erasure.erase(db, "ana.guest@EXAMPLE.com", ADMIN) == 2
    db.commit()
    db.expire_all()
    assert db.get(Payment, first.id).customer_email is None and db.get(Payment, second.id).customer_email is None
    assert db.get(Payment, other.id).customer_email == "other@example.com"
    assert "ana.guest" not in event_of(db, first).payload.lower()
    assert "ana.guest" not in event_of(db, second).payload.lower()
    assert "other@example.com" in event_of(db, other).payload
    [erased] = actions(db, "guest.email_erased")
    assert erased.actor_id == "1"
    assert json.loads(erased.details) == {"payments": [first.id, second.id], "stripe_events": 2}
    assert "ana" not in erased.details.lower()
    # Asked again: nothing left, nothing audited.
    assert guest_erasure.erase(db, "ana.guest@example.com", ADMIN) == 0
    assert len(actions(db, "guest.email_erased")) == 1
