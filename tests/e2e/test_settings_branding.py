"""Settings → Branding in a browser: texts, accent colour and logo show in the preview as they are typed, and on
a guest page once saved; a colour too light for white text gets black text."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from hygate_app.models import Location, Role, TwoFactorMethod
from hygate_app.services import branding, catalogue
from tests.support.staff import new_staff
from tests.support.staff_browser import LAPTOP, open_module, signed_in
from tests.support.workspace_settings import forget_workspace_settings

# A 1×1 PNG: real image bytes, as the service checks them.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360f8cfc00000030101001c2a4f5f0000000049454e44ae426082"
)
ACCENT = "#7a1fa2"
ACCENT_RGB = "rgb(122, 31, 162)"


@pytest.fixture
def clean(pg):
    forget_workspace_settings(pg)
    yield
    forget_workspace_settings(pg)


def a_device(pg):
    location = pg.exec(select(Location)).first() or Location(name="Branding test", timezone="UTC")
    pg.add(location)
    pg.flush()
    device = catalogue.add_device(pg, location_id=location.id, name="Dryer 3",
                                  shelly_device_id=f"shelly-brand-{uuid.uuid4().hex[:8]}",
                                  plans=[catalogue.PlanSpec("Quick", 30, 300)])
    pg.commit()
    return device


def test_admin_brands_the_guest_pages_with_texts_colour_and_logo(stack, pg, phone, clean, tmp_path):
    phone.set_viewport_size(LAPTOP)
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    device = a_device(pg)
    signed_in(phone, stack.url, admin)
    open_module(phone, "nav-branding")
    preview, sticker = phone.locator("#preview-guest"), phone.locator("#preview-sticker")
    preview.get_by_text("Hygate").wait_for()

    phone.locator("#branding-header").fill("Laundry Lane")
    phone.locator("#branding-footer").fill("Questions? Call 012 345 67 89")
    phone.locator("#branding-accent").fill("#f5e663")  # far too light for white text: it gets black text
    phone.locator("#contrast", has_text="black text").wait_for()
    preview.get_by_text("Laundry Lane").wait_for()  # the preview follows the typing, before saving
    sticker.get_by_text("Laundry Lane").wait_for()
    phone.wait_for_function("getComputedStyle(document.querySelector('#preview-guest button')).color "
                            "=== 'rgb(0, 0, 0)'")

    phone.locator("#branding-accent").fill(ACCENT)
    phone.locator("#contrast", has_text="readable").wait_for()
    phone.locator("#save-branding").click()
    phone.locator("#notice", has_text="Branding saved.").wait_for()
    pg.expire_all()
    saved = branding.load(pg)
    assert (saved.header, saved.footer, saved.accent_colour) == ("Laundry Lane", "Questions? Call 012 345 67 89",
                                                                 ACCENT)

    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    phone.locator("#logo input[type=file]").set_input_files(str(logo))
    phone.locator("#notice", has_text="Logo uploaded.").wait_for()
    preview.locator("img.brand-logo").wait_for()
    pg.expire_all()
    assert branding.load(pg).logo_bytes() == PNG

    guest = phone.context.new_page()
    guest.set_viewport_size({"width": 390, "height": 844})
    guest.goto(f"{stack.url}/use/{device.uid}")
    header = guest.locator("#guest-header")
    header.get_by_text("Laundry Lane").wait_for()
    guest.locator("#guest-footer", has_text="Questions? Call").wait_for()
    logo_img = header.locator("img.brand-logo")
    logo_img.wait_for()
    assert guest.evaluate("img => img.naturalWidth", logo_img.element_handle()) == 1  # served and decoded
    assert ACCENT_RGB in header.evaluate("el => getComputedStyle(el).borderTopColor")

    phone.locator("#remove-logo").click()
    phone.get_by_role("alertdialog").get_by_role("button", name="Remove").click()
    phone.locator("#notice", has_text="Logo removed.").wait_for()
    preview.locator(".brand-dot").wait_for()
    guest.reload()
    guest.locator("#guest-header").get_by_text("Laundry Lane").wait_for()
    # The reloaded tab's state (kept in Redis) shows the old logo until the page's load has read the branding.
    guest.locator("#guest-header .brand-dot").wait_for()
    assert guest.locator("#guest-header img.brand-logo").count() == 0
