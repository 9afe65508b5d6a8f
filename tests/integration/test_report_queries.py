"""Reports and dashboard on real PostgreSQL, where bucketing by each location's local date happens in SQL
(date_trunc ... AT TIME ZONE): day boundaries, both Berlin DST changes, weeks, months, groups, currencies.

The database is shared within a run: every test makes its own locations and filters on them, and rolls back.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlmodel import Session

from hygate_app.models import DeviceSessionStatus
from hygate_app.services import reports
from hygate_app.services.dashboard import CurrencyRevenue, dashboard_summary
from hygate_app.services.reports import GroupBy, Period, ReportQuery, UsageRow, revenue_report, usage_report
from tests.support.records import grant_access, named, new_device, new_door, new_location, pay, run_session, utc


@pytest.fixture
def db(pg: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    """The PostgreSQL session; the Python (SQLite-only) bucketing is disabled, so SQL must do it."""
    def not_on_postgresql(*args, **kwargs):
        raise AssertionError("PostgreSQL reports must bucket in SQL")

    monkeypatch.setattr(reports, "_sum_by_local_bucket", not_on_postgresql)
    yield pg
    pg.rollback()


def day_counts(db: Session, location_id: int, date_from: date, date_to: date, period: Period = Period.day):
    rows = revenue_report(db, ReportQuery(period, GroupBy.none, date_from, date_to, location_id))
    return {row.bucket: row.payments for row in rows}


def test_a_late_utc_payment_is_bucketed_on_berlins_next_day_in_sql(db: Session):
    berlin, london = new_location(db, "Europe/Berlin", named("Berlin")), new_location(db, "UTC", named("Utc"))
    pay(db, new_door(db, berlin), utc(2026, 6, 9, 23, 30))
    pay(db, new_door(db, london), utc(2026, 6, 9, 23, 30))

    assert day_counts(db, berlin.id, date(2026, 6, 9), date(2026, 6, 10)) == {date(2026, 6, 10): 1}
    assert day_counts(db, london.id, date(2026, 6, 9), date(2026, 6, 10)) == {date(2026, 6, 9): 1}


def test_each_location_reads_the_date_range_in_its_own_time_zone_in_sql(db: Session):
    berlin, london = new_location(db, "Europe/Berlin", named("Berlin")), new_location(db, "UTC", named("Utc"))
    pay(db, new_door(db, berlin), utc(2026, 6, 9, 22, 30), 1)     # 10 June in Berlin: in
    pay(db, new_door(db, berlin), utc(2026, 6, 10, 22, 30), 2)    # 11 June in Berlin: out
    pay(db, new_door(db, london), utc(2026, 6, 9, 22, 30), 4)     # 9 June in UTC: out
    pay(db, new_door(db, london), utc(2026, 6, 10, 23, 30), 8)    # 10 June in UTC: in

    rows = revenue_report(db, ReportQuery(Period.day, GroupBy.location, date(2026, 6, 10), date(2026, 6, 10)))

    mine = [(r.bucket, r.group_key, r.net_minor) for r in rows if r.group_key in (berlin.id, london.id)]
    assert sorted(mine) == sorted([(date(2026, 6, 10), berlin.id, 1), (date(2026, 6, 10), london.id, 8)])


def test_both_berlin_dst_changes_are_bucketed_by_local_day_in_sql(db: Session):
    location = new_location(db, "Europe/Berlin")
    entrance = new_door(db, location)
    for at in (utc(2026, 3, 28, 22, 30), utc(2026, 3, 28, 23, 30),     # 28 March 23:30 CET, 29 March 00:30 CET
               utc(2026, 3, 29, 21, 30), utc(2026, 3, 29, 22, 30),     # 29 March 23:30 CEST, 30 March 00:30 CEST
               utc(2026, 10, 24, 21, 30), utc(2026, 10, 24, 22, 30),   # 24 Oct 23:30 CEST, 25 Oct 00:30 CEST
               utc(2026, 10, 25, 22, 30), utc(2026, 10, 25, 23, 30)):  # 25 Oct 23:30 CET, 26 Oct 00:30 CET
        pay(db, entrance, at)

    assert day_counts(db, location.id, date(2026, 3, 28), date(2026, 3, 30)) \
        == {date(2026, 3, 28): 1, date(2026, 3, 29): 2, date(2026, 3, 30): 1}
    assert day_counts(db, location.id, date(2026, 10, 24), date(2026, 10, 26)) \
        == {date(2026, 10, 24): 1, date(2026, 10, 25): 2, date(2026, 10, 26): 1}


def test_weeks_start_on_monday_and_months_on_the_first_local_day_in_sql(db: Session):
    location = new_location(db, "Europe/Berlin")
    entrance = new_door(db, location)
    pay(db, entrance, utc(2026, 6, 7, 12))        # Sunday
    pay(db, entrance, utc(2026, 6, 7, 22, 30))    # Monday 8 June, 00:30 in Berlin
    pay(db, entrance, utc(2026, 6, 30, 22, 30))   # 1 July, 00:30 in Berlin

    assert day_counts(db, location.id, date(2026, 6, 1), date(2026, 7, 5), Period.week) \
        == {date(2026, 6, 1): 1, date(2026, 6, 8): 1, date(2026, 6, 29): 1}
    assert day_counts(db, location.id, date(2026, 6, 1), date(2026, 7, 5), Period.month) \
        == {date(2026, 6, 1): 2, date(2026, 7, 1): 1}


def test_groups_and_currencies_stay_apart_in_sql(db: Session):
    location = new_location(db, "Europe/Berlin")
    entrance, washer = new_door(db, location, "Front door"), new_device(db, location, "Washer")[0]
    at = utc(2026, 6, 10, 12)
    pay(db, entrance, at, 200)
    pay(db, entrance, at, 300, currency="usd", status="partially_refunded", refunded=100)
    pay(db, washer, at, 450)
    pay(db, washer, at, 450, status="pending")

    by = {group: revenue_report(db, ReportQuery(Period.day, group, date(2026, 6, 10), date(2026, 6, 10),
                                                location.id))
          for group in (GroupBy.location, GroupBy.door, GroupBy.device)}

    assert [(r.group_name, r.currency, r.payments, r.gross_minor, r.refunded_minor, r.net_minor)
            for r in by[GroupBy.location]] == [(location.name, "eur", 2, 650, 0, 650),
                                               (location.name, "usd", 1, 300, 100, 200)]
    assert [(r.group_key, r.currency, r.net_minor) for r in by[GroupBy.door]] \
        == [(entrance.id, "eur", 200), (entrance.id, "usd", 200)]
    assert [(r.group_key, r.currency, r.net_minor) for r in by[GroupBy.device]] == [(washer.id, "eur", 450)]


def test_usage_is_bucketed_by_local_start_day_in_sql(db: Session):
    location = new_location(db, "Europe/Berlin")
    washer, entrance = new_device(db, location, "Washer")[0], new_door(db, location, "Front door")
    run_session(db, washer, utc(2026, 10, 25, 22, 30), 45)   # 23:30 CET, 25 October
    run_session(db, washer, utc(2026, 10, 24, 22, 30), 60)   # 00:30 CEST, 25 October
    run_session(db, washer, utc(2026, 10, 25, 10), 30, status=DeviceSessionStatus.failed)
    grant_access(db, entrance, utc(2026, 10, 25, 23, 30))    # 26 October

    rows = usage_report(db, ReportQuery(Period.day, GroupBy.location, date(2026, 10, 25), date(2026, 10, 26),
                                        location.id))

    assert rows == [UsageRow(date(2026, 10, 25), location.id, location.name, 2, 105, 0),
                    UsageRow(date(2026, 10, 26), location.id, location.name, 0, 0, 1)]


def test_dashboard_revenue_counts_from_local_midnight_on_postgresql(db: Session):
    # A currency no other test uses, as the dashboard sums the whole (shared) database; two time zones.
    entrance = new_door(db, new_location(db, "Europe/Berlin"))
    london = new_door(db, new_location(db, "UTC", named("Utc")))
    now = utc(2026, 10, 26, 10)                               # the day after the autumn change
    pay(db, london, utc(2026, 10, 25, 23, 30), 16, currency="xts")    # 25 Oct in UTC: yesterday
    pay(db, entrance, utc(2026, 10, 25, 23, 30), 1, currency="xts")   # 00:30 CET today
    pay(db, entrance, utc(2026, 10, 25, 22, 30), 2, currency="xts")   # 23:30 CET yesterday
    pay(db, entrance, utc(2026, 10, 19, 22, 30), 4, currency="xts")   # 00:30 CEST 20 Oct: 6 days ago
    pay(db, entrance, utc(2026, 10, 19, 21, 30), 8, currency="xts")   # 23:30 CEST 19 Oct: 7 days ago

    summary = dashboard_summary(db, now)

    assert [r for r in summary.revenue if r.currency == "xts"] == [CurrencyRevenue("xts", 1, 23, 31)]
    assert len(summary.integrations) == 4
