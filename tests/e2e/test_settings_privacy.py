"""Settings → Privacy in a browser: retention periods (a wrong value is a message on the form), and a guest's
e-mail erased on request behind a confirmation; an operator is refused the page."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from hygate_app.models import AuditLog, Payment, Role, Setting, TwoFactorMethod
from hygate_app.services import retention
from tests.support.catalogue import new_device
from tests.support.purchases import pay_for
from tests.support.staff import new_staff
from tests.support.staff_browser import LAPTOP, nav_offers, open_module, signed_in


@pytest.fixture
def default_retention(pg):
    yield
    if (row := pg.get(Setting, retention.KEY)) is not None:
        pg.delete(row)
        pg.commit()


def test_admin_sets_retention_periods_and_a_wrong_one_is_refused_on_the_form(stack, pg, phone, default_retention):
    phone.set_viewport_size(LAPTOP)
    signed_in(phone, stack.url, new_staff(pg, Role.admin, TwoFactorMethod.email))
    open_module(phone, "nav-privacy")
    guest_days = phone.get_by_label("Guest e-mail addresses (days, 30–3650)")
    expect(guest_days).to_have_value("90")  # once the page's state has loaded

    guest_days.fill("7")
    phone.locator("#save-retention").click()
    phone.locator("#error", has_text="Guest e-mail addresses: keep them between 30 and 3650 days.").wait_for()
    guest_days.fill("sixty")
    phone.locator("#save-retention").click()
    phone.locator("#error", has_text="Enter whole numbers of days.").wait_for()
    pg.expire_all()
    assert retention.load(pg) == retention.RetentionSettings()

    guest_days.fill("60")
    phone.get_by_label("Ended staff sign-ins and invitations (days, 7–3650)").fill("30")
    phone.locator("#save-retention").click()
    phone.locator("#notice", has_text="Retention periods saved.").wait_for()
    pg.expire_all()
    assert retention.load(pg) == retention.RetentionSettings(guest_email_days=60, staff_record_days=30)
    phone.reload()
    expect(phone.get_by_label("Guest e-mail addresses (days, 30–3650)")).to_have_value("60")


def test_admin_erases_a_guests_address_after_looking_it_up_and_confirming(stack, pg, phone):
    phone.set_viewport_size(LAPTOP)
    address = f"forget.me.{uuid.uuid4().hex[:8]}@example.com"
    first = pay_for(stack, pg, new_device(pg, stack.shelly), email=address)
    second = pay_for(stack, pg, new_device(pg, stack.shelly), email=address.upper())
    kept = pay_for(stack, pg, new_device(pg, stack.shelly), email="keep.me@example.com")
    signed_in(phone, stack.url, new_staff(pg, Role.admin, TwoFactorMethod.email))
    open_module(phone, "nav-privacy")

    phone.get_by_label("Guest's e-mail address").fill(address)
    phone.locator("#find-email").click()
    found = phone.locator("#erase-found")
    found.get_by_text("2 payment(s) carry").wait_for()
    # Cancel in the confirmation changes nothing.
    phone.locator("#erase-email").click()
    phone.get_by_role("alertdialog").get_by_role("button", name="Cancel").click()
    pg.expire_all()
    assert pg.get(Payment, first.id).customer_email == address

    phone.locator("#erase-email").click()
    phone.get_by_role("alertdialog").get_by_role("button", name="Erase").click()
    phone.locator("#notice", has_text="The address was erased from 2 payments.").wait_for()
    assert phone.locator("#erase-found").count() == 0
    pg.expire_all()
    assert pg.get(Payment, first.id).customer_email is None and pg.get(Payment, second.id).customer_email is None
    assert pg.get(Payment, kept.id).customer_email == "keep.me@example.com"
    erased = pg.exec(select(AuditLog).where(AuditLog.action == "guest.email_erased",
                                            AuditLog.target_id == str(first.id))).one()
    assert address not in erased.details.lower()

    # Looked up again: nothing carries it any more.
    phone.get_by_label("Guest's e-mail address").fill(address)
    phone.locator("#find-email").click()
    found.get_by_text("No payment carries").wait_for()


def test_an_address_the_browser_accepts_but_no_mail_server_could_is_a_message(stack, pg, phone):
    phone.set_viewport_size(LAPTOP)
    signed_in(phone, stack.url, new_staff(pg, Role.admin, TwoFactorMethod.email))
    open_module(phone, "nav-privacy")
    phone.get_by_label("Guest's e-mail address").fill("someone@example")
    phone.locator("#find-email").click()
    phone.locator("#error", has_text="That e-mail address is not valid").wait_for()
    assert phone.locator("#erase-found").count() == 0


def test_an_operator_is_neither_offered_nor_shown_the_page(stack, pg, phone):
    phone.set_viewport_size(LAPTOP)
    signed_in(phone, stack.url, new_staff(pg, Role.operator, TwoFactorMethod.email))
    assert not nav_offers(phone, "nav-privacy")
    phone.goto(f"{stack.url}/settings/privacy")
    phone.locator("#access-denied", has_text="Your role does not allow this.").wait_for()
    assert phone.locator("#save-retention").count() == 0 and phone.locator("#find-email").count() == 0
