"""Revenue and usage reports on SQLite: local-day buckets per location (across DST changes), groupings,
currencies kept apart, and the CSV export."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from hygate_app.models import (
    DeviceSessionStatus,
    DoorAccessStatus,
    Location,
    PaymentStatus,
)
from hygate_app.services.errors import InvalidInput
from hygate_app.services.reports import (
    GroupBy,
    Period,
    ReportQuery,
    ReportRow,
    UsageRow,
    report_csv,
    revenue_report,
    usage_csv,
    usage_report,
)
from tests.support.records import grant_access, named, new_device, new_door, new_location, pay, run_session, utc


def query(date_from: date, date_to: date | None = None, period: str = "day", group_by: str = "none",
          location: Location | None = None) -> ReportQuery:
    return ReportQuery(Period(period), GroupBy(group_by), date_from, date_to or date_from,
                       location.id if location else None)


def counts_by_bucket(rows: list[ReportRow]) -> dict[date, int]:
    return {row.bucket: row.payments for row in rows}


# --- local days and daylight saving ---------------------------------------------------------------------------

def test_a_payment_late_in_the_utc_evening_falls_on_the_next_day_in_berlin(db: Session):
    berlin, london = new_location(db, "Europe/Berlin", named("Berlin")), new_location(db, "UTC", named("Utc"))
    pay(db, new_door(db, berlin), utc(2026, 6, 9, 23, 30))
    pay(db, new_door(db, london), utc(2026, 6, 9, 23, 30))

    rows = revenue_report(db, query(date(2026, 6, 9), date(2026, 6, 10), group_by="location"))

    assert [(r.bucket, r.group_name) for r in rows] == [(date(2026, 6, 9), london.name),
                                                        (date(2026, 6, 10), berlin.name)]


def test_the_spring_forward_day_in_berlin_is_23_hours_long(db: Session):
    berlin = new_door(db, new_location(db, "Europe/Berlin"))
    for at in (utc(2026, 3, 28, 22, 30),   # 23:30 CET, 28 March
               utc(2026, 3, 28, 23, 30),   # 00:30 CET, 29 March
               utc(2026, 3, 29, 21, 30),   # 23:30 CEST, 29 March
               utc(2026, 3, 29, 22, 30)):  # 00:30 CEST, 30 March
        pay(db, berlin, at)

    rows = revenue_report(db, query(date(2026, 3, 28), date(2026, 3, 30)))

    assert counts_by_bucket(rows) == {date(2026, 3, 28): 1, date(2026, 3, 29): 2, date(2026, 3, 30): 1}


def test_the_fall_back_day_in_berlin_is_25_hours_long(db: Session):
    berlin = new_door(db, new_location(db, "Europe/Berlin"))
    for at in (utc(2026, 10, 24, 21, 30),   # 23:30 CEST, 24 October
               utc(2026, 10, 24, 22, 30),   # 00:30 CEST, 25 October
               utc(2026, 10, 25, 22, 30),   # 23:30 CET, 25 October
               utc(2026, 10, 25, 23, 30)):  # 00:30 CET, 26 October
        pay(db, berlin, at)

    rows = revenue_report(db, query(date(2026, 10, 24), date(2026, 10, 26)))

    assert counts_by_bucket(rows) == {date(2026, 10, 24): 1, date(2026, 10, 25): 2, date(2026, 10, 26): 1}


def test_the_date_range_is_read_in_each_locations_own_time_zone(db: Session):
    berlin = new_door(db, new_location(db, "Europe/Berlin", named("Berlin")))
    london = new_door(db, new_location(db, "UTC", named("Utc")))
    pay(db, berlin, utc(2026, 6, 9, 22, 30), 1)     # 10 June in Berlin: in
    pay(db, berlin, utc(2026, 6, 10, 22, 30), 2)    # 11 June in Berlin: out
    pay(db, london, utc(2026, 6, 9, 22, 30), 4)     # 9 June in UTC: out
    pay(db, london, utc(2026, 6, 10, 23, 30), 8)    # 10 June in UTC: in

    [row] = revenue_report(db, query(date(2026, 6, 10)))

    assert (row.bucket, row.payments, row.gross_minor) == (date(2026, 6, 10), 2, 9)


def test_weeks_start_on_monday_and_months_on_the_first_local_day(db: Session):
    berlin = new_door(db, new_location(db, "Europe/Berlin"))
    pay(db, berlin, utc(2026, 6, 7, 12))            # Sunday
    pay(db, berlin, utc(2026, 6, 7, 22, 30))        # Monday 8 June, 00:30 in Berlin
    pay(db, berlin, utc(2026, 6, 30, 22, 30))       # 1 July, 00:30 in Berlin

    weeks = revenue_report(db, query(date(2026, 6, 1), date(2026, 7, 5), "week"))
    months = revenue_report(db, query(date(2026, 6, 1), date(2026, 7, 5), "month"))

    assert counts_by_bucket(weeks) == {date(2026, 6, 1): 1, date(2026, 6, 8): 1, date(2026, 6, 29): 1}
    assert counts_by_bucket(months) == {date(2026, 6, 1): 2, date(2026, 7, 1): 1}


# --- money ----------------------------------------------------------------------------------------------------

def test_revenue_is_net_of_refunds_and_leaves_out_payments_that_never_completed(db: Session):
    entrance = new_door(db, new_location(db, "Europe/Berlin"))
    at = utc(2026, 6, 10, 12)
    pay(db, entrance, at, 500)
    pay(db, entrance, at, 500, status=PaymentStatus.partially_refunded, refunded=200)
    pay(db, entrance, at, 300, status=PaymentStatus.refunded, refunded=300)
    for status in (PaymentStatus.pending, PaymentStatus.failed, PaymentStatus.expired):
        pay(db, entrance, at, 10_000, status=status)

    [row] = revenue_report(db, query(date(2026, 6, 10)))

    assert (row.payments, row.gross_minor, row.refunded_minor, row.net_minor) == (3, 1300, 500, 800)


def test_currencies_are_never_summed_together(db: Session):
    location = new_location(db, "Europe/Berlin")
    entrance = new_door(db, location)
    at = utc(2026, 6, 10, 12)
    pay(db, entrance, at, 500, currency="eur")
    pay(db, entrance, at, 700, currency="EUR")
    pay(db, entrance, at, 900, currency="usd")

    rows = revenue_report(db, query(date(2026, 6, 10), group_by="location"))

    assert [(r.currency, r.payments, r.net_minor) for r in rows] == [("eur", 2, 1200), ("usd", 1, 900)]


# --- grouping and filters -------------------------------------------------------------------------------------

def test_grouping_by_door_or_device_keeps_only_that_kind_of_payment(db: Session):
    location = new_location(db, "Europe/Berlin")
    entrance, washer = new_door(db, location, "Front door"), new_device(db, location, "Washer")[0]
    at = utc(2026, 6, 10, 12)
    pay(db, entrance, at, 200)
    pay(db, washer, at, 450)

    by_door = revenue_report(db, query(date(2026, 6, 10), group_by="door"))
    by_device = revenue_report(db, query(date(2026, 6, 10), group_by="device"))

    assert [(r.group_key, r.group_name, r.net_minor) for r in by_door] == [(entrance.id, "Front door", 200)]
    assert [(r.group_key, r.group_name, r.net_minor) for r in by_device] == [(washer.id, "Washer", 450)]


def test_ungrouped_report_sums_every_location_into_one_row_per_bucket_and_currency(db: Session):
    at = utc(2026, 6, 10, 12)
    pay(db, new_door(db, new_location(db, "Europe/Berlin")), at, 200)
    pay(db, new_device(db, new_location(db, "UTC", named("Utc")))[0], at, 450)

    [row] = revenue_report(db, query(date(2026, 6, 10)))

    assert (row.group_key, row.group_name, row.payments, row.net_minor) == (None, None, 2, 650)


def test_a_location_filter_reports_that_location_only(db: Session):
    here, elsewhere = new_location(db, "Europe/Berlin"), new_location(db, "Europe/Berlin")
    at = utc(2026, 6, 10, 12)
    pay(db, new_door(db, here), at, 200)
    pay(db, new_door(db, elsewhere), at, 999)

    [row] = revenue_report(db, query(date(2026, 6, 10), location=here))

    assert row.net_minor == 200


def test_a_report_with_no_locations_is_empty(db: Session):
    assert revenue_report(db, query(date(2026, 6, 10))) == []
    assert usage_report(db, query(date(2026, 6, 10))) == []


@pytest.mark.parametrize(("period", "group_by", "date_from", "date_to", "message"), [
    ("day", "none", date(2026, 6, 10), date(2026, 6, 9), "start date"),
    ("hour", "none", date(2026, 6, 9), date(2026, 6, 10), "period"),
    ("day", "user", date(2026, 6, 9), date(2026, 6, 10), "grouping"),
    ("day", "none", date(2025, 1, 1), date(2026, 6, 10), "at most 366 days"),
])
def test_a_query_that_makes_no_sense_is_refused_with_a_reason(db: Session, period, group_by, date_from, date_to,
                                                             message):
    with pytest.raises(InvalidInput, match=message):
        revenue_report(db, ReportQuery(period, group_by, date_from, date_to))


def test_a_long_range_is_allowed_by_month(db: Session):
    pay(db, new_door(db, new_location(db, "Europe/Berlin")), utc(2024, 2, 10, 12))

    rows = revenue_report(db, ReportQuery("month", "none", date(2020, 1, 1), date(2026, 12, 31)))

    assert counts_by_bucket(rows) == {date(2024, 2, 1): 1}


# --- usage ----------------------------------------------------------------------------------------------------

def test_usage_counts_delivered_sessions_their_paid_minutes_and_door_accesses_per_local_day(db: Session):
    location = new_location(db, "Europe/Berlin")
    washer, entrance = new_device(db, location)[0], new_door(db, location)
    run_session(db, washer, utc(2026, 10, 25, 22, 30), 45)    # 23:30 CET, 25 October
    run_session(db, washer, utc(2026, 10, 24, 22, 30), 60, status=DeviceSessionStatus.active)  # 00:30, 25 Oct
    run_session(db, washer, utc(2026, 10, 25, 10), 30, status=DeviceSessionStatus.failed)
    run_session(db, washer, utc(2026, 10, 25, 10), 30, status=DeviceSessionStatus.cancelled)
    run_session(db, washer, utc(2026, 10, 25, 23, 30), 15)    # 26 October
    grant_access(db, entrance, utc(2026, 10, 25, 12))
    grant_access(db, entrance, utc(2026, 10, 25, 12), status=DoorAccessStatus.failed)

    rows = usage_report(db, query(date(2026, 10, 25), date(2026, 10, 26)))

    assert rows == [UsageRow(date(2026, 10, 25), None, None, 2, 105, 1),
                    UsageRow(date(2026, 10, 26), None, None, 1, 15, 0)]


def test_usage_by_location_puts_sessions_and_accesses_of_one_location_on_one_row(db: Session):
    berlin, london = new_location(db, "Europe/Berlin", named("Berlin")), new_location(db, "UTC", named("Utc"))
    run_session(db, new_device(db, berlin)[0], utc(2026, 3, 28, 23, 30), 45)   # 29 March in Berlin
    grant_access(db, new_door(db, berlin), utc(2026, 3, 29, 21, 30))         # 23:30 CEST, 29 March
    grant_access(db, new_door(db, london), utc(2026, 3, 29, 21, 30))

    rows = usage_report(db, query(date(2026, 3, 29), group_by="location"))

    assert rows == [UsageRow(date(2026, 3, 29), berlin.id, berlin.name, 1, 45, 1),
                    UsageRow(date(2026, 3, 29), london.id, london.name, 0, 0, 1)]


def test_usage_by_door_has_no_device_sessions_and_by_device_no_door_accesses(db: Session):
    location = new_location(db, "Europe/Berlin")
    washer, entrance = new_device(db, location, "Washer")[0], new_door(db, location, "Front door")
    run_session(db, washer, utc(2026, 6, 10, 12), 45)
    grant_access(db, entrance, utc(2026, 6, 10, 12))

    by_door = usage_report(db, query(date(2026, 6, 10), group_by="door"))
    by_device = usage_report(db, query(date(2026, 6, 10), group_by="device"))

    assert by_door == [UsageRow(date(2026, 6, 10), entrance.id, "Front door", 0, 0, 1)]
    assert by_device == [UsageRow(date(2026, 6, 10), washer.id, "Washer", 1, 45, 0)]


# --- CSV ------------------------------------------------------------------------------------------------------

def test_csv_amounts_are_decimals_in_each_currencys_own_minor_unit():
    rows = [ReportRow(date(2026, 6, 10), None, None, "eur", 2, 1250, 250, 1000),
            ReportRow(date(2026, 6, 10), None, None, "jpy", 1, 1250, 0, 1250),
            ReportRow(date(2026, 6, 10), None, None, "bhd", 1, 1250, 0, 1250)]

    lines = list(report_csv(rows))

    assert lines == ["period_start,group_id,group,currency,payments,gross,refunded,net\r\n",
                     "2026-06-10,,,EUR,2,12.50,2.50,10.00\r\n",
                     "2026-06-10,,,JPY,1,1250,0,1250\r\n",
                     "2026-06-10,,,BHD,1,1.250,0.000,1.250\r\n"]


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://evil\")", "+1+1", "-2", "@SUM(A1)", "\tx"])
def test_csv_cells_that_a_spreadsheet_would_run_as_a_formula_are_quoted(name):
    [_, revenue] = report_csv([ReportRow(date(2026, 6, 10), 7, name, "eur", 1, 100, 0, 100)])
    [_, usage] = usage_csv([UsageRow(date(2026, 6, 10), 7, name, 1, 45, 0)])

    assert revenue.split(",")[2].lstrip('"').startswith("'" + name[0])
    assert usage.split(",")[2].lstrip('"').startswith("'" + name[0])


def test_csv_keeps_ordinary_names_and_quotes_commas():
    [_, line] = usage_csv([UsageRow(date(2026, 6, 10), 7, "Washer, left", 2, 90, 3)])

    assert line == '2026-06-10,7,"Washer, left",2,90,3\r\n'
