"""Staff sign-in in a browser: with an e-mail code, with the authenticator app (and a trusted browser),
with a backup code, throttled after repeated failures, and an operator refused from an admin page."""

from __future__ import annotations

import re

import pyotp
from sqlmodel import select

from hygate_app.models import LoginSession, Role, TwoFactorMethod
from hygate_app.services import two_factor
from tests.support.staff import give_totp, mailed_code, new_staff
from tests.support.staff_browser import (
    choose_backup_code,
    enter_code,
    landed,
    nav_offers,
    open_account,
    resend_url,
    sign_in,
    sign_out,
)


def test_admin_signs_in_with_an_emailed_code(stack, pg, phone):
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    sign_in(phone, stack.url, admin.email)
    phone.wait_for_url(re.compile(r"/login/verify"))
    enter_code(phone, "000000" if mailed_code(resend_url(), admin.email) != "000000" else "111111")
    phone.locator("#verify-message").wait_for()
    assert "not valid" in phone.locator("#verify-message").inner_text()
    enter_code(phone, mailed_code(resend_url(), admin.email))
    landed(phone, admin.email)
    phone.locator("#open-menu").click()
    assert phone.locator("#menu-nav-team").is_visible()
    phone.keyboard.press("Escape")
    cookie = next(c for c in phone.context.cookies() if c["name"].endswith("hygate_session"))
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    sign_out(phone)
    phone.goto(f"{stack.url}/account")
    phone.wait_for_url(re.compile(r"/login"))


def test_authenticator_app_and_a_trusted_browser(stack, pg, phone):
    operator = new_staff(pg)
    secret = give_totp(pg, operator)
    sign_in(phone, stack.url, operator.email)
    phone.wait_for_url(re.compile(r"/login/verify"))
    enter_code(phone, pyotp.TOTP(secret).now(), trust=True)
    landed(phone, operator.email)
    open_account(phone, stack.url, operator.email)
    phone.locator("#two-factor-method", has_text="authenticator app").wait_for()

    sign_out(phone)
    sign_in(phone, stack.url, operator.email)  # the trusted browser skips the code
    landed(phone, operator.email)


def test_a_backup_code_signs_in_once(stack, pg, phone):
    operator = new_staff(pg)
    give_totp(pg, operator)
    codes = two_factor.generate_backup_codes(pg, operator)
    pg.commit()
    sign_in(phone, stack.url, operator.email)
    phone.wait_for_url(re.compile(r"/login/verify"))
    choose_backup_code(phone)
    phone.get_by_label("Backup code").fill(codes[0])
    phone.get_by_role("button", name="Verify").click()
    landed(phone, operator.email)
    open_account(phone, stack.url, operator.email)
    phone.locator("#codes-left", has_text="9").wait_for()


def test_repeated_failures_are_throttled_with_a_clear_wait(stack, pg, phone):
    operator = new_staff(pg)
    for _ in range(10):
        sign_in(phone, stack.url, operator.email, "not the password")
        phone.wait_for_url(re.compile(r"/login/?\?error=invalid"))
    assert "do not match" in phone.locator("#login-message").inner_text()
    sign_in(phone, stack.url, operator.email)  # even the right password now waits
    phone.locator("#message").wait_for()
    assert re.search(r"Try again in \d+ (s|min)", phone.locator("#message").inner_text())
    pg.expire_all()
    assert pg.exec(select(LoginSession).where(LoginSession.user_id == operator.id)).first() is None


def test_operator_is_refused_from_the_team_page(stack, pg, phone):
    operator = new_staff(pg)
    sign_in(phone, stack.url, operator.email)
    landed(phone, operator.email)
    assert not nav_offers(phone, "nav-team")
    phone.goto(f"{stack.url}/settings/team")
    phone.locator("#access-denied", has_text="Your role does not allow this.").wait_for()
    assert phone.locator(".member-row").count() == 0
