"""Settings → API keys in a browser: the secret is shown once (gone after a reload), listed by its hint,
revoked behind a confirmation."""

from __future__ import annotations

import uuid

from sqlmodel import select

from hygate_app.models import ApiKey, Role, TwoFactorMethod
from hygate_app.services import api_keys
from tests.support.staff import new_staff
from tests.support.staff_browser import LAPTOP, open_module, signed_in


def test_admin_creates_a_key_sees_it_once_and_revokes_it(stack, pg, phone):
    phone.set_viewport_size(LAPTOP)
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    name = f"Accounting {uuid.uuid4().hex[:6]}"
    signed_in(phone, stack.url, admin)
    open_module(phone, "nav-api-keys")
    phone.locator("#key-name").fill(name)
    phone.locator("#create-key").click()
    phone.locator("#notice", has_text="API key created.").wait_for()
    secret = phone.locator("#new-secret").inner_text()
    pg.expire_all()
    key = pg.exec(select(ApiKey).where(ApiKey.name == name)).one()
    assert api_keys.authenticate_api_key(pg, secret).id == key.id
    pg.rollback()
    row = phone.locator("tr", has_text=name)
    assert f"hgk_{key.prefix}_…" in row.inner_text() and admin.email in row.inner_text()
    assert secret not in row.inner_text()

    phone.reload()
    phone.locator("tr", has_text=name).wait_for()
    assert phone.locator("#new-secret").count() == 0 and secret not in phone.content()

    phone.locator("tr", has_text=name).get_by_role("button", name="Revoke").click()
    phone.get_by_role("alertdialog").get_by_role("button", name="Revoke").click()
    phone.locator("#notice", has_text="API key revoked").wait_for()
    phone.locator("tr", has_text=name).get_by_text("revoked").wait_for()
    pg.expire_all()
    assert pg.get(ApiKey, key.id).revoked_at is not None
    assert api_keys.authenticate_api_key(pg, secret) is None
