"""`GET /api/admin/reports.csv` over real HTTP against the running web process: the session cookie decides,
the CSV is the report the page shows."""

from __future__ import annotations

import csv
import io

import httpx

from hygate_app.api import auth_cookies
from hygate_app.models import Role, TwoFactorMethod
from tests.support.records import new_door, new_location, pay, utc
from tests.support.staff import new_staff, session_token

ROUTE = "/api/admin/reports.csv"


def params(location_id: int, **more: str) -> dict[str, str]:
    return {"kind": "revenue", "period": "day", "group": "door", "from": "2026-06-01", "to": "2026-06-30",
            "location": str(location_id), **more}


def get(stack, query: dict[str, str], token: str | None = None) -> httpx.Response:
    cookies = {auth_cookies.session_cookie(): token} if token else None
    return httpx.get(f"{stack.url}{ROUTE}", params=query, cookies=cookies, follow_redirects=False, timeout=20)


def seeded_location(pg) -> int:
    location = new_location(pg, "Europe/Berlin")
    door = new_door(pg, location, "Gate, north")
    pay(pg, door, utc(2026, 6, 9, 23, 30), 450)                 # 10 June in Berlin
    pay(pg, door, utc(2026, 6, 10, 8), 1000, currency="usd")
    pay(pg, door, utc(2026, 6, 30, 22, 30), 7000)               # 1 July in Berlin: outside June
    pg.commit()
    return location.id


def test_anonymous_and_forged_sessions_are_refused(stack, pg):
    location_id = seeded_location(pg)
    for token in (None, "forged-session-token"):
        response = get(stack, params(location_id), token)
        assert response.status_code == 401 and "Gate" not in response.text
        assert response.headers["cache-control"] == "no-store"


def test_an_operator_downloads_the_revenue_report_as_csv(stack, pg):
    location_id = seeded_location(pg)
    operator = new_staff(pg, Role.operator, TwoFactorMethod.email)
    response = get(stack, params(location_id), session_token(pg, operator))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="hygate-revenue-day-2026-06-01-2026-06-30.csv"' in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"
    header, *rows = csv.reader(io.StringIO(response.text))
    assert header == ["period_start", "group_id", "group", "currency", "payments", "gross", "refunded", "net"]
    assert [row[:1] + row[2:] for row in rows] == [
        ["2026-06-10", "Gate, north", "EUR", "1", "4.50", "0.00", "4.50"],
        ["2026-06-10", "Gate, north", "USD", "1", "10.00", "0.00", "10.00"]]


def test_the_usage_report_and_a_wrong_choice(stack, pg):
    location_id = seeded_location(pg)
    operator = new_staff(pg, Role.operator, TwoFactorMethod.email)
    token = session_token(pg, operator)
    usage = get(stack, params(location_id, kind="usage", group="none"), token)
    assert usage.status_code == 200  # payments alone are no use: nothing was opened or run
    assert usage.text.splitlines() == ["period_start,group_id,group,device_sessions,paid_minutes,door_accesses"]
    reversed_dates = get(stack, params(location_id, **{"from": "2026-07-01"}), token)
    assert reversed_dates.status_code == 400 and reversed_dates.text == "The start date must not be after the end date."
    too_long = get(stack, params(location_id, **{"from": "2020-01-01"}), token)
    assert too_long.status_code == 400 and "at most 366 days" in too_long.text


def test_a_role_not_allowed_reports_gets_403(stack, pg):
    """Both roles may see reports; an administrator who must still set up 2FA may open only their account."""
    location_id = seeded_location(pg)
    admin_without_2fa = new_staff(pg, Role.admin, TwoFactorMethod.none)
    response = get(stack, params(location_id), session_token(pg, admin_without_2fa))
    assert response.status_code == 403 and "two-factor" in response.text
