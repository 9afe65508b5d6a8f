"""Receipts in a browser: an administrator enters the seller's details and VAT in Settings → Branding; a guest pays
for a device, opens the printable receipt from the session page, checks what it says, and downloads the PDF."""

from __future__ import annotations

import pytest
from sqlmodel import select

from hygate_app.models import Location, Payment, Role, TwoFactorMethod
from hygate_app.services import receipt_settings
from tests.support.catalogue import new_device
from tests.support.guest_browser import buy_first_plan
from tests.support.pdf import page_texts
from tests.support.staff import new_staff
from tests.support.staff_browser import LAPTOP, open_module, signed_in
from tests.support.workspace_settings import forget_workspace_settings


@pytest.fixture
def clean(pg):
    forget_workspace_settings(pg)
    yield
    forget_workspace_settings(pg)


def flat(text: str) -> str:
    return " ".join(text.split())


def enter_receipt_details(page, stack, pg) -> None:
    page.set_viewport_size(LAPTOP)
    signed_in(page, stack.url, new_staff(pg, Role.admin, TwoFactorMethod.email))
    open_module(page, "nav-branding")
    page.locator("#receipt-vat-rate").fill("19")
    page.locator("#vat-note", has_text="only when both").wait_for()  # a rate alone prints no VAT line
    page.locator("#receipt-legal-name").fill("Laundry Lane GmbH")
    page.locator("#receipt-address").fill("Hauptstrasse 1\n10115 Berlin")
    page.locator("#receipt-tax-id").fill("DE123456789")
    page.locator("#vat-note", has_text="VAT included in each price").wait_for()
    page.locator("#save-receipts").click()
    page.locator("#notice", has_text="Receipt details saved.").wait_for()


def test_a_guest_opens_and_downloads_a_correct_receipt(stack, pg, browser, phone, clean, tmp_path):
    admin = browser.new_context()
    enter_receipt_details(admin.new_page(), stack, pg)
    admin.close()
    pg.expire_all()
    assert receipt_settings.load(pg).vat_percent == 19

    device = new_device(pg, stack.shelly, minutes=1, price=450)
    location = pg.get(Location, device.location_id)
    buy_first_plan(phone, stack, device, email="receipt-e2e@example.com")
    links = phone.locator("#receipt-links")
    links.wait_for(timeout=30_000)  # once Stripe's event has made the payment paid
    token = phone.url.rsplit("/", 1)[-1]
    pg.expire_all()
    payment = pg.exec(select(Payment).where(Payment.guest_token == token)).one()
    number = f"HY-{payment.paid_at.year}-{payment.id:06d}"

    with phone.context.expect_page() as opened:
        phone.locator("#receipt-page").click()
    receipt = opened.value
    receipt.locator("#receipt").wait_for()
    assert receipt.url.endswith(f"/receipt/{token}")
    assert flat(receipt.locator("#receipt-number").inner_text()) == f"Receipt number {number}"
    seller = flat(receipt.locator("#seller").inner_text())
    assert seller == "Laundry Lane GmbH Hauptstrasse 1 10115 Berlin VAT number: DE123456789"
    facts = flat(receipt.locator("#facts").inner_text())
    for expected in (f"{device.name} · Quick test, 1 min", location.name, payment.stripe_payment_intent_id,
                     f"Local time ({location.timezone})"):
        assert expected in facts, expected
    amounts = [flat(row.inner_text()) for row in receipt.locator("#amounts tr").all()]
    assert amounts == ["Amount paid €4.50", "incl. VAT 19% €0.72"]
    # Made for a phone: nothing wider than the screen.
    assert receipt.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # Printing leaves the buttons out.
    assert receipt.locator("#print").is_visible()
    receipt.emulate_media(media="print")
    assert not receipt.locator("#print").is_visible() and receipt.locator("#receipt").is_visible()
    receipt.close()

    with phone.expect_download() as download:
        phone.locator("#receipt-pdf").click()
    assert download.value.suggested_filename == f"receipt-{number}.pdf"
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    text = flat(page_texts(saved.read_bytes())[0])
    for expected in (f"Receipt number {number}", "Laundry Lane GmbH", "VAT number: DE123456789",
                     f"Item {device.name} · Quick test, 1 min", f"Location {location.name}",
                     f"Payment reference {payment.stripe_payment_intent_id}", "Amount paid €4.50",
                     "incl. VAT 19% €0.72"):
        assert expected in text, expected
