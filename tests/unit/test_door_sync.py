"""Doors from TTLock against the simulator: the sync refreshes battery, gateway and passage state of known doors and
offers the account's other locks, an import is audited, and passage mode reaches the lock before Hygate's mode
changes (a lock that cannot be told leaves the door as it was, with the failure audited). The TTLock badge is fed
by the client itself: tests/integration/test_integration_health.py."""

from __future__ import annotations

import json
from contextlib import nullcontext

import httpx
import pytest
from sqlmodel import select

from hygate_app.integrations.ttlock import TTLockClient
from hygate_app.models import AuditLog, CredentialKind, Door, DoorMode, Location
from hygate_app.services import audit, door_sync
from hygate_app.services.door_sync import CloudLock
from hygate_app.services.errors import Conflict, InvalidInput, NotFound, Unavailable
from tests.support.live_server import LiveServer
from tests.support.records import new_door
from tests.support.ttlock import TTLOCK_ACCOUNT

ACTOR = audit.Actor("user", "7", "198.51.100.9", "test browser")
FRONT, GYM = "7100001", "7100002"  # the simulator's defaults: with a gateway, and without one
control = httpx.Client(timeout=5)


@pytest.fixture
def cloud(ttlock_sim: LiveServer) -> str:
    control.post(f"{ttlock_sim.url}/_sim/reset").raise_for_status()
    return ttlock_sim.url


@pytest.fixture
def client(cloud: str) -> TTLockClient:
    account = TTLOCK_ACCOUNT
    return TTLockClient(cloud, account["client_id"], account["client_secret"], account["username"],
                        password=account["password"], min_interval=0)


def put_lock(cloud: str, lock_id: int, **spec) -> None:
    control.post(f"{cloud}/_sim/locks", json={"id": lock_id, **spec}).raise_for_status()


def sim_lock(cloud: str, lock_id: str) -> dict:
    return next(lock for lock in control.get(f"{cloud}/_sim/locks").json()["locks"] if str(lock["id"]) == lock_id)


def fault(cloud: str, mode: str, count: int, **more) -> None:
    control.post(f"{cloud}/_sim/faults", json={"mode": mode, "count": count, **more}).raise_for_status()


def run(db, client) -> list[door_sync.SyncProgress]:
    return list(door_sync.sync_doors(client, lambda: nullcontext(db)))


def actions(db, action: str) -> list[AuditLog]:
    return list(db.exec(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)).all())


def door_on(db, location: Location, lock_id: str | None, name: str = "Door", mode: str = "active") -> Door:
    door = new_door(db, location, name=name, mode=mode)
    door.ttlock_lock_id = lock_id
    db.commit()
    return door


def test_sync_refreshes_known_doors_and_offers_the_other_locks(db, demo, cloud, client):
    control.post(f"{cloud}/_sim/locks/{FRONT}", json={"battery": 41, "passage_mode": True}).raise_for_status()
    put_lock(cloud, 7100009, alias="Back gate", battery=55, has_gateway=False, supports_qr=True)
    location = db.exec(select(Location)).first()
    gym = door_on(db, location, GYM, "Gym door")
    audit_rows = len(db.exec(select(AuditLog)).all())

    steps = run(db, client)

    assert [(s.done, s.total) for s in steps] == [(0, 2), (1, 2), (2, 2), (2, 2)]
    assert all(s.report is None for s in steps[:-1])
    report = steps[-1].report
    assert report.new == [CloudLock("7100009", "Back gate", 55, False, True)]
    assert (report.refreshed, report.missing) == (2, [])
    db.expire_all()
    front = db.exec(select(Door).where(Door.uid == "demo-door")).one()
    assert (front.battery_percent, front.online, front.credential_kind) == (41, True, CredentialKind.passcode)
    state = door_sync.lock_state(db, FRONT)
    assert (state.passage_mode, state.has_gateway, state.gateway_online, state.in_account) == (True, True, True, True)
    db.refresh(gym)
    # No gateway: the cloud cannot reach the lock, so it counts as offline; its passcodes are cloud ones.
    assert (gym.battery_percent, gym.online) == (75, False)
    assert door_sync.credential_summary(door_sync.lock_state(db, GYM)).startswith("Cloud passcode valid on whole")
    assert len(db.exec(select(AuditLog)).all()) == audit_rows  # observed state is not a setting


def test_a_door_whose_lock_left_the_account_is_marked_offline(db, demo, cloud, client):
    location = db.exec(select(Location)).first()
    gone = door_on(db, location, "7199999", "Old gate")
    report = run(db, client)[-1].report
    assert report.missing == ["Old gate"]
    assert report.refreshed == 1
    db.refresh(gone)
    assert gone.online is False


def test_a_failing_cloud_stops_the_sync_with_a_message(db, demo, cloud, client):
    fault(cloud, "error500", 3)  # as many as the client's attempts
    with pytest.raises(Unavailable, match="TTLock could not be reached"):
        run(db, client)

    fault(cloud, "error500", 2)  # the client retries two refusals itself: the third call goes through
    assert run(db, client)[-1].report.refreshed == 1


def test_a_refused_account_says_to_check_the_settings(db, demo, cloud):
    wrong = TTLockClient(cloud, TTLOCK_ACCOUNT["client_id"], TTLOCK_ACCOUNT["client_secret"],
                         TTLOCK_ACCOUNT["username"], password="not the password", min_interval=0)
    with pytest.raises(Unavailable, match="check the TTLock integration settings"):
        run(db, wrong)


def test_import_creates_an_audited_door_with_the_locks_state(db, demo, cloud, client):
    put_lock(cloud, 7100011, alias="Pool", battery=80, has_gateway=True, supports_qr=True, passage_mode=True)
    location = db.exec(select(Location)).first()

    door = door_sync.import_door(db, ACTOR, client, "7100011", location.id, "  Pool entrance ", 350, "CHF", 90)

    assert (door.name, door.ttlock_lock_id, door.location_id) == ("Pool entrance", "7100011", location.id)
    assert (door.price_minor, door.currency, door.access_minutes) == (350, "chf", 90)
    # Already open on the lock: Hygate does not sell it.
    assert (door.mode, door.online, door.battery_percent, door.credential_kind) == (
        DoorMode.passage, True, 80, CredentialKind.qr)
    assert len(door.uid) >= 8 and len(door.display_code) == 6
    [created] = actions(db, "door.created")
    assert (created.target_id, created.actor_id) == (str(door.id), "7")
    assert json.loads(created.details)["ttlock_lock_id"] == "7100011"
    assert door_sync.credential_summary(door_sync.lock_state(db, "7100011")).startswith("QR code")

    with pytest.raises(Conflict, match="already a door"):
        door_sync.import_door(db, ACTOR, client, "7100011", location.id, "Again")


@pytest.mark.parametrize(("lock_id", "location", "name", "price", "error"), [
    ("7188888", None, "Nowhere", 200, NotFound),  # the account has no such lock
    ("", None, "No lock", 200, NotFound),
    ("7100002", 99999, "Gym", 200, NotFound),
    ("7100002", None, "", 200, InvalidInput),
    ("7100002", None, "Gym", -1, InvalidInput),
])
def test_an_import_that_cannot_be_made_creates_nothing(db, demo, cloud, client, lock_id, location, name, price,
                                                       error):
    location_id = location or db.exec(select(Location)).first().id
    with pytest.raises(error):
        door_sync.import_door(db, ACTOR, client, lock_id, location_id, name, price)
    assert db.exec(select(Door).where(Door.ttlock_lock_id == lock_id)).first() is None
    assert actions(db, "door.created") == []


def save(db, client, door: Door, mode: str, **changes):
    values = {"name": door.name, "location_id": door.location_id, "price_minor": door.price_minor,
              "currency": door.currency, "access_minutes": door.access_minutes, **changes}
    return door_sync.save_door(db, ACTOR, lambda: client, door.id, mode=mode, **values)


def test_passage_mode_reaches_the_lock_before_the_door_changes(db, demo, cloud, client):
    door = db.exec(select(Door).where(Door.uid == "demo-door")).one()

    saved = save(db, client, door, "passage", price_minor=250)

    assert saved.lock_error is None
    assert sim_lock(cloud, FRONT)["passage_mode"] is True
    db.refresh(door)
    assert (door.mode, door.price_minor) == (DoorMode.passage, 250)
    [pushed] = actions(db, "door.passage_mode_pushed")
    assert json.loads(pushed.details) == {"ttlock_lock_id": FRONT, "passage_mode": "on"}
    updates = [json.loads(row.details) for row in actions(db, "door.updated")]
    assert updates == [{"price_minor": [200, 250]}, {"mode": ["active", "passage"]}]

    assert save(db, client, door, "active").lock_error is None
    assert sim_lock(cloud, FRONT)["passage_mode"] is False
    db.refresh(door)
    assert door.mode == DoorMode.active


def test_a_lock_that_cannot_be_told_leaves_the_door_as_it_was(db, demo, cloud, client):
    control.post(f"{cloud}/_sim/locks/{FRONT}", json={"gateway_online": False}).raise_for_status()
    door = db.exec(select(Door).where(Door.uid == "demo-door")).one()

    saved = save(db, client, door, "passage", access_minutes=30)

    assert saved.lock_error == ("The lock was not told to turn passage mode on: the lock's gateway is offline (or it "
                                "has none), so the lock cannot be told.")
    assert sim_lock(cloud, FRONT)["passage_mode"] is False
    db.refresh(door)
    assert (door.mode, door.access_minutes) == (DoorMode.active, 30)  # the other fields were saved
    [failed] = actions(db, "door.passage_mode_failed")
    assert json.loads(failed.details)["passage_mode"] == "on"
    assert "gateway is offline" in json.loads(failed.details)["error"]
    assert [json.loads(row.details) for row in actions(db, "door.updated")] == [{"access_minutes": [60, 30]}]


def test_an_unreachable_cloud_is_a_failed_push(db, demo, cloud, client):
    door = db.exec(select(Door).where(Door.uid == "demo-door")).one()
    door.mode = DoorMode.passage
    db.commit()
    fault(cloud, "error500", 3)
    saved = save(db, client, door, "maintenance")
    assert saved.lock_error.startswith("The lock was not told to turn passage mode off: TTLock could not be reached")
    db.refresh(door)
    assert door.mode == DoorMode.passage
    assert len(actions(db, "door.passage_mode_failed")) == 1


def test_modes_that_do_not_involve_passage_or_a_lock_do_not_call_the_cloud(db, demo, cloud):
    location = db.exec(select(Location)).first()
    no_lock = door_on(db, location, None, "Side door")
    demo_door = db.exec(select(Door).where(Door.uid == "demo-door")).one()

    def no_client():
        raise AssertionError("the cloud was called")

    for door, mode in ((no_lock, "passage"), (demo_door, "maintenance")):
        assert door_sync.save_door(db, ACTOR, no_client, door.id, mode=mode, name=door.name,
                                   location_id=door.location_id, price_minor=door.price_minor,
                                   currency=door.currency, access_minutes=door.access_minutes).lock_error is None
        db.refresh(door)
        assert door.mode == DoorMode(mode)
    with pytest.raises(InvalidInput):
        door_sync.save_door(db, ACTOR, no_client, demo_door.id, mode="open", name="x", location_id=location.id,
                            price_minor=1, currency="eur", access_minutes=1)
    assert actions(db, "door.passage_mode_pushed") == []


def test_resend_pushes_the_doors_mode_again(db, demo, cloud, client):
    door = db.exec(select(Door).where(Door.uid == "demo-door")).one()
    door.mode = DoorMode.passage
    db.commit()
    assert door_sync.resend_passage_mode(db, ACTOR, client, door.id) is None
    assert sim_lock(cloud, FRONT)["passage_mode"] is True
