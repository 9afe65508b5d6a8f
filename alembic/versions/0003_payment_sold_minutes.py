"""A payment records the minutes it sold (duration and delayed start), so editing a plan while a guest is at
Stripe's checkout cannot change what they get for the price they saw. Existing device payments take their
plan's current minutes, the best record there is.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("duration_minutes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("delay_minutes", sa.Integer(), nullable=True))
    op.execute("""
        UPDATE payments SET
            duration_minutes = (SELECT duration_minutes FROM usage_plans WHERE usage_plans.id = payments.usage_plan_id),
            delay_minutes = (SELECT delay_minutes FROM usage_plans WHERE usage_plans.id = payments.usage_plan_id)
        WHERE kind = 'device'
    """)
    with op.batch_alter_table("payments") as batch:
        batch.create_check_constraint("ck_payments_device_minutes",
                                      "kind <> 'device' OR (duration_minutes > 0 AND delay_minutes >= 0)")


def downgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.drop_constraint("ck_payments_device_minutes", type_="check")
        batch.drop_column("delay_minutes")
        batch.drop_column("duration_minutes")
