"""A guest on a phone: from the QR page through the simulated Stripe checkout to the live countdown."""

from __future__ import annotations

import re
import time

from sqlmodel import select

from hygate_app.models import DeviceMode, Payment, PaymentStatus
from hygate_app.services import catalogue
from tests.support.catalogue import new_device, relay_state
from tests.support.guest_browser import buy_first_plan

ENGINE_IO_HEARTBEAT = {"2", "3"}  # socket.io ping/pong frames, not application messages


def test_guest_pays_and_watches_the_session_run_then_complete(stack, pg, phone):
    device = new_device(pg, stack.shelly, minutes=1)
    phone.goto(f"{stack.url}/use/{device.uid}")
    assert phone.locator("#device-name").inner_text() == device.name
    assert phone.locator("#display-code").inner_text() == device.display_code
    frames: list[str] = []
    phone.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))

    buy_first_plan(phone, stack, device, email="guest@example.com")
    countdown = phone.locator(".countdown")
    countdown.and_(phone.locator("[data-phase=running]")).wait_for()
    assert relay_state(stack.shelly, device.shelly_device_id)["on"] is True
    assert re.fullmatch(r"0:\d\d|1:00", phone.locator(".countdown-time").inner_text())

    # While it runs the browser ticks the clock itself: no application messages arrive.
    frames.clear()
    before = phone.locator(".countdown-time").inner_text()
    time.sleep(4)
    assert phone.locator(".countdown-time").inner_text() != before
    assert [f for f in frames if f not in ENGINE_IO_HEARTBEAT] == []

    # A reload rebuilds the page from the database.
    phone.reload()
    phone.locator(".countdown[data-phase=running], .countdown[data-phase=finishing]").wait_for()
    # So does a backend restart: the page reconnects and still hears the end of the session.
    stack.restart_web()

    phone.locator("#countdown[data-status=complete]").wait_for(timeout=100_000)
    assert phone.locator(".countdown").get_attribute("data-phase") == "complete"
    assert "complete" in phone.locator("#status-text").inner_text()
    assert relay_state(stack.shelly, device.shelly_device_id)["on"] is False


def test_delayed_start_shows_the_grace_period_with_the_relay_already_on(stack, pg, phone):
    device = new_device(pg, stack.shelly, minutes=1, delay=1)
    buy_first_plan(phone, stack, device)
    phone.locator(".countdown[data-phase=grace]").wait_for()
    assert "starts in" in phone.locator(".countdown-label").inner_text()
    assert relay_state(stack.shelly, device.shelly_device_id)["on"] is True


def test_cancelling_on_the_checkout_page_returns_to_the_device_and_charges_nothing(stack, pg, phone):
    device = new_device(pg, stack.shelly)
    phone.goto(f"{stack.url}/use/{device.uid}")
    phone.get_by_role("radio", name=re.compile("Quick test")).click()
    phone.get_by_role("button", name="Pay and start").click()
    phone.wait_for_url(re.compile(r"/_sim/stripe/pay/"))
    phone.locator("#cancel").click()
    phone.wait_for_url(re.compile(rf"/use/{device.uid}$"))
    phone.locator("#device-name").wait_for()
    payment = pg.exec(select(Payment).where(Payment.device_id == device.id)).one()
    assert payment.status == PaymentStatus.pending


def test_a_wrong_email_is_a_message_on_the_form_and_nothing_is_created(stack, pg, phone):
    device = new_device(pg, stack.shelly)
    phone.goto(f"{stack.url}/use/{device.uid}")
    phone.get_by_role("radio", name=re.compile("Quick test")).click()
    phone.get_by_label("E-mail for a receipt (optional)").fill("not-an-email")
    phone.get_by_role("button", name="Pay and start").click()
    assert "valid e-mail" in phone.locator("#form-error").inner_text()
    assert pg.exec(select(Payment).where(Payment.device_id == device.id)).first() is None


def test_a_device_in_maintenance_is_not_sold(stack, pg, phone):
    device = new_device(pg, stack.shelly)
    catalogue.set_device_mode(pg, device.id, DeviceMode.maintenance)
    phone.goto(f"{stack.url}/use/{device.uid}")
    assert "temporarily unavailable" in phone.locator("#unavailable").inner_text()
    assert phone.get_by_role("button", name="Pay and start").count() == 0


def test_unknown_links_show_the_not_found_page(stack, phone):
    for path in ("/use/no-such-device", "/session/no-such-session", "/no/such/page"):
        phone.goto(f"{stack.url}{path}")
        phone.locator("#not-found").wait_for()
        assert "Traceback" not in phone.content()
