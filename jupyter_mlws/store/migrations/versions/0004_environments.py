"""environments: versioned Python environments and their builds

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "environments",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("spec_hash", sa.String(length=64), nullable=False),
        sa.Column("lock", sa.Text(), nullable=True),
        sa.Column("lock_hash", sa.String(length=64), nullable=True),
        sa.Column(
            "state", sa.String(length=16), server_default=sa.text("'NotBuilt'"), nullable=False
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("built_ms", sa.BigInteger(), nullable=True),
        sa.Column("last_used_ms", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("name", "version", name="uq_environments_name_version"),
    )
    op.create_index("ix_environments_spec", "environments", ["name", "spec_hash"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_environments_spec", table_name="environments")
    op.drop_table("environments")
