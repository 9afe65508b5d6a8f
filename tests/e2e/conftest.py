"""Headless Chromium (Debian's) driven by Playwright, sized like a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}


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
    """Every browser signs in from 127.0.0.1, whose budget is 30 sign-in attempts a minute for the whole
    suite: start and leave each test with it unspent, so no test is refused for what others did."""
    from hygate_app import providers

    redis = providers.redis()

    def forget() -> None:
        for key in redis.scan_iter(match="LIMITS:throttle/*/ip/*"):
            redis.delete(key)

    forget()
    yield
    forget()


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()
