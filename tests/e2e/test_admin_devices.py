"""The Devices module in a browser: plans, maintenance and moving a device; the Shelly Cloud sync and an import;
force ending a paid session; what an operator may do."""

from __future__ import annotations

import json
import re
import uuid

import httpx
from sqlmodel import select

from hygate_app.models import (
    AuditLog,
    Device,
    DeviceMode,
    DeviceSession,
    DeviceSessionStatus,
    Role,
    TwoFactorMethod,
    UsagePlan,
)
from hygate_app.services import catalogue, login_sessions
from tests.support.catalogue import new_device, relay_state
from tests.support.guest_browser import buy_first_plan
from tests.support.records import add_payment, named, new_location
from tests.support.stack import wait_for
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


def plans_of(pg, device_id: int) -> list[UsagePlan]:
    pg.expire_all()
    return list(pg.exec(select(UsagePlan).where(UsagePlan.device_id == device_id)
                        .order_by(UsagePlan.sort_order, UsagePlan.id)).all())


def a_device_with_two_plans(pg) -> Device:
    location = new_location(pg, name=named("Laundry"))
    device = catalogue.add_device(pg, location_id=location.id, name=named("Washer"),
                                  shelly_device_id=f"shelly-{uuid.uuid4().hex[:10]}",
                                  plans=[catalogue.PlanSpec("Quick", 30, 450), catalogue.PlanSpec("Long", 90, 900)])
    return device


def plan_card(page, name: str):
    return page.locator(".plan-row").filter(has=page.locator(".plan-name", has_text=name))


def test_admin_edits_plans_sets_maintenance_and_moves_a_device(stack, pg, phone):
    phone.set_viewport_size(LAPTOP)
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    device = a_device_with_two_plans(pg)
    quick, long_ = plans_of(pg, device.id)
    add_payment(pg, (device, long_))  # "Long" was bought once: it can only be deactivated
    annex = new_location(pg, name=named("Annex"))
    pg.commit()
    signed_in(phone, stack.url, admin)

    open_module(phone, "nav-devices")
    phone.locator("#search").fill(device.name)
    phone.locator("#apply-filter").click()
    phone.locator("#device-list .device-link", has_text=device.name).click()
    phone.locator("#device-name").wait_for()
    qr = phone.locator("#qr-pdf")
    assert qr.get_attribute("href") == f"/api/admin/qr/device/{device.id}.pdf"
    assert qr.get_attribute("target") == "_blank"

    # A wrong value is a message on the page, and nothing is saved.
    new_plan = phone.locator("#new-plan")
    new_plan.get_by_label("Name").fill("Hot wash")
    new_plan.get_by_label("Minutes").fill("60")
    new_plan.get_by_label("Price").fill("abc")
    phone.locator("#add-plan").click()
    phone.locator("#error", has_text="Enter the price as a number").wait_for()
    new_plan.get_by_label("Price").fill("5.50")
    new_plan.get_by_label("Minutes").fill("-5")
    phone.locator("#add-plan").click()
    phone.locator("#error", has_text="The duration must be between 1").wait_for()
    assert len(plans_of(pg, device.id)) == 2

    new_plan.get_by_label("Minutes").fill("60")
    phone.locator("#add-plan").click()
    phone.locator("#notice", has_text="Plan added.").wait_for()
    assert [(p.name, p.duration_minutes, p.price_minor) for p in plans_of(pg, device.id)] == [
        ("Quick", 30, 450), ("Long", 90, 900), ("Hot wash", 60, 550)]

    # Edit a plan.
    card = plan_card(phone, "Quick")
    card.get_by_label("Price").fill("3")
    card.get_by_label("Delay").fill("2")
    card.get_by_role("button", name="Save plan").click()
    phone.locator("#notice", has_text="Plan saved.").wait_for()
    pg.refresh(quick)
    assert (quick.price_minor, quick.delay_minutes) == (300, 2)

    # Reorder with the arrows.
    plan_card(phone, "Hot wash").get_by_role("button", name="Move up").click()
    phone.locator("#notice", has_text="Order saved.").wait_for()
    assert [p.name for p in plans_of(pg, device.id)] == ["Quick", "Hot wash", "Long"]
    phone.locator(".plan-row").first.filter(has_text="Quick").get_by_role("button", name="Move down").click()
    wait_for(lambda: [p.name for p in plans_of(pg, device.id)] == ["Hot wash", "Quick", "Long"], 10,
             message="Quick moved down")
    plan_card(phone, "Hot wash").get_by_role("button", name="Move up", disabled=True).wait_for()  # now first

    # Delete: a bought plan is deactivated, a plan nobody bought is deleted.
    plan_card(phone, "Long").get_by_role("button", name="Delete").click()
    phone.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    phone.locator("#notice", has_text="deactivated instead of deleted").wait_for()
    assert [(p.name, p.active) for p in plans_of(pg, device.id)][-1] == ("Long", False)
    plan_card(phone, "Hot wash").get_by_role("button", name="Delete").click()
    phone.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    phone.locator("#notice", has_text="was deleted").wait_for()
    assert [p.name for p in plans_of(pg, device.id)] == ["Quick", "Long"]

    # Maintenance and a new location, in one save.
    phone.locator("#device-mode").select_option("maintenance")
    phone.locator("#device-location").select_option(label=annex.name)
    phone.locator("#save-device").click()
    phone.locator("#notice", has_text="Device saved.").wait_for()
    pg.refresh(device)
    assert (device.mode, device.location_id) == (DeviceMode.maintenance, annex.id)
    assert catalogue.device_offer(pg, device.uid).unavailable_reason == "maintenance"
    [change] = pg.exec(select(AuditLog).where(AuditLog.action == "device.updated",
                                              AuditLog.target_id == str(device.id))).all()
    assert json.loads(change.details)["mode"] == ["active", "maintenance"]
    assert change.actor_id == str(admin.id)

    # The list shows it, filtered by its new location.
    open_module(phone, "nav-devices")
    filter_by_location(phone, annex.name)
    row = phone.locator("#device-list tr", has_text=device.name)
    row.wait_for()
    assert "maintenance" in row.inner_text() and "€3.00" in row.inner_text()
    assert phone.locator("#page-info").inner_text().endswith("1 in all")


def test_an_unknown_device_says_so(stack, pg, phone):
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    signed_in(phone, stack.url, admin)
    for bogus in ("99999999", "not-a-device"):
        phone.goto(f"{stack.url}/admin/devices/{bogus}")
        phone.locator("#not-found", has_text="This device does not exist.").wait_for()
        assert phone.locator("#save-device").count() == 0


def test_sync_refreshes_the_relay_and_imports_a_new_device_into_a_location(stack, pg, phone):
    phone.set_viewport_size(LAPTOP)
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    known = new_device(pg, stack.shelly)
    httpx.post(f"{stack.shelly}/_sim/devices/{known.shelly_device_id}/relay", json={"on": True},
               timeout=5).raise_for_status()
    shelly_id = f"shelly-new-{uuid.uuid4().hex[:8]}"
    httpx.post(f"{stack.shelly}/_sim/devices", json={"id": shelly_id, "name": "Dryer from the cloud"},
               timeout=5).raise_for_status()
    location = new_location(pg, name=named("Basement"))
    pg.commit()
    signed_in(phone, stack.url, admin)
    open_module(phone, "nav-devices")

    watch_for(phone, "#sync-progress")
    phone.locator("#sync-devices").click()
    phone.locator("#sync-summary", has_text="Shelly Cloud checked").wait_for(timeout=60_000)
    assert was_seen(phone)  # progress was shown while it worked (listing alone takes two paced calls)
    phone.locator("#sync-progress").wait_for(state="detached")  # and gone once it is over
    pg.refresh(known)
    assert (known.online, known.relay_on) == (True, True)

    offered = phone.locator(".cloud-device").filter(has=phone.locator(f"input[value='{shelly_id}']"))
    offered.get_by_label("Name").fill("Dryer 12")
    offered.get_by_label("Location").select_option(label=location.name)
    offered.get_by_role("button", name="Import").click()
    phone.locator("#notice", has_text="“Dryer 12” was imported").wait_for()
    assert offered.count() == 0
    imported = pg.exec(select(Device).where(Device.shelly_device_id == shelly_id)).one()
    assert (imported.name, imported.location_id, imported.online) == ("Dryer 12", location.id, True)
    assert catalogue.device_offer(pg, imported.uid).sellable is False  # no plan yet
    [created] = pg.exec(select(AuditLog).where(AuditLog.action == "device.created",
                                               AuditLog.target_id == str(imported.id))).all()
    assert (created.actor_type, created.actor_id) == ("user", str(admin.id))
    phone.locator("#device-list .device-link", has_text="Dryer 12").wait_for()


def test_a_sync_after_the_session_was_ended_sends_to_sign_in(stack, pg, phone):
    """The sync runs in the background, outside the state lock: its guard must still refuse a stale session."""
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    signed_in(phone, stack.url, admin)
    open_module(phone, "nav-devices")
    phone.locator("#sync-devices").wait_for()
    assert login_sessions.end_all(pg, admin) == 1
    pg.commit()
    phone.locator("#sync-devices").click()
    phone.wait_for_url(re.compile(r"/login/?$"))
    assert phone.locator("#sync-summary").count() == 0


def test_force_end_switches_the_relay_off(stack, pg, phone):
    device = new_device(pg, stack.shelly, minutes=10)
    buy_first_plan(phone, stack, device)
    wait_for(lambda: relay_state(stack.shelly, device.shelly_device_id)["on"], 30, message="relay ON")
    phone.set_viewport_size(LAPTOP)
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    signed_in(phone, stack.url, admin)
    phone.goto(f"{stack.url}/admin/devices/{device.id}")
    phone.locator("#running-session", has_text="active").wait_for()

    phone.locator("#force-end").click()
    phone.get_by_role("alertdialog").get_by_role("button", name="Force end").click()
    phone.locator("#notice", has_text="being switched off").wait_for()
    wait_for(lambda: relay_state(stack.shelly, device.shelly_device_id)["on"] is False, 30, message="relay OFF")

    def ended() -> DeviceSession | None:
        pg.expire_all()
        session = pg.exec(select(DeviceSession).where(DeviceSession.device_id == device.id)).one()
        return session if session.status == DeviceSessionStatus.completed else None

    session = wait_for(ended, 30, message="session completed")
    assert session.end_reason == f"force ended by {admin.email}"
    assert pg.exec(select(AuditLog).where(AuditLog.action == "device_session.force_ended",
                                          AuditLog.target_id == str(session.id))).one().actor_id == str(admin.id)


def test_an_operator_edits_a_device_and_sees_no_settings(stack, pg, phone):
    operator = new_staff(pg, Role.operator, TwoFactorMethod.email)
    device = a_device_with_two_plans(pg)
    pg.commit()
    signed_in(phone, stack.url, operator)
    assert nav_offers(phone, "nav-devices") and nav_offers(phone, "nav-doors")
    assert not nav_offers(phone, "nav-team") and not nav_offers(phone, "nav-security")
    phone.goto(f"{stack.url}/admin/devices/{device.id}")
    phone.locator("#device-name").fill(device.name + " B")
    phone.locator("#save-device").click()
    phone.locator("#notice", has_text="Device saved.").wait_for()
    pg.refresh(device)
    assert device.name.endswith(" B")
