"""Reports in a browser: an administrator picks period and grouping, sees charts per currency and the figures
of seeded payments, exports them as CSV; wrong choices are explained; an operator may use it too."""

from __future__ import annotations

from hygate_app.models import Role, TwoFactorMethod
from hygate_app.services.money import format_amount
from tests.support.records import grant_access, named, new_door, new_location, pay, utc
from tests.support.staff import new_staff
from tests.support.staff_browser import LAPTOP, nav_offers, open_module, signed_in


def seeded(pg) -> str:
    """A Berlin location with two doors paid in June 2026, in euros and dollars; one door access on 20 June."""
    location = new_location(pg, "Europe/Berlin", named("Reports"))
    north, south = new_door(pg, location, "North gate"), new_door(pg, location, "South gate")
    pay(pg, north, utc(2026, 6, 9, 23, 30), 450)                   # 10 June in Berlin
    pay(pg, north, utc(2026, 6, 12, 9), 1000, currency="usd")
    pay(pg, south, utc(2026, 6, 12, 10), 200)
    grant_access(pg, south, utc(2026, 6, 20, 10))                  # pays 5.00 as well
    pg.commit()
    return location.name


def choose(page, *, kind: str, period: str, group: str, location: str, start: str, end: str) -> None:
    page.locator("#report-kind").select_option(kind)
    page.locator("#report-period").select_option(period)
    page.locator("#report-group").select_option(group)
    page.locator("#report-location").select_option(label=location)
    page.locator("#report-from").fill(start)
    page.locator("#report-to").fill(end)
    page.locator("#show-report").click()


def table_row(page, *texts: str):
    row = page.locator("#report-table tr")
    for text in texts:
        row = row.filter(has_text=text)
    return row


def test_admin_sees_revenue_by_door_per_currency_and_exports_it(stack, pg, phone):
    phone.set_viewport_size(LAPTOP)
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    location = seeded(pg)
    signed_in(phone, stack.url, admin)
    open_module(phone, "nav-reports")
    phone.locator("#report-location option", has_text=location).wait_for(state="attached")
    choose(phone, kind="revenue", period="day", group="door", location=location, start="2026-06-01",
           end="2026-06-30")

    table_row(phone, "2026-06-10", "North gate", "EUR").filter(has_text=format_amount(450, "eur")).wait_for()
    assert table_row(phone, "2026-06-12", "North gate", "USD").filter(has_text=format_amount(1000, "usd")).count() == 1
    assert table_row(phone, "2026-06-20", "South gate", "EUR").filter(has_text=format_amount(500, "eur")).count() == 1
    # One chart per currency, drawn by Recharts: euros and dollars are never added together.
    charts = phone.locator(".report-chart")
    titles = [t.strip() for t in charts.locator(".chart-title").all_inner_texts()]
    assert titles == ["Net revenue (EUR)", "Net revenue (USD)"]
    charts.first.locator("svg.recharts-surface").first.wait_for()
    charts.first.locator(".recharts-bar-rectangle path").first.wait_for()
    assert "North gate" in charts.first.locator(".recharts-legend-wrapper").inner_text()
    totals = phone.locator(".report-total").all_inner_texts()
    assert any("Net EUR" in t and format_amount(1150, "eur") in t for t in totals)

    # The CSV link carries the choices; fetched with this browser's session cookie.
    href = phone.locator("#export-csv").get_attribute("href")
    assert href.startswith("/api/admin/reports.csv?") and "group=door" in href
    csv = phone.context.request.get(stack.url + href)
    assert csv.status == 200
    lines = csv.text().splitlines()
    assert lines[0] == "period_start,group_id,group,currency,payments,gross,refunded,net"
    assert sorted(line.split(",", 1)[0] + "," + line.split(",", 3)[3] for line in lines[1:]) == [
        "2026-06-10,EUR,1,4.50,0.00,4.50", "2026-06-12,EUR,1,2.00,0.00,2.00", "2026-06-12,USD,1,10.00,0.00,10.00",
        "2026-06-20,EUR,1,5.00,0.00,5.00"]

    # Usage by month: the door accesses, as a line chart.
    choose(phone, kind="usage", period="month", group="none", location=location, start="2026-06-01",
           end="2026-07-31")
    table_row(phone, "June 2026").wait_for()
    assert table_row(phone, "June 2026").locator("td").all_inner_texts() == ["June 2026", "All", "0", "0", "1"]
    assert "Door accesses" in phone.locator(".report-chart .chart-title").all_inner_texts()
    phone.locator(".report-chart .recharts-line").first.wait_for(state="attached")  # flat lines have no height


def test_wrong_choices_are_explained_on_the_form(stack, pg, phone):
    phone.set_viewport_size(LAPTOP)
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    location = seeded(pg)
    signed_in(phone, stack.url, admin)
    phone.goto(f"{stack.url}/admin/reports")
    phone.locator("#report-location option", has_text=location).wait_for(state="attached")
    choose(phone, kind="revenue", period="day", group="none", location=location, start="2026-07-01",
           end="2026-06-01")
    phone.locator("#error", has_text="The start date must not be after the end date.").wait_for()
    choose(phone, kind="revenue", period="day", group="none", location=location, start="2024-01-01",
           end="2026-06-30")
    phone.locator("#error", has_text="covers at most 366 days").wait_for()
    choose(phone, kind="revenue", period="month", group="none", location=location, start="2024-01-01",
           end="2026-06-30")
    table_row(phone, "June 2026", "USD").wait_for()
    assert phone.locator("#error").count() == 0


def test_operator_uses_reports_and_sees_the_empty_state(stack, pg, phone):
    operator = new_staff(pg, Role.operator, TwoFactorMethod.email)
    location = seeded(pg)
    empty = new_location(pg, "UTC", named("Empty")).name
    pg.commit()
    signed_in(phone, stack.url, operator)
    assert nav_offers(phone, "nav-reports")
    open_module(phone, "nav-reports")
    phone.locator("#report-location option", has_text=empty).wait_for(state="attached")
    choose(phone, kind="revenue", period="week", group="location", location=empty, start="2026-06-01",
           end="2026-06-30")
    phone.locator("#report-caption", has_text=f"Revenue per week by location, 2026-06-01 to 2026-06-30, {empty}") \
        .wait_for()
    phone.locator("#report-empty", has_text="No payments in this range.").wait_for()
    assert phone.locator("#export-csv").count() == 0

    choose(phone, kind="revenue", period="week", group="location", location=location, start="2026-06-01",
           end="2026-06-30")
    table_row(phone, "Week of 2026-06-08", "USD").wait_for()
    phone.locator(".report-chart svg.recharts-surface").first.wait_for()
    csv = phone.context.request.get(stack.url + phone.locator("#export-csv").get_attribute("href"))
    assert csv.status == 200 and "USD,1,10.00,0.00,10.00" in csv.text()
