"""Settings → Integrations in a browser: an administrator stores a secret (shown only masked), tests the
connection (red with a wrong key, green with the right one), and an operator is kept out."""

from __future__ import annotations

import pytest
from sqlmodel import select

from hygate_app.models import Integration, IntegrationCredential, IntegrationHealth, Role, TwoFactorMethod
from tests.support.stack import wait_for
from tests.support.staff import new_staff
from tests.support.staff_browser import LAPTOP, nav_offers, open_module, signed_in
from tests.support.workspace_settings import forget_workspace_settings

WRONG_KEY = "a-wrong-shelly-key-9999"


@pytest.fixture
def clean(pg):
    forget_workspace_settings(pg)
    yield
    forget_workspace_settings(pg)


def credential_form(page, integration: str, name: str):
    return page.locator(f".credential-field[data-integration='{integration}'][data-field='{name}']")


def health(pg, integration: Integration) -> IntegrationHealth | None:
    pg.expire_all()
    return pg.get(IntegrationHealth, integration)


def test_admin_stores_a_shelly_key_sees_it_masked_and_tests_the_connection(stack, pg, phone, clean):
    phone.set_viewport_size(LAPTOP)
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    signed_in(phone, stack.url, admin)
    open_module(phone, "nav-integrations")
    auth_key = credential_form(phone, "shelly", "auth_key")
    auth_key.locator(".field-status", has_text="not set; using the server's environment value").wait_for()

    # Green first, with the environment's key.
    phone.locator("#test-shelly").click()
    phone.locator("#check-shelly[data-outcome='ok']", has_text="Shelly Cloud accepted the auth key").wait_for()

    auth_key.get_by_label("Auth key").fill(WRONG_KEY)
    auth_key.get_by_role("button", name="Save").click()
    phone.locator("#notice", has_text="Shelly: saved.").wait_for()
    auth_key.locator(".field-status", has_text="set, ends in …9999").wait_for()
    assert auth_key.get_by_label("Auth key").input_value() == ""
    assert WRONG_KEY not in phone.content()
    pg.expire_all()
    stored = pg.exec(select(IntegrationCredential).where(IntegrationCredential.field == "auth_key")).one()
    assert WRONG_KEY not in stored.ciphertext

    # The next call uses the stored key: the simulated cloud refuses it, and the dashboard will say so (the client
    # reports the outcome, which the worker writes).
    phone.locator("#test-shelly").click()
    phone.locator("#check-shelly[data-outcome='failed']", has_text="refused the auth key").wait_for()
    failed = wait_for(lambda: (row := health(pg, Integration.shelly)) and not row.ok and row, timeout=15,
                      message="the Shelly badge to turn red")
    assert "refused the auth key" in failed.last_error

    auth_key.get_by_role("button", name="Remove").click()
    phone.get_by_role("alertdialog").get_by_role("button", name="Remove").click()
    auth_key.locator(".field-status", has_text="not set; using the server's environment value").wait_for()
    phone.locator("#test-shelly").click()
    phone.locator("#check-shelly[data-outcome='ok']").wait_for()
    wait_for(lambda: health(pg, Integration.shelly).ok, timeout=15, message="the Shelly badge to turn green")

    phone.locator("#test-stripe").click()
    phone.locator("#check-stripe[data-outcome='ok']", has_text="Stripe accepted the secret key").wait_for()
    phone.locator("#test-resend").click()
    phone.locator("#check-resend[data-outcome='ok']", has_text="the key is valid").wait_for()
    phone.locator("#test-ttlock").click()
    phone.locator("#check-ttlock[data-outcome='ok']", has_text="TTLock accepted the account").wait_for()


def test_operator_has_no_settings_entries_and_is_refused_on_the_pages(stack, pg, phone):
    phone.set_viewport_size(LAPTOP)
    operator = new_staff(pg, Role.operator, TwoFactorMethod.email)
    signed_in(phone, stack.url, operator)  # on the dashboard, the shell knowing who (the user menu says)
    for nav in ("nav-integrations", "nav-branding", "nav-api-keys"):
        assert not nav_offers(phone, nav)
    for path, hidden in (("integrations", "#test-shelly"), ("branding", "#save-branding"),
                         ("api-keys", "#create-key")):
        phone.goto(f"{stack.url}/settings/{path}")
        phone.locator("#access-denied", has_text="Your role does not allow this.").wait_for()
        assert phone.locator(hidden).count() == 0
