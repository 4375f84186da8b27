"""Alembic migrations of the workspace schema. Every schema change is a new revision."""

HEAD_REVISION = "0008"
KNOWN_REVISIONS = frozenset({"0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008"})
