"""The printable QR sheet from the Locations page, in a browser: the link on a location with something to print,
none on an empty one, and what the link gives is the location's PDF."""

from __future__ import annotations

import pytest

from hygate_app.models import Role, TwoFactorMethod
from hygate_app.services import branding
from tests.support.pdf import page_texts, qr_codes
from tests.support.records import named, new_device, new_location
from tests.support.staff import new_staff
from tests.support.staff_browser import LAPTOP, open_module, signed_in
from tests.support.workspace_settings import forget_workspace_settings


@pytest.fixture
def clean(pg):
    forget_workspace_settings(pg)
    yield
    forget_workspace_settings(pg)


def test_an_administrator_prints_the_qr_sheet_of_a_location(stack, pg, phone):
    phone.set_viewport_size(LAPTOP)
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    laundry = new_location(pg, name=named("Laundry"))
    device, _ = new_device(pg, laundry, name="Washer 12")
    empty = new_location(pg, name=named("Empty room"))
    pg.commit()

    signed_in(phone, stack.url, admin)
    open_module(phone, "nav-locations")
    row = phone.locator(".location-row", has=phone.locator(f"input[value='{laundry.name}']"))
    link = row.locator("a.qr-sheet")
    link.wait_for()
    assert link.inner_text() == "Print QR sheet"
    assert link.get_attribute("href") == f"/api/admin/qr/location/{laundry.id}.pdf"
    assert link.get_attribute("target") == "_blank"
    empty_row = phone.locator(".location-row", has=phone.locator(f"input[value='{empty.name}']"))
    empty_row.wait_for()
    assert empty_row.locator("a.qr-sheet").count() == 0

    # What the browser opens in the new tab, with this page's cookies.
    response = phone.request.get(f"{stack.url}{link.get_attribute('href')}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert "Washer 12" in page_texts(pdf)[0] and device.display_code in page_texts(pdf)[0]
    assert qr_codes(pdf) == [[f"{stack.url}/use/{device.uid}"]]

    # Without the session the same address gives no PDF.
    anonymous = phone.context.browser.new_context()
    try:
        refused = anonymous.request.get(f"{stack.url}{link.get_attribute('href')}")
        assert refused.status == 401 and "application/pdf" not in refused.headers["content-type"]
    finally:
        anonymous.close()


def test_stickers_come_out_in_the_language_chosen_in_branding(stack, pg, phone, clean):
    phone.set_viewport_size(LAPTOP)
    laundry = new_location(pg, name=named("Waschküche"))
    new_device(pg, laundry, name="Trockner 2")
    pg.commit()
    signed_in(phone, stack.url, new_staff(pg, Role.admin, TwoFactorMethod.email))
    open_module(phone, "nav-branding")
    language = phone.get_by_label("Language of the QR stickers (guest pages follow each phone's language)")
    language.wait_for()
    assert language.input_value() == "en"
    language.select_option("de")
    phone.locator("#save-branding").click()
    phone.locator("#notice", has_text="Branding saved.").wait_for()
    pg.expire_all()
    assert branding.load(pg).sticker_language == "de"

    response = phone.request.get(f"{stack.url}/api/admin/qr/location/{laundry.id}.pdf")
    text = " ".join(page_texts(response.body())[0].split())
    assert "Scannen, mit Karte bezahlen, nutzen" in text and "Scan, pay by card" not in text
