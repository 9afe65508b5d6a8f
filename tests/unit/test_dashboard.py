"""The dashboard summary: revenue since each location's local midnight, what is running now, the latest
payments, fleet counts and integration health."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from hygate_app.models import (
    DeviceSessionStatus,
    DoorAccessStatus,
    Integration,
    IntegrationHealth,
    PaymentStatus,
)
from hygate_app.services.dashboard import CurrencyRevenue, FleetCounts, dashboard_summary
from tests.support.records import grant_access, named, new_device, new_door, new_location, pay, run_session, utc

NOW = utc(2026, 6, 10, 10)  # 12:00 in Berlin


def test_today_starts_at_each_locations_own_local_midnight(db: Session):
    berlin = new_door(db, new_location(db, "Europe/Berlin", named("Berlin")))
    london = new_door(db, new_location(db, "UTC", named("Utc")))
    pay(db, berlin, utc(2026, 6, 9, 22, 30), 1)    # 00:30 today in Berlin
    pay(db, berlin, utc(2026, 6, 9, 21, 30), 2)    # 23:30 yesterday in Berlin
    pay(db, london, utc(2026, 6, 10, 0, 30), 4)    # today in UTC
    pay(db, london, utc(2026, 6, 9, 23, 30), 8)    # yesterday in UTC

    [revenue] = dashboard_summary(db, NOW).revenue

    assert revenue == CurrencyRevenue("eur", today_minor=5, last_7_days_minor=15, last_30_days_minor=15)


def test_7_and_30_days_are_local_calendar_days_including_today(db: Session):
    berlin = new_door(db, new_location(db, "Europe/Berlin"))
    pay(db, berlin, utc(2026, 6, 3, 22, 30), 1)    # 00:30 on 4 June: 6 days ago
    pay(db, berlin, utc(2026, 6, 3, 21, 30), 2)    # 23:30 on 3 June: 7 days ago
    pay(db, berlin, utc(2026, 5, 11, 22, 30), 4)   # 00:30 on 12 May: 29 days ago
    pay(db, berlin, utc(2026, 5, 11, 21, 30), 8)   # 23:30 on 11 May: 30 days ago

    [revenue] = dashboard_summary(db, NOW).revenue

    assert revenue == CurrencyRevenue("eur", today_minor=0, last_7_days_minor=1, last_30_days_minor=7)


def test_revenue_is_net_of_refunds_per_currency_and_leaves_out_unfinished_payments(db: Session):
    entrance = new_door(db, new_location(db, "Europe/Berlin"))
    at = NOW - timedelta(hours=1)
    pay(db, entrance, at, 500)
    pay(db, entrance, at, 500, status=PaymentStatus.partially_refunded, refunded=200)
    pay(db, entrance, at, 300, status=PaymentStatus.refunded, refunded=300)
    pay(db, entrance, at, 900, currency="usd")
    pay(db, entrance, at, 1000, currency="chf", status=PaymentStatus.pending)
    pay(db, entrance, at, 1000, status=PaymentStatus.failed)
    pay(db, entrance, at, 1000, status=PaymentStatus.expired)

    revenue = dashboard_summary(db, NOW).revenue

    assert revenue == (CurrencyRevenue("eur", 800, 800, 800), CurrencyRevenue("usd", 900, 900, 900))


def test_active_sessions_are_pending_or_active_ones_with_paid_time_left_soonest_end_first(db: Session):
    location = new_location(db, "Europe/Berlin")
    washer, sauna = new_device(db, location, "Washer")[0], new_device(db, location, "Sauna")[0]
    later = run_session(db, washer, NOW - timedelta(minutes=10), 45, status=DeviceSessionStatus.active)
    sooner = run_session(db, sauna, NOW - timedelta(minutes=1), 15, status=DeviceSessionStatus.pending)
    run_session(db, washer, NOW - timedelta(minutes=50), 45, status=DeviceSessionStatus.active)  # overdue
    run_session(db, washer, NOW - timedelta(minutes=5), 45, status=DeviceSessionStatus.completed)  # force-ended
    run_session(db, sauna, NOW - timedelta(minutes=5), 45, status=DeviceSessionStatus.failed)

    summary = dashboard_summary(db, NOW)

    assert [(s.session_id, s.device_name, s.location_name, s.status, s.ends_at) for s in summary.active_sessions] \
        == [(sooner.id, "Sauna", location.name, DeviceSessionStatus.pending, sooner.ends_at),
            (later.id, "Washer", location.name, DeviceSessionStatus.active, later.ends_at)]
    assert summary.active_sessions_total == 2


def test_active_door_accesses_are_those_still_valid(db: Session):
    location = new_location(db, "Europe/Berlin")
    entrance = new_door(db, location, "Front door")
    valid = grant_access(db, entrance, NOW - timedelta(minutes=30), 60, status=DoorAccessStatus.active)
    grant_access(db, entrance, NOW - timedelta(minutes=90), 60, status=DoorAccessStatus.active)  # over
    grant_access(db, entrance, NOW - timedelta(minutes=5), 60, status=DoorAccessStatus.failed)

    summary = dashboard_summary(db, NOW)

    assert [(a.access_id, a.door_name, a.location_name, a.valid_until) for a in summary.active_accesses] \
        == [(valid.id, "Front door", location.name, valid.valid_until)]
    assert summary.active_accesses_total == 1


def test_recent_payments_are_the_ten_newest_of_any_status(db: Session):
    entrance = new_door(db, new_location(db, "Europe/Berlin"))
    payments = [pay(db, entrance, NOW - timedelta(minutes=minutes), item=f"Access {minutes}",
                    status=PaymentStatus.pending if minutes == 0 else PaymentStatus.paid)
                for minutes in (5, 0, 11, 3, 7, 1, 9, 2, 10, 4, 8, 6)]

    recent = dashboard_summary(db, NOW).recent_payments

    newest = sorted(payments, key=lambda p: p.created_at, reverse=True)[:10]
    assert [p.id for p in recent] == [p.id for p in newest]
    assert (recent[0].item_name, recent[0].status, recent[0].amount_minor, recent[0].currency) \
        == ("Access 0", PaymentStatus.pending, 500, "eur")


def test_fleet_counts_online_offline_and_maintenance(db: Session, demo):
    location = new_location(db, "Europe/Berlin")
    new_device(db, location, online=False)[0]
    new_device(db, location, mode="maintenance")[0]
    new_door(db, location, online=False, mode="passage")
    new_door(db, location, mode="maintenance")

    summary = dashboard_summary(db, NOW)

    # The demo has two online devices and one online door.
    assert summary.devices == FleetCounts(total=4, online=3, offline=1, maintenance=1, passage=0)
    assert summary.doors == FleetCounts(total=3, online=2, offline=1, maintenance=1, passage=1)


def test_integrations_without_a_recorded_check_are_never_checked(db: Session):
    db.add(IntegrationHealth(integration=Integration.shelly, ok=False, consecutive_failures=3,
                             last_check_at=NOW, last_success_at=NOW - timedelta(hours=1), last_error="timeout"))
    db.add(IntegrationHealth(integration=Integration.stripe, ok=True, last_check_at=NOW, last_success_at=NOW))
    db.add(IntegrationHealth(integration=Integration.resend))  # created, never called
    db.flush()

    statuses = {s.integration: s for s in dashboard_summary(db, NOW).integrations}

    assert [s.integration for s in dashboard_summary(db, NOW).integrations] == list(Integration)
    assert (statuses[Integration.stripe].ok, statuses[Integration.stripe].never_checked) == (True, False)
    shelly = statuses[Integration.shelly]
    assert (shelly.ok, shelly.last_error, shelly.consecutive_failures, shelly.last_check_at) \
        == (False, "timeout", 3, NOW)
    assert statuses[Integration.ttlock].never_checked
    assert statuses[Integration.resend].never_checked


def test_an_empty_workspace_has_an_empty_dashboard(db: Session):
    summary = dashboard_summary(db, NOW)

    assert (summary.revenue, summary.active_sessions, summary.recent_payments) == ((), (), ())
    assert summary.devices == FleetCounts() and summary.doors == FleetCounts()
