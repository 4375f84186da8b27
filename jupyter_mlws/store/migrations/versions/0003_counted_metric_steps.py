"""counted metric steps

Metric blocks whose steps count up by one from ``first_step`` now store an empty
``steps`` blob (rebuilt from ``first_step`` and ``n`` on read). No table changes: the
revision exists so that older jupyter-mlws, which would read such a block as having no
steps, refuses the database instead of misreading it.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # existing blocks keep their explicit steps, which stay valid


def downgrade() -> None:
    raise NotImplementedError("blocks with counted steps cannot be read by revision 0002")
