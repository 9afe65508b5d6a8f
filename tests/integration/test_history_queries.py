"""The payment and session history queries on real PostgreSQL, where they differ from SQLite: case-insensitive
search (PostgreSQL's LIKE is case-sensitive) with literal wildcards, local-day bounds on timestamptz, the UNION
of device sessions and door accesses (literal kind, enum status columns), keyset CSV batches, and the audit
timeline's join of text actor ids to user ids. Every test rolls back what it made."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta

import pytest

from hygate_app.models import DeviceSessionStatus, DoorAccessStatus, PaymentStatus, Role, User
from hygate_app.services import audit, device_sessions
from hygate_app.services.paging import PageRequest
from hygate_app.services.payment_history import PaymentFilters, list_payments, payment_detail, payments_csv
from hygate_app.services.session_history import SessionFilters, device_session_detail, list_sessions
from tests.support.records import T0, add_door_access, add_payment, new_device, new_door, new_location

ALL = PageRequest(per_page=200)


@pytest.fixture
def db(pg):
    """Nothing made here is committed, so the shared database stays as it was and no other test sees it."""
    yield pg
    pg.rollback()


@pytest.fixture
def berlin(db):
    location = new_location(db, "Europe/Berlin")
    return location, new_device(db, location, "Sauna"), new_door(db, location, "Spa door")


def ids(page) -> list[int]:
    return [row.id for row in page.rows]


def test_search_ignores_case_and_takes_wildcards_literally_on_postgres(db, berlin):
    location, device, door = berlin
    mail = add_payment(db, device, email="Jane.Doe@Example.com")
    item = add_payment(db, door, item_name="SAUNA_Evening 100%")
    add_payment(db, device, item_name="Sauna xEvening 1000")
    mine = {"location_id": location.id}
    assert ids(list_payments(db, PaymentFilters(search="jane.DOE@example", **mine), ALL)) == [mail.id]
    assert ids(list_payments(db, PaymentFilters(search="sauna_evening", **mine), ALL)) == [item.id]
    assert ids(list_payments(db, PaymentFilters(search="100%", **mine), ALL)) == [item.id]


def test_stripe_ids_are_found_exactly_on_postgres(db, berlin):
    location, device, _ = berlin
    suffix = f"{location.id}x"
    wanted = add_payment(db, device, checkout_id=f"cs_test_pg{suffix}", intent_id=f"pi_pg{suffix}")
    add_payment(db, device, checkout_id=f"cs_test_pg{suffix}9", intent_id=f"pi_pg{suffix}9")
    assert ids(list_payments(db, PaymentFilters(search=f"pi_pg{suffix}"), ALL)) == [wanted.id]
    assert payment_detail(db, wanted.id).stripe_checkout_session_id == f"cs_test_pg{suffix}"


def test_local_days_are_bounded_exactly_on_timestamptz_across_the_dst_change(db, berlin):
    location, device, _ = berlin
    # 29 March 2026 in Berlin: 28 Mar 23:00 UTC to 29 Mar 22:00 UTC (23 hours).
    inside = [add_payment(db, device, created_at=datetime(2026, 3, 28, 23, 0, tzinfo=UTC)),
              add_payment(db, device, created_at=datetime(2026, 3, 29, 21, 59, 59, tzinfo=UTC))]
    add_payment(db, device, created_at=datetime(2026, 3, 28, 22, 59, 59, tzinfo=UTC))
    add_payment(db, device, created_at=datetime(2026, 3, 29, 22, 0, tzinfo=UTC))
    day = date(2026, 3, 29)
    page = list_payments(db, PaymentFilters(location_id=location.id, date_from=day, date_to=day), ALL)
    assert sorted(ids(page)) == sorted(p.id for p in inside)


def test_payments_sort_and_page_on_postgres(db, berlin):
    location, device, _ = berlin
    made = [add_payment(db, device, amount=amount) for amount in (300, 100, 200)]
    page = list_payments(db, PaymentFilters(location_id=location.id),
                         PageRequest(page=1, per_page=2, sort="amount", descending=False))
    assert page.total == 3 and ids(page) == [made[1].id, made[2].id]


def test_csv_reads_keyset_batches_on_postgres(db, berlin):
    location, device, _ = berlin
    made = [add_payment(db, device, amount=150 + i, item_name="=SUM(A1)" if i == 0 else None).id for i in range(5)]
    lines = list(payments_csv(db, PaymentFilters(location_id=location.id), batch_size=2))
    rows = list(csv.reader("".join(lines).splitlines(keepends=True)))
    assert [int(r[0]) for r in rows[1:]] == made
    assert rows[1][5] == "'=SUM(A1)" and rows[1][8] == "1.50"


def test_device_sessions_and_door_accesses_list_together_on_postgres(db, berlin):
    location, device, door = berlin
    session = device_sessions.create_for_payment(db, add_payment(db, device, created_at=T0))
    session.status = DeviceSessionStatus.active
    access = add_door_access(db, add_payment(db, door, created_at=T0), status=DoorAccessStatus.active)
    db.flush()
    page = list_sessions(db, SessionFilters(location_id=location.id, active_only=True), ALL,
                         now=T0 + timedelta(minutes=1))
    assert [(r.kind.value, r.id, r.status) for r in page.rows] in (
        [("device", session.id, DeviceSessionStatus.active), ("door", access.id, DoorAccessStatus.active)],
        [("door", access.id, DoorAccessStatus.active), ("device", session.id, DeviceSessionStatus.active)],
    )
    by_status = list_sessions(db, SessionFilters(location_id=location.id, status="active"),
                              PageRequest(sort="amount", per_page=1, page=2))
    assert by_status.total == 2 and len(by_status.rows) == 1
    newest_first = list_sessions(db, SessionFilters(location_id=location.id), ALL)
    oldest_first = list_sessions(db, SessionFilters(location_id=location.id), PageRequest(descending=False))
    assert [(r.kind, r.id) for r in oldest_first.rows] == [(r.kind, r.id) for r in newest_first.rows][::-1]


def test_the_timeline_joins_the_staff_member_to_their_audit_rows_on_postgres(db, berlin):
    location, device, _ = berlin
    payment = add_payment(db, device, intent_id=f"pi_timeline_{location.id}")
    session = device_sessions.create_for_payment(db, payment)
    staff = User(email=f"staff-{location.id}@history.example", name="Pia", role=Role.operator, password_hash="x")
    db.add(staff)
    db.flush()
    audit.record(db, "device_session.force_ended", actor=audit.Actor("user", str(staff.id)),
                 target_type="device_session", target_id=session.id, details={"reason": "guest asked"})
    device_sessions.mark_failed(db, session, "Stopped by staff.", now=T0 + timedelta(minutes=1))
    db.flush()
    detail = device_session_detail(db, session.id)
    audit_rows = [(e.code, e.actor_name) for e in detail.timeline if e.source == "audit"]
    assert audit_rows == [("device_session.force_ended", "Pia"), ("device_session.failed", None),
                          ("payment.refund_requested", None)]
    assert detail.payment_status == PaymentStatus.paid
