"""data: key vault secrets, datastores, datasets and their run lineage (issue 12)

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "secrets",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "datastores",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("options", sa.Text(), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("next_version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "dataset_versions",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("datastore", sa.String(length=128), nullable=False),
        sa.Column("pattern", sa.String(length=2048), nullable=False),
        sa.Column("reader", sa.Text(), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("file_count", sa.Integer(), nullable=False),
        sa.Column("total_bytes", sa.BigInteger(), nullable=False),
        sa.Column("files", sa.Text(), nullable=False),
        sa.Column("profile", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("run_pk", sa.Integer(), nullable=True),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["datasets.id"]),
        sa.ForeignKeyConstraint(["run_pk"], ["runs.pk"]),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("dataset_id", "version", name="uq_dataset_versions_dataset_version"),
    )
    op.create_index(
        "ix_dataset_versions_fingerprint", "dataset_versions", ["dataset_id", "fingerprint"]
    )
    op.create_table(
        "run_datasets",
        sa.Column("run_pk", sa.Integer(), nullable=False),
        sa.Column("version_pk", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("changed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["run_pk"], ["runs.pk"]),
        sa.ForeignKeyConstraint(["version_pk"], ["dataset_versions.pk"]),
        sa.PrimaryKeyConstraint("run_pk", "version_pk", "direction"),
    )
    op.create_index("ix_run_datasets_version", "run_datasets", ["version_pk"])


def downgrade() -> None:
    op.drop_index("ix_run_datasets_version", table_name="run_datasets")
    op.drop_table("run_datasets")
    op.drop_index("ix_dataset_versions_fingerprint", table_name="dataset_versions")
    op.drop_table("dataset_versions")
    op.drop_table("datasets")
    op.drop_table("datastores")
    op.drop_table("secrets")
