"""File manifests in the store: run artifacts and snapshots (contents live in the blob store)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, insert, select

from jupyter_mlws.entities import FileEntry, now_ms
from jupyter_mlws.store import schema as t
from jupyter_mlws.store.base import StoreBase


class FilesMixin(StoreBase):
    def add_artifacts(self, run_id: str, entries: Sequence[FileEntry]) -> None:
        """Record files of a run; a path written again points at its new content."""
        if not entries:
            return
        now = now_ms()
        with self.write() as conn:
            pk = self.run_pk(conn, run_id)
            paths = [e.path for e in entries]
            conn.execute(
                delete(t.artifacts).where(t.artifacts.c.run_pk == pk, t.artifacts.c.path.in_(paths))
            )
            conn.execute(
                insert(t.artifacts),
                [
                    {
                        "run_pk": pk,
                        "path": e.path,
                        "digest": e.digest,
                        "size": e.size,
                        "mode": e.mode,
                        "created_ms": now,
                    }
                    for e in entries
                ],
            )

    def list_artifacts(self, run_id: str, prefix: str = "") -> list[FileEntry]:
        c = t.artifacts.c
        with self.read() as conn:
            pk = self.run_pk(conn, run_id)
            query = select(c.path, c.digest, c.size, c.mode).where(c.run_pk == pk)
            if prefix:
                query = query.where(func.substr(c.path, 1, len(prefix)) == prefix)
            return [FileEntry(*row) for row in conn.execute(query.order_by(c.path))]

    def add_snapshot(self, snapshot_id: str, file_count: int, total_bytes: int) -> None:
        with self.write() as conn:
            found = conn.execute(
                select(t.snapshots.c.id).where(t.snapshots.c.id == snapshot_id)
            ).first()
            if found is None:
                conn.execute(
                    insert(t.snapshots).values(
                        id=snapshot_id,
                        created_ms=now_ms(),
                        file_count=file_count,
                        total_bytes=total_bytes,
                    )
                )
