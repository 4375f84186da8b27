"""registered models' description and tags, version stage and source, experiment tags,
deleted runs (the MLflow API's registry and lifecycle, issue 15)

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("models") as batch:
        batch.add_column(sa.Column("description", sa.Text(), nullable=True))
    with op.batch_alter_table("model_versions") as batch:
        batch.add_column(
            sa.Column(
                "stage", sa.String(length=32), server_default=sa.text("'None'"), nullable=False
            )
        )
        batch.add_column(sa.Column("source", sa.Text(), nullable=True))
        batch.add_column(sa.Column("updated_ms", sa.BigInteger(), nullable=True))
    op.create_table(
        "model_tags",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=250), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"]),
        sa.PrimaryKeyConstraint("model_id", "key"),
    )
    op.create_table(
        "experiment_tags",
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=250), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["experiment_id"], ["experiments.id"]),
        sa.PrimaryKeyConstraint("experiment_id", "key"),
    )
    op.create_table(
        "deleted_runs",
        sa.Column("run_pk", sa.Integer(), nullable=False),
        sa.Column("deleted_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["run_pk"], ["runs.pk"]),
        sa.PrimaryKeyConstraint("run_pk"),
    )


def downgrade() -> None:
    op.drop_table("deleted_runs")
    op.drop_table("experiment_tags")
    op.drop_table("model_tags")
    with op.batch_alter_table("model_versions") as batch:
        batch.drop_column("updated_ms")
        batch.drop_column("source")
        batch.drop_column("stage")
    with op.batch_alter_table("models") as batch:
        batch.drop_column("description")
