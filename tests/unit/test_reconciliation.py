"""Reconciliation against the Shelly simulator over HTTP: unpaid relays go OFF, a paid relay found OFF goes ON
again, a relay that cannot be set again interrupts or fails its session with the pro-rata refund, one offline
read never ends a session, which devices a pass reads, and the pass's pace under the cloud's limit."""

from __future__ import annotations

import math
from contextlib import nullcontext
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from hygate_app.integrations.shelly import ShellyClient
from hygate_app.integrations.simulators.shelly_sim import create_shelly_simulator
from hygate_app.models import AuditLog, Device, DeviceSessionStatus, Location, Payment, Refund
from hygate_app.models.columns import utcnow
from hygate_app.services import catalogue, reconciliation
from hygate_app.services.device_sessions import SessionDeps
from tests.support.fakes import RecordingQueue, RecordingUpdates
from tests.support.live_server import LiveServer
from tests.support.recovery import WASHER, age, paid_wash, running_wash, sim

S = DeviceSessionStatus


def run(db, deps, **kwargs) -> dict:
    return reconciliation.reconcile(lambda: nullcontext(db), deps, **kwargs)


def relay(shelly_url: str, shelly_id: str = WASHER) -> dict:
    devices = httpx.get(f"{shelly_url}/_sim/devices").json()["devices"]
    return next(d for d in devices if d["id"] == shelly_id)["relays"][0]


def commands(shelly_url: str) -> list[dict]:
    return httpx.get(f"{shelly_url}/_sim/commands").json()["commands"]


def controls(shelly_url: str) -> list[str]:
    return [c["params"]["turn"] for c in commands(shelly_url) if c["endpoint"].endswith("relay/control")]


def audits(db, action: str) -> list[AuditLog]:
    return db.exec(select(AuditLog).where(AuditLog.action == action)).all()


def test_a_relay_on_that_nobody_paid_for_is_switched_off_and_audited(db, demo, deps, shelly_sim):
    sim(shelly_sim, f"devices/{WASHER}/relay", {"on": True})
    summary = run(db, deps)
    assert relay(shelly_sim.url)["on"] is False
    [entry] = audits(db, "device.relay_off_unpaid")
    washer = db.exec(select(Device).where(Device.shelly_device_id == WASHER)).one()
    assert entry.target_id == str(washer.id)
    assert (washer.relay_on, washer.online) == (False, True)
    assert summary["unpaid_off"] == 1 and summary["read"] == 2
    # bulk read, the relay read again before acting, the OFF and its read-back
    assert summary["api_calls"] == len(commands(shelly_sim.url)) == 4
    assert run(db, deps)["unpaid_off"] == 0


def test_a_paid_session_whose_relay_is_not_on_yet_is_left_to_its_relay_job(db, demo, deps, shelly_sim, gateway):
    paid_wash(db, deps, gateway)  # pending: the relay-ON job has not finished
    sim(shelly_sim, f"devices/{WASHER}/relay", {"on": True})
    assert run(db, deps)["unpaid_off"] == 0
    assert relay(shelly_sim.url)["on"] is True
    assert controls(shelly_sim.url) == []


def test_a_paid_relay_found_off_is_switched_on_again_with_the_auto_off_for_the_time_left(db, demo, deps, shelly_sim,
                                                                                          gateway):
    session = running_wash(db, deps, gateway)
    sim(shelly_sim, f"devices/{WASHER}/relay", {"on": False})  # a power cut, a reboot
    summary = run(db, deps)
    db.refresh(session)
    assert session.status == S.active
    assert summary["restored"] == 1
    now_on = relay(shelly_sim.url)
    assert now_on["on"] is True
    left = (session.ends_at - utcnow()).total_seconds()
    assert left < now_on["auto_off_remaining"] <= math.ceil(left) + deps.auto_off_margin_seconds + 1
    [entry] = audits(db, "device_session.relay_restored")
    assert entry.target_id == str(session.id)
    assert db.exec(select(Refund)).all() == []


def test_a_relay_that_does_not_follow_fails_the_session_and_refunds_the_unused_minutes_once(db, demo, deps,
                                                                                            shelly_sim, gateway):
    session = running_wash(db, deps, gateway)  # 45 minutes for 4.50
    age(db, session, minutes=17, seconds=20, seen_after=920)  # seen by the previous pass, 2 minutes ago
    sim(shelly_sim, "devices", {"id": WASHER, "name": "Washer 1", "stuck": True})  # relay OFF, and it stays OFF
    summary = run(db, deps)
    db.refresh(session)
    assert session.status == S.failed
    assert summary["failed"] == 1
    assert session.unused_seconds == 2700 - 920  # delivery stopped at most at the last sight of it working
    [refund] = db.exec(select(Refund)).all()
    assert refund.amount_minor == 296  # 4.50 × 1780 / 2700 = 2.9667, rounded down
    assert refund.idempotency_key.endswith(":unused-minutes")
    assert deps.queue.named("jobs.refunds.send_refund") == [(refund.id,)]
    payment = db.get(Payment, session.payment_id)
    assert payment.guest_token in deps.updates.tokens
    run(db, deps)
    assert len(db.exec(select(Refund)).all()) == 1


def test_one_offline_read_records_the_device_offline_and_ends_nothing(db, demo, deps, shelly_sim, gateway):
    session = running_wash(db, deps, gateway)
    age(db, session, minutes=30)
    sim(shelly_sim, f"devices/{WASHER}/online", {"online": False})
    summary = run(db, deps)
    db.refresh(session)
    washer = db.get(Device, session.device_id)
    assert (washer.online, washer.relay_on) == (False, None)
    assert session.status == S.active
    assert summary["offline"] == 1 and summary["interrupted"] == 0


def test_a_device_offline_on_two_reads_and_unseen_for_five_minutes_interrupts_with_a_free_restart(
        db, demo, deps, shelly_sim, gateway):
    session = running_wash(db, deps, gateway)
    sim(shelly_sim, f"devices/{WASHER}/online", {"online": False})
    run(db, deps)
    age(db, session, minutes=4)
    assert run(db, deps)["interrupted"] == 0  # offline twice, but seen 4 minutes ago
    last_seen = age(db, session, minutes=5)
    summary = run(db, deps)
    db.refresh(session)
    assert summary["interrupted"] == 1
    assert session.status == S.interrupted
    assert session.interrupted_at == last_seen
    assert session.unused_seconds == math.floor((session.ends_at - last_seen).total_seconds())
    assert timedelta(minutes=9) < session.restart_until - utcnow() <= timedelta(minutes=10)
    [(when, func, args, _)] = [job for job in deps.queue.scheduled if job[1].startswith("jobs.restart_offers")]
    assert (when, func, args) == (session.restart_until, "jobs.restart_offers.end_restart_offer", (session.id,))
    assert db.exec(select(Refund)).all() == []  # the refund waits for the end of the offer
    [entry] = audits(db, "device_session.interrupted")
    assert entry.target_id == str(session.id)


def test_an_interrupted_session_whose_relay_is_on_again_resumes_to_its_end(db, demo, deps, shelly_sim, gateway):
    session = running_wash(db, deps, gateway)
    sim(shelly_sim, f"devices/{WASHER}/online", {"online": False})
    run(db, deps)
    age(db, session, minutes=6)
    run(db, deps)
    db.refresh(session)
    assert session.status == S.interrupted
    paid_end = session.ends_at
    sim(shelly_sim, f"devices/{WASHER}/online", {"online": True})  # only its cloud link was lost: still ON
    summary = run(db, deps)
    db.refresh(session)
    assert summary["resumed"] == 1
    assert (session.status, session.ends_at, session.restart_until) == (S.active, paid_end, None)
    assert relay(shelly_sim.url)["on"] is True
    assert audits(db, "device_session.resumed")
    assert any(job[1] == "jobs.relay.switch_relay_off" and job[0] == paid_end for job in deps.queue.scheduled)


def test_a_failing_cloud_stops_the_pass_changes_nothing_and_keeps_the_cursor(db, demo, deps, shelly_sim):
    sim(shelly_sim, f"devices/{WASHER}/relay", {"on": True})
    sim(shelly_sim, "faults", {"mode": "error500", "count": 3})  # every in-call attempt
    summary = run(db, deps, cursor=7)
    assert summary["error"] and summary["next_cursor"] == 7
    assert relay(shelly_sim.url)["on"] is True
    assert db.exec(select(Device)).first().last_seen_at is None


def add_devices(db, count: int, *, relay_on: bool | None = False) -> list[Device]:
    location = db.exec(select(Location)).first()
    first = len(db.exec(select(Device)).all())
    devices = [catalogue.add_device(db, location_id=location.id, name=f"Dryer {i}", shelly_device_id=f"shelly-x-{i}",
                                    plans=[]) for i in range(first, first + count)]
    for device in devices:
        device.relay_on = relay_on
    db.commit()
    return devices


def test_each_pass_reads_the_devices_in_use_or_maybe_on_and_a_rotating_slice_of_the_rest(db, demo, deps, gateway):
    for device in db.exec(select(Device)).all():
        device.relay_on = False
    db.commit()
    in_use = running_wash(db, deps, gateway).device_id
    believed_on, unknown = add_devices(db, 1, relay_on=True)[0], add_devices(db, 1, relay_on=None)[0]
    rest = [d.id for d in db.exec(select(Device).where(Device.relay_on == False).order_by(Device.id))]  # noqa: E712
    assert len(rest) == 1  # the sauna; now 24 more
    rest += [d.id for d in add_devices(db, 24)]

    first = reconciliation.plan_reads(db, cursor=0, read_calls=2)
    assert [d.id for d in first.priority] == sorted([in_use, believed_on.id, unknown.id])
    assert [d.id for d in first.sweep] == rest[:17]  # 20 reads in two calls, 3 of them taken by priority
    second = reconciliation.plan_reads(db, cursor=first.next_cursor, read_calls=2)
    assert [d.id for d in second.sweep] == rest[17:] + rest[:9]  # round again from the start
    assert reconciliation.plan_reads(db, cursor=second.next_cursor, read_calls=2).sweep[0].id == rest[9]
    # Priority devices are read even beyond the budget; the sweep then waits where it was.
    starved = reconciliation.plan_reads(db, cursor=second.next_cursor, read_calls=0)
    assert (len(starved.priority), starved.sweep, starved.next_cursor) == (3, [], second.next_cursor)


def test_a_pass_keeps_under_one_request_a_second_and_counts_its_calls(db, demo):
    """25 devices and one unpaid relay, against a cloud enforcing one request a second."""
    cloud = LiveServer()
    specs = [{"id": "shelly-demo-washer", "name": "Washer"}, {"id": "shelly-demo-sauna", "name": "Sauna"}]
    specs += [{"id": f"shelly-x-{i}", "name": f"Dryer {i}"} for i in range(2, 25)]  # what add_devices names them
    cloud.start(create_shelly_simulator("unit-key", specs, rate_limit_per_second=1))
    try:
        add_devices(db, 23)
        httpx.post(f"{cloud.url}/_sim/devices/shelly-x-5/relay", json={"on": True}).raise_for_status()
        deps = SessionDeps(shelly=ShellyClient(cloud.url, "unit-key", min_interval=1.0), queue=RecordingQueue(),
                           updates=RecordingUpdates())
        summary = run(db, deps)
        calls = commands(cloud.url)
    finally:
        cloud.stop()
    assert summary["read"] == 25 and summary["unpaid_off"] == 1
    assert summary["api_calls"] == len(calls) == 3 + 3  # three bulk reads; read again, OFF, read-back
    assert {c["outcome"] for c in calls} == {"ok"}  # the cloud refused nothing
    times = [c["at"] for c in calls]
    assert all(later - earlier >= 1.0 for earlier, later in zip(times, times[1:], strict=False))


@pytest.mark.parametrize(("amount", "unused", "paid", "refund"), [
    (450, 1000, 2700, 166),  # 166.67 rounded down
    (100, 59, 60, 98),  # 98.33
    (100, 60, 60, 100),
    (100, 0, 60, 0),
    (100, 90, 60, 100),  # never more than was paid
    (1, 30, 60, 0),  # half a cent is no cent
    (99_999, 2699, 2700, 99_961),
])
def test_pro_rata_refunds_round_down_to_the_minor_unit(amount, unused, paid, refund):
    from hygate_app.services.refunds import pro_rata_minor

    assert pro_rata_minor(amount, unused, paid) == refund

