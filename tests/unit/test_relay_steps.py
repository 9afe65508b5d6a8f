"""Relay ON after payment (with the device's own auto-off), relay OFF at the end, and the refund
when a relay cannot be started — against the Shelly simulator over HTTP."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from hygate_app.integrations.retries import NO_RETRIES
from hygate_app.integrations.shelly import ShellyClient
from hygate_app.models import AuditLog, DeviceSessionStatus, Refund
from hygate_app.models.columns import utcnow
from hygate_app.services import device_sessions, refunds
from hygate_app.services.errors import RetryLater


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
    # As many failures as the client's own attempts: what outlasts them is the job's to retry.
    httpx.post(f"{shelly_sim.url}/_sim/faults", json={"mode": "error500", "count": 3}).raise_for_status()
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


def test_a_relay_left_on_by_a_killed_try_is_switched_off_when_the_paid_time_ran_out(db, deps, shelly_sim,
                                                                                   paid_session):
    # A worker sent the ON and was killed before it committed; the session is found again after its paid end.
    deps.shelly.set_relay("shelly-demo-washer", True, auto_off_seconds=3600)
    paid_session.ends_at = utcnow() - timedelta(minutes=1)
    db.commit()
    device_sessions.switch_relay_on(db, paid_session.id, deps, final_attempt=False)
    db.refresh(paid_session)
    assert paid_session.status == DeviceSessionStatus.failed
    assert deps.shelly.get_status("shelly-demo-washer").is_on is False
    assert db.exec(select(Refund)).one().amount_minor == 100


def test_a_final_timeout_whose_command_landed_leaves_the_relay_off(db, deps, shelly_sim, paid_session):
    httpx.post(f"{shelly_sim.url}/_sim/faults", json={"mode": "slow", "delay_seconds": 1}).raise_for_status()
    impatient = replace(deps, shelly=ShellyClient(shelly_sim.url, "unit-key", min_interval=0, timeout=0.3,
                                                 retry=NO_RETRIES))
    device_sessions.switch_relay_on(db, paid_session.id, impatient, final_attempt=True)
    db.refresh(paid_session)
    assert paid_session.status == DeviceSessionStatus.failed
    assert deps.shelly.get_status("shelly-demo-washer").is_on is False
    assert [c["params"]["turn"] for c in relay_commands(shelly_sim)] == ["on", "off"]


def test_a_refund_whose_send_job_was_lost_is_found_by_the_cleanup_after_ten_quiet_minutes(db, deps, shelly_sim,
                                                                                        paid_session):
    httpx.post(f"{shelly_sim.url}/_sim/devices/shelly-demo-washer/online", json={"online": False}).raise_for_status()
    device_sessions.switch_relay_on(db, paid_session.id, deps, final_attempt=False)
    [refund] = db.exec(select(Refund)).all()
    assert refunds.stuck_pending_refunds(db, utcnow() + timedelta(minutes=9)) == []
    assert refunds.stuck_pending_refunds(db, utcnow() + timedelta(minutes=11)) == [refund]


@pytest.fixture
def overdue(db, deps, paid_session):
    """Relay ON, and the paid end a minute ago."""
    device_sessions.switch_relay_on(db, paid_session.id, deps, final_attempt=False)
    db.refresh(paid_session)
    paid_session.ends_at = utcnow() - timedelta(minutes=1)
    db.commit()
    return paid_session


def test_a_busy_cloud_on_the_last_off_try_leaves_the_session_to_the_next_cleanup_pass(db, deps, shelly_sim, overdue):
    httpx.post(f"{shelly_sim.url}/_sim/faults", json={"mode": "rate_limited", "count": 3}).raise_for_status()
    assert device_sessions.switch_relay_off(db, overdue.id, deps, final_attempt=True) is False
    db.refresh(overdue)
    assert overdue.status == DeviceSessionStatus.active  # still overdue: the next pass finds it

    assert device_sessions.switch_relay_off(db, overdue.id, deps, final_attempt=True) is True
    db.refresh(overdue)
    assert (overdue.status, overdue.relay_off_at is not None) == (DeviceSessionStatus.completed, True)
    assert deps.shelly.get_status("shelly-demo-washer").is_on is False


def test_a_device_offline_at_the_end_completes_the_session_and_records_the_failed_off(db, deps, shelly_sim, overdue):
    httpx.post(f"{shelly_sim.url}/_sim/devices/shelly-demo-washer/online", json={"online": False}).raise_for_status()
    assert device_sessions.switch_relay_off(db, overdue.id, deps, final_attempt=True) is True
    db.refresh(overdue)
    assert (overdue.status, overdue.relay_off_at) == (DeviceSessionStatus.completed, None)
    assert [r.action for r in db.exec(select(AuditLog).where(AuditLog.target_id == str(overdue.id))).all()
            if r.action.endswith("relay_off_failed")] == ["device_session.relay_off_failed"]
