"""Driving the Payments and Sessions lists in a browser: their filters live in the address, and the list's
section carries the address it shows (data-address), so a test waits for exactly the list it asked for."""

from __future__ import annotations

import csv
from pathlib import Path

# What the browser's address bar says now (read in the page: Playwright's own idea of the URL can lag behind a
# client-side navigation). A reload may come back as /admin/payments/?… (the static server adds the slash).
ADDRESS = "(location.pathname.replace(/\\/$/, '') || '/') + location.search"


def address(page) -> str:
    return page.evaluate(ADDRESS)


def shown(page, section_id: str) -> None:
    """Wait until the list shows what the address asks for."""
    page.locator(f"#{section_id}[data-address='{address(page)}']").wait_for()


def _navigated(page, before: str) -> None:
    page.wait_for_function(f"before => {ADDRESS} !== before", arg=before)


def choose(page, select_id: str, value: str) -> None:
    """Pick a menu entry once the state has filled the menu (the form is rebuilt when it loads)."""
    page.locator(f"#{select_id} option[value='{value}']").wait_for(state="attached")
    page.locator(f"#{select_id}").select_option(value)


def apply_filters(page, section_id: str) -> str:
    """Submit the filter form, wait for the new list; its "x–y of N"."""
    before = address(page)
    page.locator("#apply-filters").click()
    _navigated(page, before)
    shown(page, section_id)
    return page.locator("#pager-range").inner_text()


def follow(page, link_id: str, section_id: str) -> str:
    """A sort or pager link: the new list's "x–y of N"."""
    before = address(page)
    page.locator(f"#{link_id}").click()
    _navigated(page, before)
    shown(page, section_id)
    return page.locator("#pager-range").inner_text()


def download_csv(page, link_id: str = "export-csv") -> tuple[list[str], list[dict[str, str]]]:
    """The downloaded file's header and rows."""
    with page.expect_download() as info:
        page.locator(f"#{link_id}").click()
    lines = Path(info.value.path()).read_text(encoding="utf-8").splitlines()
    return next(csv.reader(lines[:1])), list(csv.DictReader(lines))

