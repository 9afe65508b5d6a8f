"""Every guest page meets WCAG 2.1 AA as axe-core checks it (contrast, labels, landmarks, headings, language), in
each of its main states, with a dark-mode phone, and with a light accent colour chosen in Settings → Branding; the
countdown is spoken to screen readers at marks, not every second; keyboard focus is visible."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from hygate_app.config import get_settings
from hygate_app.integrations.stripe_gateway import StripeGateway
from hygate_app.models import DeviceMode, DeviceSession, DoorAccessStatus, DoorMode, Payment
from hygate_app.models.columns import utcnow
from hygate_app.services import audit, branding, catalogue, checkout
from hygate_app.services.branding import Branding
from tests.support.axe import assert_accessible
from tests.support.catalogue import new_device
from tests.support.doors import add_lock, new_door
from tests.support.purchases import open_checkout, pay_for_door, running_session, settled
from tests.support.stack import wait_for
from tests.support.workspace_settings import forget_workspace_settings

LIGHT_ACCENT = "#f5e663"  # a pale yellow: white text on it would be 1.3:1


def ttlock() -> str:
    return get_settings().ttlock_base


@pytest.fixture
def default_branding(pg):
    forget_workspace_settings(pg)
    yield
    forget_workspace_settings(pg)


@pytest.fixture
def light_accent(pg, default_branding):
    branding.save(pg, Branding(accent_colour=LIGHT_ACCENT), actor=audit.SYSTEM)
    pg.commit()


def token_of(payment: Payment) -> str:
    return payment.guest_token


def open_door_checkout(stack, pg, door) -> Payment:
    """A door access bought on Stripe's page but not paid (yet)."""
    gateway = StripeGateway(get_settings().stripe_secret_key, api_base=stack.stripe)
    started = checkout.start_door_checkout(pg, gateway, door_uid=door.uid, email=None, base_url=stack.url)
    return pg.exec(select(Payment).where(Payment.guest_token == started.guest_token)).one()


def device_pages(stack, pg, page) -> None:
    device = new_device(pg, stack.shelly, minutes=10)
    page.goto(f"{stack.url}/use/{device.uid}")
    page.locator("#device-name").wait_for()
    assert_accessible(page)
    page.get_by_role("radio").first.click()  # a plan chosen: the highlighted card and the enabled Pay button
    page.locator("#pay:not([disabled])").wait_for()
    assert_accessible(page)

    waiting = open_checkout(stack, pg, device)
    page.goto(f"{stack.url}/session/{waiting.guest_token}")
    page.locator("#countdown[data-status=awaiting_payment]").wait_for()
    assert_accessible(page)

    session = running_session(stack, pg, new_device(pg, stack.shelly, minutes=10))
    page.goto(f"{stack.url}/session/{pg.get(Payment, session.payment_id).guest_token}")
    page.locator(".countdown[data-phase=running]").wait_for()
    page.locator("#receipt-links").wait_for()
    assert_accessible(page)

    page.goto(f"{stack.url}/receipt/{pg.get(Payment, session.payment_id).guest_token}")
    page.locator("#receipt").wait_for()
    assert_accessible(page)


def test_device_pages_pass_axe_in_each_state(stack, pg, phone, default_branding):
    device_pages(stack, pg, phone)


def test_device_pages_pass_axe_with_a_light_accent_colour(stack, pg, phone, light_accent):
    device_pages(stack, pg, phone)


def test_device_pages_pass_axe_on_a_phone_in_dark_mode(stack, pg, phone_in, default_branding):
    device_pages(stack, pg, phone_in(color_scheme="dark"))


def test_unavailable_device_grace_period_and_not_found_pages_pass_axe(stack, pg, phone, default_branding):
    device = new_device(pg, stack.shelly)
    catalogue.set_device_mode(pg, device.id, DeviceMode.maintenance)
    phone.goto(f"{stack.url}/use/{device.uid}")
    phone.locator("#unavailable").wait_for()
    assert_accessible(phone)

    session = running_session(stack, pg, new_device(pg, stack.shelly, minutes=1, delay=1))
    phone.goto(f"{stack.url}/session/{pg.get(Payment, session.payment_id).guest_token}")
    phone.locator(".countdown[data-phase=grace]").wait_for()
    assert_accessible(phone)

    for path in ("/no/such/page", "/use/no-such-device", "/session/no-such-session", "/pay/no-such-door",
                 "/access/no-such-access"):
        phone.goto(f"{stack.url}{path}")
        phone.locator("#not-found").wait_for()
        assert_accessible(phone)
    phone.goto(f"{stack.url}/receipt/no-such-receipt")
    phone.locator("#not-found").wait_for()
    assert_accessible(phone)


def door_pages(stack, pg, page) -> None:
    door = new_door(pg, add_lock(ttlock()), minutes=30)
    page.goto(f"{stack.url}/pay/{door.uid}")
    page.locator("#door-name").wait_for()
    assert_accessible(page)

    waiting = open_door_checkout(stack, pg, door)
    page.goto(f"{stack.url}/access/{waiting.guest_token}")
    page.locator("#access-status[data-status=awaiting_payment]").wait_for()
    assert_accessible(page)

    paid = pay_for_door(stack, pg, door)
    settled(pg, paid, DoorAccessStatus.active)
    page.goto(f"{stack.url}/access/{paid.guest_token}")
    page.locator("#access-status[data-status=ready]").wait_for()
    page.locator("#receipt-links").wait_for()
    assert_accessible(page)

    page.goto(f"{stack.url}/receipt/{paid.guest_token}")
    page.locator("#receipt").wait_for()
    assert_accessible(page)


def test_door_pages_pass_axe_in_each_state(stack, pg, phone, default_branding):
    door_pages(stack, pg, phone)
    for mode, shown in ((DoorMode.passage, "#free-access"), (DoorMode.maintenance, "#unavailable")):
        door = new_door(pg, add_lock(ttlock()), mode=mode)
        phone.goto(f"{stack.url}/pay/{door.uid}")
        phone.locator(shown).wait_for()
        assert_accessible(phone)


def test_door_pages_pass_axe_with_a_light_accent_colour(stack, pg, phone, light_accent):
    door_pages(stack, pg, phone)


def test_a_german_page_says_so_to_screen_readers_and_passes_axe(stack, pg, phone_in, default_branding):
    phone = phone_in("de-DE")
    device = new_device(pg, stack.shelly)
    phone.goto(f"{stack.url}/use/{device.uid}")
    phone.get_by_role("button", name="Bezahlen und starten").wait_for()
    assert phone.evaluate("document.documentElement.lang") == "de"
    assert_accessible(phone)


def test_keyboard_focus_is_visible_on_every_control(stack, pg, phone, default_branding):
    device = new_device(pg, stack.shelly)
    phone.goto(f"{stack.url}/use/{device.uid}")
    phone.locator("#device-name").wait_for()
    focused = []
    for _ in range(10):  # by keyboard only: a plan is chosen with the space bar, which enables (and shows) Pay
        phone.keyboard.press("Tab")
        now = phone.evaluate("""() => {
            const el = document.activeElement, style = getComputedStyle(el);
            return {name: el.id || el.classList[0] || el.tagName, outline: style.outlineStyle,
                    width: parseFloat(style.outlineWidth)};
        }""")
        if now["name"] == "BODY":
            break
        focused.append(now)
        if now["name"] == "plan-option":
            phone.keyboard.press("Space")
            phone.locator("#pay:not([disabled])").wait_for()
    names = [f["name"] for f in focused]
    assert "language-menu" in names and "plan-option" in names and "email" in names and "pay" in names, names
    for control in focused:
        assert control["outline"] == "solid" and control["width"] >= 2, control


def seconds_left_on(pg, session: DeviceSession, seconds: float) -> None:
    """Moves the session's paid time so that `seconds` are left now (the page reads it at load)."""
    pg.expire_all()
    row = pg.get(DeviceSession, session.id)
    shift = row.ends_at - (utcnow() + timedelta(seconds=seconds))
    row.starts_at, row.ends_at = row.starts_at - shift, row.ends_at - shift
    pg.commit()


def test_the_countdown_is_spoken_at_marks_not_every_second(stack, pg, phone, default_branding):
    session = running_session(stack, pg, new_device(pg, stack.shelly, minutes=10))
    seconds_left_on(pg, session, 34)
    phone.goto(f"{stack.url}/session/{pg.get(Payment, session.payment_id).guest_token}")
    phone.locator(".countdown[data-phase=finishing], .countdown[data-phase=running]").wait_for()
    live = phone.locator("#countdown [aria-live=polite]")
    assert phone.locator("#countdown [aria-live]").count() == 1  # the ticking seconds are not a live region
    assert live.inner_text().endswith("seconds left")  # the time left as the page opened: 34 or 33 seconds
    phone.evaluate("""() => {
        window.spoken = [];
        window.ticks = new Set();
        const live = document.querySelector('#countdown [aria-live=polite]');
        new MutationObserver(() => window.spoken.push(live.textContent))
            .observe(live, {childList: true, characterData: true, subtree: true});
        const time = document.querySelector('.countdown-time');
        new MutationObserver(() => window.ticks.add(time.textContent))
            .observe(time, {childList: true, characterData: true, subtree: true});
    }""")
    wait_for(lambda: phone.evaluate("window.ticks.size") >= 6, timeout=15, message="six ticks of the clock")
    spoken = phone.evaluate("window.spoken")
    assert spoken and set(spoken) == {live.inner_text()}, spoken
    assert "30 seconds left" in live.inner_text()
