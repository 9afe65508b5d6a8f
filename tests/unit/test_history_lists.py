"""The links the Payments and Sessions lists show, built on the server from the address: pager, sort headers,
the door/device menu, and ids read from a path."""

from __future__ import annotations

import pytest

from hygate_app.services.history_filters import PAYMENT_PARAMS, PAYMENT_SORTS
from hygate_app.services.ids import row_id
from hygate_app.services.paging import Page, PageRequest
from hygate_app.states.history_lists import address_params, pager, place_params, place_value, sort_links

PATH = "/admin/payments"


def page(number: int, rows: int, total: int) -> Page:
    return Page(list(range(rows)), total, number, 25)


def test_the_first_page_has_a_next_link_only():
    shown = pager(PATH, {"status": "paid"}, PAYMENT_PARAMS, page(1, 25, 30))
    assert (shown["first"], shown["last"], shown["total"]) == (1, 25, 30)
    assert shown["prev_href"] == ""
    assert shown["next_href"] == "/admin/payments?status=paid&page=2"


def test_the_last_page_has_a_previous_link_only():
    shown = pager(PATH, {"status": "paid", "page": "2"}, PAYMENT_PARAMS, page(2, 5, 30))
    assert (shown["first"], shown["last"]) == (26, 30)
    assert shown["prev_href"] == "/admin/payments?status=paid&page=1" and shown["next_href"] == ""


def test_a_page_past_the_end_is_empty_and_links_back_to_the_last_page():
    shown = pager(PATH, {"page": "9"}, PAYMENT_PARAMS, page(9, 0, 30))
    assert (shown["first"], shown["last"], shown["total"]) == (0, 0, 30)
    assert shown["prev_href"] == "/admin/payments?page=2" and shown["next_href"] == ""


def test_nothing_found_has_no_links():
    shown = pager(PATH, {}, PAYMENT_PARAMS, page(1, 0, 0))
    assert (shown["first"], shown["last"], shown["total"], shown["prev_href"], shown["next_href"]) == (0, 0, 0, "",
                                                                                                     "")


def test_sort_links_turn_the_current_key_around_and_go_back_to_the_first_page():
    params = {"status": "paid", "sort": "amount", "page": "3"}
    links = sort_links(PATH, params, PAYMENT_PARAMS, PAYMENT_SORTS, PageRequest(3, 25, "amount", True))
    assert links == {"created": "/admin/payments?status=paid&sort=created",
                     "amount": "/admin/payments?status=paid&sort=amount&order=asc",
                     "status": "/admin/payments?status=paid&sort=status"}
    ascending = sort_links(PATH, params, PAYMENT_PARAMS, PAYMENT_SORTS, PageRequest(1, 25, "amount", False))
    assert ascending["amount"] == "/admin/payments?status=paid&sort=amount"


@pytest.mark.parametrize(("params", "value"), [({"device": "7"}, "device:7"), ({"door": "3"}, "door:3"), ({}, "")])
def test_the_door_or_device_menu_round_trips_through_the_address(params, value):
    assert place_value(params) == value
    assert {k: v for k, v in place_params(value).items() if v} == params


def test_address_params_keep_known_non_empty_values_cut_short():
    given = {"q": "x" * 500, "status": "", "evil": "1", "page": "2"}
    assert address_params(given, PAYMENT_PARAMS) == {"q": "x" * 200, "page": "2"}


@pytest.mark.parametrize(("text", "expected"), [
    ("42", 42), (" 7 ", 7), ("2147483647", 2147483647), ("2147483648", 0), ("abc", 0), ("", 0), ("-1", 0),
    ("0", 0), ("9" * 30, 0), ("²", 0), ("٣", 0), (None, 0),
])
def test_ids_from_the_browser_or_the_address(text, expected):
    assert row_id(text) == expected
