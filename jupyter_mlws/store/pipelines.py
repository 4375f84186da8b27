"""Pipelines: the controller's step state, published versions, endpoints, schedules."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from jupyter_mlws.entities import now_ms
from jupyter_mlws.exceptions import ResourceAlreadyExistsError, ResourceNotFoundError
from jupyter_mlws.store import schema as t
from jupyter_mlws.store.base import StoreBase, dumps, loads

_STEP_JSON = ("components", "outputs")


def _step(row: Row[Any]) -> dict[str, Any]:
    step = dict(row._mapping)
    for key in _STEP_JSON:
        step[key] = loads(step[key])
    return step


class PipelinesMixin(StoreBase):
    # ---- step state of a pipeline run -----------------------------------------------
    def add_pipeline_steps(self, run_id: str, experiment_id: int, names: Sequence[str]) -> None:
        """The rows of a pipeline run's steps, NotStarted; rows already there are kept
        (a re-dispatched controller calls this again)."""
        now = now_ms()
        c = t.pipeline_steps.c
        with self.write() as conn:
            known = set(conn.execute(select(c.name).where(c.pipeline_run_id == run_id)).scalars())
            rows = [
                {
                    "pipeline_run_id": run_id,
                    "experiment_id": experiment_id,
                    "name": name,
                    "status": "NotStarted",
                    "created_ms": now,
                    "updated_ms": now,
                }
                for name in names
                if name not in known
            ]
            if rows:
                conn.execute(insert(t.pipeline_steps), rows)

    def pipeline_steps(self, run_id: str) -> list[dict[str, Any]]:
        c = t.pipeline_steps.c
        with self.read() as conn:
            rows = conn.execute(
                select(t.pipeline_steps).where(c.pipeline_run_id == run_id).order_by(c.pk)
            ).all()
        return [_step(r) for r in rows]

    def update_pipeline_step(
        self,
        run_id: str,
        name: str,
        *,
        only_from: Iterable[str] | None = None,
        **fields: Any,
    ) -> bool:
        """Compare-and-set on the step's status; returns False when it was elsewhere."""
        c = t.pipeline_steps.c
        values = {
            k: dumps(v) if k in _STEP_JSON and v is not None else v for k, v in fields.items()
        }
        stmt = update(t.pipeline_steps).where(c.pipeline_run_id == run_id, c.name == name)
        if only_from is not None:
            stmt = stmt.where(c.status.in_(list(only_from)))
        with self.write() as conn:
            return conn.execute(stmt.values(updated_ms=now_ms(), **values)).rowcount > 0

    def find_reusable_step(self, reuse_key: str) -> dict[str, Any] | None:
        """The latest completed step with this key (whoever ran it), or None."""
        c = t.pipeline_steps.c
        with self.read() as conn:
            row = conn.execute(
                select(t.pipeline_steps)
                .where(c.reuse_key == reuse_key, c.status == "Completed")
                .order_by(c.pk.desc())
                .limit(1)
            ).first()
        return _step(row) if row else None

    def previous_step(
        self, experiment_id: int, name: str, before_run_id: str
    ) -> dict[str, Any] | None:
        """The latest earlier step of that name in the experiment that had a key."""
        c = t.pipeline_steps.c
        with self.read() as conn:
            row = conn.execute(
                select(t.pipeline_steps)
                .where(
                    c.experiment_id == experiment_id,
                    c.name == name,
                    c.pipeline_run_id != before_run_id,
                    c.components.is_not(None),
                )
                .order_by(c.pk.desc())
                .limit(1)
            ).first()
        return _step(row) if row else None

    # ---- published pipelines (immutable) -----------------------------------------------
    def add_published_pipeline(
        self, name: str, description: str | None, definition: Mapping[str, Any]
    ) -> dict[str, Any]:
        c = t.published_pipelines.c
        pid = uuid.uuid4().hex
        with self.write() as conn:
            latest = conn.execute(
                select(c.version).where(c.name == name).order_by(c.version.desc()).limit(1)
            ).scalar_one_or_none()
            conn.execute(
                insert(t.published_pipelines).values(
                    id=pid,
                    name=name,
                    version=(latest or 0) + 1,
                    description=description,
                    definition=dumps(dict(definition)),
                    created_ms=now_ms(),
                )
            )
        return self.get_published_pipeline(pid)

    def get_published_pipeline(self, pipeline_id: str) -> dict[str, Any]:
        with self.read() as conn:
            row = conn.execute(
                select(t.published_pipelines).where(t.published_pipelines.c.id == pipeline_id)
            ).first()
        if row is None:
            raise ResourceNotFoundError(f"published pipeline {pipeline_id!r} does not exist")
        return _published(row)

    def list_published_pipelines(self, name: str | None = None) -> list[dict[str, Any]]:
        c = t.published_pipelines.c
        query = select(t.published_pipelines).order_by(c.name, c.version)
        if name is not None:
            query = query.where(c.name == name)
        with self.read() as conn:
            return [_published(r) for r in conn.execute(query).all()]

    # ---- pipeline endpoints ---------------------------------------------------------------
    def create_pipeline_endpoint(
        self, name: str, description: str | None, published_id: str
    ) -> dict[str, Any]:
        self.get_published_pipeline(published_id)
        now = now_ms()
        try:
            with self.write() as conn:
                conn.execute(
                    insert(t.pipeline_endpoints).values(
                        name=name,
                        description=description,
                        default_version=1,
                        next_version=2,
                        created_ms=now,
                    )
                )
                conn.execute(
                    insert(t.pipeline_endpoint_versions).values(
                        endpoint=name, version=1, published_id=published_id, created_ms=now
                    )
                )
        except IntegrityError:
            raise ResourceAlreadyExistsError(
                f"pipeline endpoint {name!r} already exists; add a version to it instead"
            ) from None
        return self.get_pipeline_endpoint(name)

    def add_pipeline_endpoint_version(
        self, name: str, published_id: str, make_default: bool
    ) -> dict[str, Any]:
        self.get_published_pipeline(published_id)
        e = t.pipeline_endpoints.c
        with self.write() as conn:
            row = conn.execute(
                select(e.next_version).where(e.name == name).with_for_update()
            ).first()
            if row is None:
                raise ResourceNotFoundError(f"pipeline endpoint {name!r} does not exist")
            version = int(row[0])
            conn.execute(
                insert(t.pipeline_endpoint_versions).values(
                    endpoint=name, version=version, published_id=published_id, created_ms=now_ms()
                )
            )
            values: dict[str, Any] = {"next_version": version + 1}
            if make_default:
                values["default_version"] = version
            conn.execute(update(t.pipeline_endpoints).where(e.name == name).values(**values))
        return self.get_pipeline_endpoint(name)

    def set_pipeline_endpoint_default(self, name: str, version: int) -> dict[str, Any]:
        endpoint = self.get_pipeline_endpoint(name)
        if version not in {v["version"] for v in endpoint["versions"]}:
            raise ResourceNotFoundError(f"pipeline endpoint {name!r} has no version {version}")
        with self.write() as conn:
            conn.execute(
                update(t.pipeline_endpoints)
                .where(t.pipeline_endpoints.c.name == name)
                .values(default_version=version)
            )
        return self.get_pipeline_endpoint(name)

    def get_pipeline_endpoint(self, name: str) -> dict[str, Any]:
        v = t.pipeline_endpoint_versions.c
        with self.read() as conn:
            row = conn.execute(
                select(t.pipeline_endpoints).where(t.pipeline_endpoints.c.name == name)
            ).first()
            if row is None:
                raise ResourceNotFoundError(f"pipeline endpoint {name!r} does not exist")
            versions = conn.execute(
                select(v.version, v.published_id, v.created_ms)
                .where(v.endpoint == name)
                .order_by(v.version)
            ).all()
        endpoint = dict(row._mapping)
        endpoint.pop("next_version")
        endpoint["versions"] = [dict(r._mapping) for r in versions]
        return endpoint

    def list_pipeline_endpoints(self) -> list[dict[str, Any]]:
        with self.read() as conn:
            names = list(
                conn.execute(
                    select(t.pipeline_endpoints.c.name).order_by(t.pipeline_endpoints.c.name)
                ).scalars()
            )
        return [self.get_pipeline_endpoint(n) for n in names]

    # ---- schedules --------------------------------------------------------------------
    def create_schedule(
        self, name: str, kind: str, spec: Mapping[str, Any], target: Mapping[str, Any]
    ) -> dict[str, Any]:
        now = now_ms()
        try:
            with self.write() as conn:
                conn.execute(
                    insert(t.schedules).values(
                        name=name,
                        kind=kind,
                        spec=dumps(dict(spec)),
                        target=dumps(dict(target)),
                        enabled=True,
                        state="{}",
                        created_ms=now,
                        updated_ms=now,
                    )
                )
        except IntegrityError:
            raise ResourceAlreadyExistsError(f"schedule {name!r} already exists") from None
        return self.get_schedule(name)

    def get_schedule(self, name: str) -> dict[str, Any]:
        with self.read() as conn:
            row = conn.execute(select(t.schedules).where(t.schedules.c.name == name)).first()
        if row is None:
            raise ResourceNotFoundError(f"schedule {name!r} does not exist")
        return _schedule(row)

    def list_schedules(self) -> list[dict[str, Any]]:
        with self.read() as conn:
            rows = conn.execute(select(t.schedules).order_by(t.schedules.c.name)).all()
        return [_schedule(r) for r in rows]

    def update_schedule(self, name: str, **fields: Any) -> dict[str, Any]:
        values = {k: dumps(v) if k in ("spec", "target", "state") else v for k, v in fields.items()}
        with self.write() as conn:
            changed = conn.execute(
                update(t.schedules)
                .where(t.schedules.c.name == name)
                .values(updated_ms=now_ms(), **values)
            ).rowcount
        if not changed:
            raise ResourceNotFoundError(f"schedule {name!r} does not exist")
        return self.get_schedule(name)

    def set_schedule_enabled(self, name: str, enabled: bool) -> dict[str, Any]:
        """Enable or disable; enabling records when (``state.active_since_ms``): due times
        before it, missed while the schedule was off, never fire."""
        s = t.schedules.c
        with self.write() as conn:
            row = conn.execute(
                select(s.enabled, s.state).where(s.name == name).with_for_update()
            ).first()
            if row is None:
                raise ResourceNotFoundError(f"schedule {name!r} does not exist")
            state = loads(row.state) or {}
            now = now_ms()
            if enabled and not row.enabled:  # enabling an enabled one changes nothing
                state["active_since_ms"] = now
            conn.execute(
                update(t.schedules)
                .where(s.name == name)
                .values(enabled=enabled, state=dumps(state), updated_ms=now)
            )
        return self.get_schedule(name)

    def delete_schedule(self, name: str) -> None:
        with self.write() as conn:
            conn.execute(delete(t.schedule_firings).where(t.schedule_firings.c.schedule == name))
            if not conn.execute(delete(t.schedules).where(t.schedules.c.name == name)).rowcount:
                raise ResourceNotFoundError(f"schedule {name!r} does not exist")

    def claim_firing(
        self,
        schedule: str,
        due_ms: int,
        *,
        expect: Mapping[str, Any] | None = None,
        state: Mapping[str, Any] | None = None,
    ) -> bool:
        """Record that ``due_ms`` is being fired; False when another scheduler did (or the
        schedule is disabled, gone, or already fired a later time).

        One transaction, with the schedule's row locked: the schedule must be enabled, its
        state must still hold ``expect`` (a change trigger's last fingerprint), no firing at
        or after ``due_ms`` may exist, and the (schedule, due_ms) primary key decides a
        last race. ``state`` is merged into the schedule's state in the same transaction.
        """
        s = t.schedules.c
        f = t.schedule_firings.c
        try:
            with self.write() as conn:
                row = conn.execute(
                    select(s.enabled, s.state).where(s.name == schedule).with_for_update()
                ).first()
                if row is None or not row.enabled:
                    return False
                current = loads(row.state) or {}
                if any(current.get(k) != v for k, v in (expect or {}).items()):
                    return False
                latest = conn.execute(
                    select(func.max(f.due_ms)).where(f.schedule == schedule)
                ).scalar_one_or_none()
                if latest is not None and latest >= due_ms:
                    return False
                conn.execute(
                    insert(t.schedule_firings).values(
                        schedule=schedule, due_ms=due_ms, fired_ms=now_ms()
                    )
                )
                if state:
                    conn.execute(
                        update(t.schedules)
                        .where(s.name == schedule)
                        .values(state=dumps({**current, **state}))
                    )
        except IntegrityError:
            return False
        return True

    def finish_firing(
        self, schedule: str, due_ms: int, run_id: str | None, error: str | None = None
    ) -> None:
        f = t.schedule_firings.c
        with self.write() as conn:
            conn.execute(
                update(t.schedule_firings)
                .where(f.schedule == schedule, f.due_ms == due_ms)
                .values(run_id=run_id, error=error)
            )

    def list_firings(self, schedule: str, limit: int = 100) -> list[dict[str, Any]]:
        f = t.schedule_firings.c
        with self.read() as conn:
            rows = conn.execute(
                select(t.schedule_firings)
                .where(f.schedule == schedule)
                .order_by(f.due_ms.desc())
                .limit(limit)
            ).all()
        return [dict(r._mapping) for r in rows]


def _published(row: Row[Any]) -> dict[str, Any]:
    record = dict(row._mapping)
    record["definition"] = loads(record["definition"])
    return record


def _schedule(row: Row[Any]) -> dict[str, Any]:
    record = dict(row._mapping)
    for key in ("spec", "target", "state"):
        record[key] = loads(record[key]) or {}
    record["enabled"] = bool(record["enabled"])
    return record
