"""What a guest does in a browser: buy a device's first plan through the simulated Stripe checkout."""

from __future__ import annotations

import re


def buy_first_plan(page, stack, device, email: str = "") -> None:
    """From the device's QR page to its session page; the device's first plan is named "Quick test"."""
    page.goto(f"{stack.url}/use/{device.uid}")
    page.get_by_role("radio", name=re.compile("Quick test")).click()
    if email:
        page.get_by_label("E-mail for a receipt (optional)").fill(email)
    page.get_by_role("button", name="Pay and start").click()
    page.wait_for_url(re.compile(r"/_sim/stripe/pay/"))
    page.locator("#pay").click()
    page.wait_for_url(re.compile(r"/session/"))
