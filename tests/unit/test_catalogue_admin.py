"""The admin side of the catalogue: device and door lists, their settings, usage plans and force end.

Every money or access change must leave an audit row holding [old, new]; force end must switch the relay
OFF through the job queue and let the device-session state machine finish the session.
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from hygate_app.models import (
    AuditLog,
    Device,
    DeviceMode,
    DeviceSession,
    DeviceSessionStatus,
    Door,
    DoorMode,
    Payment,
    Refund,
    Role,
    UsagePlan,
)
from hygate_app.models.columns import utcnow
from hygate_app.services import audit, catalogue, catalogue_admin, checkout, device_sessions, locations
from hygate_app.services.catalogue_admin import MAX_PRICE_MINOR
from hygate_app.services.errors import Conflict, InvalidInput, NotFound
from hygate_app.services.paging import PageRequest
from tests.support.catalogue import relay_commands, relay_state
from tests.support.fakes import RecordingUpdates
from tests.support.staff import new_staff
from tests.support.webhooks import checkout_event, deliver

ACTOR = audit.Actor("user", "3", "198.51.100.4", "test browser")
ASC = PageRequest(descending=False)


def audit_rows(db, action: str) -> list[AuditLog]:
    return list(db.exec(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)).all())


def details(row: AuditLog) -> dict:
    return json.loads(row.details)


def device(db, uid: str) -> Device:
    return db.exec(select(Device).where(Device.uid == uid)).one()


def plan_ids(db, device_id: int) -> list[int]:
    return [p.id for p in catalogue_admin.list_plans(db, device_id)]


def second_location_with_door(db) -> tuple[int, Door]:
    """Doors come from a TTLock sync in the product; here one is placed directly in a new location."""
    annex = locations.create_location(db, ACTOR, "Annex", "Europe/Berlin")
    door = Door(uid="annex-door", name="Annex gate", display_code="ANX2Q7", location_id=annex.id, price_minor=350,
                currency="chf", access_minutes=30, battery_percent=41, online=False)
    db.add(door)
    db.commit()
    return annex.id, door


@pytest.fixture
def running_session(db, deps, paid_session) -> DeviceSession:
    device_sessions.switch_relay_on(db, paid_session.id, deps, final_attempt=True)
    db.refresh(paid_session)
    assert paid_session.status == DeviceSessionStatus.active
    return paid_session


# ---------------------------------------------------------------- device list


def test_device_list_shows_location_plans_and_the_running_session(db, demo, paid_session):
    page = catalogue_admin.list_devices(db, page=ASC)
    assert page.total == 2
    sauna, washer = page.rows
    assert (washer.name, washer.display_code, washer.location_name, washer.mode, washer.plan_count,
            washer.running_session_id) == ("Washer 1", "WSH7K2", "Demo Laundry", DeviceMode.active, 2,
                                           paid_session.id)
    assert (sauna.name, sauna.running_session_id, sauna.online, sauna.relay_on) == ("Sauna", None, True, None)


def test_device_list_searches_name_uid_and_display_code_ignoring_case(db, demo):
    assert [r.uid for r in catalogue_admin.list_devices(db, search="wsh7").rows] == ["demo-washer"]
    assert [r.uid for r in catalogue_admin.list_devices(db, search="SAUNA").rows] == ["demo-sauna"]
    assert [r.uid for r in catalogue_admin.list_devices(db, search="demo-").rows] == ["demo-sauna", "demo-washer"]


def test_search_takes_wildcard_characters_literally(db, demo):
    assert catalogue_admin.list_devices(db, search="%").total == 0
    assert catalogue_admin.list_devices(db, search="_").total == 0


def test_device_list_filters_by_location(db, demo):
    annex = locations.create_location(db, ACTOR, "Annex", "UTC")
    catalogue_admin.update_device(db, ACTOR, device(db, "demo-sauna").id, location_id=annex.id)
    rows = catalogue_admin.list_devices(db, location_id=annex.id).rows
    assert [(r.uid, r.location_name) for r in rows] == [("demo-sauna", "Annex")]


def test_device_list_is_paged_with_the_total(db, demo):
    first = catalogue_admin.list_devices(db, page=PageRequest(page=1, per_page=1, sort="name", descending=False))
    second = catalogue_admin.list_devices(db, page=PageRequest(page=2, per_page=1, sort="name", descending=False))
    assert (first.total, first.pages, len(first.rows)) == (2, 2, 1)
    assert [first.rows[0].name, second.rows[0].name] == ["Sauna", "Washer 1"]


def test_device_detail_lists_every_plan_in_order_and_the_running_session(db, demo, paid_session):
    washer = device(db, "demo-washer")
    catalogue_admin.update_plan(db, ACTOR, plan_ids(db, washer.id)[1], active=False)
    detail = catalogue_admin.device_detail(db, washer.id)
    assert detail.shelly_device_id == "shelly-demo-washer"
    assert [(p.name, p.sort_order, p.active, p.price) for p in detail.plans] == [
        ("Quick test", 0, True, "€1.00"), ("Standard wash", 1, False, "€4.50")]
    assert detail.running_session.id == paid_session.id
    assert detail.running_session.ends_at == paid_session.ends_at


def test_an_unknown_device_or_door_is_not_found(db, demo):
    with pytest.raises(NotFound):
        catalogue_admin.device_detail(db, 999)
    with pytest.raises(NotFound):
        catalogue_admin.door_detail(db, 999)
    with pytest.raises(NotFound):
        catalogue_admin.update_door(db, ACTOR, 999, price_minor=100)


# ---------------------------------------------------------------- devices


def test_device_update_is_audited_with_old_and_new_values(db, demo):
    annex = locations.create_location(db, ACTOR, "Annex", "UTC")
    washer = device(db, "demo-washer")
    old_location_id = washer.location_id
    row = catalogue_admin.update_device(db, ACTOR, washer.id, name="Washer A", mode="maintenance",
                                        location_id=annex.id)
    assert (row.name, row.mode, row.location_name) == ("Washer A", DeviceMode.maintenance, "Annex")
    [entry] = audit_rows(db, "device.updated")
    assert (entry.actor_id, entry.target_type, entry.target_id) == ("3", "device", str(washer.id))
    assert details(entry) == {"name": ["Washer 1", "Washer A"], "mode": ["active", "maintenance"],
                              "location_id": [old_location_id, annex.id]}


def test_maintenance_set_in_the_admin_stops_sales_on_the_guest_page(db, demo):
    catalogue_admin.update_device(db, ACTOR, device(db, "demo-washer").id, mode=DeviceMode.maintenance)
    assert catalogue.device_offer(db, "demo-washer").unavailable_reason == "maintenance"


def test_a_device_update_that_changes_nothing_writes_no_audit_row(db, demo):
    catalogue_admin.update_device(db, ACTOR, device(db, "demo-washer").id, name="Washer 1", mode="active")
    assert audit_rows(db, "device.updated") == []


@pytest.mark.parametrize("change", [{"name": "  "}, {"mode": "broken"}, {"name": "x" * 121}])
def test_a_bad_device_update_changes_nothing(db, demo, change):
    washer = device(db, "demo-washer")
    with pytest.raises(InvalidInput):
        catalogue_admin.update_device(db, ACTOR, washer.id, **change)
    db.refresh(washer)
    assert (washer.name, washer.mode) == ("Washer 1", DeviceMode.active)


def test_a_device_cannot_move_to_a_location_that_does_not_exist(db, demo):
    with pytest.raises(NotFound):
        catalogue_admin.update_device(db, ACTOR, device(db, "demo-washer").id, location_id=999)


# ---------------------------------------------------------------- doors


def test_door_list_shows_price_access_time_mode_and_battery(db, demo):
    second_location_with_door(db)
    rows = catalogue_admin.list_doors(db, page=PageRequest(sort="price", descending=True)).rows
    assert [(r.name, r.location_name, r.price, r.currency, r.access_minutes, r.mode, r.online, r.battery_percent)
            for r in rows] == [
        ("Annex gate", "Annex", "CHF3.50", "chf", 30, DoorMode.active, False, 41),
        ("Front door", "Demo Laundry", "€2.00", "eur", 60, DoorMode.active, True, None),
    ]


def test_door_list_filters_by_location_and_searches(db, demo):
    annex_id, door = second_location_with_door(db)
    assert [r.uid for r in catalogue_admin.list_doors(db, location_id=annex_id).rows] == ["annex-door"]
    assert [r.uid for r in catalogue_admin.list_doors(db, search="dr3m").rows] == ["demo-door"]


def test_door_update_is_audited_with_each_changed_value(db, demo):
    door = db.exec(select(Door)).one()
    row = catalogue_admin.update_door(db, ACTOR, door.id, name="Front door", price_minor=700, currency=" CHF ",
                                      access_minutes=90, mode="passage")
    assert (row.price_minor, row.currency, row.price, row.access_minutes, row.mode) == (
        700, "chf", "CHF7.00", 90, DoorMode.passage)
    [entry] = audit_rows(db, "door.updated")
    assert details(entry) == {"price_minor": [200, 700], "currency": ["eur", "chf"], "access_minutes": [60, 90],
                              "mode": ["active", "passage"]}
    assert audit.first_broken_row(db) is None


def test_door_detail_shows_the_lock(db, demo):
    door = db.exec(select(Door)).one()
    detail = catalogue_admin.door_detail(db, door.id)
    assert (detail.door.display_code, detail.ttlock_lock_id) == ("DR3M8Q", "7100001")


@pytest.mark.parametrize("change", [
    {"price_minor": -1}, {"price_minor": MAX_PRICE_MINOR + 1}, {"price_minor": 4.5}, {"price_minor": True},
    {"currency": "euro"}, {"currency": "zz"}, {"currency": "dem"}, {"currency": ""},
    {"access_minutes": 0}, {"access_minutes": 1441}, {"mode": "open"}, {"name": ""},
])
def test_a_bad_door_update_is_refused_and_changes_nothing(db, demo, change):
    door = db.exec(select(Door)).one()
    with pytest.raises(InvalidInput):
        catalogue_admin.update_door(db, ACTOR, door.id, **change)
    db.refresh(door)
    assert (door.price_minor, door.currency, door.access_minutes, door.mode) == (200, "eur", 60, DoorMode.active)
    assert audit_rows(db, "door.updated") == []


def test_door_limits_are_inclusive(db, demo):
    door = db.exec(select(Door)).one()
    assert catalogue_admin.update_door(db, ACTOR, door.id, price_minor=0, access_minutes=1).access_minutes == 1
    row = catalogue_admin.update_door(db, ACTOR, door.id, price_minor=MAX_PRICE_MINOR, access_minutes=1440)
    assert (row.price_minor, row.access_minutes) == (MAX_PRICE_MINOR, 1440)


@pytest.mark.parametrize(("text", "currency", "minor"), [("4.50", "eur", 450), ("4,5", "EUR", 450), ("7", "eur", 700),
                                                          ("500", "jpy", 500), ("1.250", "kwd", 1250),
                                                          (".5", "eur", 50), ("3.", "eur", 300), (" 0.00 ", "eur", 0)])
def test_typed_prices_become_minor_units_of_their_currency(text, currency, minor):
    assert catalogue_admin.parse_price(text, currency) == minor


@pytest.mark.parametrize(("text", "currency"), [("4.505", "eur"), ("4.5", "jpy"), ("four", "eur"), ("", "eur"),
                                                ("-1", "eur"), ("NaN", "eur"), ("Infinity", "eur"),
                                                # Decimal reads these, but the first overflows (an ArithmeticError,
                                                # not a message) and the second rounds to a price of 0.
                                                ("1e999999999", "eur"), ("1e-999999999", "eur"), ("1e3", "eur")])
def test_typed_prices_that_do_not_fit_the_currency_are_refused(text, currency):
    with pytest.raises(InvalidInput):
        catalogue_admin.parse_price(text, currency)


@pytest.mark.parametrize(("text", "value"), [("30", 30), (" 7 ", 7), ("-5", -5), ("0", 0)])
def test_typed_whole_numbers_are_read(text, value):
    assert catalogue_admin.parse_whole(text, "The duration") == value


@pytest.mark.parametrize("text", ["abc", "", "1.5", "1e3", "٣", "9999999999"])
def test_typed_text_that_is_not_a_whole_number_is_refused_naming_the_field(text):
    with pytest.raises(InvalidInput, match="The duration must be a whole number"):
        catalogue_admin.parse_whole(text, "The duration")


def test_the_device_list_price_is_the_cheapest_active_plan(db, demo):
    washer, sauna = device(db, "demo-washer"), device(db, "demo-sauna")
    sauna_plans = plan_ids(db, sauna.id)
    catalogue_admin.update_plan(db, ACTOR, sauna_plans[0], active=False)
    bare = catalogue.add_device(db, location_id=washer.location_id, name="New", shelly_device_id="x", plans=[])
    prices = catalogue_admin.plan_prices(db, [washer.id, sauna.id, bare.id])
    assert prices == {washer.id: "from €1.00", sauna.id: "€12.00"}


# ---------------------------------------------------------------- usage plans


def test_an_added_plan_goes_last_and_is_offered_to_guests(db, demo):
    washer = device(db, "demo-washer")
    row = catalogue_admin.add_plan(db, ACTOR, washer.id, name="Hot wash", duration_minutes=60, delay_minutes=5,
                                   price_minor=600, currency="EUR")
    assert (row.sort_order, row.currency, row.price, row.active) == (2, "eur", "€6.00", True)
    assert [p.name for p in catalogue.device_offer(db, "demo-washer").plans] == [
        "Quick test", "Standard wash", "Hot wash"]
    [entry] = audit_rows(db, "usage_plan.created")
    assert details(entry) == {"device_id": washer.id, "name": "Hot wash", "duration_minutes": 60, "delay_minutes": 5,
                              "price_minor": 600, "currency": "eur", "active": True}


def test_the_first_plan_of_a_device_without_plans_is_first(db, demo):
    washer = device(db, "demo-washer")
    for plan_id in plan_ids(db, washer.id):
        catalogue_admin.delete_plan(db, ACTOR, plan_id)
    assert catalogue_admin.add_plan(db, ACTOR, washer.id, name="Only", duration_minutes=5,
                                    price_minor=100).sort_order == 0


@pytest.mark.parametrize("change", [
    {"duration_minutes": 0}, {"duration_minutes": 1441}, {"delay_minutes": -1}, {"delay_minutes": 61},
    {"price_minor": -1}, {"price_minor": MAX_PRICE_MINOR + 1}, {"currency": "xx1"}, {"name": ""},
    {"name": "x" * 81},
])
def test_plan_values_outside_their_limits_are_refused(db, demo, change):
    washer = device(db, "demo-washer")
    values = {"name": "Plan", "duration_minutes": 30, "delay_minutes": 0, "price_minor": 300, **change}
    with pytest.raises(InvalidInput):
        catalogue_admin.add_plan(db, ACTOR, washer.id, **values)
    [first, _] = plan_ids(db, washer.id)
    with pytest.raises(InvalidInput):
        catalogue_admin.update_plan(db, ACTOR, first, **change)
    assert len(plan_ids(db, washer.id)) == 2
    assert db.get(UsagePlan, first).duration_minutes == 1


def test_plan_limits_are_inclusive(db, demo):
    washer = device(db, "demo-washer")
    longest = catalogue_admin.add_plan(db, ACTOR, washer.id, name="Day", duration_minutes=1440, delay_minutes=60,
                                       price_minor=0)
    assert (longest.duration_minutes, longest.delay_minutes, longest.price_minor) == (1440, 60, 0)


def test_a_plan_price_change_is_audited_with_old_and_new(db, demo):
    plan_id = plan_ids(db, device(db, "demo-washer").id)[1]
    row = catalogue_admin.update_plan(db, ACTOR, plan_id, price_minor=500, name="Standard wash")
    assert row.price == "€5.00"
    [entry] = audit_rows(db, "usage_plan.updated")
    assert (entry.target_type, entry.target_id, details(entry)) == ("usage_plan", str(plan_id),
                                                                    {"price_minor": [450, 500]})


def test_a_deactivated_plan_is_no_longer_offered(db, demo):
    plan_id = plan_ids(db, device(db, "demo-washer").id)[0]
    catalogue_admin.update_plan(db, ACTOR, plan_id, active=False)
    assert [p.name for p in catalogue.device_offer(db, "demo-washer").plans] == ["Standard wash"]


def test_deleting_a_plan_nobody_bought_removes_it_and_closes_the_gap(db, demo):
    washer = device(db, "demo-washer")
    first, second = plan_ids(db, washer.id)
    removal = catalogue_admin.delete_plan(db, ACTOR, first)
    assert removal.deleted
    assert db.get(UsagePlan, first) is None
    assert [(p.id, p.sort_order) for p in catalogue_admin.list_plans(db, washer.id)] == [(second, 0)]
    [entry] = audit_rows(db, "usage_plan.deleted")
    assert details(entry)["price_minor"] == 100


def test_deleting_a_plan_with_payments_deactivates_it_and_says_so(db, payment):
    plan_id = payment.usage_plan_id
    removal = catalogue_admin.delete_plan(db, ACTOR, plan_id)
    assert not removal.deleted
    assert "deactivated instead" in removal.message
    assert db.get(UsagePlan, plan_id).active is False
    [entry] = audit_rows(db, "usage_plan.updated")
    assert details(entry) == {"active": [True, False], "instead_of_delete": True}
    assert audit_rows(db, "usage_plan.deleted") == []


def test_moving_a_plan_up_swaps_it_with_the_one_above(db, demo):
    washer = device(db, "demo-washer")
    first, second = plan_ids(db, washer.id)
    rows = catalogue_admin.move_plan(db, ACTOR, second, "up")
    assert [(r.id, r.sort_order) for r in rows] == [(second, 0), (first, 1)]
    assert [p.name for p in catalogue.device_offer(db, "demo-washer").plans] == ["Standard wash", "Quick test"]
    [entry] = audit_rows(db, "usage_plan.reordered")
    assert details(entry) == {"order": [[first, second], [second, first]]}


def test_moving_a_plan_past_either_end_changes_nothing(db, demo):
    washer = device(db, "demo-washer")
    first, second = plan_ids(db, washer.id)
    catalogue_admin.move_plan(db, ACTOR, first, "up")
    catalogue_admin.move_plan(db, ACTOR, second, "down")
    assert plan_ids(db, washer.id) == [first, second]
    assert audit_rows(db, "usage_plan.reordered") == []


def test_a_plan_moves_only_up_or_down(db, demo):
    with pytest.raises(InvalidInput):
        catalogue_admin.move_plan(db, ACTOR, plan_ids(db, device(db, "demo-washer").id)[0], "left")


def test_reordering_rewrites_the_sort_order_from_zero(db, demo):
    washer = device(db, "demo-washer")
    third = catalogue_admin.add_plan(db, ACTOR, washer.id, name="Long", duration_minutes=90, price_minor=800).id
    first, second = plan_ids(db, washer.id)[:2]
    for plan, order in zip(db.exec(select(UsagePlan).where(UsagePlan.device_id == washer.id)).all(), (10, 20, 30),
                           strict=True):
        plan.sort_order = order
    db.commit()
    rows = catalogue_admin.reorder_plans(db, ACTOR, washer.id, [third, first, second])
    assert [(r.id, r.sort_order) for r in rows] == [(third, 0), (first, 1), (second, 2)]
    assert sorted(p.sort_order for p in db.exec(select(UsagePlan).where(UsagePlan.device_id == washer.id))) == [
        0, 1, 2]


@pytest.mark.parametrize("order", [
    lambda ids, other: [ids[0]],
    lambda ids, other: [ids[0], ids[0]],
    lambda ids, other: [ids[0], other],
    lambda ids, other: [ids[1], ids[0], other],
    lambda ids, other: ["one", "two"],
])
def test_a_reorder_that_does_not_name_each_plan_once_is_refused(db, demo, order):
    washer, sauna = device(db, "demo-washer"), device(db, "demo-sauna")
    ids = plan_ids(db, washer.id)
    with pytest.raises(InvalidInput):
        catalogue_admin.reorder_plans(db, ACTOR, washer.id, order(ids, plan_ids(db, sauna.id)[0]))
    assert plan_ids(db, washer.id) == ids
    assert audit_rows(db, "usage_plan.reordered") == []


# ---------------------------------------------------------------- force end


def test_force_end_queues_the_relay_off_and_the_off_job_completes_the_session(db, deps, shelly_sim, running_session):
    staff = new_staff(db, Role.operator)
    actor = audit.Actor("user", str(staff.id))
    ended = catalogue_admin.force_end_session(db, actor, deps.queue, running_session.id)
    assert (ended.status, ended.refund_requested) == (DeviceSessionStatus.active, False)
    assert deps.queue.named("jobs.relay.switch_relay_off") == [(running_session.id,)]
    db.refresh(running_session)
    assert running_session.end_reason == f"force ended by {staff.email}"
    assert running_session.ends_at <= utcnow()
    assert relay_state(shelly_sim.url, "shelly-demo-washer")["on"] is True  # only the job switches it OFF

    device_sessions.switch_relay_off(db, running_session.id, deps, final_attempt=True)  # what the job does

    db.refresh(running_session)
    assert running_session.status == DeviceSessionStatus.completed
    assert running_session.relay_off_at is not None
    assert relay_commands(shelly_sim.url, "shelly-demo-washer") == ["on", "off"]
    assert relay_state(shelly_sim.url, "shelly-demo-washer")["on"] is False


def test_the_force_end_reason_survives_the_off_job(db, deps, running_session):
    catalogue_admin.force_end_session(db, ACTOR, deps.queue, running_session.id)
    device_sessions.switch_relay_off(db, running_session.id, deps, final_attempt=True)
    db.refresh(running_session)
    assert running_session.end_reason == "force ended by user 3"


def test_force_end_is_audited_with_who_and_the_moved_end(db, deps, running_session):
    paid_end = running_session.ends_at
    catalogue_admin.force_end_session(db, ACTOR, deps.queue, running_session.id)
    [entry] = audit_rows(db, "device_session.force_ended")
    found = details(entry)
    assert (entry.actor_type, entry.actor_id, entry.ip) == ("user", "3", "198.51.100.4")
    assert found["reason"] == "force ended by user 3"
    assert found["status"] == ["active", "active"]
    assert found["ends_at"][0] == paid_end.isoformat()
    assert found["ends_at"][1] < found["ends_at"][0]


def test_a_force_ended_session_is_overdue_for_cleanup_if_the_off_job_is_lost(db, deps, running_session):
    assert running_session.id not in device_sessions.overdue_sessions(db, utcnow())
    catalogue_admin.force_end_session(db, ACTOR, deps.queue, running_session.id)
    assert running_session.id in device_sessions.overdue_sessions(db, utcnow())


def test_force_ending_a_session_that_has_not_started_cancels_it_and_refunds_in_full(db, deps, shelly_sim,
                                                                                     paid_session, payment):
    updates = RecordingUpdates()
    ended = catalogue_admin.force_end_session(db, ACTOR, deps.queue, paid_session.id, updates=updates)
    assert (ended.status, ended.refund_requested) == (DeviceSessionStatus.cancelled, True)
    db.refresh(paid_session)
    assert paid_session.status == DeviceSessionStatus.cancelled
    assert paid_session.ended_at is not None
    [refund] = db.exec(select(Refund)).all()
    assert refund.amount_minor == payment.amount_minor
    assert deps.queue.named("jobs.refunds.send_refund") == [(refund.id,)]
    assert updates.tokens == [payment.guest_token]

    device_sessions.switch_relay_on(db, paid_session.id, deps, final_attempt=True)  # the ON job, arriving late

    db.refresh(paid_session)
    assert paid_session.status == DeviceSessionStatus.cancelled
    assert relay_commands(shelly_sim.url, "shelly-demo-washer") == []


def test_force_ending_during_the_delayed_start_keeps_the_window_in_order(db, demo, deps, gateway):
    demo_sauna = device(db, "demo-sauna")
    started = checkout.start_device_checkout(db, gateway, device_uid="demo-sauna",
                                             plan_id=plan_ids(db, demo_sauna.id)[0], email=None,
                                             base_url="http://guest.test")
    payment = db.exec(select(Payment).where(Payment.guest_token == started.guest_token)).one()
    deliver(db, deps, checkout_event(payment))
    session = db.exec(select(DeviceSession).where(DeviceSession.payment_id == payment.id)).one()
    device_sessions.switch_relay_on(db, session.id, deps, final_attempt=True)
    catalogue_admin.force_end_session(db, ACTOR, deps.queue, session.id)
    db.refresh(session)
    assert session.starts_at <= session.ends_at <= utcnow()


def test_an_ended_session_cannot_be_force_ended(db, deps, paid_session):
    catalogue_admin.force_end_session(db, ACTOR, deps.queue, paid_session.id)
    with pytest.raises(Conflict, match="already ended"):
        catalogue_admin.force_end_session(db, ACTOR, deps.queue, paid_session.id)
    assert len(audit_rows(db, "device_session.force_ended")) == 1


def test_force_ending_an_unknown_session_is_not_found(db, deps, demo):
    with pytest.raises(NotFound):
        catalogue_admin.force_end_session(db, ACTOR, deps.queue, 999)
    assert deps.queue.jobs == []

