"""What a guest does in a browser: buy a device's first plan through the simulated Stripe checkout."""

from __future__ import annotations

import re


def buy_first_plan(page, stack, device, email: str = "") -> None:
    """From the device's QR page to its session page; the device's first plan is named "Quick test".
    Controls are found by id, so a phone in any language can do it."""
    page.goto(f"{stack.url}/use/{device.uid}")
    page.get_by_role("radio", name=re.compile("Quick test")).click()
    if email:
        page.locator("#email").fill(email)
    page.locator("#pay").click()
    page.wait_for_url(re.compile(r"/_sim/stripe/pay/"))
    page.locator("#pay").click()
    page.wait_for_url(re.compile(r"/session/"))
