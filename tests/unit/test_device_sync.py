"""Sync from Shelly Cloud against the simulator: known devices get the cloud's online and relay state, the
account's other devices are offered for import, and an import is audited and sells nothing until it has a plan."""

from __future__ import annotations

import json
from contextlib import nullcontext

import httpx
import pytest
from sqlmodel import select

from hygate_app.integrations.shelly import ShellyClient
from hygate_app.integrations.simulators.shelly_sim import create_shelly_simulator
from hygate_app.models import AuditLog, Device, Location, UsagePlan
from hygate_app.services import audit, catalogue, device_sync
from hygate_app.services.device_sync import CloudDevice
from hygate_app.services.errors import Conflict, NotFound, Unavailable
from tests.support.live_server import LiveServer

ACTOR = audit.Actor("user", "7", "198.51.100.9", "test browser")


@pytest.fixture
def cloud(shelly_sim: LiveServer) -> str:
    httpx.post(f"{shelly_sim.url}/_sim/reset").raise_for_status()
    return shelly_sim.url


@pytest.fixture
def shelly(cloud: str) -> ShellyClient:
    return ShellyClient(cloud, "unit-key", min_interval=0)


def put(cloud: str, device_id: str, name: str, **spec) -> None:
    httpx.post(f"{cloud}/_sim/devices", json={"id": device_id, "name": name, **spec}).raise_for_status()


def run(db, shelly) -> list[device_sync.SyncProgress]:
    return list(device_sync.sync_devices(shelly, lambda: nullcontext(db)))


def by_shelly_id(db, shelly_id: str) -> Device:
    db.expire_all()
    return db.exec(select(Device).where(Device.shelly_device_id == shelly_id)).one()


def test_sync_refreshes_known_devices_and_offers_the_others(db, demo, cloud, shelly):
    httpx.post(f"{cloud}/_sim/devices/shelly-demo-washer/relay", json={"on": True}).raise_for_status()
    httpx.post(f"{cloud}/_sim/devices/shelly-demo-sauna/online", json={"online": False}).raise_for_status()
    put(cloud, "shelly-dryer-9", "Dryer 9")
    audit_rows = len(db.exec(select(AuditLog)).all())

    steps = run(db, shelly)

    assert [(s.done, s.total) for s in steps] == [(0, 2), (2, 2), (2, 2)]
    assert all(s.report is None for s in steps[:-1])
    report = steps[-1].report
    assert report.new == [CloudDevice("shelly-dryer-9", "Dryer 9", True, False)]
    assert (report.refreshed, report.missing) == (2, [])
    washer, sauna = by_shelly_id(db, "shelly-demo-washer"), by_shelly_id(db, "shelly-demo-sauna")
    assert (washer.online, washer.relay_on, washer.last_seen_at is not None) == (True, True, True)
    assert (sauna.online, sauna.relay_on, sauna.last_seen_at) == (False, None, None)
    assert len(db.exec(select(AuditLog)).all()) == audit_rows  # observed state is not a setting


def test_a_device_the_account_no_longer_lists_is_marked_offline(db, demo, cloud, shelly):
    location = db.exec(select(Location)).first()
    gone = catalogue.add_device(db, location_id=location.id, name="Old dryer", shelly_device_id="shelly-gone",
                                plans=[catalogue.PlanSpec("Dry", 30, 200)])
    report = run(db, shelly)[-1].report
    assert report.missing == ["Old dryer"]
    gone = by_shelly_id(db, "shelly-gone")
    assert (gone.online, gone.relay_on) == (False, None)
    assert catalogue.device_offer(db, gone.uid).unavailable_reason == "offline"


def test_many_devices_are_read_ten_at_a_time_with_progress_after_each_read(db, demo, cloud, shelly):
    location = db.exec(select(Location)).first()
    for n in range(11):
        put(cloud, f"shelly-bulk-{n:02d}", f"Bulk {n}")
        catalogue.add_device(db, location_id=location.id, name=f"Bulk {n}", shelly_device_id=f"shelly-bulk-{n:02d}",
                             plans=[])
    steps = run(db, shelly)
    assert [(s.done, s.total) for s in steps] == [(0, 13), (10, 13), (13, 13), (13, 13)]
    commands = httpx.get(f"{cloud}/_sim/commands").json()["commands"]
    bulk = [c for c in commands if c["endpoint"] == "/v2/devices/api/get"]
    assert len(bulk) == 2
    assert all(by_shelly_id(db, f"shelly-bulk-{n:02d}").online for n in range(11))


def test_a_device_on_the_second_channel_is_read_on_its_own_channel(db, demo, cloud, shelly):
    put(cloud, "shelly-duo", "Duo", gen=2, channels=2)
    httpx.post(f"{cloud}/_sim/devices/shelly-duo/relay", json={"on": True, "channel": 1}).raise_for_status()
    location = db.exec(select(Location)).first()
    device = catalogue.add_device(db, location_id=location.id, name="Duo right", shelly_device_id="shelly-duo",
                                  plans=[])
    device.channel = 1
    db.add(device)
    db.commit()
    steps = run(db, shelly)
    assert [(s.done, s.total) for s in steps] == [(0, 3), (2, 3), (3, 3), (3, 3)]
    assert by_shelly_id(db, "shelly-duo").relay_on is True  # channel 0 is off


def test_an_import_registers_the_device_in_the_location_audited_and_not_for_sale(db, demo, cloud, shelly):
    put(cloud, "shelly-dryer-9", "Dryer 9")
    httpx.post(f"{cloud}/_sim/devices/shelly-dryer-9/relay", json={"on": True}).raise_for_status()
    location = db.exec(select(Location)).first()

    device = device_sync.import_device(db, ACTOR, shelly, " shelly-dryer-9 ", location.id, "Dryer nine")

    assert (device.name, device.location_id, device.shelly_device_id) == ("Dryer nine", location.id, "shelly-dryer-9")
    assert (device.online, device.relay_on) == (True, True)
    assert db.exec(select(UsagePlan).where(UsagePlan.device_id == device.id)).all() == []
    offer = catalogue.device_offer(db, device.uid)
    assert (offer.plans, offer.sellable) == ([], False)
    [row] = db.exec(select(AuditLog).where(AuditLog.action == "device.created")).all()
    assert (row.actor_type, row.actor_id, row.target_id) == ("user", "7", str(device.id))
    assert json.loads(row.details)["shelly_device_id"] == "shelly-dryer-9"
    assert run(db, shelly)[-1].report.new == []  # no longer offered


def test_importing_an_id_the_cloud_does_not_know_creates_nothing(db, demo, cloud, shelly):
    location = db.exec(select(Location)).first()
    with pytest.raises(NotFound, match="does not know"):
        device_sync.import_device(db, ACTOR, shelly, "shelly-nowhere", location.id, "Ghost")
    assert db.exec(select(Device).where(Device.shelly_device_id == "shelly-nowhere")).first() is None


def test_a_device_cannot_be_imported_twice_nor_into_a_missing_location(db, demo, cloud, shelly):
    location = db.exec(select(Location)).first()
    with pytest.raises(Conflict):
        device_sync.import_device(db, ACTOR, shelly, "shelly-demo-washer", location.id, "Washer again")
    put(cloud, "shelly-dryer-9", "Dryer 9")
    with pytest.raises(NotFound, match="location"):
        device_sync.import_device(db, ACTOR, shelly, "shelly-dryer-9", 999_999, "Dryer")


def test_a_refused_key_or_a_failing_cloud_is_a_message_and_nothing_changes(db, demo, cloud):
    with pytest.raises(Unavailable, match="auth key"):
        run(db, ShellyClient(cloud, "wrong-key", min_interval=0))
    # As many failures as the client's own attempts.
    httpx.post(f"{cloud}/_sim/faults", json={"mode": "error500", "count": 3}).raise_for_status()
    with pytest.raises(Unavailable, match="could not be reached"):
        run(db, ShellyClient(cloud, "unit-key", min_interval=0))
    assert by_shelly_id(db, "shelly-demo-washer").last_seen_at is None


def test_a_rate_limit_refusal_is_tried_again(db, demo):
    """The job worker shares the key's budget: its call just before the sync's first makes the cloud refuse that."""
    server = LiveServer()
    server.start(create_shelly_simulator("unit-key", [{"id": "shelly-demo-washer", "name": "Washer 1"}],
                                         rate_limit_per_second=1))
    try:
        ShellyClient(server.url, "unit-key").get_status("shelly-demo-washer")
        steps = run(db, ShellyClient(server.url, "unit-key", min_interval=1))
        outcomes = [c["outcome"] for c in httpx.get(f"{server.url}/_sim/commands").json()["commands"]]
    finally:
        server.stop()
    assert "rate_limited" in outcomes
    assert steps[-1].report.refreshed == 1
