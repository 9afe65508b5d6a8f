"""The append-only, hash-chained audit log of every money and security event."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hygate_app.models.columns import time_field


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_log_action_created", "action", "created_at"),
        sa.Index("ix_audit_log_target", "target_type", "target_id"),  # the history of one door, payment, user
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = time_field(default_now=True, index=True)
    actor_type: str = Field(max_length=16)  # user | system | guest | stripe
    actor_id: str | None = Field(default=None, max_length=64, index=True)
    action: str = Field(max_length=64)
    target_type: str | None = Field(default=None, max_length=32)
    target_id: str | None = Field(default=None, max_length=64)
    ip: str | None = Field(default=None, max_length=45)
    user_agent: str | None = Field(default=None, max_length=300)
    details: str = Field(default="{}", sa_type=sa.Text)  # canonical JSON
    prev_hash: str = Field(max_length=64)
    row_hash: str = Field(max_length=64, unique=True)
