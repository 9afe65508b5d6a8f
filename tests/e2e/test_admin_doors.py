"""The Doors module in a browser: the list's filter and pages, a door's price, currency, access time and mode."""

from __future__ import annotations

import json

from sqlmodel import select

from hygate_app.models import AuditLog, DoorMode, Role, TwoFactorMethod
from tests.support.records import named, new_door, new_location
from tests.support.staff import new_staff
from tests.support.staff_browser import LAPTOP, open_module, signed_in


def test_admin_changes_a_doors_price_access_time_and_mode(stack, pg, phone):
    phone.set_viewport_size(LAPTOP)
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    door = new_door(pg, new_location(pg, name=named("Gym")), name=named("Side gate"))
    pg.commit()
    signed_in(phone, stack.url, admin)
    open_module(phone, "nav-doors")
    assert "not available yet" in phone.locator("#ttlock-sync-unavailable").inner_text()
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
    phone.locator("#location-filter").select_option(label=hotel.name)
    phone.locator("#apply-filter").click()
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
