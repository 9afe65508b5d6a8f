"""Locations in the admin: listed with what they hold, unique names, real time zones, deleted only when empty."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from hygate_app.models import AuditLog, Device, Door, Location
from hygate_app.services import audit, catalogue_admin, locations
from hygate_app.services.errors import Conflict, InvalidInput, NotFound

ADMIN = audit.Actor("user", "7", "203.0.113.9", "test browser")


def audit_rows(db, action: str) -> list[AuditLog]:
    return list(db.exec(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)).all())


def details(row: AuditLog) -> dict:
    return json.loads(row.details)


def demo_location(db) -> Location:
    return db.exec(select(Location).where(Location.name == "Demo Laundry")).one()


def test_locations_are_listed_by_name_with_their_door_and_device_counts(db, demo):
    locations.create_location(db, ADMIN, "annex", "Europe/Paris")
    listed = locations.list_locations(db)
    assert [(r.name, r.timezone, r.door_count, r.device_count) for r in listed] == [
        ("annex", "Europe/Paris", 0, 0),
        ("Demo Laundry", "Europe/Berlin", 1, 2),
    ]


def test_creating_a_location_is_audited_with_its_name_and_time_zone(db):
    row = locations.create_location(db, ADMIN, "  Gym   Floor 2 ", "Europe/Vienna")
    assert (row.name, row.timezone, row.door_count, row.device_count) == ("Gym Floor 2", "Europe/Vienna", 0, 0)
    assert db.get(Location, row.id).name == "Gym Floor 2"
    [entry] = audit_rows(db, "location.created")
    assert (entry.actor_type, entry.actor_id, entry.target_id, entry.ip) == ("user", "7", str(row.id), "203.0.113.9")
    assert details(entry) == {"name": "Gym Floor 2", "timezone": "Europe/Vienna"}


def test_location_names_are_unique_whatever_their_case(db, demo):
    with pytest.raises(Conflict, match="already exists"):
        locations.create_location(db, ADMIN, "demo LAUNDRY", "UTC")
    assert len(locations.list_locations(db)) == 1


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_a_location_name_has_1_to_120_characters(db, name):
    with pytest.raises(InvalidInput, match="1 to 120"):
        locations.create_location(db, ADMIN, name, "UTC")
    assert db.exec(select(Location)).all() == []


def test_a_name_of_exactly_120_characters_is_accepted(db):
    assert locations.create_location(db, ADMIN, "x" * 120, "UTC").name == "x" * 120


@pytest.mark.parametrize("timezone", ["Mars/Olympus_Mons", "", "CEST", "europe/berlin"])
def test_an_unknown_time_zone_is_refused(db, timezone):
    with pytest.raises(InvalidInput, match="time zone"):
        locations.create_location(db, ADMIN, "Laundry", timezone)
    assert db.exec(select(Location)).all() == []


def test_renaming_is_audited_with_the_old_and_new_name(db, demo):
    location = demo_location(db)
    row = locations.rename_location(db, ADMIN, location.id, "Laundry North")
    assert (row.name, row.door_count, row.device_count) == ("Laundry North", 1, 2)
    [entry] = audit_rows(db, "location.renamed")
    assert details(entry) == {"name": ["Demo Laundry", "Laundry North"]}


def test_renaming_to_another_locations_name_is_refused(db, demo):
    other = locations.create_location(db, ADMIN, "Annex", "UTC")
    with pytest.raises(Conflict):
        locations.rename_location(db, ADMIN, other.id, "DEMO laundry")
    assert db.get(Location, other.id).name == "Annex"
    assert audit_rows(db, "location.renamed") == []


def test_a_location_may_change_only_the_case_of_its_own_name(db, demo):
    location = demo_location(db)
    assert locations.rename_location(db, ADMIN, location.id, "DEMO LAUNDRY").name == "DEMO LAUNDRY"


def test_renaming_to_the_same_name_writes_no_audit_row(db, demo):
    locations.rename_location(db, ADMIN, demo_location(db).id, "Demo Laundry")
    assert audit_rows(db, "location.renamed") == []


def test_changing_the_time_zone_is_audited_with_old_and_new(db, demo):
    location = demo_location(db)
    row = locations.set_location_timezone(db, ADMIN, location.id, "America/New_York")
    assert row.timezone == "America/New_York"
    assert db.get(Location, location.id).timezone == "America/New_York"
    [entry] = audit_rows(db, "location.timezone_changed")
    assert details(entry) == {"timezone": ["Europe/Berlin", "America/New_York"]}


def test_a_bad_time_zone_leaves_the_location_as_it_was(db, demo):
    location = demo_location(db)
    with pytest.raises(InvalidInput):
        locations.set_location_timezone(db, ADMIN, location.id, "Berlin")
    db.refresh(location)
    assert location.timezone == "Europe/Berlin"


def test_deleting_an_empty_location_removes_it_and_is_audited(db, demo):
    row = locations.create_location(db, ADMIN, "Annex", "UTC")
    locations.delete_location(db, ADMIN, row.id)
    assert db.get(Location, row.id) is None
    [entry] = audit_rows(db, "location.deleted")
    assert (entry.target_id, details(entry)) == (str(row.id), {"name": "Annex", "timezone": "UTC"})
    assert audit.first_broken_row(db) is None


def test_a_location_with_doors_or_devices_is_not_deleted_and_says_how_many_remain(db, demo):
    location = demo_location(db)
    with pytest.raises(Conflict, match="still has 1 door and 2 devices"):
        locations.delete_location(db, ADMIN, location.id)
    assert db.get(Location, location.id) is not None
    assert audit_rows(db, "location.deleted") == []


def test_a_location_whose_things_moved_away_but_that_has_payments_is_not_deleted(db, payment):
    old = demo_location(db)
    new = locations.create_location(db, ADMIN, "New home", "Europe/Berlin")
    for device in db.exec(select(Device)).all():
        catalogue_admin.update_device(db, ADMIN, device.id, location_id=new.id)
    for door in db.exec(select(Door)).all():
        catalogue_admin.update_door(db, ADMIN, door.id, location_id=new.id)
    with pytest.raises(Conflict, match="payment history"):
        locations.delete_location(db, ADMIN, old.id)
    assert db.get(Location, old.id) is not None


@pytest.mark.parametrize("call", [
    lambda db: locations.rename_location(db, ADMIN, 999, "Nowhere"),
    lambda db: locations.set_location_timezone(db, ADMIN, 999, "UTC"),
    lambda db: locations.delete_location(db, ADMIN, 999),
])
def test_an_unknown_location_is_not_found(db, call):
    with pytest.raises(NotFound):
        call(db)
