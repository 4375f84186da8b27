"""pipelines: step state, published pipelines, pipeline endpoints, schedules (issue 14)

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pipeline_steps",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pipeline_run_id", sa.String(length=32), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("step_run_id", sa.String(length=32), nullable=True),
        sa.Column("reused_from", sa.String(length=32), nullable=True),
        sa.Column("reuse_key", sa.String(length=64), nullable=True),
        sa.Column("components", sa.Text(), nullable=True),
        sa.Column("outputs", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("pipeline_run_id", "name", name="uq_pipeline_steps_run_name"),
    )
    op.create_index("ix_pipeline_steps_key", "pipeline_steps", ["reuse_key", "status"])
    op.create_index("ix_pipeline_steps_name", "pipeline_steps", ["experiment_id", "name"])
    op.create_table(
        "published_pipelines",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "version", name="uq_published_pipelines_name_version"),
    )
    op.create_table(
        "pipeline_endpoints",
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("default_version", sa.Integer(), nullable=False),
        sa.Column("next_version", sa.Integer(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "pipeline_endpoint_versions",
        sa.Column("endpoint", sa.String(length=256), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_id", sa.String(length=32), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["endpoint"], ["pipeline_endpoints.name"]),
        sa.ForeignKeyConstraint(["published_id"], ["published_pipelines.id"]),
        sa.PrimaryKeyConstraint("endpoint", "version"),
    )
    op.create_table(
        "schedules",
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("state", sa.Text(), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "schedule_firings",
        sa.Column("schedule", sa.String(length=256), nullable=False),
        sa.Column("due_ms", sa.BigInteger(), nullable=False),
        sa.Column("fired_ms", sa.BigInteger(), nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("schedule", "due_ms"),
    )


def downgrade() -> None:
    for table in (
        "schedule_firings",
        "schedules",
        "pipeline_endpoint_versions",
        "pipeline_endpoints",
        "published_pipelines",
    ):
        op.drop_table(table)
    op.drop_index("ix_pipeline_steps_name", table_name="pipeline_steps")
    op.drop_index("ix_pipeline_steps_key", table_name="pipeline_steps")
    op.drop_table("pipeline_steps")
