"""Money: payments, the refunds made against them, and the Stripe events that moved them."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hygate_app.models.columns import enum_type, time_field


class PaymentStatus(enum.StrEnum):
    pending = "pending"
    paid = "paid"
    expired = "expired"
    failed = "failed"
    refunded = "refunded"
    partially_refunded = "partially_refunded"


class PaymentKind(enum.StrEnum):
    device = "device"
    door = "door"


class RefundStatus(enum.StrEnum):
    pending = "pending"
    succeeded = "succeeded"
    failed = "failed"


class WebhookEventStatus(enum.StrEnum):
    received = "received"
    processed = "processed"
    ignored = "ignored"
    failed = "failed"


class Payment(SQLModel, table=True):
    __tablename__ = "payments"
    __table_args__ = (
        sa.CheckConstraint("amount_minor >= 0", name="ck_payments_amount"),
        sa.CheckConstraint(
            "amount_refunded_minor >= 0 AND amount_refunded_minor <= amount_minor",
            name="ck_payments_refunded",
        ),
        sa.CheckConstraint(
            "(kind = 'device' AND device_id IS NOT NULL AND usage_plan_id IS NOT NULL AND door_id IS NULL)"
            " OR (kind = 'door' AND door_id IS NOT NULL AND device_id IS NULL AND usage_plan_id IS NULL)",
            name="ck_payments_target",
        ),
        # What the guest was sold is fixed at checkout: a plan edited while they pay changes nothing for them.
        sa.CheckConstraint("kind <> 'device' OR (duration_minutes > 0 AND delay_minutes >= 0)",
                           name="ck_payments_device_minutes"),
        sa.Index("ix_payments_status_created", "status", "created_at"),
        # The payment history and reports: newest first, overall and per location, door or device.
        sa.Index("ix_payments_created", "created_at"),
        sa.Index("ix_payments_location_created", "location_id", "created_at"),
        sa.Index("ix_payments_device_created", "device_id", "created_at"),
        sa.Index("ix_payments_door_created", "door_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Public, unguessable: the guest's page is /session/<guest_token> or /access/<guest_token>.
    guest_token: str = Field(max_length=64, unique=True)
    kind: PaymentKind = Field(sa_type=enum_type(PaymentKind, "payment_kind"))
    device_id: int | None = Field(default=None, foreign_key="devices.id", index=True, ondelete="RESTRICT")
    usage_plan_id: int | None = Field(default=None, foreign_key="usage_plans.id", ondelete="RESTRICT")
    door_id: int | None = Field(default=None, foreign_key="doors.id", index=True, ondelete="RESTRICT")
    location_id: int = Field(foreign_key="locations.id", index=True, ondelete="RESTRICT")
    item_name: str = Field(max_length=200)
    amount_minor: int
    duration_minutes: int | None = Field(default=None)
    delay_minutes: int | None = Field(default=None)
    amount_refunded_minor: int = Field(default=0)
    currency: str = Field(max_length=3)
    status: PaymentStatus = Field(
        default=PaymentStatus.pending, sa_type=enum_type(PaymentStatus, "payment_status")
    )
    idempotency_key: str = Field(max_length=80, unique=True)
    stripe_checkout_session_id: str | None = Field(default=None, max_length=255, unique=True)
    stripe_payment_intent_id: str | None = Field(default=None, max_length=255, index=True)
    customer_email: str | None = Field(default=None, max_length=254)
    # The guest page's language at checkout: the receipt e-mailed later is written in it.
    guest_language: str | None = Field(default=None, max_length=8)
    created_at: datetime = time_field(default_now=True)
    paid_at: datetime | None = time_field()
    updated_at: datetime = time_field(default_now=True)


class Refund(SQLModel, table=True):
    """One refund per reason per payment: the idempotency key is also the unique key."""

    __tablename__ = "refunds"
    __table_args__ = (sa.CheckConstraint("amount_minor > 0", name="ck_refunds_amount"),)

    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="payments.id", index=True, ondelete="RESTRICT")
    amount_minor: int
    reason: str = Field(max_length=200)
    idempotency_key: str = Field(max_length=120, unique=True)
    stripe_refund_id: str | None = Field(default=None, max_length=255, unique=True)
    status: RefundStatus = Field(default=RefundStatus.pending, sa_type=enum_type(RefundStatus, "refund_status"))
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = time_field(default_now=True)
    updated_at: datetime = time_field(default_now=True)


class WebhookEvent(SQLModel, table=True):
    """Every Stripe event ever received; the unique event id is what makes delivery exactly-once."""

    __tablename__ = "webhook_events"

    id: int | None = Field(default=None, primary_key=True)
    stripe_event_id: str = Field(max_length=255, unique=True)
    type: str = Field(max_length=100)
    stripe_created: int
    object_id: str | None = Field(default=None, max_length=255, index=True)
    payload: str = Field(sa_type=sa.Text)
    status: WebhookEventStatus = Field(
        default=WebhookEventStatus.received, sa_type=enum_type(WebhookEventStatus, "webhook_event_status")
    )
    error: str | None = Field(default=None, max_length=500)
    attempts: int = Field(default=0)
    received_at: datetime = time_field(default_now=True)
    processed_at: datetime | None = time_field()
