"""The admin dashboard at a glance: revenue today / 7 d / 30 d, what is running now, the latest payments,
the fleet's state and the health of each integration."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, func, select

from hygate_app.models import (
    Device,
    DeviceMode,
    DeviceSession,
    DeviceSessionStatus,
    Door,
    DoorAccess,
    DoorAccessStatus,
    DoorMode,
    Integration,
    IntegrationHealth,
    Location,
    Payment,
    PaymentStatus,
)
from hygate_app.models.columns import utcnow
from hygate_app.services.local_time import local_day_start
from hygate_app.services.reports import REVENUE_STATUSES, location_zones

RECENT_PAYMENTS = 10
# The dashboard shows the first of the running sessions and accesses (soonest to end) and their total.
ACTIVE_LIMIT = 50
REVENUE_WINDOWS = (1, 7, 30)  # local calendar days, today included
RUNNING_SESSION_STATUSES = (DeviceSessionStatus.pending, DeviceSessionStatus.active)
RUNNING_ACCESS_STATUSES = (DoorAccessStatus.pending, DoorAccessStatus.active)


@dataclass(frozen=True)
class CurrencyRevenue:
    """Net revenue (paid minus refunded) of one currency; currencies are never added together."""

    currency: str
    today_minor: int
    last_7_days_minor: int
    last_30_days_minor: int


@dataclass(frozen=True)
class ActiveDeviceSession:
    session_id: int
    device_id: int
    device_name: str
    location_name: str
    status: DeviceSessionStatus
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class ActiveDoorAccess:
    access_id: int
    door_id: int
    door_name: str
    location_name: str
    status: DoorAccessStatus
    valid_from: datetime
    valid_until: datetime


@dataclass(frozen=True)
class RecentPayment:
    id: int
    created_at: datetime
    item_name: str
    location_name: str
    amount_minor: int
    amount_refunded_minor: int
    currency: str
    status: PaymentStatus


@dataclass(frozen=True)
class FleetCounts:
    """Online/offline is the last known connection, maintenance the mode: a device can be both offline and
    in maintenance. `passage` is for doors only."""

    total: int = 0
    online: int = 0
    offline: int = 0
    maintenance: int = 0
    passage: int = 0


@dataclass(frozen=True)
class IntegrationStatus:
    """`ok` is None when the integration was never checked (no real call outcome recorded yet)."""

    integration: Integration
    ok: bool | None
    last_check_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    consecutive_failures: int

    @property
    def never_checked(self) -> bool:
        return self.ok is None


@dataclass(frozen=True)
class DashboardSummary:
    revenue: tuple[CurrencyRevenue, ...]
    active_sessions: tuple[ActiveDeviceSession, ...]
    active_sessions_total: int
    active_accesses: tuple[ActiveDoorAccess, ...]
    active_accesses_total: int
    recent_payments: tuple[RecentPayment, ...]
    devices: FleetCounts
    doors: FleetCounts
    integrations: tuple[IntegrationStatus, ...]


def dashboard_summary(db: Session, now: datetime | None = None) -> DashboardSummary:
    """Everything the dashboard page shows, as of `now` (an aware datetime; the current time by default)."""
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("dashboard_summary needs an aware datetime")
    sessions, sessions_total = running_sessions(db, now)
    accesses, accesses_total = running_accesses(db, now)
    return DashboardSummary(
        revenue=revenue_totals(db, now),
        active_sessions=sessions,
        active_sessions_total=sessions_total,
        active_accesses=accesses,
        active_accesses_total=accesses_total,
        recent_payments=recent_payments(db),
        devices=device_counts(db),
        doors=door_counts(db),
        integrations=integration_statuses(db),
    )


def revenue_totals(db: Session, now: datetime) -> tuple[CurrencyRevenue, ...]:
    """Net revenue per currency since local midnight today, 6 and 29 days ago.

    "Today" is each location's own calendar day in its own time zone (the same days the reports use), so
    the 7-day figure equals the sum of that location's last 7 daily report buckets. The cut-offs are
    computed per time zone in Python, which keeps the query plain UTC comparisons on both databases.
    """
    zones = location_zones(db)
    if not zones:
        return ()
    starts = {zone: {days: local_day_start(now.astimezone(ZoneInfo(zone)).date() - timedelta(days=days - 1), zone)
                     for days in REVENUE_WINDOWS} for zone in zones}

    def since(days: int) -> sa.ColumnElement[bool]:
        if len(starts) == 1:  # one time zone: no need to look at the location
            return Payment.created_at >= next(iter(starts.values()))[days]
        return sa.or_(*(sa.and_(Location.timezone == zone, Payment.created_at >= cut[days])
                        for zone, cut in starts.items()))

    net = Payment.amount_minor - Payment.amount_refunded_minor
    currency = func.lower(Payment.currency)
    longest = max(REVENUE_WINDOWS)
    stmt = (select(currency, *(func.sum(sa.case((since(days), net), else_=0)) for days in REVENUE_WINDOWS))
            .select_from(Payment).join(Location, Location.id == Payment.location_id)
            .where(Payment.status.in_(REVENUE_STATUSES),
                   Payment.created_at >= min(cut[longest] for cut in starts.values()), since(longest))
            .group_by(currency).order_by(currency))
    return tuple(CurrencyRevenue(code, int(today or 0), int(week or 0), int(month or 0))
                 for code, today, week, month in db.execute(stmt))


def running_sessions(db: Session, now: datetime) -> tuple[tuple[ActiveDeviceSession, ...], int]:
    """Sessions whose paid time is not over, pending (relay not yet on) or active; soonest to end first."""
    running = (DeviceSession.status.in_(RUNNING_SESSION_STATUSES), DeviceSession.ends_at > now)
    total = db.exec(select(func.count()).select_from(DeviceSession).where(*running)).one()
    stmt = (select(DeviceSession.id, Device.id, Device.name, Location.name, DeviceSession.status,
                   DeviceSession.starts_at, DeviceSession.ends_at)
            .join(Device, Device.id == DeviceSession.device_id).join(Location, Location.id == Device.location_id)
            .where(*running).order_by(DeviceSession.ends_at, DeviceSession.id).limit(ACTIVE_LIMIT))
    return tuple(ActiveDeviceSession(*row) for row in db.execute(stmt)), total


def running_accesses(db: Session, now: datetime) -> tuple[tuple[ActiveDoorAccess, ...], int]:
    """Door accesses still valid, pending (credential being made) or active; soonest to expire first."""
    running = (DoorAccess.status.in_(RUNNING_ACCESS_STATUSES), DoorAccess.valid_until > now)
    total = db.exec(select(func.count()).select_from(DoorAccess).where(*running)).one()
    stmt = (select(DoorAccess.id, Door.id, Door.name, Location.name, DoorAccess.status,
                   DoorAccess.valid_from, DoorAccess.valid_until)
            .join(Door, Door.id == DoorAccess.door_id).join(Location, Location.id == Door.location_id)
            .where(*running).order_by(DoorAccess.valid_until, DoorAccess.id).limit(ACTIVE_LIMIT))
    return tuple(ActiveDoorAccess(*row) for row in db.execute(stmt)), total


def recent_payments(db: Session, limit: int = RECENT_PAYMENTS) -> tuple[RecentPayment, ...]:
    """The latest payments whatever their status, so abandoned and failed checkouts show too."""
    stmt = (select(Payment.id, Payment.created_at, Payment.item_name, Location.name, Payment.amount_minor,
                   Payment.amount_refunded_minor, Payment.currency, Payment.status)
            .join(Location, Location.id == Payment.location_id)
            .order_by(Payment.created_at.desc(), Payment.id.desc()).limit(limit))
    return tuple(RecentPayment(*row) for row in db.execute(stmt))


def device_counts(db: Session) -> FleetCounts:
    rows = db.execute(select(Device.mode, Device.online, func.count()).group_by(Device.mode, Device.online))
    return _fleet_counts((mode == DeviceMode.maintenance, False, online, count) for mode, online, count in rows)


def door_counts(db: Session) -> FleetCounts:
    rows = db.execute(select(Door.mode, Door.online, func.count()).group_by(Door.mode, Door.online))
    return _fleet_counts((mode == DoorMode.maintenance, mode == DoorMode.passage, online, count)
                         for mode, online, count in rows)


def _fleet_counts(groups: Iterable[tuple[bool, bool, bool, int]]) -> FleetCounts:
    """Sums (in maintenance, in passage, online, count) groups."""
    total = online = maintenance = passage = 0
    for in_maintenance, in_passage, is_online, count in groups:
        total += count
        online += count if is_online else 0
        maintenance += count if in_maintenance else 0
        passage += count if in_passage else 0
    return FleetCounts(total, online, total - online, maintenance, passage)


def integration_statuses(db: Session) -> tuple[IntegrationStatus, ...]:
    """One status per integration, in a fixed order; no health row (or no check yet) is "never checked"."""
    rows = {row.integration: row for row in db.exec(select(IntegrationHealth)).all()}
    statuses = []
    for integration in Integration:
        row = rows.get(integration)
        if row is None or row.last_check_at is None:
            statuses.append(IntegrationStatus(integration, None, None, None, None, 0))
        else:
            statuses.append(IntegrationStatus(integration, row.ok, row.last_check_at, row.last_success_at,
                                              row.last_error, row.consecutive_failures))
    return tuple(statuses)
