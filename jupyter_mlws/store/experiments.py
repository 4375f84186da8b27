"""Experiments: get-or-create by name, list, archive."""

from __future__ import annotations

from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from jupyter_mlws.entities import Experiment, now_ms, validate_name
from jupyter_mlws.exceptions import ResourceAlreadyExistsError, ResourceNotFoundError
from jupyter_mlws.store import schema as t
from jupyter_mlws.store.activity import log_activity
from jupyter_mlws.store.base import StoreBase


def _experiment(row: Row, run_count: int = 0) -> Experiment:
    return Experiment(
        id=row.id,
        name=row.name,
        created_ms=row.created_ms,
        archived=bool(row.archived),
        run_count=run_count,
    )


class ExperimentsMixin(StoreBase):
    def get_or_create_experiment(self, name: str) -> Experiment:
        validate_name("experiment", name)
        found = self.find_experiment(name)
        if found is not None:
            return found
        try:
            with self.write() as conn:
                conn.execute(insert(t.experiments).values(name=name, created_ms=now_ms()))
                log_activity(conn, "experiment", "create", name)
        except IntegrityError:
            pass  # created concurrently by another process: fine, read it back
        found = self.find_experiment(name)
        assert found is not None
        return found

    def find_experiment(self, name: str) -> Experiment | None:
        """The active experiment with this name, if any."""
        with self.read() as conn:
            row = conn.execute(
                select(t.experiments).where(
                    t.experiments.c.name == name, t.experiments.c.archived.is_(False)
                )
            ).first()
        return _experiment(row) if row else None

    def get_experiment(self, ref: int | str) -> Experiment:
        """By numeric id, or by the name of an active experiment."""
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isascii() and ref.isdigit()):
            with self.read() as conn:
                row = conn.execute(
                    select(t.experiments).where(t.experiments.c.id == int(ref))
                ).first()
            if row is not None:
                return _experiment(row)
        if isinstance(ref, str):
            found = self.find_experiment(ref)
            if found is not None:
                return found
            with self.read() as conn:
                archived = conn.execute(
                    select(t.experiments.c.id).where(t.experiments.c.name == ref)
                ).first()
            if archived is not None:
                raise ResourceNotFoundError(
                    f"experiment {ref!r} is archived; refer to it by its id ({archived[0]})"
                )
        raise ResourceNotFoundError(f"experiment {ref!r} does not exist")

    def list_experiments(self, include_archived: bool = False) -> list[Experiment]:
        counts = (
            select(t.runs.c.experiment_id, func.count().label("n"))
            .group_by(t.runs.c.experiment_id)
            .subquery()
        )
        query = (
            select(t.experiments, func.coalesce(counts.c.n, 0).label("run_count"))
            .outerjoin(counts, counts.c.experiment_id == t.experiments.c.id)
            .order_by(t.experiments.c.id)
        )
        if not include_archived:
            query = query.where(t.experiments.c.archived.is_(False))
        with self.read() as conn:
            return [_experiment(row, row.run_count) for row in conn.execute(query)]

    def archive_experiment(self, ref: int | str) -> Experiment:
        exp = self.get_experiment(ref)
        with self.write() as conn:
            conn.execute(
                update(t.experiments).where(t.experiments.c.id == exp.id).values(archived=True)
            )
            log_activity(conn, "experiment", "archive", exp.name, {"id": exp.id})
        return self.get_experiment(exp.id)

    def restore_experiment(self, ref: int | str) -> Experiment:
        """Undo an archive (by id: an archived experiment has no usable name)."""
        exp = self.get_experiment(ref)
        if exp.archived and self.find_experiment(exp.name) is not None:
            raise ResourceAlreadyExistsError(
                f"cannot restore experiment {exp.id}: an active one is named {exp.name!r}"
            )
        with self.write() as conn:
            conn.execute(
                update(t.experiments).where(t.experiments.c.id == exp.id).values(archived=False)
            )
            log_activity(conn, "experiment", "restore", exp.name, {"id": exp.id})
        return self.get_experiment(exp.id)

    def rename_experiment(self, ref: int | str, new_name: str) -> Experiment:
        validate_name("experiment", new_name)
        exp = self.get_experiment(ref)
        if new_name != exp.name and self.find_experiment(new_name) is not None:
            raise ResourceAlreadyExistsError(f"experiment {new_name!r} already exists")
        try:
            with self.write() as conn:
                conn.execute(
                    update(t.experiments).where(t.experiments.c.id == exp.id).values(name=new_name)
                )
                changes = {"id": exp.id, "name": [exp.name, new_name]}
                log_activity(conn, "experiment", "update", new_name, changes)
        except IntegrityError:
            raise ResourceAlreadyExistsError(f"experiment {new_name!r} already exists") from None
        return self.get_experiment(exp.id)
