"""The audit log in a browser: an administrator filters by action, pages on the server, opens an entry with its
hashes and sees the chain's verification status; an operator has no entry in the menu and is refused."""

from __future__ import annotations

import re
import uuid

from hygate_app.models import Role, TwoFactorMethod
from hygate_app.services import audit
from tests.support.staff import new_staff
from tests.support.staff_browser import LAPTOP, nav_offers, open_module, signed_in

PER_PAGE = 25


def test_admin_filters_by_action_pages_and_opens_an_entry(stack, pg, phone):
    phone.set_viewport_size(LAPTOP)
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    door_id = uuid.uuid4().hex[:12]
    staff = audit.Actor("user", str(admin.id), "198.51.100.7", "E2E agent/1.0")
    other = audit.record(pg, "door.price_changed", actor=staff, target_type="door", target_id=door_id,
                         details={"price_minor": 250})
    entry = audit.record(pg, "door.mode_changed", actor=staff, target_type="door", target_id=door_id,
                         details={"from": "active", "to": "maintenance"})
    kind = f"e2e-{uuid.uuid4().hex[:8]}"
    for n in range(PER_PAGE + 2):
        audit.record(pg, "e2e.paged", target_type=kind, target_id=n)
    audit.record(pg, "audit.verified", target_type="audit_log", details={"intact": True, "rows": 1234})
    pg.commit()

    signed_in(phone, stack.url, admin)
    open_module(phone, "nav-audit")
    banner = phone.locator("#chain-status")
    banner.wait_for()
    assert "Chain verified intact" in banner.inner_text() and "(1234 rows)" in banner.inner_text()

    # Filter by action (the select lists what was recorded) and target.
    phone.locator("#audit-action option[value='door.mode_changed']").wait_for(state="attached")
    phone.locator("#audit-action").select_option("door.mode_changed")
    phone.locator("#audit-target-id").fill(door_id)
    phone.locator("#apply-filters").click()
    phone.locator("#audit-page", has_text="(1 entries)").wait_for()
    rows = phone.locator("#audit-rows tbody tr")
    assert rows.count() == 1 and "door.mode_changed" in rows.first.inner_text()
    assert admin.email in rows.first.inner_text() and other.action not in rows.first.inner_text()

    # The same target without the action: both of its rows.
    phone.locator("#audit-action").select_option("")
    phone.locator("#apply-filters").click()
    phone.locator("#audit-page", has_text="(2 entries)").wait_for()

    # Paging is done by the server, 25 rows a page.
    phone.locator("#audit-target-id").fill("")
    phone.locator("#audit-target-type").fill(kind)
    phone.locator("#apply-filters").click()
    phone.locator("#audit-page", has_text=f"Page 1 of 2 ({PER_PAGE + 2} entries)").wait_for()
    assert rows.count() == PER_PAGE
    phone.locator("#audit-next").click()
    phone.locator("#audit-page", has_text="Page 2 of 2").wait_for()
    assert rows.count() == 2

    # One entry in full.
    phone.goto(f"{stack.url}/admin/audit/{entry.id}")
    phone.locator("#entry-action", has_text="door.mode_changed").wait_for()
    assert admin.email in phone.locator("#entry-actor").inner_text()
    assert phone.locator("#entry-target").inner_text() == f"door #{door_id}"
    assert phone.locator("#entry-ip").inner_text() == "198.51.100.7"
    assert phone.locator("#entry-user-agent").inner_text() == "E2E agent/1.0"
    assert phone.locator("#entry-row-hash").inner_text() == entry.row_hash
    assert phone.locator("#entry-prev-hash").inner_text() == entry.prev_hash == other.row_hash
    assert phone.locator("#entry-hash-matches").inner_text() == "matches its hash"
    assert phone.locator("#entry-links").inner_text() == "follows the previous row"
    details = phone.locator("#entry-details tbody tr").all_inner_texts()
    assert [re.sub(r"\s+", " ", d).strip() for d in details] == ["from active", "to maintenance"]


def test_admin_opens_an_entry_from_the_list(stack, pg, phone):
    phone.set_viewport_size(LAPTOP)
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    target = uuid.uuid4().hex[:12]
    entry = audit.record(pg, "payment.refunded", actor=audit.STRIPE, target_type="payment", target_id=target,
                         details={"amount_minor": 450})
    pg.commit()
    signed_in(phone, stack.url, admin)
    phone.goto(f"{stack.url}/admin/audit")
    phone.locator("#audit-target-id").fill(target)
    phone.locator("#apply-filters").click()
    phone.locator("#audit-page", has_text="(1 entries)").wait_for()
    phone.locator(".audit-open").click()
    phone.wait_for_url(re.compile(rf"/admin/audit/{entry.id}/?$"))
    phone.locator("#entry-action", has_text="payment.refunded").wait_for()
    assert "stripe" in phone.locator("#entry-actor").inner_text()
    assert phone.locator("#entry-ip").inner_text() == "unknown"


def test_operator_has_no_audit_log(stack, pg, phone):
    phone.set_viewport_size(LAPTOP)
    operator = new_staff(pg, Role.operator, TwoFactorMethod.email)
    signed_in(phone, stack.url, operator)
    phone.locator("#nav-reports").wait_for()
    assert not nav_offers(phone, "nav-audit")
    for path in ("/admin/audit", "/admin/audit/1"):
        phone.goto(f"{stack.url}{path}")
        phone.locator("#access-denied", has_text="Your role does not allow this.").wait_for()
        assert phone.locator("#chain-status, #entry-row-hash").count() == 0
