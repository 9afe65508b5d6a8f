"""What a payment bought: a device session (relay time) or a door access (a lock credential)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hygate_app.models.columns import enum_type, time_field
from hygate_app.models.places import CredentialKind


class DeviceSessionStatus(enum.StrEnum):
    pending = "pending"
    active = "active"
    # Stopped part-way by a transient fault: the guest may restart the unused minutes for free until
    # `restart_until`, after which they are refunded pro rata (it becomes `failed`).
    interrupted = "interrupted"
    completed = "completed"
    cancelled = "cancelled"
    failed = "failed"


class DoorAccessStatus(enum.StrEnum):
    pending = "pending"
    active = "active"
    expired = "expired"
    cancelled = "cancelled"
    failed = "failed"


class DeviceSession(SQLModel, table=True):
    __tablename__ = "device_sessions"
    __table_args__ = (
        sa.CheckConstraint("duration_minutes > 0", name="ck_device_sessions_duration"),
        sa.CheckConstraint("delay_minutes >= 0", name="ck_device_sessions_delay"),
        sa.Index("ix_device_sessions_status_ends", "status", "ends_at"),
        # Session history and usage reports, overall and per device.
        sa.Index("ix_device_sessions_starts", "starts_at"),
        sa.Index("ix_device_sessions_device_starts", "device_id", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Unique: one payment buys exactly one session, whatever Stripe redelivers.
    payment_id: int = Field(foreign_key="payments.id", unique=True, ondelete="RESTRICT")
    device_id: int = Field(foreign_key="devices.id", index=True, ondelete="RESTRICT")
    usage_plan_id: int = Field(foreign_key="usage_plans.id", ondelete="RESTRICT")
    status: DeviceSessionStatus = Field(
        default=DeviceSessionStatus.pending, sa_type=enum_type(DeviceSessionStatus, "device_session_status")
    )
    duration_minutes: int
    delay_minutes: int = Field(default=0)
    paid_at: datetime = time_field(nullable=False)
    # The paid minutes start counting here (paid_at + delay) and end at ends_at.
    starts_at: datetime = time_field(nullable=False)
    ends_at: datetime = time_field(nullable=False, index=True)
    relay_on_at: datetime | None = time_field()
    relay_off_at: datetime | None = time_field()
    ended_at: datetime | None = time_field()
    end_reason: str | None = Field(default=None, max_length=200)
    failure_reason: str | None = Field(default=None, max_length=500)
    # Set when a running session is interrupted: the paid seconds not delivered, and how long the free
    # restart is offered. A restart runs exactly those seconds; otherwise they are refunded pro rata.
    interrupted_at: datetime | None = time_field()
    unused_seconds: int | None = Field(default=None)
    restart_until: datetime | None = time_field()
    created_at: datetime = time_field(default_now=True)
    updated_at: datetime = time_field(default_now=True)


class DoorAccess(SQLModel, table=True):
    __tablename__ = "door_accesses"
    __table_args__ = (
        sa.Index("ix_door_accesses_valid_from", "valid_from"),
        sa.Index("ix_door_accesses_door_valid_from", "door_id", "valid_from"),
    )

    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="payments.id", unique=True, ondelete="RESTRICT")
    door_id: int = Field(foreign_key="doors.id", index=True, ondelete="RESTRICT")
    status: DoorAccessStatus = Field(
        default=DoorAccessStatus.pending, sa_type=enum_type(DoorAccessStatus, "door_access_status")
    )
    credential_kind: CredentialKind = Field(sa_type=enum_type(CredentialKind, "credential_kind"))
    ttlock_credential_id: str | None = Field(default=None, max_length=64)
    passcode: str | None = Field(default=None, max_length=32)
    qr_payload: str | None = Field(default=None, sa_type=sa.Text)
    valid_from: datetime = time_field(nullable=False)
    valid_until: datetime = time_field(nullable=False, index=True)
    failure_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = time_field(default_now=True)
    updated_at: datetime = time_field(default_now=True)
