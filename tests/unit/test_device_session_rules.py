"""The device-session state machine and its timing: delayed start, finishing, allowed transitions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hygate_app.models import DeviceSession, DeviceSessionStatus
from hygate_app.services.device_sessions import (
    GuestPhase,
    finishing_seconds,
    guest_phase,
    session_window,
    transition,
)
from hygate_app.services.errors import Conflict

PAID = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def make_session(status: DeviceSessionStatus, delay: int = 0, duration: int = 30) -> DeviceSession:
    starts, ends = session_window(PAID, delay, duration)
    return DeviceSession(payment_id=1, device_id=1, usage_plan_id=1, status=status, duration_minutes=duration,
                         delay_minutes=delay, paid_at=PAID, starts_at=starts, ends_at=ends)


def test_paid_minutes_start_after_the_delay_and_end_delay_plus_duration_after_payment():
    starts, ends = session_window(PAID, delay_minutes=10, duration_minutes=60)
    assert starts == PAID + timedelta(minutes=10)
    assert ends == PAID + timedelta(minutes=70)


def test_without_delay_the_paid_minutes_start_at_payment():
    assert session_window(PAID, 0, 1) == (PAID, PAID + timedelta(minutes=1))


def test_delayed_start_shows_grace_until_the_paid_minutes_start():
    session = make_session(DeviceSessionStatus.active, delay=5, duration=30)
    assert guest_phase(session, "paid", PAID + timedelta(minutes=4, seconds=59)) == GuestPhase.grace
    assert guest_phase(session, "paid", PAID + timedelta(minutes=5)) == GuestPhase.running


def test_finishing_is_the_last_tenth_capped_at_the_last_minute():
    assert finishing_seconds(1) == 6
    assert finishing_seconds(5) == 30
    assert finishing_seconds(60) == 60
    session = make_session(DeviceSessionStatus.active, duration=30)
    end = session.ends_at
    assert guest_phase(session, "paid", end - timedelta(seconds=61)) == GuestPhase.running
    assert guest_phase(session, "paid", end - timedelta(seconds=60)) == GuestPhase.finishing
    assert guest_phase(session, "paid", end + timedelta(seconds=5)) == GuestPhase.finishing


@pytest.mark.parametrize(
    ("status", "phase"),
    [
        (DeviceSessionStatus.pending, GuestPhase.starting),
        (DeviceSessionStatus.completed, GuestPhase.complete),
        (DeviceSessionStatus.failed, GuestPhase.failed),
        (DeviceSessionStatus.cancelled, GuestPhase.cancelled),
    ],
)
def test_each_session_status_has_its_guest_phase(status, phase):
    assert guest_phase(make_session(status), "paid", PAID) == phase


@pytest.mark.parametrize(
    ("payment_status", "phase"),
    [("pending", GuestPhase.awaiting_payment), ("expired", GuestPhase.cancelled), ("failed", GuestPhase.failed)],
)
def test_before_a_session_exists_the_payment_decides_the_phase(payment_status, phase):
    assert guest_phase(None, payment_status, PAID) == phase


def test_allowed_transitions_follow_the_state_machine():
    session = make_session(DeviceSessionStatus.pending)
    transition(session, DeviceSessionStatus.active, PAID)
    transition(session, DeviceSessionStatus.completed, PAID)
    assert session.status == DeviceSessionStatus.completed


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (DeviceSessionStatus.completed, DeviceSessionStatus.active),
        (DeviceSessionStatus.failed, DeviceSessionStatus.active),
        (DeviceSessionStatus.pending, DeviceSessionStatus.completed),
        (DeviceSessionStatus.active, DeviceSessionStatus.pending),
        (DeviceSessionStatus.cancelled, DeviceSessionStatus.active),
    ],
)
def test_forbidden_transitions_are_refused(start, target):
    with pytest.raises(Conflict):
        transition(make_session(start), target, PAID)
