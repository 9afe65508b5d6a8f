"""The Reports page's reading of its choices, its CSV link, its charts (one per currency or measure, the
smallest groups added up as "Other") and one page of its table."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest

from hygate_app.services import report_view
from hygate_app.services.errors import InvalidInput
from hygate_app.services.paging import PageRequest
from hygate_app.services.report_view import Kind, parse_request
from hygate_app.services.reports import GroupBy, Period, ReportQuery, ReportRow, UsageRow

FORM = {"kind": "revenue", "period": "week", "group": "location", "from": "2026-06-01", "to": "2026-06-30",
        "location": ""}


def revenue(bucket: date, net: int, currency: str = "eur", key: int | None = None, name: str | None = None,
            refunded: int = 0) -> ReportRow:
    return ReportRow(bucket, key, name, currency, 1, net + refunded, refunded, net)


def june(period: Period = Period.day, group_by: GroupBy = GroupBy.none, start: int = 1, end: int = 3) -> ReportQuery:
    return ReportQuery(period, group_by, date(2026, 6, start), date(2026, 6, end))


def test_the_form_is_read_into_a_report_request():
    request = parse_request({**FORM, "location": "12"})
    assert request.kind is Kind.revenue
    assert request.query == ReportQuery(Period.week, GroupBy.location, date(2026, 6, 1), date(2026, 6, 30), 12)
    assert parse_request(FORM).query.location_id is None


@pytest.mark.parametrize(("change", "message"), [
    ({"kind": "profit"}, "Choose a report (revenue, usage)."),
    ({"period": "year"}, "Choose a period (day, week, month)."),
    ({"group": "city"}, "Choose a grouping (none, location, door, device)."),
    ({"from": ""}, "Enter the start date."),
    ({"to": "30/06/2026"}, "The end date must be a date like 2026-06-30, from 2000 to 2999."),
    ({"to": "9999-12-31"}, "The end date must be a date like 2026-06-30, from 2000 to 2999."),
    # A number past PostgreSQL's integer made the report query fail.
    ({"location": "2147483648"}, "Choose a location from the list."),
    ({"from": "2026-07-01"}, "The start date must not be after the end date."),
    ({"location": "1 OR 1=1"}, "Choose a location from the list."),
])
def test_a_wrong_choice_says_what_to_fix(change, message):
    with pytest.raises(InvalidInput) as refused:
        parse_request({**FORM, **change})
    assert str(refused.value) == message


def test_the_csv_link_carries_the_choices_back_to_the_same_request():
    request = parse_request({**FORM, "kind": "usage", "location": "7"})
    url = urlsplit(request.csv_href())
    assert url.path == "/api/admin/reports.csv"
    assert parse_request(dict(parse_qsl(url.query))) == request
    assert request.csv_filename() == "hygate-usage-week-2026-06-01-2026-06-30.csv"


def test_the_default_is_daily_revenue_over_the_last_30_days():
    request = report_view.default_request(date(2026, 6, 30))
    assert request.kind is Kind.revenue
    assert request.query == ReportQuery(Period.day, GroupBy.none, date(2026, 6, 1), date(2026, 6, 30))


def test_buckets_cover_the_range_by_day_monday_and_first_of_month():
    assert report_view.buckets(june(end=3)) == [date(2026, 6, 1), date(2026, 6, 2), date(2026, 6, 3)]
    weeks = ReportQuery(Period.week, GroupBy.none, date(2026, 6, 3), date(2026, 6, 15))
    assert report_view.buckets(weeks) == [date(2026, 6, 1), date(2026, 6, 8), date(2026, 6, 15)]
    months = ReportQuery(Period.month, GroupBy.none, date(2026, 11, 20), date(2027, 2, 1))
    assert report_view.buckets(months) == [date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)]


def test_each_currency_has_its_own_chart_in_its_own_unit_with_empty_days_as_zero():
    rows = [revenue(date(2026, 6, 1), 1250), revenue(date(2026, 6, 3), 500), revenue(date(2026, 6, 1), 900, "jpy")]
    eur, jpy = report_view.revenue_charts(june(), rows)
    assert eur.title == "Net revenue (EUR)" and jpy.title == "Net revenue (JPY)"
    assert [s.name for s in eur.series] == ["All"]
    assert eur.data == [{"period": "2026-06-01", "s0": 12.5}, {"period": "2026-06-02", "s0": 0},
                        {"period": "2026-06-03", "s0": 5.0}]
    assert jpy.data[0] == {"period": "2026-06-01", "s0": 900.0}


def test_groups_are_series_largest_first_and_the_smallest_are_added_up_as_other():
    day = date(2026, 6, 1)
    rows = [revenue(day, 100 * (i + 1), key=i, name=f"Door {i}") for i in range(report_view.MAX_SERIES + 2)]
    [chart] = report_view.revenue_charts(june(group_by=GroupBy.door, end=1), rows)
    names = [s.name for s in chart.series]
    assert names[0] == f"Door {report_view.MAX_SERIES + 1}" and names[-1] == report_view.OTHER
    assert len(names) == report_view.MAX_SERIES + 1
    assert chart.data[0][chart.series[-1].key] == 3.0  # Door 0 (1.00) and Door 1 (2.00)
    assert sum(v for k, v in chart.data[0].items() if k != "period") == sum(r.net_minor for r in rows) / 100


def test_one_group_beyond_the_limit_keeps_its_name_and_same_names_get_their_ids():
    day = date(2026, 6, 1)
    rows = [revenue(day, 100 + i, key=i, name="Washer" if i < 2 else f"Dryer {i}")
            for i in range(report_view.MAX_SERIES + 1)]
    [chart] = report_view.revenue_charts(june(group_by=GroupBy.device, end=1), rows)
    names = [s.name for s in chart.series]
    assert report_view.OTHER not in names and len(names) == report_view.MAX_SERIES + 1
    assert "Washer #0" in names and "Washer #1" in names


def test_usage_has_one_chart_per_measure_that_the_grouping_can_have():
    rows = [UsageRow(date(2026, 6, 1), 3, "Front door", 0, 0, 4)]
    assert [c.title for c in report_view.usage_charts(june(group_by=GroupBy.door), rows)] == ["Door accesses"]
    both = report_view.usage_charts(june(), [UsageRow(date(2026, 6, 2), None, None, 2, 90, 1)])
    assert [c.title for c in both] == ["Device sessions", "Paid minutes", "Door accesses"]
    assert both[1].data[1] == {"period": "2026-06-02", "s0": 90.0}
    assert report_view.usage_measures(GroupBy.device) == [("device_sessions", "Device sessions"),
                                                          ("paid_minutes", "Paid minutes")]
    assert report_view.usage_charts(june(), []) == []


def test_totals_are_per_currency_and_never_mixed():
    rows = [revenue(date(2026, 6, 1), 1000, refunded=200), revenue(date(2026, 6, 2), 500),
            revenue(date(2026, 6, 1), 300, "usd")]
    assert report_view.revenue_totals(rows) == [report_view.RevenueTotal("eur", 2, 1700, 200, 1500),
                                                report_view.RevenueTotal("usd", 1, 300, 0, 300)]
    assert report_view.usage_totals([UsageRow(date(2026, 6, 1), None, None, 2, 90, 1),
                                     UsageRow(date(2026, 6, 2), None, None, 1, 30, 0)]) == (3, 120, 1)


def test_bucket_labels_name_the_period():
    assert report_view.bucket_label(date(2026, 6, 8), Period.day) == "2026-06-08"
    assert report_view.bucket_label(date(2026, 6, 8), Period.week) == "Week of 2026-06-08"
    assert report_view.bucket_label(date(2026, 6, 1), Period.month) == "June 2026"


def test_a_page_of_the_table_and_a_page_past_the_end_shows_the_last():
    rows = list(range(7))
    second = report_view.page_of(rows, PageRequest(2, 3))
    assert (second.rows, second.total, second.page, second.pages) == ([3, 4, 5], 7, 2, 3)
    assert report_view.page_of(rows, PageRequest(9, 3)).rows == [6]
    assert report_view.page_of([], PageRequest(1, 3)).rows == []


def test_a_group_has_the_same_colour_in_every_chart_of_a_report():
    day = date(2026, 6, 1)
    rows = [revenue(day, 100, key=1, name="North gate"), revenue(day, 700, key=2, name="South gate"),
            revenue(day, 1000, "usd", key=1, name="North gate")]
    eur, usd = report_view.revenue_charts(june(group_by=GroupBy.door, end=1), rows)
    colour = {s.name: s.colour for s in eur.series}
    assert [s.name for s in eur.series] == ["South gate", "North gate"]  # largest first
    assert usd.series[0].colour == colour["North gate"] != colour["South gate"]
