"""The Doors module in a browser: the list's filter, pages and sorting, a door's price, currency, access time and
mode; the TTLock sync and import with progress, passage mode reaching the simulator's lock, the access history,
and what an operator may do."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import httpx
from sqlmodel import select

from hygate_app.config import get_settings
from hygate_app.models import AuditLog, Door, DoorAccessStatus, DoorMode, Role, TwoFactorMethod
from hygate_app.models.columns import utcnow
from tests.support.records import grant_access, named, new_device, new_door, new_location
from tests.support.staff import new_staff
from tests.support.staff_browser import (
    LAPTOP,
    filter_by_location,
    nav_offers,
    open_module,
    signed_in,
    was_seen,
    watch_for,
)

control = httpx.Client(timeout=5)


def ttlock() -> str:
    """The TTLock simulator of the test stack (the whole account is shared by the session's tests)."""
    return get_settings().ttlock_base


def new_lock(**spec) -> int:
    """A lock of its own in the simulator's account, with an id no other test uses."""
    lock_id = random.randrange(72_000_000, 79_000_000)
    control.post(f"{ttlock()}/_sim/locks", json={"id": lock_id, **spec}).raise_for_status()
    return lock_id


def sim_lock(lock_id: int) -> dict:
    return next(lock for lock in control.get(f"{ttlock()}/_sim/locks").json()["locks"] if lock["id"] == lock_id)


def test_admin_changes_a_doors_price_access_time_and_mode(stack, pg, phone):
    phone.set_viewport_size(LAPTOP)
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    door = new_door(pg, new_location(pg, name=named("Gym")), name=named("Side gate"))
    pg.commit()
    signed_in(phone, stack.url, admin)
    open_module(phone, "nav-doors")
    phone.locator("#search").fill(door.name)
    phone.locator("#apply-filter").click()
    phone.locator("#door-list .door-link", has_text=door.name).click()
    phone.locator("#door-price-input").wait_for()
    assert phone.locator("#door-price-input").input_value() == "2.00"
    qr = phone.locator("#qr-pdf")
    assert (qr.get_attribute("href"), qr.get_attribute("target")) == (f"/api/admin/qr/door/{door.id}.pdf", "_blank")

    # Wrong values: a message, nothing saved.
    phone.locator("#door-price-input").fill("abc")
    phone.locator("#save-door").click()
    phone.locator("#error", has_text="Enter the price as a number").wait_for()
    phone.locator("#door-price-input").fill("3.50")
    phone.locator("#door-minutes").fill("-5")
    phone.locator("#save-door").click()
    phone.locator("#error", has_text="The access time must be between 1").wait_for()
    pg.refresh(door)
    assert (door.price_minor, door.access_minutes) == (200, 60)

    phone.locator("#door-minutes").fill("90")
    phone.locator("#door-currency").fill("CHF")
    phone.locator("#door-mode").select_option("passage")
    phone.locator("#save-door").click()
    phone.locator("#notice", has_text="Door saved.").wait_for()
    pg.refresh(door)
    assert (door.price_minor, door.currency, door.access_minutes, door.mode) == (350, "chf", 90, DoorMode.passage)
    [change] = pg.exec(select(AuditLog).where(AuditLog.action == "door.updated",
                                              AuditLog.target_id == str(door.id))).all()
    assert json.loads(change.details)["price_minor"] == [200, 350]
    assert change.actor_id == str(admin.id)
    assert phone.locator("#door-price").inner_text() == "CHF3.50 for 90 min"


def test_the_door_list_is_filtered_by_location_and_paged(stack, pg, phone):
    phone.set_viewport_size(LAPTOP)
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    hotel = new_location(pg, name=named("Hotel"))
    for n in range(27):
        new_door(pg, hotel, name=f"Room {n:02d}")
    pg.commit()
    signed_in(phone, stack.url, admin)
    open_module(phone, "nav-doors")
    filter_by_location(phone, hotel.name)
    phone.locator("#page-info", has_text="Page 1 of 2 · 27 in all").wait_for()
    assert phone.locator("#door-list tbody tr").count() == 25
    assert phone.locator("#page-previous").is_disabled()
    phone.locator("#page-next").click()
    phone.locator("#page-info", has_text="Page 2 of 2").wait_for()
    assert [t.strip() for t in phone.locator("#door-list .door-link").all_inner_texts()] == ["Room 25", "Room 26"]
    assert phone.locator("#page-next").is_disabled()


def test_an_unknown_door_says_so_and_an_empty_search_shows_the_empty_state(stack, pg, phone):
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    signed_in(phone, stack.url, admin)
    phone.goto(f"{stack.url}/admin/doors/99999999")
    phone.locator("#not-found", has_text="This door does not exist.").wait_for()
    phone.goto(f"{stack.url}/admin/doors")
    phone.locator("#search").fill("no door is called this")
    phone.locator("#apply-filter").click()
    phone.locator(".empty-state", has_text="No doors match.").wait_for()


def names_in_list(phone) -> list[str]:
    return [t.strip() for t in phone.locator("#door-list .door-link").all_inner_texts()]


def test_the_door_list_sorts_by_column_on_the_server(stack, pg, phone):
    phone.set_viewport_size(LAPTOP)
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    site = new_location(pg, name=named("Sorted"))
    new_door(pg, site, name="Bravo", mode="passage", online=False)
    new_door(pg, site, name="Alpha", mode="maintenance")
    new_door(pg, site, name="Charlie", mode="active")
    for name, online in (("Pump B", True), ("Pump A", False)):
        new_device(pg, site, name=name, online=online)
    pg.commit()
    signed_in(phone, stack.url, admin)
    open_module(phone, "nav-doors")
    filter_by_location(phone, site.name)
    phone.locator("#page-info", has_text="3 in all").wait_for()
    assert names_in_list(phone) == ["Alpha", "Bravo", "Charlie"]
    phone.locator("#sort-name").click()
    phone.locator("#sort-name[data-sorted='desc']").wait_for()
    assert names_in_list(phone) == ["Charlie", "Bravo", "Alpha"]
    phone.locator("#sort-online").click()
    phone.locator("#sort-online[data-sorted='asc']").wait_for()
    assert names_in_list(phone) == ["Bravo", "Alpha", "Charlie"]  # offline first
    phone.locator("#sort-mode").click()
    phone.locator("#sort-mode[data-sorted='asc']").wait_for()
    assert names_in_list(phone) == ["Charlie", "Alpha", "Bravo"]  # active, maintenance, passage

    open_module(phone, "nav-devices")
    phone.locator("#sync-devices").wait_for()  # on the devices page (the doors page's filter has the same id)
    filter_by_location(phone, site.name)
    phone.locator("#page-info", has_text="2 in all").wait_for()
    devices = phone.locator("#device-list .device-link")
    assert [t.strip() for t in devices.all_inner_texts()] == ["Pump A", "Pump B"]
    phone.locator("#sort-name").click()
    phone.locator("#sort-name[data-sorted='desc']").wait_for()
    assert [t.strip() for t in devices.all_inner_texts()] == ["Pump B", "Pump A"]
    phone.locator("#sort-online").click()
    phone.locator("#sort-online[data-sorted='asc']").wait_for()
    assert [t.strip() for t in devices.all_inner_texts()] == ["Pump A", "Pump B"]


def test_passage_mode_reaches_the_lock_and_a_lock_that_cannot_be_told_is_said(stack, pg, phone):
    phone.set_viewport_size(LAPTOP)
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    lock_id = new_lock(alias="Passage test", battery=66)
    door = new_door(pg, new_location(pg, name=named("Lobby")), name=named("Lobby door"))
    door.ttlock_lock_id = str(lock_id)
    pg.commit()
    signed_in(phone, stack.url, admin)
    phone.goto(f"{stack.url}/admin/doors/{door.id}")
    phone.locator("#lock-id", has_text=str(lock_id)).wait_for()
    assert phone.locator("#lock-synced").inner_text().strip().endswith("never")

    phone.locator("#door-mode").select_option("passage")
    phone.locator("#save-door").click()
    phone.locator("#notice", has_text="Door saved.").wait_for()
    assert sim_lock(lock_id)["passage_mode"] is True
    pg.refresh(door)
    assert door.mode == DoorMode.passage
    [pushed] = pg.exec(select(AuditLog).where(AuditLog.action == "door.passage_mode_pushed",
                                              AuditLog.target_id == str(door.id))).all()
    assert json.loads(pushed.details)["passage_mode"] == "on"

    # The gateway goes offline: taking the door out of passage mode cannot reach the lock, and the page says so.
    control.post(f"{ttlock()}/_sim/locks/{lock_id}", json={"gateway_online": False}).raise_for_status()
    phone.locator("#door-mode").select_option("active")
    phone.locator("#save-door").click()
    phone.locator("#error", has_text="The lock was not told to turn passage mode off").wait_for()
    assert "gateway is offline" in phone.locator("#error").inner_text()
    pg.refresh(door)
    assert door.mode == DoorMode.passage
    assert sim_lock(lock_id)["passage_mode"] is True
    [failed] = pg.exec(select(AuditLog).where(AuditLog.action == "door.passage_mode_failed",
                                              AuditLog.target_id == str(door.id))).all()
    assert json.loads(failed.details)["passage_mode"] == "off"
    assert failed.actor_id == str(admin.id)


def test_the_door_detail_shows_its_access_history_newest_first(stack, pg, phone):
    phone.set_viewport_size(LAPTOP)
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    door = new_door(pg, new_location(pg, name=named("Spa")), name=named("Spa door"))
    start = utcnow().replace(microsecond=0) - timedelta(days=30)
    accesses = [grant_access(pg, door, start + timedelta(hours=n)) for n in range(12)]
    accesses[-1].status = DoorAccessStatus.active
    pg.commit()
    signed_in(phone, stack.url, admin)
    phone.goto(f"{stack.url}/admin/doors/{door.id}")
    phone.locator("#history-info", has_text="Page 1 of 2 · 12 in all").wait_for()
    links = phone.locator("#door-history .access-link")
    newest = list(reversed(accesses))
    assert [t.strip() for t in links.all_inner_texts()] == [f"#{a.id}" for a in newest[:10]]
    assert links.first.get_attribute("href") == f"/admin/sessions/door/{newest[0].id}"
    phone.locator("#history-next").click()
    phone.locator("#history-info", has_text="Page 2 of 2").wait_for()
    assert [t.strip() for t in links.all_inner_texts()] == [f"#{a.id}" for a in newest[10:]]
    links.first.click()
    phone.wait_for_url(f"**/admin/sessions/door/{newest[10].id}")


def test_an_operator_syncs_from_ttlock_and_imports_a_lock_with_progress(stack, pg, phone):
    phone.set_viewport_size(LAPTOP)
    operator = new_staff(pg, Role.operator, TwoFactorMethod.email)
    known_lock = new_lock(alias="Known lock", battery=90)
    new_lock_id = new_lock(alias="Lock from the cloud", battery=47, has_gateway=False, supports_qr=True)
    known = new_door(pg, new_location(pg, name=named("Annex")), name=named("Annex door"))
    known.ttlock_lock_id = str(known_lock)
    location = new_location(pg, name=named("Garden"))
    pg.commit()
    control.post(f"{ttlock()}/_sim/locks/{known_lock}", json={"battery": 12, "passage_mode": True}).raise_for_status()
    signed_in(phone, stack.url, operator)
    assert nav_offers(phone, "nav-doors") and not nav_offers(phone, "nav-integrations")
    open_module(phone, "nav-doors")

    watch_for(phone, "#sync-progress")
    phone.locator("#sync-doors").click()
    phone.locator("#sync-summary", has_text="TTLock checked").wait_for(timeout=60_000)
    assert was_seen(phone)  # progress was shown while it worked
    phone.locator("#sync-progress").wait_for(state="detached")  # and gone once it is over
    pg.refresh(known)
    assert (known.battery_percent, known.online) == (12, True)

    offered = phone.locator(".cloud-lock").filter(has=phone.locator(f"input[value='{new_lock_id}']"))
    offered.get_by_label("Name").fill("Garden gate")
    offered.get_by_label("Location").select_option(label=location.name)
    offered.get_by_label("Price").fill("3.50")
    offered.get_by_label("Access minutes").fill("45")
    offered.get_by_role("button", name="Import").click()
    phone.locator("#notice", has_text="“Garden gate” was imported").wait_for()
    assert offered.count() == 0
    imported = pg.exec(select(Door).where(Door.ttlock_lock_id == str(new_lock_id))).one()
    assert (imported.location_id, imported.price_minor, imported.access_minutes, imported.battery_percent) == (
        location.id, 350, 45, 47)
    [created] = pg.exec(select(AuditLog).where(AuditLog.action == "door.created",
                                               AuditLog.target_id == str(imported.id))).all()
    assert created.actor_id == str(operator.id)

    phone.goto(f"{stack.url}/admin/doors/{known.id}")
    phone.locator("#lock-battery", has_text="12%").wait_for()
    assert phone.locator("#lock-passage").inner_text().strip().endswith("on")
    assert "exact to the minute" in phone.locator("#door-credential").inner_text()
    # The lock is open while Hygate sells the door: staff are told, and may send the door's mode to the lock.
    phone.locator("#lock-mismatch").wait_for()
    phone.locator("#resend-mode").click()
    phone.locator("#notice", has_text="The lock accepted the door's mode.").wait_for()
    assert sim_lock(known_lock)["passage_mode"] is False
    assert phone.locator("#lock-mismatch").count() == 0
