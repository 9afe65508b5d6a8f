"""A running device session can be interrupted by a transient fault: it records when, the paid seconds not
delivered and until when the guest may restart them for free (else they are refunded pro rata). The status
check gains `interrupted`.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = ("pending", "active", "completed", "cancelled", "failed")
NEW_STATUSES = ("pending", "active", "interrupted", "completed", "cancelled", "failed")


def _status(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name="device_session_status", native_enum=False, create_constraint=True, length=24)


def upgrade() -> None:
    with op.batch_alter_table("device_sessions") as batch:
        batch.add_column(sa.Column("interrupted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("unused_seconds", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("restart_until", sa.DateTime(timezone=True), nullable=True))
        # The status is a CHECK-constrained VARCHAR: the check is replaced, the column keeps its data.
        batch.alter_column("status", existing_type=_status(OLD_STATUSES), type_=_status(NEW_STATUSES),
                           existing_nullable=False)


def downgrade() -> None:
    op.execute("UPDATE device_sessions SET status = 'failed' WHERE status = 'interrupted'")
    with op.batch_alter_table("device_sessions") as batch:
        batch.alter_column("status", existing_type=_status(NEW_STATUSES), type_=_status(OLD_STATUSES),
                           existing_nullable=False)
        batch.drop_column("restart_until")
        batch.drop_column("unused_seconds")
        batch.drop_column("interrupted_at")
