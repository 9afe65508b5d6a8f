"""The Payments module of the admin: the filtered, paged list of payments, one payment's detail, the CSV export.

Date filters are calendar days, inclusive at both ends, in one time zone: the one named in the filters, else
the filtered location's, else UTC. A location's staff think in its local days ("yesterday's takings"), and
with no location chosen there is no single local day, so UTC is the only honest default.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import or_
from sqlmodel import Session, select

from hygate_app.models import (
    Device,
    DeviceSession,
    DeviceSessionStatus,
    Door,
    DoorAccess,
    DoorAccessStatus,
    Location,
    Payment,
    PaymentKind,
    PaymentStatus,
    Refund,
    RefundStatus,
    UsagePlan,
)
from hygate_app.services.csv_export import csv_line
from hygate_app.services.errors import InvalidInput, NotFound
from hygate_app.services.local_time import local_day_start, location_zone
from hygate_app.services.money import decimal_amount
from hygate_app.services.paging import Page, PageRequest, paginate

CSV_BATCH = 1000
MAX_SEARCH_LENGTH = 200
# Stripe ids are searched by exact match (indexed); anything else by substring on e-mail and item name.
_STRIPE_ID = re.compile(r"^(cs|pi|re)_[A-Za-z0-9_]+$")


@dataclass(frozen=True)
class PaymentFilters:
    date_from: date | None = None
    date_to: date | None = None
    # An IANA zone name for the date filters; None: the filtered location's zone, else UTC.
    time_zone: str | None = None
    status: PaymentStatus | None = None
    location_id: int | None = None
    door_id: int | None = None
    device_id: int | None = None
    search: str = ""


@dataclass(frozen=True)
class PaymentRow:
    id: int
    created_at: datetime
    paid_at: datetime | None
    status: PaymentStatus
    kind: PaymentKind
    amount_minor: int
    amount_refunded_minor: int
    currency: str
    item_name: str
    location_name: str
    customer_email: str | None


@dataclass(frozen=True)
class RefundLine:
    id: int
    created_at: datetime
    amount_minor: int
    status: RefundStatus
    reason: str
    stripe_refund_id: str | None
    last_error: str | None


@dataclass(frozen=True)
class PurchasedAccess:
    """What the payment bought: a device session or a door access, and its window."""

    kind: PaymentKind
    id: int
    status: DeviceSessionStatus | DoorAccessStatus
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class PaymentDetail:
    payment: PaymentRow
    updated_at: datetime
    stripe_checkout_session_id: str | None
    stripe_payment_intent_id: str | None
    device_name: str | None
    usage_plan_name: str | None
    door_name: str | None
    refunds: tuple[RefundLine, ...]
    # None while the payment has not (yet) bought anything: pending, expired, failed, or paid and being delivered.
    access: PurchasedAccess | None


def time_zone_for(db: Session, time_zone: str | None, location_id: int | None) -> ZoneInfo:
    """The zone the date filters are read in (see the module docstring)."""
    name = time_zone
    if not name and location_id is not None:
        location = db.get(Location, location_id)
        name = location.timezone if location is not None else None
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"Unknown time zone: {name}.") from None


def utc_bounds(date_from: date | None, date_to: date | None, zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """Inclusive local days → a half-open UTC range [start, end), so a day boundary crossing DST stays exact."""
    if date_from and date_to and date_from > date_to:
        raise InvalidInput("The start date must be on or before the end date.")
    start = local_day_start(date_from, zone.key) if date_from else None
    end = local_day_start(date_to + timedelta(days=1), zone.key) if date_to else None
    return start, end


def list_payments(db: Session, filters: PaymentFilters, request: PageRequest) -> Page[PaymentRow]:
    """Newest first unless told otherwise; sortable by "created", "amount" and "status"."""
    sortable = {"created": Payment.created_at, "amount": Payment.amount_minor, "status": Payment.status}
    page = paginate(db, _filtered(db, _row_query(), filters), request, sortable, Payment.id, "created")
    return Page([PaymentRow(**row._mapping) for row in page.rows], page.total, page.page, page.per_page)


def payment_detail(db: Session, payment_id: int) -> PaymentDetail:
    row = db.exec(_row_query().where(Payment.id == payment_id)).first()
    if row is None:
        raise NotFound("This payment does not exist.")
    payment = db.get(Payment, payment_id)
    device = db.get(Device, payment.device_id) if payment.device_id is not None else None
    plan = db.get(UsagePlan, payment.usage_plan_id) if payment.usage_plan_id is not None else None
    door = db.get(Door, payment.door_id) if payment.door_id is not None else None
    return PaymentDetail(
        payment=PaymentRow(**row._mapping),
        updated_at=payment.updated_at,
        stripe_checkout_session_id=payment.stripe_checkout_session_id,
        stripe_payment_intent_id=payment.stripe_payment_intent_id,
        device_name=device.name if device else None,
        usage_plan_name=plan.name if plan else None,
        door_name=door.name if door else None,
        refunds=_refunds(db, payment_id),
        access=_purchased_access(db, payment),
    )


CSV_HEADER = (
    "id", "created_at", "paid_at", "status", "kind", "item_name", "location", "customer_email", "amount",
    "amount_refunded", "currency", "stripe_checkout_session_id", "stripe_payment_intent_id",
    "time_zone", "created_at_local", "paid_at_local",
)


def payments_csv(db: Session, filters: PaymentFilters, batch_size: int = CSV_BATCH) -> Iterator[str]:
    """CSV lines (header first) of every filtered payment in id order, read `batch_size` rows at a time.

    The filters are checked here, before the first line, so a bad filter fails the request rather than the
    middle of a download. Amounts are decimals in the currency's major unit; times are ISO 8601 UTC, and again
    on the location's clock (with its offset, so a time in the repeated hour of a DST change stays exact).
    """
    query = _filtered(db, _row_query().add_columns(Payment.stripe_checkout_session_id,
                                                    Payment.stripe_payment_intent_id,
                                                    Location.timezone.label("time_zone")), filters)
    return _csv_lines(db, query, batch_size)


def _row_query():
    # An outer join to a NOT NULL foreign key gives the same rows, and PostgreSQL can then drop the join
    # from the page's count(*), which otherwise joins every matching payment.
    return select(
        Payment.id, Payment.created_at, Payment.paid_at, Payment.status, Payment.kind, Payment.amount_minor,
        Payment.amount_refunded_minor, Payment.currency, Payment.item_name, Location.name.label("location_name"),
        Payment.customer_email,
    ).outerjoin(Location, Location.id == Payment.location_id)


def _filtered(db: Session, query, filters: PaymentFilters):
    start, end = utc_bounds(filters.date_from, filters.date_to,
                            time_zone_for(db, filters.time_zone, filters.location_id))
    if start is not None:
        query = query.where(Payment.created_at >= start)
    if end is not None:
        query = query.where(Payment.created_at < end)
    if filters.status is not None:
        query = query.where(Payment.status == _status(filters.status))
    if filters.location_id is not None:
        query = query.where(Payment.location_id == filters.location_id)
    if filters.door_id is not None:
        query = query.where(Payment.door_id == filters.door_id)
    if filters.device_id is not None:
        query = query.where(Payment.device_id == filters.device_id)
    term = (filters.search or "").strip()[:MAX_SEARCH_LENGTH]
    if term:
        query = query.where(_search_condition(term))
    return query


def _status(value: str) -> PaymentStatus:
    try:
        return PaymentStatus(value)
    except ValueError:
        raise InvalidInput(f"Unknown payment status: {value}.") from None


def _search_condition(term: str):
    if _STRIPE_ID.match(term):
        # A scalar subquery (refund ids are unique) keeps all three branches index lookups; IN (…) would not.
        refunded = select(Refund.payment_id).where(Refund.stripe_refund_id == term).scalar_subquery()
        return or_(Payment.stripe_checkout_session_id == term, Payment.stripe_payment_intent_id == term,
                   Payment.id == refunded)
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(Payment.customer_email.ilike(pattern, escape="\\"), Payment.item_name.ilike(pattern, escape="\\"))


def _refunds(db: Session, payment_id: int) -> tuple[RefundLine, ...]:
    rows = db.exec(select(Refund).where(Refund.payment_id == payment_id).order_by(Refund.created_at, Refund.id)).all()
    return tuple(RefundLine(r.id, r.created_at, r.amount_minor, r.status, r.reason, r.stripe_refund_id, r.last_error)
                 for r in rows)


def _purchased_access(db: Session, payment: Payment) -> PurchasedAccess | None:
    if payment.kind == PaymentKind.device:
        session = db.exec(select(DeviceSession).where(DeviceSession.payment_id == payment.id)).first()
        if session is None:
            return None
        return PurchasedAccess(PaymentKind.device, session.id, session.status, session.starts_at, session.ends_at)
    access = db.exec(select(DoorAccess).where(DoorAccess.payment_id == payment.id)).first()
    if access is None:
        return None
    return PurchasedAccess(PaymentKind.door, access.id, access.status, access.valid_from, access.valid_until)


def _csv_lines(db: Session, query, batch_size: int) -> Iterator[str]:
    yield csv_line(CSV_HEADER)
    last_id = 0
    while True:
        rows = db.exec(query.where(Payment.id > last_id).order_by(Payment.id).limit(batch_size)).all()
        for row in rows:
            yield csv_line(_csv_cells(row))
        if len(rows) < batch_size:
            return
        last_id = rows[-1].id


def _csv_cells(row) -> tuple:
    return (
        row.id, row.created_at, row.paid_at, row.status.value, row.kind.value, row.item_name, row.location_name,
        row.customer_email, decimal_amount(row.amount_minor, row.currency),
        decimal_amount(row.amount_refunded_minor, row.currency), row.currency.upper(),
        row.stripe_checkout_session_id, row.stripe_payment_intent_id,
        row.time_zone, _local_iso(row.created_at, row.time_zone), _local_iso(row.paid_at, row.time_zone),
    )


def _local_iso(value: datetime | None, time_zone: str | None) -> str:
    return value.astimezone(location_zone(time_zone)).isoformat(timespec="seconds") if value else ""
