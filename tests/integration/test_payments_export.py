"""`GET /api/admin/payments.csv` over real HTTP against the running web process: guarded like the Payments page,
the page's filters respected, every export audited."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx
from sqlmodel import select

from hygate_app.models import AuditLog, PaymentStatus, Role, TwoFactorMethod
from hygate_app.services.payment_history import CSV_HEADER
from tests.support.records import T0, add_payment, new_device, new_door, new_location
from tests.support.staff import new_staff
from tests.support.staff_http import session_cookies


def export(stack, params: dict | None = None, cookies: dict | None = None) -> httpx.Response:
    return httpx.get(f"{stack.url}/api/admin/payments.csv", params=params or {}, cookies=cookies or {},
                     follow_redirects=False, timeout=20)


def rows(response: httpx.Response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.text)))


def seeded(pg):
    """Two places in a fresh location, payments of several statuses and days, and one elsewhere."""
    location = new_location(pg, "Europe/Zurich")
    device, door = new_device(pg, location, "Washer")[0], new_door(pg, location, "Gate")
    paid = add_payment(pg, device, created_at=T0, email="anna@example.com", checkout_id="cs_test_export_1",
                       intent_id="pi_test_export_1")
    refunded = add_payment(pg, door, created_at=T0 - timedelta(days=2), status=PaymentStatus.refunded,
                           refunded=450, email="ben@example.com")
    expired = add_payment(pg, device, created_at=T0 - timedelta(days=9), status=PaymentStatus.expired)
    add_payment(pg, new_device(pg, new_location(pg), "Elsewhere")[0], created_at=T0)
    pg.commit()
    return location, device, door, paid, refunded, expired


def test_anonymous_and_forged_sessions_are_refused_with_401(stack, pg):
    assert export(stack).status_code == 401
    response = export(stack, cookies={"hygate_session": "forged"})
    assert response.status_code == 401 and "anna@example.com" not in response.text


def test_an_administrator_who_must_set_up_two_factor_first_is_refused_with_403(stack, pg):
    admin = new_staff(pg, Role.admin, TwoFactorMethod.none)  # 2FA is required for administrators by default
    response = export(stack, cookies=session_cookies(pg, admin))
    assert response.status_code == 403
    assert pg.exec(select(AuditLog).where(AuditLog.action == "payments.exported",
                                          AuditLog.actor_id == str(admin.id))).first() is None


def test_the_export_holds_exactly_the_filtered_payments_and_is_audited(stack, pg):
    location, device, door, paid, refunded, expired = seeded(pg)
    operator = new_staff(pg, Role.operator, TwoFactorMethod.email)
    cookies = session_cookies(pg, operator)

    everything = export(stack, {"location": location.id}, cookies)
    assert everything.status_code == 200
    assert everything.headers["content-type"].startswith("text/csv")
    assert everything.headers["content-disposition"].startswith('attachment; filename="payments-')
    assert everything.headers["cache-control"] == "no-store"
    assert everything.text.splitlines()[0] == ",".join(CSV_HEADER)
    assert [r["id"] for r in rows(everything)] == [str(p.id) for p in sorted([paid, refunded, expired],
                                                                             key=lambda p: p.id)]
    first = next(r for r in rows(everything) if r["id"] == str(paid.id))
    assert (first["customer_email"], first["amount"], first["currency"], first["stripe_checkout_session_id"]) == (
        "anna@example.com", "4.50", "EUR", "cs_test_export_1")

    by_status = export(stack, {"location": location.id, "status": "refunded"}, cookies)
    assert [r["id"] for r in rows(by_status)] == [str(refunded.id)]
    by_place = export(stack, {"location": location.id, "device": device.id}, cookies)
    assert {r["id"] for r in rows(by_place)} == {str(paid.id), str(expired.id)}
    by_day = export(stack, {"location": location.id, "from": "2026-03-08", "to": "2026-03-08"}, cookies)
    assert [r["id"] for r in rows(by_day)] == [str(refunded.id)]
    by_search = export(stack, {"location": location.id, "q": "ben@"}, cookies)
    assert [r["id"] for r in rows(by_search)] == [str(refunded.id)]
    nothing = export(stack, {"location": location.id, "door": door.id, "status": "paid"}, cookies)
    assert rows(nothing) == [] and nothing.text.splitlines() == [",".join(CSV_HEADER)]

    pg.expire_all()
    audited = pg.exec(select(AuditLog).where(AuditLog.action == "payments.exported",
                                             AuditLog.actor_id == str(operator.id)).order_by(AuditLog.id)).all()
    assert len(audited) == 6
    assert '"status":"refunded"' in audited[1].details and f'"location":"{location.id}"' in audited[1].details


def test_an_unreadable_filter_is_a_400_with_the_reason_and_no_file(stack, pg):
    operator = new_staff(pg, Role.operator, TwoFactorMethod.email)
    cookies = session_cookies(pg, operator)
    for params, reason in (({"from": "yesterday"}, "date"), ({"status": "lost"}, "status"),
                           ({"from": "2026-03-10", "to": "2026-03-01"}, "start date"),
                           ({"location": "9" * 12}, "Unknown location")):
        response = export(stack, params, cookies)
        assert response.status_code == 400 and reason in response.text
        assert "content-disposition" not in response.headers
    pg.expire_all()
    assert pg.exec(select(AuditLog).where(AuditLog.action == "payments.exported",
                                          AuditLog.actor_id == str(operator.id))).first() is None
