"""the workspace's activity log: who created, changed or deleted what, when, through
which front door (issue 16)

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("time_ms", sa.BigInteger(), nullable=False),
        sa.Column("user_name", sa.String(length=256), nullable=False),
        sa.Column("door", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("changes", sa.Text(), server_default=sa.text("'{}'"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_activity_time", "activity", ["time_ms"])
    op.create_index("ix_activity_kind_time", "activity", ["kind", "time_ms"])


def downgrade() -> None:
    op.drop_index("ix_activity_kind_time", table_name="activity")
    op.drop_index("ix_activity_time", table_name="activity")
    op.drop_table("activity")
