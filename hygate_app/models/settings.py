"""Workspace settings, encrypted integration credentials and integration health."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hygate_app.models.columns import enum_type, time_field


class Integration(enum.StrEnum):
    stripe = "stripe"
    shelly = "shelly"
    ttlock = "ttlock"
    resend = "resend"


class Setting(SQLModel, table=True):
    """Key/value settings (branding, security, retention) as JSON values."""

    __tablename__ = "settings"

    key: str = Field(primary_key=True, max_length=80)
    value: str = Field(sa_type=sa.Text)
    updated_at: datetime = time_field(default_now=True)


class IntegrationCredential(SQLModel, table=True):
    """One encrypted secret field of one integration; AES-GCM bound to table, field and row."""

    __tablename__ = "integration_credentials"
    __table_args__ = (sa.UniqueConstraint("integration", "field", name="uq_integration_credentials_field"),)

    id: int | None = Field(default=None, primary_key=True)
    integration: Integration = Field(sa_type=enum_type(Integration, "integration"))
    field: str = Field(max_length=64)
    key_id: str = Field(max_length=32)
    ciphertext: str = Field(sa_type=sa.Text)
    updated_at: datetime = time_field(default_now=True)


class IntegrationHealth(SQLModel, table=True):
    """Fed from real call outcomes, read by the dashboard badges. A run of failures is an incident, known by
    `failing_since`; `alerted_at` is set once administrators were told about it."""

    __tablename__ = "integration_health"

    integration: Integration = Field(primary_key=True, sa_type=enum_type(Integration, "integration"))
    ok: bool = Field(default=True)
    consecutive_failures: int = Field(default=0)
    last_check_at: datetime | None = time_field()
    last_success_at: datetime | None = time_field()
    last_error: str | None = Field(default=None, max_length=500)
    failing_since: datetime | None = time_field()
    alerted_at: datetime | None = time_field()
