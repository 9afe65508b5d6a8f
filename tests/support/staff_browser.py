"""What a staff member does in the shell, in a browser: land after sign-in, open a module, sign out."""

from __future__ import annotations

import re

from hygate_app.config import get_settings
from tests.support.staff import PASSWORD, mailed_code

# Wide tables are read on a laptop; the `phone` fixture starts at 390 px.
LAPTOP = {"width": 1280, "height": 900}


def resend_url() -> str:
    return get_settings().resend_base


def sign_in(page, url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def enter_code(page, code: str, trust: bool = False) -> None:
    page.locator("#code").fill(code)
    if trust:
        page.locator("#trust").check()
    page.get_by_role("button", name="Verify").click()


HOME = re.compile(r"/admin/?$")
SIGNED_OUT = re.compile(r"/login/?\?error=signed_out")


def landed(page, email: str) -> None:
    """Signed in: on the dashboard, with the user menu showing who."""
    page.wait_for_url(HOME)
    page.locator("#user-menu", has_text=email).wait_for()


def watch_for(page, selector: str) -> None:
    """Remember whether `selector` ever appears from now on (progress that may come and go between two looks)."""
    page.evaluate("""selector => {
        window.__hygateSeen = false;
        const look = () => { if (document.querySelector(selector)) window.__hygateSeen = true; };
        new MutationObserver(look).observe(document.body, {childList: true, subtree: true, attributes: true});
        look();
    }""", selector)


def was_seen(page) -> bool:
    return bool(page.evaluate("() => window.__hygateSeen === true"))


def filter_by_location(page, name: str) -> None:
    """Pick a location in a list's filter once the page has its locations (the menu is rebuilt when they arrive,
    which would drop a choice made before)."""
    page.locator("#location-filter option", has_text=name).wait_for(state="attached")
    page.locator("#location-filter").select_option(label=name)
    page.locator("#apply-filter").click()


def signed_in(page, url: str, user) -> None:
    """Password, then the e-mailed code (staff from `new_staff(..., TwoFactorMethod.email)`): on the dashboard."""
    sign_in(page, url, user.email)
    enter_code(page, mailed_code(resend_url(), user.email))
    landed(page, user.email)


def open_account(page, url: str, email: str) -> None:
    page.goto(f"{url}/account")
    page.locator("#who", has_text=email).wait_for()


def open_module(page, nav_id: str) -> None:
    """Through the sidebar on a wide screen, through the menu button on a phone."""
    if page.locator(f"#{nav_id}").is_visible():
        page.locator(f"#{nav_id}").click()
    else:
        page.locator("#open-menu").click()
        page.locator(f"#menu-{nav_id}").click()


def nav_offers(page, nav_id: str) -> bool:
    """Whether the shell links to a module for this person (sidebar or phone menu)."""
    return page.locator(f"#{nav_id}, #menu-{nav_id}").count() > 0


def sign_out(page) -> None:
    page.locator("#user-menu").click()
    page.locator("#sign-out").click()
    page.wait_for_url(SIGNED_OUT)


def choose_backup_code(page) -> None:
    """A click that lands before the page has hydrated does nothing: try again until the field shows."""
    for _ in range(4):
        page.get_by_role("button", name="Use a backup code").click()
        try:
            page.get_by_label("Backup code").wait_for(timeout=5_000)
            return
        except Exception:  # noqa: BLE001 (Playwright's TimeoutError): click again
            continue
    page.get_by_label("Backup code").wait_for()
