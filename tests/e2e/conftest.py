"""Headless Chromium (Debian's) driven by Playwright, sized like a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.support.staff_http import forget_sign_in_budgets

CHROMIUM = "/usr/bin/chromium"
# An English phone unless a test asks for another language (the guest pages follow the browser's).
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "en-US"}


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def fresh_ip_budget():
    forget_sign_in_budgets()
    yield
    forget_sign_in_budgets()


@pytest.fixture
def phone(phone_in):
    return phone_in()


@pytest.fixture
def phone_in(browser):
    """`phone_in("de-DE", timezone_id="Asia/Tokyo")`: a phone set to that language (and clock)."""
    contexts = []

    def open_phone(locale: str = "en-US", **options):
        context = browser.new_context(**{**PHONE, "locale": locale, **options})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield open_phone
    for context in contexts:
        context.close()
