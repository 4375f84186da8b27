"""Run logs as chunks in the store, so any machine can tail them by byte offset."""

from __future__ import annotations

from sqlalchemy import func, insert, select

from jupyter_mlws.entities import validate_name
from jupyter_mlws.store import schema as t
from jupyter_mlws.store.base import StoreBase

MAX_READ_BYTES = 4 * 1024 * 1024


class LogsMixin(StoreBase):
    def append_log(self, run_id: str, name: str, offset: int, data: bytes) -> None:
        """Append ``data`` at ``offset``; a chunk already written at that offset is kept."""
        validate_name("log", name)
        if not data:
            return
        with self.write() as conn:
            pk = self.run_pk(conn, run_id)
            c = t.log_chunks.c
            while data:  # skip what is stored already; keep any longer retry's extra bytes
                stored = conn.execute(
                    select(func.length(c.data)).where(
                        c.run_pk == pk, c.name == name, c.offset == offset
                    )
                ).scalar()
                if stored is None:
                    conn.execute(
                        insert(t.log_chunks).values(run_pk=pk, name=name, offset=offset, data=data)
                    )
                    break
                data, offset = data[stored:], offset + stored

    def log_names(self, run_id: str) -> list[str]:
        with self.read() as conn:
            pk = self.run_pk(conn, run_id)
            return list(
                conn.execute(
                    select(t.log_chunks.c.name)
                    .where(t.log_chunks.c.run_pk == pk)
                    .distinct()
                    .order_by(t.log_chunks.c.name)
                ).scalars()
            )

    def log_size(self, run_id: str, name: str) -> int:
        c = t.log_chunks.c
        with self.read() as conn:
            pk = self.run_pk(conn, run_id)
            size = conn.execute(
                select(func.max(c.offset + func.length(c.data))).where(
                    c.run_pk == pk, c.name == name
                )
            ).scalar()
        return int(size or 0)

    def read_log(
        self, run_id: str, name: str, offset: int = 0, max_bytes: int = MAX_READ_BYTES
    ) -> tuple[bytes, int]:
        """Bytes of a log from ``offset`` and the offset to continue from."""
        c = t.log_chunks.c
        with self.read() as conn:
            pk = self.run_pk(conn, run_id)
            rows = conn.execute(
                select(c.offset, c.data)
                .where(c.run_pk == pk, c.name == name, c.offset + func.length(c.data) > offset)
                .order_by(c.offset)
            ).all()
        out = bytearray()
        position = offset
        for start, data in rows:
            if start > position:  # a gap: never written (writer died mid-way); skip it
                position = start
            out += data[position - start :]
            position = start + len(data)
            if len(out) >= max_bytes:
                break
        return bytes(out), position
