"""Indexes for the staff pages: payment and session history, reports, an item's audit trail; location names
unique whatever their case.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ("ix_payments_created", "payments", ["created_at"]),
    ("ix_payments_location_created", "payments", ["location_id", "created_at"]),
    ("ix_payments_device_created", "payments", ["device_id", "created_at"]),
    ("ix_payments_door_created", "payments", ["door_id", "created_at"]),
    ("ix_device_sessions_starts", "device_sessions", ["starts_at"]),
    ("ix_device_sessions_device_starts", "device_sessions", ["device_id", "starts_at"]),
    ("ix_door_accesses_valid_from", "door_accesses", ["valid_from"]),
    ("ix_door_accesses_door_valid_from", "door_accesses", ["door_id", "valid_from"]),
    ("ix_audit_log_target", "audit_log", ["target_type", "target_id"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    op.create_index("uq_locations_name_lower", "locations", [sa.text("lower(name)")], unique=True)


def downgrade() -> None:
    op.drop_index("uq_locations_name_lower", table_name="locations")
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
