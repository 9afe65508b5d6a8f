"""The Payments module in a browser: filter, page and sort the list, open a payment with its Stripe ids, refunds
and what it bought, export the filtered list as CSV; as an administrator and as an operator."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from sqlmodel import select

from hygate_app.models import AuditLog, PaymentStatus, Refund, RefundStatus, Role, TwoFactorMethod
from hygate_app.services.payment_history import CSV_HEADER
from hygate_app.states.display import amount
from tests.support.history_browser import address, apply_filters, choose, download_csv, follow, shown
from tests.support.records import T0, add_door_access, add_payment, new_device, new_door, new_location
from tests.support.staff import new_staff
from tests.support.staff_browser import LAPTOP, nav_offers, open_module, signed_in


def seed(pg) -> dict:
    """30 payments in a fresh location: 27 for a washer over a day, a partly refunded door payment with its
    refund and the access it bought, and two expired door checkouts ten days earlier."""
    location = new_location(pg, "Europe/Zurich")
    washer, gate = new_device(pg, location, "Washer")[0], new_door(pg, location, "Gate")
    washes = [add_payment(pg, washer, created_at=T0 - timedelta(minutes=30 * i), amount=100 + 10 * i,
                          email=f"guest{i}@example.com") for i in range(27)]
    code = uuid.uuid4().hex[:10]
    refunded = add_payment(pg, gate, created_at=T0 - timedelta(days=3), status=PaymentStatus.partially_refunded,
                           amount=200, refunded=50, email="refund.me@example.com", checkout_id=f"cs_test_{code}",
                           intent_id=f"pi_test_{code}")
    pg.add(Refund(payment_id=refunded.id, amount_minor=50, reason="door did not open",
                  idempotency_key=f"refund-{code}", stripe_refund_id=f"re_test_{code}",
                  status=RefundStatus.succeeded))
    access = add_door_access(pg, refunded)
    expired = [add_payment(pg, gate, created_at=T0 - timedelta(days=10, minutes=i), status=PaymentStatus.expired,
                           amount=200) for i in range(2)]
    pg.commit()
    return {"location": location, "washes": washes, "refunded": refunded, "access": access, "expired": expired,
            "code": code}


def open_payments(phone, stack, user) -> None:
    phone.set_viewport_size(LAPTOP)
    signed_in(phone, stack.url, user)
    assert nav_offers(phone, "nav-payments") and nav_offers(phone, "nav-sessions")
    open_module(phone, "nav-payments")
    phone.wait_for_url(re.compile(r"/admin/payments/?$"))
    shown(phone, "payments")


def first_row(phone):
    return phone.locator(".payment-row").first


def export(phone) -> list[dict[str, str]]:
    header, rows = download_csv(phone)
    assert tuple(header) == CSV_HEADER
    return rows


def test_admin_filters_pages_sorts_opens_and_exports_payments(stack, pg, phone):
    data = seed(pg)
    location, refunded = data["location"], data["refunded"]
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    open_payments(phone, stack, admin)

    choose(phone, "filter-location", str(location.id))
    assert apply_filters(phone, "payments") == "1–25 of 30"
    assert f"location={location.id}" in address(phone)
    assert phone.locator(".payment-row").count() == 25
    assert follow(phone, "next-page", "payments") == "26–30 of 30"
    assert phone.locator(".payment-row").count() == 5 and "page=2" in address(phone)
    assert phone.locator("#next-page").count() == 0
    assert follow(phone, "prev-page", "payments") == "1–25 of 30"

    # Sorting: largest amount first, then the other way round; the filter stays.
    follow(phone, "sort-amount", "payments")
    assert "sort=amount" in address(phone) and "order=" not in address(phone)
    assert amount(360, "eur") in first_row(phone).inner_text()
    follow(phone, "sort-amount", "payments")
    assert "order=asc" in address(phone) and f"location={location.id}" in address(phone)
    assert amount(100, "eur") in first_row(phone).inner_text()

    # A reload keeps the filters: they are in the address.
    phone.reload()
    shown(phone, "payments")
    assert phone.locator("#filter-location").input_value() == str(location.id)
    assert phone.locator("#pager-range").inner_text() == "1–25 of 30"

    # The days of a date range are the location's days; an e-mail search; no match is an empty state.
    phone.locator("#filter-from").fill("2026-03-07")
    phone.locator("#filter-to").fill("2026-03-07")
    assert apply_filters(phone, "payments") == "1–1 of 1"
    assert "refund.me@example.com" in first_row(phone).inner_text()
    assert [r["id"] for r in export(phone)] == [str(refunded.id)]
    phone.locator("#filter-from").fill("")
    phone.locator("#filter-to").fill("")
    phone.locator("#filter-search").fill("nobody-here@example.com")
    assert apply_filters(phone, "payments") == "0–0 of 0"
    assert phone.locator("#no-payments").is_visible() and phone.locator(".payment-row").count() == 0

    # Export of a status filter: exactly those rows, and the export is audited.
    phone.locator("#filter-search").fill("")
    phone.locator("#filter-status").select_option("expired")
    assert apply_filters(phone, "payments") == "1–2 of 2"
    exported = export(phone)
    assert sorted(r["id"] for r in exported) == sorted(str(p.id) for p in data["expired"])
    assert {r["status"] for r in exported} == {"expired"}
    pg.expire_all()
    audit = pg.exec(select(AuditLog).where(AuditLog.action == "payments.exported",
                                           AuditLog.actor_id == str(admin.id)).order_by(AuditLog.id)).all()
    assert len(audit) == 2 and '"status":"expired"' in audit[-1].details

    # The detail: amounts, Stripe ids, the refund recorded from Stripe, the customer and what was bought.
    phone.locator("#filter-status").select_option("partially_refunded")
    assert apply_filters(phone, "payments") == "1–1 of 1"
    first_row(phone).locator(".payment-link").click()
    phone.wait_for_url(re.compile(rf"/admin/payments/{refunded.id}$"))
    phone.locator("#stripe-checkout", has_text=f"cs_test_{data['code']}").wait_for()
    assert f"pi_test_{data['code']}" in phone.locator("#stripe-intent").inner_text()
    assert phone.locator("#payment-status").inner_text() == "partially_refunded"
    assert phone.locator("#payment-amount").inner_text() == amount(200, "eur")
    assert phone.locator("#payment-refunded").inner_text() == amount(50, "eur")
    assert phone.locator("#payment-email").inner_text() == "refund.me@example.com"
    refunds = phone.locator("#refunds").inner_text()
    assert f"re_test_{data['code']}" in refunds and "succeeded" in refunds and "door did not open" in refunds
    phone.locator("#bought-link").click()
    phone.wait_for_url(re.compile(rf"/admin/sessions/door/{data['access'].id}$"))
    phone.locator("#session-status", has_text="active").wait_for()
    assert phone.locator("#session-place").inner_text() == "Gate"


def test_unknown_payment_ids_show_a_clear_message(stack, pg, phone):
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    signed_in(phone, stack.url, admin)
    for bogus in ("999999999", "abc", "1%20OR%201=1", "99999999999", "99999999999999999999999"):
        phone.goto(f"{stack.url}/admin/payments/{bogus}")
        phone.locator("#not-found", has_text="This payment does not exist.").wait_for()
        assert "Traceback" not in phone.content()
    phone.goto(f"{stack.url}/admin/payments?from=yesterday")
    phone.locator("#error", has_text="must be a date").wait_for()


def test_operator_filters_opens_and_exports_payments(stack, pg, phone):
    data = seed(pg)
    operator = new_staff(pg, Role.operator, TwoFactorMethod.email)
    open_payments(phone, stack, operator)
    choose(phone, "filter-location", str(data["location"].id))
    choose(phone, "filter-place", f"door:{data['refunded'].door_id}")
    assert apply_filters(phone, "payments") == "1–3 of 3"
    assert f"door={data['refunded'].door_id}" in address(phone)
    exported = export(phone)
    assert sorted(r["id"] for r in exported) == sorted(str(p.id) for p in [data["refunded"], *data["expired"]])
    assert "refund.me@example.com" in {r["customer_email"] for r in exported}
    phone.locator(".payment-row", has_text="refund.me@example.com").locator(".payment-link").click()
    phone.locator("#stripe-checkout", has_text=f"cs_test_{data['code']}").wait_for()
    assert f"re_test_{data['code']}" in phone.locator("#refunds").inner_text()
