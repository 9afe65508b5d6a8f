"""The Payments and Sessions lists read their filters, sort and page from the address, and write them back into
links: unreadable filters are a message, an unreadable page number is page 1."""

from __future__ import annotations

from datetime import date

import pytest

from hygate_app.models import PaymentStatus
from hygate_app.services.errors import InvalidInput
from hygate_app.services.history_filters import (
    PAYMENT_PARAMS,
    PAYMENT_SORTS,
    SESSION_SORTS,
    link,
    page_request,
    payment_filters,
    place_choices,
    session_filters,
)
from hygate_app.services.payment_history import PaymentFilters
from hygate_app.services.session_history import SessionFilters, SessionKind
from tests.support.records import new_device, new_door, new_location


def test_no_parameters_is_no_filter():
    assert payment_filters({}) == PaymentFilters()
    assert session_filters({}) == SessionFilters()


def test_payment_parameters_become_filters():
    filters = payment_filters({"from": "2026-03-01", "to": "2026-03-31", "status": "partially_refunded",
                               "location": "4", "device": "7", "door": "", "q": "  guest@example.com "})
    assert filters == PaymentFilters(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31),
                                     status=PaymentStatus.partially_refunded, location_id=4, device_id=7,
                                     search="guest@example.com")


def test_session_parameters_become_filters():
    filters = session_filters({"kind": "device", "active": "1", "status": "active", "location": "2", "door": "9",
                               "from": "2026-03-10"})
    assert filters == SessionFilters(kind=SessionKind.device, status="active", location_id=2, door_id=9,
                                     active_only=True, date_from=date(2026, 3, 10))
    assert session_filters({"active": "yes"}).active_only is False


@pytest.mark.parametrize("params", [{"from": "yesterday"}, {"to": "2026-02-30"}, {"status": "lost"},
                                    {"location": "x"}, {"device": "-1"}, {"door": "1e3"},
                                    {"location": "9" * 30}, {"device": "2147483648"},
                                    # No next day: the list's end bound overflowed (an OverflowError, a 500).
                                    {"to": "9999-12-31"}, {"from": "0001-01-01"}])
def test_unreadable_payment_filters_are_refused(params):
    with pytest.raises(InvalidInput):
        payment_filters(params)


@pytest.mark.parametrize("params", [{"kind": "bicycle"}, {"from": "10.03.2026"}, {"device": "one"}])
def test_unreadable_session_filters_are_refused(params):
    with pytest.raises(InvalidInput):
        session_filters(params)


def test_the_search_is_cut_to_the_services_limit():
    assert len(payment_filters({"q": "x" * 500}).search) == 200


def test_page_request_defaults_to_newest_first_on_the_first_key():
    request = page_request({}, PAYMENT_SORTS)
    assert (request.page, request.per_page, request.sort, request.descending) == (1, 25, "created", True)
    assert page_request({}, SESSION_SORTS).sort == "starts"


def test_page_request_reads_page_sort_and_order():
    request = page_request({"page": "3", "sort": "amount", "order": "asc"}, PAYMENT_SORTS)
    assert (request.page, request.sort, request.descending) == (3, "amount", False)


@pytest.mark.parametrize("page", ["0", "-2", "two", "1" * 20, ""])
def test_an_unreadable_page_is_the_first(page):
    assert page_request({"page": page}, PAYMENT_SORTS).page == 1


def test_an_unknown_sort_key_falls_back_to_the_default():
    assert page_request({"sort": "customer_email"}, PAYMENT_SORTS).sort == "created"


def test_links_keep_known_non_empty_parameters_in_a_fixed_order():
    params = {"q": "a b&c", "status": "paid", "from": "", "evil": "1", "page": "2"}
    assert link("/admin/payments", params, PAYMENT_PARAMS) == "/admin/payments?status=paid&q=a+b%26c&page=2"
    assert link("/admin/payments", params, PAYMENT_PARAMS, page="") == "/admin/payments?status=paid&q=a+b%26c"
    assert link("/admin/payments", {}, PAYMENT_PARAMS) == "/admin/payments"


def test_place_choices_list_every_place_by_location_then_name(db):
    b = new_location(db, name="B site")
    a = new_location(db, name="A site")
    dryer = new_device(db, a, "Dryer")[0]
    washer = new_device(db, b, "Washer")[0]
    door = new_door(db, b, "Gate")
    choices = place_choices(db)
    assert [(c.value, c.label) for c in choices.locations] == [(str(a.id), "A site"), (str(b.id), "B site")]
    assert [(c.value, c.label) for c in choices.devices] == [(str(dryer.id), "Dryer · A site"),
                                                             (str(washer.id), "Washer · B site")]
    assert [(c.value, c.label) for c in choices.doors] == [(str(door.id), "Gate · B site")]
