"""counted metric steps

Metric blocks whose steps count up by one from ``first_step`` now store an empty
``steps`` blob (rebuilt from ``first_step`` and ``n`` on read). No table changes: the
revision exists so that older jupyter-mlws, which would read such a block as having no
steps, refuses the database instead of misreading it.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import struct

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # existing blocks keep their explicit steps, which stay valid


def downgrade() -> None:
    # Write the counted steps out again, so that revision 0002 reads every block.
    blocks = sa.table(
        "metric_blocks",
        sa.column("series_id", sa.Integer),
        sa.column("seq", sa.Integer),
        sa.column("first_step", sa.BigInteger),
        sa.column("n", sa.Integer),
        sa.column("steps", sa.LargeBinary),
    )
    conn = op.get_bind()
    counted = conn.execute(
        sa.select(blocks.c.series_id, blocks.c.seq, blocks.c.first_step, blocks.c.n).where(
            sa.func.length(blocks.c.steps) == 0, blocks.c.n > 0
        )
    ).all()
    for series_id, seq, first, n in counted:
        steps = struct.pack(f"<{n}q", *range(first, first + n))
        conn.execute(
            blocks.update()
            .where(blocks.c.series_id == series_id, blocks.c.seq == seq)
            .values(steps=steps)
        )
