"""Relay ON after payment (with the device's own auto-off), relay OFF at the end, and the refund
when a relay cannot be started — against the Shelly simulator over HTTP."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import select

from hygate_app.models import DeviceSession, DeviceSessionStatus, Refund
from hygate_app.services import device_sessions
from hygate_app.services.device_sessions import RetryLater
from tests.support.webhooks import checkout_event, deliver


@pytest.fixture
def paid_session(db, deps, payment) -> DeviceSession:
    deliver(db, deps, checkout_event(payment))
    return db.exec(select(DeviceSession).where(DeviceSession.payment_id == payment.id)).one()


def relay_commands(shelly_sim) -> list[dict]:
    commands = httpx.get(f"{shelly_sim.url}/_sim/commands").json()["commands"]
    return [c for c in commands if c.get("endpoint", "").endswith("relay/control")]


def test_relay_on_sets_the_auto_off_timer_to_the_paid_time_plus_margin(db, deps, shelly_sim, paid_session):
    device_sessions.switch_relay_on(db, paid_session.id, deps, final_attempt=False)
    db.refresh(paid_session)
    assert paid_session.status == DeviceSessionStatus.active
    [command] = relay_commands(shelly_sim)
    assert command["params"]["turn"] == "on"
    timer = float(command["params"]["timer"])
    assert 60 + 30 - 3 <= timer <= 60 + 30 + 1
    [(when, func, args, job_id)] = deps.queue.scheduled
    assert (when, func, args) == (paid_session.ends_at, "jobs.relay.switch_relay_off", (paid_session.id,))


def test_relay_on_twice_sends_one_command(db, deps, shelly_sim, paid_session):
    device_sessions.switch_relay_on(db, paid_session.id, deps, final_attempt=False)
    device_sessions.switch_relay_on(db, paid_session.id, deps, final_attempt=False)
    assert len(relay_commands(shelly_sim)) == 1


def test_a_transient_error_asks_for_a_retry_and_changes_nothing(db, deps, shelly_sim, paid_session):
    httpx.post(f"{shelly_sim.url}/_sim/faults", json={"mode": "error500", "count": 1}).raise_for_status()
    with pytest.raises(RetryLater):
        device_sessions.switch_relay_on(db, paid_session.id, deps, final_attempt=False)
    db.refresh(paid_session)
    assert paid_session.status == DeviceSessionStatus.pending
    assert db.exec(select(Refund)).all() == []


def test_an_offline_device_fails_the_session_and_refunds_in_full(db, deps, shelly_sim, paid_session, payment):
    httpx.post(f"{shelly_sim.url}/_sim/devices/shelly-demo-washer/online", json={"online": False}).raise_for_status()
    device_sessions.switch_relay_on(db, paid_session.id, deps, final_attempt=False)
    db.refresh(paid_session)
    assert paid_session.status == DeviceSessionStatus.failed
    [refund] = db.exec(select(Refund)).all()
    assert refund.amount_minor == payment.amount_minor
    assert deps.queue.named("jobs.refunds.send_refund") == [(refund.id,)]


def test_relay_off_before_the_end_only_reschedules(db, deps, shelly_sim, paid_session):
    device_sessions.switch_relay_on(db, paid_session.id, deps, final_attempt=False)
    device_sessions.switch_relay_off(db, paid_session.id, deps, final_attempt=False)
    db.refresh(paid_session)
    assert paid_session.status == DeviceSessionStatus.active
    assert len(deps.queue.scheduled) == 2
    assert [c["params"]["turn"] for c in relay_commands(shelly_sim)] == ["on"]
