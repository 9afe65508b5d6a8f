"""The Sessions module: device sessions and door accesses listed together or apart, filtered and paged,
and the detail of one with its timeline of steps and audit rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session

from hygate_app.models import DeviceSession, DeviceSessionStatus, DoorAccessStatus, PaymentStatus, Role, User
from hygate_app.services import audit, device_sessions
from hygate_app.services.errors import InvalidInput, NotFound
from hygate_app.services.paging import PageRequest
from hygate_app.services.session_history import (
    SessionFilters,
    SessionKind,
    device_session_detail,
    door_access_detail,
    list_device_sessions,
    list_door_accesses,
    list_sessions,
)
from tests.support.records import T0, add_door_access, add_payment, new_device, new_door, new_location

ALL = PageRequest(per_page=200)


def add_session(db: Session, device, *, paid_at: datetime = T0, minutes: int = 30, delay: int = 0,
                status: DeviceSessionStatus = DeviceSessionStatus.completed, amount: int = 450) -> DeviceSession:
    payment = add_payment(db, device, created_at=paid_at - timedelta(seconds=30), amount=amount,
                          intent_id=f"pi_{paid_at.timestamp()}_{amount}", minutes=minutes, delay=delay)
    session = device_sessions.create_for_payment(db, payment)
    session.status = status
    db.flush()
    return session


def add_access(db: Session, door, *, paid_at: datetime = T0, minutes: int = 60,
               status: DoorAccessStatus = DoorAccessStatus.expired):
    payment = add_payment(db, door, created_at=paid_at - timedelta(seconds=30))
    return add_door_access(db, payment, minutes=minutes, status=status)


def keys(page) -> list[tuple[str, int]]:
    return [(row.kind.value, row.id) for row in page.rows]


@pytest.fixture
def place(db):
    location = new_location(db, name="Spa Süd")
    return location, new_device(db, location, "Sauna"), new_door(db, location, "Spa door")


# Lists

def test_all_kinds_are_listed_together_newest_start_first(db, place):
    _, device, door = place
    old_session = add_session(db, device, paid_at=T0 - timedelta(hours=2))
    access = add_access(db, door, paid_at=T0 - timedelta(hours=1))
    new_session = add_session(db, device, paid_at=T0)
    page = list_sessions(db, SessionFilters(), ALL)
    assert keys(page) == [("device", new_session.id), ("door", access.id), ("device", old_session.id)]
    assert page.total == 3


def test_a_row_carries_the_place_location_window_status_and_price(db, place):
    _, device, door = place
    session = add_session(db, device, delay=10, minutes=60, amount=1200)
    access = add_access(db, door, paid_at=T0 + timedelta(hours=1), minutes=90)
    door_row, device_row = list_sessions(db, SessionFilters(), ALL).rows
    assert (device_row.place_name, device_row.location_name, device_row.status) == (
        "Sauna", "Spa Süd", DeviceSessionStatus.completed)
    assert (device_row.paid_at, device_row.starts_at, device_row.ends_at) == (
        T0, T0 + timedelta(minutes=10), T0 + timedelta(minutes=70))
    assert (device_row.amount_minor, device_row.currency, device_row.payment_id) == (
        1200, "eur", session.payment_id)
    assert (door_row.place_name, door_row.status, door_row.payment_id) == (
        "Spa door", DoorAccessStatus.expired, access.payment_id)
    assert door_row.ends_at - door_row.starts_at == timedelta(minutes=90)
    assert door_row.paid_at == access.valid_from


def test_each_kind_can_be_listed_alone(db, place):
    _, device, door = place
    session, access = add_session(db, device), add_access(db, door)
    assert keys(list_device_sessions(db, SessionFilters(), ALL)) == [("device", session.id)]
    assert keys(list_door_accesses(db, SessionFilters(), ALL)) == [("door", access.id)]
    assert keys(list_sessions(db, SessionFilters(kind=SessionKind.door), ALL)) == [("door", access.id)]


def test_a_later_page_of_both_kinds_is_the_next_slice_of_the_merged_order_with_the_full_total(db, place):
    _, device, door = place
    made = []
    for hour in range(6):
        when = T0 + timedelta(hours=hour)
        made.append(("device", add_session(db, device, paid_at=when).id) if hour % 3 else
                    ("door", add_access(db, door, paid_at=when).id))
    page = list_sessions(db, SessionFilters(), PageRequest(page=2, per_page=2))
    assert page.total == 6
    assert keys(page) == made[::-1][2:4]
    oldest = list_sessions(db, SessionFilters(), PageRequest(page=3, per_page=2, descending=False))
    assert keys(oldest) == made[4:6]


def test_equal_ids_and_start_times_of_both_kinds_page_without_overlap(db, place):
    _, device, door = place
    made = set()
    for _ in range(3):
        made.add(("device", add_session(db, device).id))
        made.add(("door", add_access(db, door).id))
    seen = [k for n in range(1, 7) for k in keys(list_sessions(db, SessionFilters(), PageRequest(page=n, per_page=1)))]
    assert len(seen) == 6 and set(seen) == made


def test_reversing_the_sort_reverses_the_list_even_where_a_device_and_a_door_share_id_and_start(db, place):
    _, device, door = place
    for _ in range(3):
        add_session(db, device)
        add_access(db, door)
    newest_first = keys(list_sessions(db, SessionFilters(), ALL))
    oldest_first = keys(list_sessions(db, SessionFilters(), PageRequest(per_page=200, descending=False)))
    assert oldest_first == newest_first[::-1]


def test_sessions_sort_by_amount_when_asked(db, place):
    _, device, door = place
    dear = add_session(db, device, amount=900, paid_at=T0)
    cheap = add_access(db, door, paid_at=T0 + timedelta(hours=1))  # 450 by default
    page = list_sessions(db, SessionFilters(), PageRequest(sort="amount"))
    assert keys(page) == [("device", dear.id), ("door", cheap.id)]


def test_status_filter_applies_to_the_kinds_that_have_that_status(db, place):
    _, device, door = place
    completed = add_session(db, device, status=DeviceSessionStatus.completed)
    add_session(db, device, status=DeviceSessionStatus.failed)
    expired = add_access(db, door, status=DoorAccessStatus.expired)
    failed_door = add_access(db, door, status=DoorAccessStatus.failed)
    assert keys(list_sessions(db, SessionFilters(status="completed"), ALL)) == [("device", completed.id)]
    assert keys(list_sessions(db, SessionFilters(status="expired"), ALL)) == [("door", expired.id)]
    failed = list_door_accesses(db, SessionFilters(status="failed"), ALL)
    assert keys(failed) == [("door", failed_door.id)]


def test_an_unknown_session_status_is_refused(db, place):
    with pytest.raises(InvalidInput, match="status"):
        list_sessions(db, SessionFilters(status="paused"), ALL)


def test_active_only_keeps_what_still_occupies_a_device_or_opens_a_door(db, place):
    _, device, door = place
    now = T0 + timedelta(minutes=10)
    pending = add_session(db, device, status=DeviceSessionStatus.pending)
    running = add_session(db, device, status=DeviceSessionStatus.active)
    add_session(db, device, status=DeviceSessionStatus.completed)
    open_door = add_access(db, door, minutes=60, status=DoorAccessStatus.active)
    add_access(db, door, minutes=5, status=DoorAccessStatus.active)  # its window closed at T0 + 5 min
    add_access(db, door, minutes=60, status=DoorAccessStatus.cancelled)
    page = list_sessions(db, SessionFilters(active_only=True), ALL, now=now)
    assert set(keys(page)) == {("device", pending.id), ("device", running.id), ("door", open_door.id)}


def test_a_device_or_door_filter_leaves_out_the_other_kind(db, place):
    location, device, door = place
    other_device = new_device(db, location, "Washer")
    session = add_session(db, device)
    add_session(db, other_device)
    access = add_access(db, door)
    assert keys(list_sessions(db, SessionFilters(device_id=device[0].id), ALL)) == [("device", session.id)]
    assert keys(list_sessions(db, SessionFilters(door_id=door.id), ALL)) == [("door", access.id)]


def test_location_filter_keeps_the_sessions_of_its_devices_and_doors(db, place):
    location, device, door = place
    elsewhere = new_location(db)
    add_session(db, new_device(db, elsewhere, "Dryer"))
    mine = {("device", add_session(db, device).id), ("door", add_access(db, door).id)}
    assert set(keys(list_sessions(db, SessionFilters(location_id=location.id), ALL))) == mine


def test_a_device_moved_to_another_location_takes_its_past_sessions_along(db, place):
    _, device, _ = place
    session = add_session(db, device)
    moved_to = new_location(db, name="Annex")
    device[0].location_id = moved_to.id
    db.flush()
    page = list_sessions(db, SessionFilters(location_id=moved_to.id), ALL)
    assert keys(page) == [("device", session.id)] and page.rows[0].location_name == "Annex"
    assert device_session_detail(db, session.id).location_name == "Annex"


def test_dates_select_by_the_start_of_the_window_in_the_locations_local_days(db):
    berlin = new_location(db, "Europe/Berlin")
    device, door = new_device(db, berlin), new_door(db, berlin)
    # Paid at 22:50 UTC (23:50 Berlin) with a 15 min delay: the paid minutes start on the next local day.
    delayed = add_session(db, device, paid_at=datetime(2026, 3, 9, 22, 50, tzinfo=UTC), delay=15)
    access = add_access(db, door, paid_at=datetime(2026, 3, 9, 22, 50, tzinfo=UTC))
    next_day = SessionFilters(location_id=berlin.id, date_from=date(2026, 3, 10), date_to=date(2026, 3, 10))
    same_day = SessionFilters(location_id=berlin.id, date_from=date(2026, 3, 9), date_to=date(2026, 3, 9))
    assert keys(list_sessions(db, next_day, ALL)) == [("device", delayed.id)]
    assert keys(list_sessions(db, same_day, ALL)) == [("door", access.id)]


def test_filters_that_exclude_both_kinds_give_an_empty_page(db, place):
    _, device, _ = place
    add_session(db, device)
    page = list_sessions(db, SessionFilters(kind=SessionKind.device, status="expired"), PageRequest(page=0))
    assert (page.rows, page.total, page.page) == ([], 0, 1)


# Device session detail and timeline

def test_a_completed_delayed_session_has_its_steps_in_order(db, place):
    _, device, _ = place
    session = add_session(db, device, delay=10, minutes=30)
    session.relay_on_at = T0 + timedelta(seconds=3)
    session.relay_off_at = session.ended_at = T0 + timedelta(minutes=40, seconds=1)
    session.end_reason = "paid time over"
    db.flush()
    detail = device_session_detail(db, session.id)
    steps = [(e.code, e.at) for e in detail.timeline if e.source == "session"]
    assert steps == [
        ("paid", T0),
        ("relay_on", T0 + timedelta(seconds=3)),
        ("paid_minutes_started", T0 + timedelta(minutes=10)),
        ("relay_off", T0 + timedelta(minutes=40, seconds=1)),
        ("ended", T0 + timedelta(minutes=40, seconds=1)),
    ]
    assert detail.timeline[-1].reason == "paid time over"
    assert (detail.device_name, detail.usage_plan_name, detail.location_name) == ("Sauna", "Standard", "Spa Süd")
    assert (detail.duration_minutes, detail.delay_minutes, detail.payment_status) == (30, 10, PaymentStatus.paid)


def test_the_paid_minutes_start_is_not_shown_before_it_happens(db, place):
    _, device, _ = place
    session = add_session(db, device, delay=10, status=DeviceSessionStatus.active)
    session.relay_on_at = T0
    db.flush()
    early = device_session_detail(db, session.id, now=T0 + timedelta(minutes=5))
    later = device_session_detail(db, session.id, now=T0 + timedelta(minutes=11))
    assert "paid_minutes_started" not in [e.code for e in early.timeline]
    assert "paid_minutes_started" in [e.code for e in later.timeline]


def test_a_failed_session_shows_the_reason_and_the_audit_rows_of_the_session_and_its_payment(db, place):
    _, device, _ = place
    session = add_session(db, device, status=DeviceSessionStatus.pending)
    device_sessions.mark_failed(db, session, "The device could not be started (offline).", now=T0 + timedelta(
        seconds=20))
    db.flush()
    detail = device_session_detail(db, session.id)
    failed = [e for e in detail.timeline if e.source == "session" and e.code == "failed"]
    assert failed[0].reason == "The device could not be started (offline)."
    audit_codes = [e.code for e in detail.timeline if e.source == "audit"]
    assert audit_codes == ["device_session.failed", "payment.refund_requested"]
    refund_row = detail.timeline[-1]
    assert refund_row.label == "Refund requested" and refund_row.reason == "access not delivered"
    assert refund_row.details["amount_minor"] == 450


def test_the_timeline_leaves_out_audit_rows_about_other_sessions(db, place):
    _, device, _ = place
    sessions = [add_session(db, device, paid_at=T0 + timedelta(hours=i)) for i in range(12)]
    for s in sessions:
        audit.record(db, "device_session.completed", target_type="device_session", target_id=s.id,
                     details={"reason": f"session {s.id}"})
    audit.record(db, "device.mode_changed", target_type="device", target_id=sessions[0].id)
    detail = device_session_detail(db, sessions[0].id)
    assert [e.reason for e in detail.timeline if e.source == "audit"] == [f"session {sessions[0].id}"]


def test_a_staff_members_name_is_joined_to_their_audit_rows(db, place):
    _, device, _ = place
    session = add_session(db, device)
    staff = User(email="olga@example.com", name="Olga", role=Role.operator, password_hash="x")
    db.add(staff)
    db.flush()
    audit.record(db, "device_session.force_ended", actor=audit.Actor("user", str(staff.id)),
                 target_type="device_session", target_id=session.id, details={"reason": "stuck door"})
    audit.record(db, "device_session.completed", target_type="device_session", target_id=session.id)
    by_staff, by_system = [e for e in detail_events(db, session.id) if e.source == "audit"]
    assert (by_staff.actor_type, by_staff.actor_name, by_staff.label) == ("user", "Olga", "Session ended by staff")
    assert (by_system.actor_type, by_system.actor_name) == ("system", None)


def detail_events(db, session_id):
    return device_session_detail(db, session_id).timeline


def test_at_the_same_instant_the_sessions_own_steps_come_before_audit_rows(db, place):
    _, device, _ = place
    session = add_session(db, device)
    row = audit.record(db, "device_session.created", target_type="device_session", target_id=session.id)
    session.paid_at = row.created_at
    db.flush()
    assert [e.source for e in detail_events(db, session.id)] == ["session", "audit"]


def test_detail_of_a_missing_device_session_is_not_found(db, place):
    with pytest.raises(NotFound):
        device_session_detail(db, 424_242)


# Door access detail

def test_door_access_detail_has_its_window_credential_and_payment(db, place):
    _, _, door = place
    access = add_access(db, door, minutes=60, status=DoorAccessStatus.active)
    detail = door_access_detail(db, access.id, now=T0 + timedelta(minutes=90))
    assert (detail.door_name, detail.location_name, detail.credential_kind.value) == ("Spa door", "Spa Süd", "qr")
    assert (detail.valid_from, detail.valid_until) == (T0, T0 + timedelta(minutes=60))
    assert (detail.amount_minor, detail.paid_at, detail.payment_status) == (450, T0, PaymentStatus.paid)
    assert [e.code for e in detail.timeline] == ["paid", "access_started", "access_ended"]


def test_a_door_access_window_not_yet_over_has_no_end_step(db, place):
    _, _, door = place
    access = add_access(db, door, minutes=60, status=DoorAccessStatus.active)
    assert [e.code for e in door_access_detail(db, access.id, now=T0 + timedelta(minutes=1)).timeline] == [
        "paid", "access_started"]


def test_a_failed_door_access_shows_why_with_its_audit_rows(db, place):
    _, _, door = place
    access = add_access(db, door, status=DoorAccessStatus.failed)
    access.failure_reason = "The lock is offline."
    audit.record(db, "door_access.failed", target_type="door_access", target_id=access.id,
                 details={"reason": "lock offline"})
    db.flush()
    timeline = door_access_detail(db, access.id).timeline
    assert [(e.code, e.reason) for e in timeline if e.source == "session"] == [
        ("paid", None), ("failed", "The lock is offline.")]
    assert [e.code for e in timeline if e.source == "audit"] == ["door_access.failed"]


def test_detail_of_a_missing_door_access_is_not_found(db, place):
    with pytest.raises(NotFound):
        door_access_detail(db, 424_242)
