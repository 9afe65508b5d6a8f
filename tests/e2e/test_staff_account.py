"""A staff member's own account in a browser (authenticator app, backup codes, sessions, trusted browsers,
password), an invitation taken up by the invited person, and the workspace security settings."""

from __future__ import annotations

import json
import re

import httpx
import pyotp
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from hygate_app.models import BackupCode, Invitation, LoginSession, Role, Setting, TrustedDevice, TwoFactorMethod, User
from hygate_app.services import audit, credentials, passwords, security_settings
from tests.e2e.conftest import PHONE
from tests.support.staff import PASSWORD, mailed_code, new_staff
from tests.support.staff_browser import (
    choose_backup_code,
    enter_code,
    landed,
    nav_offers,
    open_account,
    open_module,
    resend_url,
    sign_in,
    sign_out,
)

ACCOUNT = re.compile(r"/account/?$")
VERIFY = re.compile(r"/login/verify")
WAIT = 20_000
OTHER_AGENT = "Mozilla/5.0 (Linux; Android 14) HygateTest/second-browser"
NEW_PASSWORD = "a different long passphrase"


@pytest.fixture
def other_browser(browser):
    """A second browser of the same person (its own cookies), told apart by its user agent."""
    context = browser.new_context(**PHONE, user_agent=OTHER_AGENT)
    page = context.new_page()
    page.set_default_timeout(WAIT)
    yield page
    context.close()


@pytest.fixture
def security_settings_restored(pg):
    """Put the workspace's security settings back as they were, whatever the test saved."""
    before = security_settings.load(pg)
    yield
    pg.rollback()
    security_settings.save(pg, before, audit.SYSTEM)
    pg.commit()


def signed_in(page, url: str, email: str, password: str = PASSWORD) -> None:
    """Password only (no second factor), then on to the account page once it has loaded."""
    sign_in(page, url, email, password)
    landed(page, email)
    open_account(page, url, email)


def signed_in_with_mailed_code(page, url: str, email: str, trust: bool = False) -> None:
    sign_in(page, url, email)
    page.wait_for_url(VERIFY)
    enter_code(page, mailed_code(resend_url(), email), trust=trust)
    landed(page, email)
    open_account(page, url, email)


def submit(page, form_id: str, button: str, **fields: str) -> None:
    """Fill a form's fields by their visible labels and press its button."""
    form = page.locator(f"#{form_id}")
    for label, value in fields.items():
        form.get_by_label(label, exact=True).fill(value)
    form.get_by_role("button", name=button).click()


def change_password(page, current: str, new: str, repeat: str | None = None) -> None:
    submit(page, "change-password", "Change password", **{
        "Current password": current, "New password": new,
        "Repeat the new password": new if repeat is None else repeat})


def reload_user(pg, user: User) -> User:
    pg.expire_all()
    return pg.get(User, user.id)


def sessions_of(pg, user: User) -> list[LoginSession]:
    pg.expire_all()
    return list(pg.exec(select(LoginSession).where(LoginSession.user_id == user.id)).all())


def shown_backup_codes(page) -> list[str]:
    codes = page.locator("#backup-codes .backup-code")
    expect(codes).to_have_count(10, timeout=WAIT)
    return codes.all_inner_texts()


# ---- authenticator app and backup codes ---------------------------------------------------------------

def test_operator_switches_to_the_authenticator_app_and_signs_in_with_a_new_backup_code(stack, pg, phone):
    operator = new_staff(pg, Role.operator, TwoFactorMethod.email)
    signed_in_with_mailed_code(phone, stack.url, operator.email)
    phone.locator("#two-factor-method", has_text="code by e-mail").wait_for()

    phone.locator("#start-totp").click()
    phone.locator("#totp-qr").wait_for()
    secret = "".join(phone.locator("#totp-secret").inner_text().split())
    totp = pyotp.TOTP(secret)
    wrong = f"{(int(totp.now()) + 500_000) % 1_000_000:06d}"
    submit(phone, "confirm-totp", "Turn on authenticator app",
           **{"Current password": PASSWORD, "Code from the app": wrong})
    phone.locator("#error", has_text="That code does not match").wait_for()
    assert reload_user(pg, operator).two_factor_method == TwoFactorMethod.email

    submit(phone, "confirm-totp", "Turn on authenticator app",
           **{"Current password": PASSWORD, "Code from the app": totp.now()})
    phone.locator("#notice", has_text="Authenticator app is set up").wait_for()
    phone.locator("#two-factor-method", has_text="authenticator app").wait_for()
    assert phone.locator("#totp-secret").count() == 0
    first_codes = shown_backup_codes(phone)
    user = reload_user(pg, operator)
    assert user.two_factor_method == TwoFactorMethod.totp
    assert credentials.decrypt_user_totp_secret(user) == secret
    phone.get_by_role("button", name="I have saved them").click()
    expect(phone.locator("#backup-codes")).to_have_count(0, timeout=WAIT)

    submit(phone, "regenerate-codes", "Make new backup codes", **{"Current password": "not my password"})
    phone.locator("#error", has_text="Your current password is not correct.").wait_for()
    assert phone.locator("#backup-codes").count() == 0

    submit(phone, "regenerate-codes", "Make new backup codes", **{"Current password": PASSWORD})
    phone.locator("#notice", has_text="New backup codes: the old ones no longer work.").wait_for()
    new_codes = shown_backup_codes(phone)
    assert len(set(new_codes)) == 10 and not set(new_codes) & set(first_codes)
    phone.locator("#codes-left", has_text="10 backup codes left").wait_for()
    pg.expire_all()
    assert len(pg.exec(select(BackupCode).where(BackupCode.user_id == operator.id)).all()) == 10

    sign_out(phone)
    sign_in(phone, stack.url, operator.email)
    phone.wait_for_url(VERIFY)
    choose_backup_code(phone)
    phone.get_by_label("Backup code").fill(first_codes[0])  # replaced by the new set: refused
    phone.get_by_role("button", name="Verify").click()
    phone.locator("#verify-message", has_text="not valid").wait_for()
    phone.get_by_label("Backup code").fill(new_codes[3])
    phone.get_by_role("button", name="Verify").click()
    landed(phone, operator.email)
    open_account(phone, stack.url, operator.email)
    phone.locator("#codes-left", has_text="9 backup codes left").wait_for()
    pg.expire_all()
    used = pg.exec(select(BackupCode).where(BackupCode.user_id == operator.id,
                                            BackupCode.used_at.is_not(None))).all()
    assert len(used) == 1


# ---- sessions and trusted browsers --------------------------------------------------------------------

def test_operator_signs_out_another_session_from_the_account_page(stack, pg, phone, other_browser):
    operator = new_staff(pg)
    signed_in(other_browser, stack.url, operator.email)
    signed_in(phone, stack.url, operator.email)

    rows = phone.locator(".session-row")
    expect(rows).to_have_count(2, timeout=WAIT)
    assert rows.filter(has_text="this browser").count() == 1
    other_row = rows.filter(has_text="HygateTest/second-browser")
    expect(other_row).to_have_count(1)
    other_row.get_by_role("button", name="Sign out").click()
    phone.locator("#notice", has_text="That session is signed out.").wait_for()
    expect(rows).to_have_count(1, timeout=WAIT)
    assert rows.filter(has_text="this browser").count() == 1

    by_agent = {s.user_agent: s for s in sessions_of(pg, operator)}
    assert by_agent[OTHER_AGENT].revoked_at is not None
    assert [s.revoked_at for a, s in by_agent.items() if a != OTHER_AGENT] == [None]
    other_browser.goto(f"{stack.url}/account")
    other_browser.wait_for_url(re.compile(r"/login"))
    phone.reload()
    phone.locator("#who", has_text=operator.email).wait_for()


def test_a_forgotten_trusted_browser_is_asked_for_the_code_again(stack, pg, phone):
    operator = new_staff(pg, Role.operator, TwoFactorMethod.email)
    signed_in_with_mailed_code(phone, stack.url, operator.email, trust=True)
    trusted = phone.locator(".trusted-browser-row")
    expect(trusted).to_have_count(1, timeout=WAIT)
    agent = phone.evaluate("navigator.userAgent")
    assert agent[:80] in trusted.inner_text()
    sign_out(phone)
    signed_in(phone, stack.url, operator.email)  # trusted: no code asked

    trusted.get_by_role("button", name="Forget").click()
    phone.locator("#notice", has_text="That browser will be asked for a code again.").wait_for()
    phone.get_by_text("No trusted browsers: every sign-in asks for a code.").wait_for()
    assert trusted.count() == 0
    pg.expire_all()
    devices = pg.exec(select(TrustedDevice).where(TrustedDevice.user_id == operator.id)).all()
    assert len(devices) == 1 and devices[0].revoked_at is not None

    sign_out(phone)
    sign_in(phone, stack.url, operator.email)
    phone.wait_for_url(VERIFY)
    phone.locator("#code").wait_for()


# ---- password ----------------------------------------------------------------------------------------

def test_password_change_checks_the_current_password_and_the_rules_and_ends_other_sessions(
        stack, pg, phone, other_browser):
    operator = new_staff(pg)
    signed_in(other_browser, stack.url, operator.email)
    signed_in(phone, stack.url, operator.email)

    change_password(phone, "not my password at all", NEW_PASSWORD)
    phone.locator("#error", has_text="Your current password is not correct.").wait_for()
    change_password(phone, PASSWORD, "too short")
    phone.locator("#error", has_text="at least 12 characters").wait_for()
    change_password(phone, PASSWORD, NEW_PASSWORD, "a different long passphrasE")
    phone.locator("#error", has_text="The two new passwords are not the same.").wait_for()
    assert passwords.verify_password(PASSWORD, reload_user(pg, operator).password_hash)
    assert all(s.revoked_at is None for s in sessions_of(pg, operator))

    change_password(phone, PASSWORD, NEW_PASSWORD)
    phone.locator("#notice", has_text="Password changed. Your other sessions were signed out.").wait_for()
    assert phone.locator("#error").count() == 0
    user = reload_user(pg, operator)
    assert passwords.verify_password(NEW_PASSWORD, user.password_hash)
    assert not passwords.verify_password(PASSWORD, user.password_hash)
    by_agent = {s.user_agent: s for s in sessions_of(pg, operator)}
    assert by_agent[OTHER_AGENT].revoked_at is not None
    assert [s.revoked_at for a, s in by_agent.items() if a != OTHER_AGENT] == [None]

    other_browser.goto(f"{stack.url}/account")
    other_browser.wait_for_url(re.compile(r"/login"))
    phone.reload()
    phone.locator("#who", has_text=operator.email).wait_for()  # the session that made the change goes on
    sign_out(phone)
    sign_in(phone, stack.url, operator.email, PASSWORD)
    phone.wait_for_url(re.compile(r"/login/?\?error=invalid"))
    signed_in(phone, stack.url, operator.email, NEW_PASSWORD)


# ---- invitations -------------------------------------------------------------------------------------

def invite(page, url: str, email: str, role: str) -> str:
    """Send an invitation from the team page; returns the link from the e-mail the invitee got."""
    open_module(page, "nav-team")
    page.wait_for_url(re.compile(r"/settings/team/?$"))
    page.locator(".member-row").first.wait_for()
    page.locator("#invite-email").fill(email)
    page.locator("#invite-role").select_option(role)
    page.locator("#send-invite").click()
    page.locator("#notice", has_text=f"Invitation sent to {email}.").wait_for()
    mails = httpx.get(f"{resend_url()}/_sim/outbox", params={"to": email}, timeout=5).json()
    assert len(mails) == 1
    link = re.search(r"\S+/invite/\S+", mails[0]["text"]).group(0)
    assert page.locator("#invite-link").inner_text() == link
    return link


def test_an_invited_person_joins_with_the_emailed_link_once(stack, pg, phone, browser):
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    invitee = f"new-admin-{admin.id}@example.com"
    signed_in_with_mailed_code(phone, stack.url, admin.email)
    link = invite(phone, stack.url, invitee, "admin")
    phone.locator("tr", has_text=invitee).wait_for()  # listed under open invitations

    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        page.set_default_timeout(WAIT)
        page.goto(link)
        page.get_by_text(invitee).wait_for()
        page.locator("#name").fill("New Colleague")
        page.locator("#new-password").fill(NEW_PASSWORD)
        page.locator("#confirm-password").fill(NEW_PASSWORD)
        page.locator("#accept").click()
        page.locator("#invite-done").wait_for()

        pg.expire_all()
        user = pg.exec(select(User).where(User.email == invitee)).one()
        assert (user.role, user.name, user.is_active) == (Role.admin, "New Colleague", True)
        assert passwords.verify_password(NEW_PASSWORD, user.password_hash)
        invitation = pg.exec(select(Invitation).where(Invitation.email == invitee)).one()
        assert invitation.accepted_at is not None and invitation.invited_by_id == admin.id

        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/login/?$"))
        sign_in(page, stack.url, invitee, NEW_PASSWORD)
        page.wait_for_url(ACCOUNT)  # the dashboard sends an administrator without 2FA on to set it up
        page.locator("#who", has_text="admin").wait_for()
        page.locator("#must-enrol").wait_for()  # an administrator's first stop: two-step verification

        page.goto(link)
        page.locator("#invite-invalid").wait_for()
        assert page.locator("#accept").count() == 0
    finally:
        context.close()


def test_an_invitation_with_a_bad_password_creates_no_account(stack, pg, phone, browser):
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    invitee = f"new-operator-{admin.id}@example.com"
    signed_in_with_mailed_code(phone, stack.url, admin.email)
    link = invite(phone, stack.url, invitee, "operator")

    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        page.set_default_timeout(WAIT)
        page.goto(link)
        page.get_by_text(invitee).wait_for()
        page.locator("#new-password").fill(NEW_PASSWORD)
        page.locator("#confirm-password").fill(NEW_PASSWORD + " typo")
        page.locator("#accept").click()
        page.locator("#error", has_text="The two passwords are not the same.").wait_for()
        page.locator("#new-password").fill("too short")
        page.locator("#confirm-password").fill("too short")
        page.locator("#accept").click()
        page.locator("#error", has_text="at least 12 characters").wait_for()
        assert page.locator("#invite-done").count() == 0

        pg.expire_all()
        assert pg.exec(select(User).where(User.email == invitee)).first() is None
        invitation = pg.exec(select(Invitation).where(Invitation.email == invitee)).one()
        assert invitation.accepted_at is None and invitation.role == Role.operator
    finally:
        context.close()


# ---- security settings -------------------------------------------------------------------------------

def stored_security(pg) -> dict | None:
    pg.expire_all()
    row = pg.get(Setting, security_settings.KEY)
    return json.loads(row.value) if row else None


def expect_security_form(page, trust: str, idle: str, lifetime: str, require_2fa: bool) -> None:
    expect(page.locator("#trust-period")).to_have_value(trust, timeout=WAIT)
    expect(page.locator("#idle-timeout")).to_have_value(idle, timeout=WAIT)
    expect(page.locator("#lifetime")).to_have_value(lifetime, timeout=WAIT)
    if require_2fa:
        expect(page.locator("#require-2fa")).to_be_checked(timeout=WAIT)
    else:
        expect(page.locator("#require-2fa")).not_to_be_checked(timeout=WAIT)


def fill_security_form(page, trust: str, idle: str, lifetime: str) -> None:
    page.locator("#trust-period").fill(trust)
    page.locator("#idle-timeout").fill(idle)
    page.locator("#lifetime").fill(lifetime)


def test_admin_saves_security_settings_and_invalid_values_change_nothing(stack, pg, phone,
                                                                         security_settings_restored):
    current = security_settings.load(pg)
    assert current.require_2fa_for_admins
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    signed_in_with_mailed_code(phone, stack.url, admin.email)
    open_module(phone, "nav-security")
    phone.wait_for_url(re.compile(r"/settings/security/?$"))
    expect_security_form(phone, str(current.trust_period_days), str(current.idle_timeout_minutes),
                         str(current.absolute_lifetime_hours), True)

    fill_security_form(phone, "7", "45", "24")
    phone.locator("#require-2fa").uncheck()
    phone.locator("#save-security").click()
    phone.locator("#notice", has_text="Security settings saved.").wait_for()
    saved = {"trust_period_days": 7, "idle_timeout_minutes": 45, "absolute_lifetime_hours": 24,
             "require_2fa_for_admins": False}
    assert stored_security(pg) == saved

    phone.reload()
    expect_security_form(phone, "7", "45", "24", False)

    fill_security_form(phone, "7", "0", "24")
    phone.locator("#require-2fa").check()
    phone.locator("#save-security").click()
    phone.locator("#error", has_text="Idle timeout minutes must be between 5 and 1440.").wait_for()
    assert phone.locator("#notice").count() == 0
    assert stored_security(pg) == saved

    fill_security_form(phone, "a week", "45", "24")
    phone.locator("#save-security").click()
    phone.locator("#error", has_text="Enter whole numbers.").wait_for()
    assert stored_security(pg) == saved

    phone.reload()
    expect_security_form(phone, "7", "45", "24", False)


def test_operator_is_refused_from_the_security_settings(stack, pg, phone):
    operator = new_staff(pg)
    signed_in(phone, stack.url, operator.email)
    assert not nav_offers(phone, "nav-security")
    phone.goto(f"{stack.url}/settings/security")
    phone.locator("#access-denied", has_text="Your role does not allow this.").wait_for()
    assert phone.locator("#trust-period").count() == 0
    assert phone.locator("#save-security").count() == 0
