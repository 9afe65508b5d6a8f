"""The Payments module: filters (dates in a time zone, status, place, search), sorting, paging, the detail
with refunds and what was bought, and the CSV export (batched, decimal amounts, no formula injection)."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from hygate_app.models import (
    DeviceSessionStatus,
    DoorAccessStatus,
    PaymentKind,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from hygate_app.services import device_sessions
from hygate_app.services.csv_export import csv_cell
from hygate_app.services.errors import InvalidInput, NotFound
from hygate_app.services.money import decimal_amount
from hygate_app.services.paging import PageRequest
from hygate_app.services.payment_history import (
    CSV_HEADER,
    PaymentFilters,
    list_payments,
    payment_detail,
    payments_csv,
    utc_bounds,
)
from tests.support.records import T0, add_door_access, add_payment, new_device, new_door, new_location, utc

ALL = PageRequest(per_page=200)


def ids(page) -> list[int]:
    return [row.id for row in page.rows]


@pytest.fixture
def place(db):
    location = new_location(db, name="Laundry Nord")
    return location, new_device(db, location, "Washer 1"), new_door(db, location, "Front door")


# The list: joined names, order, paging

def test_the_list_is_newest_first_with_the_location_name_joined(db, place):
    location, device, _ = place
    old = add_payment(db, device, created_at=T0 - timedelta(days=1), email="a@example.com")
    new = add_payment(db, device, created_at=T0)
    page = list_payments(db, PaymentFilters(), PageRequest())
    assert ids(page) == [new.id, old.id]
    first = page.rows[0]
    assert (first.location_name, first.item_name, first.kind, first.status) == (
        "Laundry Nord", "Washer 1 · Standard", PaymentKind.device, PaymentStatus.paid)
    assert page.rows[1].customer_email == "a@example.com"
    assert first.created_at == T0 and first.created_at.tzinfo is not None


def test_payments_sort_by_amount_and_by_status_when_asked(db, place):
    _, device, _ = place
    cheap = add_payment(db, device, amount=100, status=PaymentStatus.refunded)
    dear = add_payment(db, device, amount=900, status=PaymentStatus.expired)
    middle = add_payment(db, device, amount=450, status=PaymentStatus.failed)
    by_amount = list_payments(db, PaymentFilters(), PageRequest(sort="amount", descending=False))
    assert ids(by_amount) == [cheap.id, middle.id, dear.id]
    by_status = list_payments(db, PaymentFilters(), PageRequest(sort="status", descending=False))
    assert ids(by_status) == [dear.id, middle.id, cheap.id]


def test_paging_returns_one_page_and_the_total_of_all_matching_rows(db, place):
    _, device, _ = place
    made = [add_payment(db, device, created_at=T0 + timedelta(minutes=i)) for i in range(5)]
    second = list_payments(db, PaymentFilters(), PageRequest(page=2, per_page=2))
    assert second.total == 5 and second.pages == 3
    assert ids(second) == [made[2].id, made[1].id]


def test_payments_created_at_the_same_moment_page_without_overlap(db, place):
    _, device, _ = place
    made = {add_payment(db, device).id for _ in range(5)}
    seen = [i for n in (1, 2, 3) for i in ids(list_payments(db, PaymentFilters(), PageRequest(page=n, per_page=2)))]
    assert sorted(seen) == sorted(made)


# Filters

def test_status_filter_keeps_only_payments_in_that_status(db, place):
    _, device, _ = place
    add_payment(db, device, status=PaymentStatus.paid)
    expired = add_payment(db, device, status=PaymentStatus.expired)
    assert ids(list_payments(db, PaymentFilters(status=PaymentStatus.expired), ALL)) == [expired.id]


def test_an_unknown_status_is_refused(db, place):
    with pytest.raises(InvalidInput, match="status"):
        list_payments(db, PaymentFilters(status="stolen"), ALL)


def test_location_door_and_device_filters_narrow_the_list(db, place):
    location, device, door = place
    elsewhere = new_location(db)
    other_device = new_device(db, elsewhere, "Dryer")
    on_device, on_door = add_payment(db, device), add_payment(db, door)
    on_other = add_payment(db, other_device)
    assert set(ids(list_payments(db, PaymentFilters(location_id=location.id), ALL))) == {on_device.id, on_door.id}
    assert ids(list_payments(db, PaymentFilters(location_id=elsewhere.id), ALL)) == [on_other.id]
    assert ids(list_payments(db, PaymentFilters(door_id=door.id), ALL)) == [on_door.id]
    assert ids(list_payments(db, PaymentFilters(device_id=device[0].id), ALL)) == [on_device.id]


def test_date_range_without_a_location_is_whole_utc_days_inclusive(db, place):
    _, device, _ = place
    before = add_payment(db, device, created_at=datetime(2026, 3, 9, 23, 59, 59, tzinfo=UTC))
    first = add_payment(db, device, created_at=datetime(2026, 3, 10, 0, 0, tzinfo=UTC))
    last = add_payment(db, device, created_at=datetime(2026, 3, 11, 23, 59, 59, tzinfo=UTC))
    after = add_payment(db, device, created_at=datetime(2026, 3, 12, 0, 0, tzinfo=UTC))
    page = list_payments(db, PaymentFilters(date_from=date(2026, 3, 10), date_to=date(2026, 3, 11)), ALL)
    assert set(ids(page)) == {first.id, last.id}
    assert before.id not in ids(page) and after.id not in ids(page)


def test_one_sided_date_ranges_are_open_at_the_other_end(db, place):
    _, device, _ = place
    early = add_payment(db, device, created_at=datetime(2026, 1, 1, tzinfo=UTC))
    late = add_payment(db, device, created_at=datetime(2026, 6, 1, tzinfo=UTC))
    assert ids(list_payments(db, PaymentFilters(date_from=date(2026, 3, 1)), ALL)) == [late.id]
    assert ids(list_payments(db, PaymentFilters(date_to=date(2026, 3, 1)), ALL)) == [early.id]


def test_with_a_location_filter_the_days_are_that_locations_local_days(db):
    berlin = new_location(db, "Europe/Berlin")
    device = new_device(db, berlin)
    # 23:30 UTC on 9 March is 00:30 on 10 March in Berlin.
    late_evening_utc = add_payment(db, device, created_at=datetime(2026, 3, 9, 23, 30, tzinfo=UTC))
    day = date(2026, 3, 10)
    local = list_payments(db, PaymentFilters(location_id=berlin.id, date_from=day, date_to=day), ALL)
    assert ids(local) == [late_evening_utc.id]
    assert ids(list_payments(db, PaymentFilters(date_from=day, date_to=day), ALL)) == []


def test_an_explicit_time_zone_overrides_the_locations(db):
    berlin = new_location(db, "Europe/Berlin")
    device = new_device(db, berlin)
    payment = add_payment(db, device, created_at=datetime(2026, 3, 9, 23, 30, tzinfo=UTC))
    filters = PaymentFilters(location_id=berlin.id, date_from=date(2026, 3, 9), date_to=date(2026, 3, 9),
                             time_zone="UTC")
    assert ids(list_payments(db, filters, ALL)) == [payment.id]


def test_the_day_of_the_spring_dst_change_has_23_hours():
    start, end = utc_bounds(date(2026, 3, 29), date(2026, 3, 29), ZoneInfo("Europe/Berlin"))
    assert start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)


def test_a_payment_just_after_local_midnight_on_the_autumn_dst_day_counts_for_the_new_day(db):
    berlin = new_location(db, "Europe/Berlin")
    device = new_device(db, berlin)
    # 25 October 2026 is 25 hours long in Berlin: it runs from 24 Oct 22:00 UTC to 25 Oct 23:00 UTC.
    last_minute = add_payment(db, device, created_at=datetime(2026, 10, 25, 22, 59, tzinfo=UTC))
    next_day = add_payment(db, device, created_at=datetime(2026, 10, 25, 23, 0, tzinfo=UTC))
    day = date(2026, 10, 25)
    assert ids(list_payments(db, PaymentFilters(location_id=berlin.id, date_from=day, date_to=day), ALL)) == [
        last_minute.id]
    assert next_day.id in ids(list_payments(db, PaymentFilters(location_id=berlin.id, date_from=date(2026, 10, 26)),
                                            ALL))


@pytest.mark.parametrize("filters", [
    PaymentFilters(date_from=date(2026, 3, 2), date_to=date(2026, 3, 1)),
    PaymentFilters(date_from=date(2026, 3, 1), time_zone="Mars/Olympus_Mons"),
])
def test_reversed_dates_and_unknown_time_zones_are_refused(db, filters):
    with pytest.raises(InvalidInput):
        list_payments(db, filters, ALL)


# Search

def test_search_finds_an_email_or_item_name_by_any_part_in_any_case(db, place):
    _, device, door = place
    by_mail = add_payment(db, device, email="Jane.Doe@Example.com")
    by_item = add_payment(db, door, item_name="Sauna evening")
    add_payment(db, device, email="someone@else.org")
    assert ids(list_payments(db, PaymentFilters(search="jane.doe@"), ALL)) == [by_mail.id]
    assert ids(list_payments(db, PaymentFilters(search="  SAUNA "), ALL)) == [by_item.id]


def test_search_wildcards_are_taken_literally(db, place):
    _, device, _ = place
    underscore = add_payment(db, device, item_name="Washer_2")
    percent = add_payment(db, device, item_name="100% cotton")
    add_payment(db, device, item_name="Washer 3")
    assert ids(list_payments(db, PaymentFilters(search="_"), ALL)) == [underscore.id]
    assert ids(list_payments(db, PaymentFilters(search="%"), ALL)) == [percent.id]


def test_search_by_a_stripe_id_matches_checkout_intent_or_refund_exactly(db, place):
    _, device, _ = place
    target = add_payment(db, device, checkout_id="cs_test_abc123", intent_id="pi_abc123")
    add_payment(db, device, checkout_id="cs_test_abc1234", intent_id="pi_abc1234")
    db.add(Refund(payment_id=target.id, amount_minor=100, reason="goodwill", idempotency_key="r-1",
                  stripe_refund_id="re_xyz789", status=RefundStatus.succeeded))
    db.flush()
    for term in ("cs_test_abc123", "pi_abc123", "re_xyz789"):
        assert ids(list_payments(db, PaymentFilters(search=term), ALL)) == [target.id], term
    assert ids(list_payments(db, PaymentFilters(search="pi_abc12"), ALL)) == []


# Detail

def test_detail_names_the_stripe_ids_the_refunds_and_the_session_bought(db, place):
    _, device, _ = place
    payment = add_payment(db, device, checkout_id="cs_test_d1", intent_id="pi_d1",
                          status=PaymentStatus.partially_refunded, minutes=30, delay=5)
    payment.amount_refunded_minor = 100
    session = device_sessions.create_for_payment(db, payment)
    db.add(Refund(payment_id=payment.id, amount_minor=100, reason="unused minutes", idempotency_key="r-a",
                  stripe_refund_id="re_a", status=RefundStatus.succeeded, created_at=T0 + timedelta(hours=1)))
    db.add(Refund(payment_id=payment.id, amount_minor=50, reason="goodwill", idempotency_key="r-b",
                  status=RefundStatus.failed, last_error="card expired", created_at=T0 + timedelta(hours=2)))
    db.flush()
    detail = payment_detail(db, payment.id)
    assert (detail.stripe_checkout_session_id, detail.stripe_payment_intent_id) == ("cs_test_d1", "pi_d1")
    assert (detail.device_name, detail.usage_plan_name, detail.door_name) == ("Washer 1", "Standard", None)
    assert detail.payment.amount_refunded_minor == 100
    assert [(r.amount_minor, r.status, r.reason, r.stripe_refund_id) for r in detail.refunds] == [
        (100, RefundStatus.succeeded, "unused minutes", "re_a"), (50, RefundStatus.failed, "goodwill", None)]
    assert detail.refunds[1].last_error == "card expired"
    access = detail.access
    assert (access.kind, access.id, access.status) == (PaymentKind.device, session.id, DeviceSessionStatus.pending)
    assert access.starts_at == payment.paid_at + timedelta(minutes=5)
    assert access.ends_at == payment.paid_at + timedelta(minutes=35)


def test_detail_of_a_door_payment_shows_its_door_access_window(db, place):
    _, _, door = place
    payment = add_payment(db, door)
    access = add_door_access(db, payment, minutes=60)
    detail = payment_detail(db, payment.id)
    assert detail.door_name == "Front door" and detail.device_name is None
    assert (detail.access.kind, detail.access.id, detail.access.status) == (
        PaymentKind.door, access.id, DoorAccessStatus.active)
    assert detail.access.ends_at - detail.access.starts_at == timedelta(minutes=60)


def test_an_unpaid_payment_has_bought_nothing_and_has_no_refunds(db, place):
    _, device, _ = place
    detail = payment_detail(db, add_payment(db, device, status=PaymentStatus.expired).id)
    assert detail.access is None and detail.refunds == () and detail.payment.paid_at is None


def test_detail_of_a_missing_payment_is_not_found(db, place):
    with pytest.raises(NotFound):
        payment_detail(db, 999_999)


# CSV

def parsed(lines) -> list[list[str]]:
    return list(csv.reader("".join(lines).splitlines(keepends=True)))


def test_csv_starts_with_the_header_and_has_one_line_per_payment_in_id_order(db, place):
    _, device, door = place
    made = [add_payment(db, device, created_at=T0 - timedelta(minutes=i)) for i in range(3)] + [
        add_payment(db, door)]
    rows = parsed(payments_csv(db, PaymentFilters()))
    assert rows[0] == list(CSV_HEADER)
    assert [int(r[0]) for r in rows[1:]] == [p.id for p in made]


def test_csv_amounts_are_decimals_in_the_currencys_minor_units_and_times_are_utc(db, place):
    _, device, _ = place
    add_payment(db, device, amount=450, currency="eur", status=PaymentStatus.partially_refunded,
                checkout_id="cs_test_csv", intent_id="pi_csv")
    add_payment(db, device, amount=450, currency="jpy")
    header, euro, yen = parsed(payments_csv(db, PaymentFilters()))
    line = dict(zip(header, euro, strict=True))
    assert (line["amount"], line["amount_refunded"], line["currency"]) == ("4.50", "0.00", "EUR")
    assert (line["created_at"], line["status"], line["kind"]) == (
        "2026-03-10T12:00:00+00:00", "partially_refunded", "device")
    assert (line["location"], line["stripe_checkout_session_id"], line["stripe_payment_intent_id"]) == (
        "Laundry Nord", "cs_test_csv", "pi_csv")
    assert dict(zip(header, yen, strict=True))["amount"] == "450"


def test_csv_times_are_also_on_the_locations_clock_with_the_offset_across_the_autumn_dst_change(db):
    """02:30 happens twice in Berlin on 25 October 2026: the offset tells the two payments apart."""
    berlin = new_location(db, timezone="Europe/Berlin")
    device = new_device(db, berlin)
    first = add_payment(db, device, created_at=utc(2026, 10, 25, 0, 30), paid_at=utc(2026, 10, 25, 0, 31))
    second = add_payment(db, device, created_at=utc(2026, 10, 25, 1, 30), status=PaymentStatus.pending)
    header, *lines = parsed(payments_csv(db, PaymentFilters(location_id=berlin.id)))
    rows = {int(line[0]): dict(zip(header, line, strict=True)) for line in lines}
    assert [rows[first.id][k] for k in ("time_zone", "created_at_local", "paid_at_local", "created_at")] == [
        "Europe/Berlin", "2026-10-25T02:30:00+02:00", "2026-10-25T02:31:00+02:00", "2026-10-25T00:30:00+00:00"]
    assert [rows[second.id][k] for k in ("created_at_local", "paid_at_local")] == ["2026-10-25T02:30:00+01:00", ""]


def test_decimal_amounts_follow_the_currency():
    assert str(decimal_amount(1999, "usd")) == "19.99"
    assert str(decimal_amount(5, "eur")) == "0.05"
    assert str(decimal_amount(1999, "JPY")) == "1999"
    assert str(decimal_amount(1999, "kwd")) == "1.999"


@pytest.mark.parametrize(("value", "cell"), [
    ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"),
    ("+1+2", "'+1+2"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("Washer = 1", "Washer = 1"),
    (None, ""),
])
def test_csv_cells_that_a_spreadsheet_would_run_get_a_leading_apostrophe(value, cell):
    assert csv_cell(value) == cell


def test_user_written_text_in_the_csv_cannot_become_a_formula_or_break_the_line(db, place):
    _, device, _ = place
    add_payment(db, device, item_name='=cmd|"/c calc"!A1', email="@evil.example")
    add_payment(db, device, item_name='Dryer, "big"\nsecond line')
    _, injected, quoted = parsed(payments_csv(db, PaymentFilters()))
    line = dict(zip(CSV_HEADER, injected, strict=True))
    assert line["item_name"] == '\'=cmd|"/c calc"!A1'
    assert line["customer_email"] == "'@evil.example"
    assert dict(zip(CSV_HEADER, quoted, strict=True))["item_name"] == 'Dryer, "big"\nsecond line'


def test_csv_applies_the_same_filters_as_the_list(db, place):
    _, device, door = place
    add_payment(db, device)
    wanted = add_payment(db, door, status=PaymentStatus.refunded)
    rows = parsed(payments_csv(db, PaymentFilters(status=PaymentStatus.refunded, door_id=door.id)))
    assert [int(r[0]) for r in rows[1:]] == [wanted.id]


def test_csv_reads_the_payments_in_batches_as_it_is_consumed(db, place):
    _, device, _ = place
    made = [add_payment(db, device).id for _ in range(5)]
    selects: list[str] = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT") and "payments" in statement:
            selects.append(statement)

    event.listen(db.get_bind(), "before_cursor_execute", count)
    try:
        lines = payments_csv(db, PaymentFilters(), batch_size=2)
        first_three = [next(lines) for _ in range(3)]  # the header and the first batch
        assert len(selects) == 1
        rest = list(lines)
    finally:
        event.remove(db.get_bind(), "before_cursor_execute", count)
    assert len(selects) == 3  # 2 + 2 + 1 rows
    assert [int(r[0]) for r in parsed(first_three + rest)[1:]] == made


def test_a_bad_csv_filter_is_refused_before_the_first_line(db, place):
    with pytest.raises(InvalidInput):
        payments_csv(db, PaymentFilters(time_zone="Nowhere/Atlantis"))
