"""The Audit Logs page's reads: filters and paging in SQL, staff e-mails, one row with its hashes, the last check."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from hygate_app.models import AuditLog, Role
from hygate_app.services import audit, audit_log_view
from hygate_app.services.audit_log_view import AuditFilters, ChainState
from hygate_app.services.audit_verification import verify
from hygate_app.services.encryption import KeyRing
from hygate_app.services.errors import InvalidInput, NotFound
from hygate_app.services.paging import PageRequest
from tests.support.staff import new_staff

RING = KeyRing.from_keys(os.urandom(32))
DAY = datetime(2026, 3, 10, tzinfo=UTC)


@pytest.fixture
def at(db, monkeypatch):
    """Record audit rows at a chosen time, through the real `audit.record`."""
    def record(when: datetime, action: str, **kwargs) -> AuditLog:
        monkeypatch.setattr(audit, "utcnow", lambda: when)
        return audit.record(db, action, **kwargs)

    return record


@pytest.fixture
def log(db, at):
    """Six rows over three days from a staff member, the system, a guest and Stripe."""
    admin = new_staff(db, Role.admin)
    staff = audit.Actor("user", str(admin.id), "203.0.113.5", "Firefox")
    rows = [
        at(DAY - timedelta(minutes=1), "auth.signed_in", actor=staff, target_type="user",
           target_id=admin.id),
        at(DAY + timedelta(hours=8), "api_key.created", actor=staff, target_type="api_key", target_id=7,
           details={"name": "Zapier", "prefix": "ab12cd34"}),
        at(DAY + timedelta(hours=9), "auth.failed", actor=audit.Actor("guest", None, "2001:DB8::1", "curl"),
           target_type="user"),
        at(DAY + timedelta(hours=23, minutes=59), "payment.paid", actor=audit.STRIPE, target_type="payment",
           target_id=3, details={"amount_minor": 450}),
        at(DAY + timedelta(days=1), "authx.odd", target_type="settings"),
        at(DAY + timedelta(days=1, hours=1), "apixkey.created", target_type="settings"),
    ]
    db.commit()
    return admin, rows


def ids(page):
    return [r.id for r in page.rows]


def listed(db, **filters):
    return audit_log_view.list_audit_rows(db, AuditFilters(**filters), PageRequest(per_page=50))


def test_rows_come_newest_first_in_pages_with_the_total(db, log):
    _, rows = log
    first = audit_log_view.list_audit_rows(db, AuditFilters(), PageRequest(page=1, per_page=4))
    second = audit_log_view.list_audit_rows(db, AuditFilters(), PageRequest(page=2, per_page=4))
    assert (first.total, first.pages) == (6, 2)
    assert ids(first) + ids(second) == [r.id for r in reversed(rows)]


def test_rows_can_be_sorted_oldest_first(db, log):
    _, rows = log
    page = audit_log_view.list_audit_rows(db, AuditFilters(), PageRequest(sort="time", descending=False))
    assert ids(page) == [r.id for r in rows]


def test_a_staff_actor_is_shown_with_their_email_and_other_actors_without(db, log):
    admin, rows = log
    by_id = {r.id: r for r in listed(db).rows}
    assert by_id[rows[1].id].actor_email == admin.email
    assert by_id[rows[2].id].actor_email is None and by_id[rows[3].id].actor_type == "stripe"


def test_a_row_carries_its_request_data_and_parsed_details(db, log):
    _, rows = log
    row = next(r for r in listed(db).rows if r.id == rows[1].id)
    assert (row.action, row.target_type, row.target_id) == ("api_key.created", "api_key", "7")
    assert (row.ip, row.user_agent, row.created_at) == ("203.0.113.5", "Firefox", DAY + timedelta(hours=8))
    assert row.details == {"name": "Zapier", "prefix": "ab12cd34"}


def test_filters_by_actor_and_target(db, log):
    admin, rows = log
    assert ids(listed(db, actor_id=str(admin.id))) == [rows[1].id, rows[0].id]
    assert ids(listed(db, actor_type="stripe")) == [rows[3].id]
    assert ids(listed(db, target_type="api_key", target_id="7")) == [rows[1].id]
    assert ids(listed(db, target_type="user", actor_type="guest")) == [rows[2].id]


def test_an_action_ending_in_a_dot_is_a_prefix_otherwise_exact(db, log):
    _, rows = log
    assert ids(listed(db, action="auth.")) == [rows[2].id, rows[0].id]
    assert ids(listed(db, action="auth.failed")) == [rows[2].id]
    assert ids(listed(db, action="auth")) == []


def test_an_underscore_in_an_action_prefix_is_not_a_wildcard(db, log):
    _, rows = log
    assert ids(listed(db, action="api_key.")) == [rows[1].id]


def test_ip_search_matches_any_part_of_the_address_ignoring_case(db, log):
    _, rows = log
    assert ids(listed(db, ip="203.0.113")) == [rows[1].id, rows[0].id]
    assert ids(listed(db, ip="2001:db8")) == [rows[2].id]
    assert ids(listed(db, ip="%")) == []


def test_blank_filters_do_not_filter(db, log):
    assert listed(db, actor_id="  ", action="", ip=" ").total == 6


def test_a_date_range_covers_whole_utc_days(db, log):
    _, rows = log
    assert ids(listed(db, date_from=DAY.date(), date_to=DAY.date())) == [r.id for r in reversed(rows[1:4])]
    assert ids(listed(db, date_to=date(2026, 3, 9))) == [rows[0].id]
    assert ids(listed(db, date_from=date(2026, 3, 11))) == [rows[5].id, rows[4].id]


def test_datetime_bounds_are_inclusive(db, log):
    _, rows = log
    page = listed(db, date_from=DAY + timedelta(hours=8), date_to=DAY + timedelta(hours=9))
    assert ids(page) == [rows[2].id, rows[1].id]


def test_a_reversed_date_range_or_a_time_without_zone_is_refused(db, log):
    with pytest.raises(InvalidInput, match="after its end"):
        listed(db, date_from=date(2026, 3, 11), date_to=date(2026, 3, 10))
    with pytest.raises(InvalidInput, match="time zone"):
        listed(db, date_from=datetime(2026, 3, 10, 8))


def test_the_action_dropdown_lists_each_recorded_action_once_alphabetically(db, log, at):
    at(DAY, "auth.failed")
    assert audit_log_view.distinct_actions(db) == ["api_key.created", "apixkey.created", "auth.failed",
                                                   "auth.signed_in", "authx.odd", "payment.paid"]


def test_a_row_detail_has_its_hashes_and_both_checks_pass_on_an_intact_chain(db, log):
    admin, rows = log
    first, second = (audit_log_view.audit_row_detail(db, r.id) for r in rows[:2])
    assert (first.prev_hash, first.row_hash) == (audit.GENESIS_HASH, rows[0].row_hash)
    assert second.prev_hash == rows[0].row_hash and second.actor_email == admin.email
    assert first.hash_matches and first.links_to_previous and second.hash_matches and second.links_to_previous


def test_a_row_detail_shows_an_edited_row_and_the_gap_a_deleted_row_leaves(db, log):
    _, rows = log
    rows[1].details = '{"name":"Someone else","prefix":"ab12cd34"}'
    db.add(rows[1])
    db.delete(rows[2])
    db.commit()
    edited = audit_log_view.audit_row_detail(db, rows[1].id)
    assert not edited.hash_matches and edited.links_to_previous and edited.details["name"] == "Someone else"
    after_gap = audit_log_view.audit_row_detail(db, rows[3].id)
    assert after_gap.hash_matches and not after_gap.links_to_previous


def test_details_that_are_no_longer_json_are_shown_raw(db, log):
    _, rows = log
    rows[1].details = "not json"
    db.add(rows[1])
    db.commit()
    detail = audit_log_view.audit_row_detail(db, rows[1].id)
    assert detail.details == {"unparsed": "not json"} and not detail.hash_matches


def test_the_detail_of_a_missing_row_is_not_found(db, log):
    with pytest.raises(NotFound):
        audit_log_view.audit_row_detail(db, 999)


def run_verifier(db, at, when: datetime) -> None:
    """What jobs/audit.py records each day."""
    result = verify(db, RING)
    at(when, "audit.verified" if result.intact else "audit.verification_failed", target_type="audit_log",
       details=result.details())
    db.commit()


def test_the_chain_status_is_never_before_the_first_check(db, log):
    status = audit_log_view.chain_status(db)
    assert status == audit_log_view.ChainStatus(ChainState.never) and status.overdue()


def test_the_chain_status_reports_the_latest_verification(db, log, at):
    run_verifier(db, at, DAY + timedelta(days=2))
    status = audit_log_view.chain_status(db)
    assert (status.status, status.at, status.rows, status.first_broken_row) == (
        ChainState.verified, DAY + timedelta(days=2), 6, None)
    assert not status.overdue(now=DAY + timedelta(days=3)) and status.overdue(now=DAY + timedelta(days=4))


def test_the_chain_status_reports_a_failure_after_an_earlier_success(db, log, at):
    _, rows = log
    run_verifier(db, at, DAY + timedelta(days=2))
    rows[2].details = '{"edited":true}'
    db.add(rows[2])
    db.commit()
    run_verifier(db, at, DAY + timedelta(days=3))
    at(DAY + timedelta(days=3, hours=1), "auth.signed_in")  # later rows of other kinds do not hide the result
    status = audit_log_view.chain_status(db)
    assert (status.status, status.at, status.rows, status.first_broken_row) == (
        ChainState.failed, DAY + timedelta(days=3), 7, rows[2].id)
    assert len(db.exec(select(AuditLog).where(AuditLog.action.startswith("audit."))).all()) == 2


# --- the page's form, action list and chain banner -------------------------------------------------------------

def test_the_form_finds_a_staff_actor_by_email_in_any_case(db, log):
    admin, rows = log
    filters = audit_log_view.parse_filters(db, {"actor": admin.email.upper(), "action": " api_key.created "})
    assert (filters.actor_type, filters.actor_id, filters.action) == ("user", str(admin.id), "api_key.created")
    assert ids(listed(db, **vars(filters))) == [rows[1].id]


def test_the_form_takes_any_actor_id_types_and_utc_days(db, log):
    filters = audit_log_view.parse_filters(db, {"actor": "42", "actor_type": "stripe", "from": "2026-03-10",
                                                "to": "2026-03-11", "target_type": "", "ip": ""})
    assert filters == AuditFilters(actor_id="42", actor_type="stripe", date_from=date(2026, 3, 10),
                                   date_to=date(2026, 3, 11))


@pytest.mark.parametrize(("form", "message"), [
    ({"actor": "nobody@example.com"}, "No staff member has the e-mail nobody@example.com."),
    ({"actor_type": "robot"}, "Choose an actor type from the list."),
    ({"from": "10.03.2026"}, "The start date must be a date like 2026-06-30, from 2000 to 2999."),
    # Had no next day, so listing the rows overflowed (an OverflowError, not a message).
    ({"to": "9999-12-31"}, "The end date must be a date like 2026-06-30, from 2000 to 2999."),
])
def test_a_wrong_filter_says_what_to_fix(db, log, form, message):
    with pytest.raises(InvalidInput) as refused:
        audit_log_view.parse_filters(db, form)
    assert str(refused.value) == message


def test_the_action_choices_add_each_family_of_several_actions():
    actions = ["api_key.created", "api_key.revoked", "auth.signed_in", "payment.paid"]
    assert audit_log_view.action_choices(actions) == ["api_key.", "api_key.created", "api_key.revoked",
                                                      "auth.signed_in", "payment.paid"]


def test_the_banner_says_verified_overdue_failed_or_never():
    verified = audit_log_view.ChainStatus(ChainState.verified, DAY, 6)
    assert audit_log_view.describe_chain(verified, DAY + timedelta(hours=2)) == audit_log_view.ChainBanner(
        "green", "Chain verified intact on 2026-03-10 00:00 UTC (6 rows).")
    overdue = audit_log_view.describe_chain(verified, DAY + timedelta(hours=37))
    assert overdue.tone == "amber" and overdue.text.startswith("Overdue: the chain was last verified intact on "
                                                               "2026-03-10 00:00 UTC (6 rows), more than 36 hours")
    failed = audit_log_view.ChainStatus(ChainState.failed, DAY, 6, 4, "The checkpoint's signature does not match.")
    assert audit_log_view.describe_chain(failed, DAY + timedelta(days=5)) == audit_log_view.ChainBanner(
        "red", "Verification FAILED on 2026-03-10 00:00 UTC. Row #4 was edited, deleted or moved. "
               "The checkpoint's signature does not match.")
    never = audit_log_view.describe_chain(audit_log_view.ChainStatus(ChainState.never))
    assert never.tone == "amber" and "never been verified" in never.text
