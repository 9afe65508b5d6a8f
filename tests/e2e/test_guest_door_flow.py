"""A guest on a phone at a door: from the QR page through the simulated Stripe checkout to the access page,
where the code (or QR image) and its window appear by server push; and the doors that take no payment."""

from __future__ import annotations

import re

import httpx
from sqlmodel import select

from hygate_app.config import get_settings
from hygate_app.models import Door, DoorMode, Payment
from hygate_app.services.demo import seed_demo
from tests.support.doors import add_lock, issued_for, new_door
from tests.support.fuzz import BOGUS_LINK_IDS


def ttlock() -> str:
    return get_settings().ttlock_base


def demo_door(pg) -> Door:
    door = pg.exec(select(Door).where(Door.uid == "demo-door")).first()
    if door is None:
        seed_demo(pg)
        door = pg.exec(select(Door).where(Door.uid == "demo-door")).one()
    return door


def pay_on_checkout(phone, stack, door: Door, email: str = "") -> None:
    phone.goto(f"{stack.url}/pay/{door.uid}")
    if email:
        phone.get_by_label("E-mail for a receipt (optional)").fill(email)
    phone.locator("#pay").click()
    phone.wait_for_url(re.compile(r"/_sim/stripe/pay/"))
    phone.locator("#pay").click()
    phone.wait_for_url(re.compile(r"/access/"))


def test_guest_pays_at_the_demo_door_and_sees_the_code_appear_with_its_window(stack, pg, phone):
    door = demo_door(pg)
    lock = int(door.ttlock_lock_id)
    phone.goto(f"{stack.url}/pay/{door.uid}")
    assert phone.locator("#door-name").inner_text() == door.name
    assert phone.locator("#display-code").inner_text() == door.display_code
    assert phone.locator("#access-minutes").inner_text() == f"{door.access_minutes} min"
    assert phone.locator("#price").inner_text() == "€2.00"
    before = {c["id"] for c in issued_for(ttlock(), lock)}
    # The lock cloud is busy through two job attempts (each tries three times in the call): the page is up,
    # waiting, seconds before the worker's third attempt gets the code.
    httpx.post(f"{ttlock()}/_sim/faults", json={"mode": "errcode", "errcode": 90000, "count": 6},
               timeout=5).raise_for_status()
    try:
        pay_on_checkout(phone, stack, door, email="guest@example.com")
        status = phone.locator("#access-status")
        status.wait_for()
        assert status.get_attribute("data-status") in ("awaiting_payment", "preparing")
        phone.locator("#access-status[data-status=ready]").wait_for(timeout=40_000)
    finally:
        httpx.post(f"{ttlock()}/_sim/faults", json={"mode": "ok"}, timeout=5).raise_for_status()

    [issued] = [c for c in issued_for(ttlock(), lock) if c["id"] not in before]
    assert phone.locator("#passcode").inner_text() == issued["code"]
    # English (the phone's language), CLDR's way: "Sun, Mar 29, 2026, 03:15".
    assert re.fullmatch(r"\w{3}, \w{3} \d{1,2}, \d{4}, \d\d:\d\d", phone.locator("#valid-from").inner_text())
    assert re.fullmatch(r"\w{3}, \w{3} \d{1,2}, \d{4}, \d\d:\d\d", phone.locator("#valid-until").inner_text())
    assert "Europe/Berlin" in phone.locator("#validity").inner_text()
    token = phone.url.rsplit("/", 1)[-1]
    assert pg.exec(select(Payment).where(Payment.guest_token == token)).one().door_id == door.id
    assert phone.locator("#receipt-page").get_attribute("href") == f"/receipt/{token}"
    assert phone.locator("#receipt-pdf").get_attribute("href") == f"/api/receipt/{token}.pdf"

    # A reload rebuilds the page from the database.
    phone.reload()
    assert phone.locator("#passcode").inner_text() == issued["code"]


def test_a_qr_lock_shows_the_qr_image(stack, pg, phone):
    door = new_door(pg, add_lock(ttlock(), supports_qr=True), minutes=15)
    pay_on_checkout(phone, stack, door)
    phone.locator("#access-status[data-status=ready]").wait_for(timeout=30_000)
    image = phone.locator("#qr-image")
    assert image.get_attribute("src").startswith("data:image/svg+xml;base64,")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert phone.locator("#passcode").count() == 0


def test_a_door_in_passage_mode_is_free_and_takes_no_payment(stack, pg, phone):
    door = new_door(pg, add_lock(ttlock()), mode=DoorMode.passage)
    phone.goto(f"{stack.url}/pay/{door.uid}")
    assert "Free access" in phone.locator("#free-access").inner_text()
    assert phone.locator("#pay").count() == 0


def test_a_door_in_maintenance_is_not_sold(stack, pg, phone):
    door = new_door(pg, add_lock(ttlock()), mode=DoorMode.maintenance)
    phone.goto(f"{stack.url}/pay/{door.uid}")
    assert "temporarily unavailable" in phone.locator("#unavailable").inner_text()
    assert phone.locator("#pay").count() == 0
    assert pg.exec(select(Payment).where(Payment.door_id == door.id)).first() is None


def test_unknown_door_and_access_links_show_the_not_found_page(stack, phone):
    for path in ("/pay/no-such-door", "/access/no-such-access", *(f"/pay/{bogus}" for bogus in BOGUS_LINK_IDS),
                 *(f"/access/{bogus}" for bogus in BOGUS_LINK_IDS)):
        phone.goto(f"{stack.url}{path}")
        phone.locator("#not-found").wait_for()
        assert "Traceback" not in phone.content()
