"""The Sessions module in a browser: device sessions and door accesses filtered and paged, a detail with its
timeline, and force end of a session a guest really paid for (the relay goes OFF on the Shelly simulator);
as an administrator and as an operator."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from sqlmodel import select

from hygate_app import providers
from hygate_app.config import get_settings
from hygate_app.models import (
    AuditLog,
    DeviceSession,
    DeviceSessionStatus,
    DoorAccess,
    DoorAccessStatus,
    Refund,
    Role,
    TwoFactorMethod,
)
from hygate_app.models.columns import utcnow
from hygate_app.services import session_recovery
from tests.support.catalogue import new_device as shelly_device
from tests.support.catalogue import relay_state
from tests.support.doors import add_lock, issued_for
from tests.support.doors import new_door as lock_door
from tests.support.history_browser import address, apply_filters, choose, follow, shown
from tests.support.purchases import pay_for_door, running_session, settled
from tests.support.records import T0, grant_access, new_device, new_door, new_location, run_session
from tests.support.stack import wait_for
from tests.support.staff import new_staff
from tests.support.staff_browser import LAPTOP, nav_offers, open_module, signed_in


def open_sessions(phone, stack, user) -> None:
    phone.set_viewport_size(LAPTOP)
    signed_in(phone, stack.url, user)
    assert nav_offers(phone, "nav-sessions")
    open_module(phone, "nav-sessions")
    phone.wait_for_url(re.compile(r"/admin/sessions/?$"))
    shown(phone, "sessions")


def force_end_from_the_list(phone, stack, pg, session: DeviceSession, device) -> None:
    """Find the running session by its device, open it, end it, and watch the relay go OFF."""
    choose(phone, "filter-place", f"device:{device.id}")
    phone.locator("#filter-active").check()
    assert apply_filters(phone, "sessions") == "1–1 of 1"
    assert "active=1" in address(phone)
    phone.locator(".session-row").first.locator(".session-link").click()
    phone.wait_for_url(re.compile(rf"/admin/sessions/device/{session.id}$"))
    phone.locator("#session-status", has_text="active").wait_for()
    timeline = phone.locator("#timeline")
    for step in ("paid", "relay_on", "payment.paid", "device_session.relay_on"):
        timeline.locator(f".timeline-event[data-code='{step}']").wait_for()
    assert relay_state(stack.shelly, device.shelly_device_id)["on"] is True

    phone.locator("#force-end").click()
    dialog = phone.get_by_role("alertdialog")
    assert "End this session now?" in dialog.inner_text()
    dialog.get_by_role("button", name="End session").click()
    phone.locator("#notice", has_text="The session is ending: the device is being switched off.").wait_for()
    wait_for(lambda: relay_state(stack.shelly, device.shelly_device_id)["on"] is False, timeout=30,
             message="the relay to be switched OFF")
    # The page follows the session while it runs: the end shows up without a reload.
    phone.locator("#session-status", has_text="completed").wait_for(timeout=30_000)
    phone.locator("#force-end").wait_for(state="detached")
    ended = timeline.locator(".timeline-event[data-code='device_session.force_ended']")
    ended.wait_for()
    assert "force ended by" in ended.inner_text()
    timeline.locator(".timeline-event[data-code='relay_off']").wait_for()

    pg.expire_all()
    row = pg.get(DeviceSession, session.id)
    assert row.status == DeviceSessionStatus.completed and row.relay_off_at is not None
    assert pg.exec(select(AuditLog).where(AuditLog.action == "device_session.force_ended",
                                          AuditLog.target_id == str(session.id))).one()


def test_admin_force_ends_a_paid_running_session_and_the_relay_goes_off(stack, pg, phone):
    device = shelly_device(pg, stack.shelly, minutes=10)
    session = running_session(stack, pg, device)
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    open_sessions(phone, stack, admin)
    force_end_from_the_list(phone, stack, pg, session, device)
    audit = pg.exec(select(AuditLog).where(AuditLog.action == "device_session.force_ended",
                                           AuditLog.target_id == str(session.id))).one()
    assert audit.actor_id == str(admin.id)


def test_operator_force_ends_a_paid_running_session(stack, pg, phone):
    device = shelly_device(pg, stack.shelly, minutes=10)
    session = running_session(stack, pg, device)
    operator = new_staff(pg, Role.operator, TwoFactorMethod.email)
    open_sessions(phone, stack, operator)
    force_end_from_the_list(phone, stack, pg, session, device)


def test_operator_force_ends_a_running_session_refunding_its_unused_minutes(stack, pg, phone):
    device = shelly_device(pg, stack.shelly, minutes=10, price=1000)
    session = running_session(stack, pg, device)
    phone.set_viewport_size(LAPTOP)
    signed_in(phone, stack.url, new_staff(pg, Role.operator, TwoFactorMethod.email))
    phone.goto(f"{stack.url}/admin/sessions/device/{session.id}")
    phone.locator("#session-status", has_text="active").wait_for()
    phone.locator("#force-end").click()
    dialog = phone.get_by_role("alertdialog")
    dialog.locator("#refund-unused").click()
    dialog.locator("#refund-unused[data-state=checked]").wait_for()  # the server has the choice
    dialog.get_by_role("button", name="End session").click()
    phone.locator("#notice", has_text="the unused minutes").wait_for()
    wait_for(lambda: relay_state(stack.shelly, device.shelly_device_id)["on"] is False, timeout=30,
             message="the relay to be switched OFF")

    pg.expire_all()
    [refund] = pg.exec(select(Refund).where(Refund.payment_id == session.payment_id)).all()
    assert refund.idempotency_key.endswith(":unused-minutes")
    assert 800 <= refund.amount_minor < 1000  # less than ten minutes unused, pro rata of 10.00
    audit = pg.exec(select(AuditLog).where(AuditLog.action == "device_session.force_ended",
                                           AuditLog.target_id == str(session.id))).one()
    assert f'"refund_minor":{refund.amount_minor}' in audit.details.replace(" ", "")


def test_operator_ends_an_interrupted_session_and_its_guest_gets_the_unused_minutes_back(stack, pg, phone):
    device = shelly_device(pg, stack.shelly, minutes=10, price=1000)
    session = running_session(stack, pg, device)
    # The device dropped off the network: reconciliation would interrupt the session like this.
    httpx.post(f"{stack.shelly}/_sim/devices/{device.shelly_device_id}/relay", json={"on": False}).raise_for_status()
    now = utcnow()
    assert session_recovery.interrupt(pg, pg.get(DeviceSession, session.id), "The device went offline.",
                                      providers.session_deps(), now=now, since=now, transient=True) \
        == DeviceSessionStatus.interrupted
    phone.set_viewport_size(LAPTOP)
    signed_in(phone, stack.url, new_staff(pg, Role.operator, TwoFactorMethod.email))
    phone.goto(f"{stack.url}/admin/sessions/device/{session.id}")
    phone.locator("#session-status", has_text="interrupted").wait_for()
    phone.locator("#force-end").click()
    dialog = phone.get_by_role("alertdialog")
    assert "loses its free restart" in dialog.inner_text() and dialog.locator("#refund-unused").count() == 0
    dialog.get_by_role("button", name="End session").click()
    phone.locator("#notice", has_text="The interrupted session was ended").wait_for()
    phone.locator("#session-status", has_text="failed").wait_for()
    phone.locator("#force-end").wait_for(state="detached")

    pg.expire_all()
    [refund] = pg.exec(select(Refund).where(Refund.payment_id == session.payment_id)).all()
    assert refund.idempotency_key.endswith(":unused-minutes") and 800 <= refund.amount_minor < 1000
    assert relay_state(stack.shelly, device.shelly_device_id)["on"] is False


def seed(pg) -> dict:
    """In a fresh location: 20 past washer sessions, one still running, 8 door accesses (two still valid)."""
    location = new_location(pg, "UTC")
    washer = new_device(pg, location, "Washer")[0]
    gate = new_door(pg, location, "Gate")
    past = [run_session(pg, washer, T0 - timedelta(hours=i + 1)) for i in range(20)]
    running = run_session(pg, washer, T0, status=DeviceSessionStatus.active)
    accesses = [grant_access(pg, gate, T0 - timedelta(days=1, hours=i)) for i in range(6)]
    valid = [grant_access(pg, gate, T0 - timedelta(minutes=i + 1), minutes=10 * 365 * 24 * 60,
                          status=DoorAccessStatus.active) for i in range(2)]
    pg.commit()
    return {"location": location, "washer": washer, "gate": gate, "past": past, "running": running,
            "accesses": accesses, "valid": valid}


def test_operator_ends_a_paid_door_access_and_its_code_leaves_the_lock(stack, pg, phone):
    ttlock = get_settings().ttlock_base
    lock = add_lock(ttlock, has_gateway=True)
    access = settled(pg, pay_for_door(stack, pg, lock_door(pg, lock, minutes=30)), DoorAccessStatus.active)
    phone.set_viewport_size(LAPTOP)
    signed_in(phone, stack.url, new_staff(pg, Role.operator, TwoFactorMethod.email))
    phone.goto(f"{stack.url}/admin/sessions/door/{access.id}")
    phone.locator("#force-end").click()
    dialog = phone.get_by_role("alertdialog")
    assert "End this door access now?" in dialog.inner_text()
    dialog.get_by_role("button", name="End access").click()
    phone.locator("#notice", has_text="its code is being removed from the lock").wait_for()
    wait_for(lambda: issued_for(ttlock, lock)[0]["deleted"], timeout=30, message="the code to leave the lock")
    pg.expire_all()
    assert pg.get(DoorAccess, access.id).status == DoorAccessStatus.expired
    assert pg.exec(select(AuditLog).where(AuditLog.action == "door_access.force_ended",
                                          AuditLog.target_id == str(access.id))).one()


def test_admin_filters_and_pages_sessions_and_opens_a_door_access(stack, pg, phone):
    data = seed(pg)
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    open_sessions(phone, stack, admin)

    choose(phone, "filter-location", str(data["location"].id))
    assert apply_filters(phone, "sessions") == "1–25 of 29"
    assert phone.locator(".session-row").count() == 25
    # Newest start first: the running session, then the two valid door accesses.
    assert phone.locator(".session-row").first.get_attribute("data-key") == f"device-{data['running'].id}"
    assert follow(phone, "next-page", "sessions") == "26–29 of 29"
    assert phone.locator(".session-row").count() == 4 and "page=2" in address(phone)

    phone.locator("#filter-kind").select_option("door")
    assert apply_filters(phone, "sessions") == "1–8 of 8"
    assert "page=" not in address(phone)
    phone.locator("#filter-active").check()
    assert apply_filters(phone, "sessions") == "1–2 of 2"
    keys = {phone.locator(".session-row").nth(i).get_attribute("data-key") for i in range(2)}
    assert keys == {f"door-{a.id}" for a in data["valid"]}

    phone.locator("#filter-active").uncheck()
    phone.locator("#filter-kind").select_option("")
    phone.locator("#filter-status").select_option("failed")
    assert apply_filters(phone, "sessions") == "0–0 of 0"
    assert phone.locator("#no-sessions").is_visible()

    # The oldest first, by the column header; a date range of starts.
    phone.locator("#filter-status").select_option("")
    phone.locator("#filter-from").fill("2026-03-09")
    phone.locator("#filter-to").fill("2026-03-09")
    # 03-09 (UTC): eight washer sessions in the afternoon, six door accesses in the morning.
    assert apply_filters(phone, "sessions") == "1–14 of 14"
    follow(phone, "sort-starts", "sessions")
    assert "order=asc" in address(phone)
    oldest = phone.locator(".session-row").first
    assert oldest.get_attribute("data-key") == f"door-{data['accesses'][-1].id}"

    oldest.locator(".session-link").click()
    phone.wait_for_url(re.compile(rf"/admin/sessions/door/{data['accesses'][-1].id}$"))
    phone.locator("#session-status", has_text="expired").wait_for()
    assert phone.locator("#force-end").count() == 0
    for step in ("paid", "access_started", "access_ended"):
        phone.locator(f"#timeline .timeline-event[data-code='{step}']").wait_for()
    phone.locator("#payment-link").click()
    phone.wait_for_url(re.compile(rf"/admin/payments/{data['accesses'][-1].payment_id}$"))
    phone.locator("#payment-status", has_text="paid").wait_for()


def test_unknown_sessions_show_a_clear_message(stack, pg, phone):
    operator = new_staff(pg, Role.operator, TwoFactorMethod.email)
    signed_in(phone, stack.url, operator)
    for path, text in (("device/999999999", "This device session does not exist."),
                       ("device/abc", "This device session does not exist."),
                       ("device/99999999999", "This device session does not exist."),
                       ("door/999999999", "This door access does not exist.")):
        phone.goto(f"{stack.url}/admin/sessions/{path}")
        phone.locator("#not-found", has_text=text).wait_for()
        assert "Traceback" not in phone.content()
    phone.goto(f"{stack.url}/admin/sessions?kind=bicycle")
    phone.locator("#error", has_text="Unknown kind").wait_for()
