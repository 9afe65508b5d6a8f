"""Where things are sold: locations, and the doors and devices in them with their usage plans."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hygate_app.models.columns import enum_type, time_field


class DoorMode(enum.StrEnum):
    active = "active"
    maintenance = "maintenance"
    passage = "passage"


class DeviceMode(enum.StrEnum):
    active = "active"
    maintenance = "maintenance"


class CredentialKind(enum.StrEnum):
    """How a door lets a paying guest in (PRODUCT.md: QR where supported, else a timed passcode)."""

    qr = "qr"
    passcode = "passcode"


class Location(SQLModel, table=True):
    __tablename__ = "locations"
    # "Laundry" and "laundry" are one place to a person reading a list.
    __table_args__ = (sa.Index("uq_locations_name_lower", sa.func.lower(sa.text("name")), unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, sa_column_kwargs={"unique": True})
    timezone: str = Field(default="UTC", max_length=64)
    created_at: datetime = time_field(default_now=True)


class Door(SQLModel, table=True):
    __tablename__ = "doors"
    __table_args__ = (
        sa.CheckConstraint("price_minor >= 0", name="ck_doors_price"),
        sa.CheckConstraint("access_minutes > 0", name="ck_doors_minutes"),
    )

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(max_length=40, unique=True, index=True)
    display_code: str = Field(max_length=12, unique=True)
    location_id: int = Field(foreign_key="locations.id", index=True, ondelete="RESTRICT")
    name: str = Field(max_length=120)
    ttlock_lock_id: str | None = Field(default=None, max_length=40, unique=True)
    price_minor: int
    currency: str = Field(default="eur", max_length=3)
    access_minutes: int = Field(default=60)
    mode: DoorMode = Field(default=DoorMode.active, sa_type=enum_type(DoorMode, "door_mode"))
    credential_kind: CredentialKind = Field(
        default=CredentialKind.qr, sa_type=enum_type(CredentialKind, "credential_kind")
    )
    online: bool = Field(default=True)
    battery_percent: int | None = None
    created_at: datetime = time_field(default_now=True)
    updated_at: datetime = time_field(default_now=True)


class Device(SQLModel, table=True):
    __tablename__ = "devices"

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(max_length=40, unique=True, index=True)
    display_code: str = Field(max_length=12, unique=True)
    location_id: int = Field(foreign_key="locations.id", index=True, ondelete="RESTRICT")
    name: str = Field(max_length=120)
    shelly_device_id: str = Field(max_length=64, unique=True)
    channel: int = Field(default=0)
    mode: DeviceMode = Field(default=DeviceMode.active, sa_type=enum_type(DeviceMode, "device_mode"))
    online: bool = Field(default=True)
    relay_on: bool | None = None
    last_seen_at: datetime | None = time_field()
    created_at: datetime = time_field(default_now=True)
    updated_at: datetime = time_field(default_now=True)


class UsagePlan(SQLModel, table=True):
    __tablename__ = "usage_plans"
    __table_args__ = (
        sa.CheckConstraint("price_minor >= 0", name="ck_usage_plans_price"),
        sa.CheckConstraint("duration_minutes > 0", name="ck_usage_plans_duration"),
        sa.CheckConstraint("delay_minutes >= 0", name="ck_usage_plans_delay"),
    )

    id: int | None = Field(default=None, primary_key=True)
    device_id: int = Field(foreign_key="devices.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=80)
    duration_minutes: int
    delay_minutes: int = Field(default=0)
    price_minor: int
    currency: str = Field(default="eur", max_length=3)
    sort_order: int = Field(default=0)
    active: bool = Field(default=True)
    created_at: datetime = time_field(default_now=True)
