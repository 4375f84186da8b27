"""What MLflow's API keeps beside our registry and runs (revision 0007): a registered
model's description and tags, a version's stage and source, experiment tags, and the
runs deleted through it (soft: the run and its data stay)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from jupyter_mlws.entities import now_ms, validate_name
from jupyter_mlws.exceptions import (
    ResourceAlreadyExistsError,
    ResourceConflictError,
    ResourceNotFoundError,
)
from jupyter_mlws.store import schema as t
from jupyter_mlws.store.activity import log_activity
from jupyter_mlws.store.base import StoreBase

STAGES = ("None", "Staging", "Production", "Archived")


@dataclass(frozen=True)
class RegisteredModel:
    """A model name with its own description, tags and aliases (alias → version)."""

    name: str
    created_ms: int
    updated_ms: int
    description: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class VersionMeta:
    stage: str = "None"
    source: str | None = None
    updated_ms: int | None = None


class RegistryMetaMixin(StoreBase):
    # ---- registered models ------------------------------------------------------------
    def create_registered_model(
        self, name: str, description: str | None = None, tags: Mapping[str, str] | None = None
    ) -> RegisteredModel:
        """A model with no versions yet; the name must be new."""
        now = now_ms()
        try:
            with self.write() as conn:
                if conn.execute(select(t.models.c.id).where(t.models.c.name == name)).first():
                    raise ResourceAlreadyExistsError(
                        f"Registered Model (name={name}) already exists."
                    )
                result = conn.execute(
                    insert(t.models).values(
                        name=name, description=description, created_ms=now, updated_ms=now
                    )
                )
                assert result.inserted_primary_key is not None
                self._write_model_tags(conn, int(result.inserted_primary_key[0]), tags or {})
                log_activity(conn, "model", "create", name, {"tags": dict(tags or {})})
        except IntegrityError:
            raise ResourceAlreadyExistsError(
                f"Registered Model (name={name}) already exists."
            ) from None
        return self.get_registered_model(name)

    def get_registered_model(self, name: str) -> RegisteredModel:
        found = self._registered_models([name])
        if not found:
            raise ResourceNotFoundError(f"Registered Model with name={name} not found")
        return found[0]

    def list_registered_models(self) -> list[RegisteredModel]:
        return self._registered_models(None)

    def update_registered_model(self, name: str, description: str | None) -> RegisteredModel:
        with self.write() as conn:
            model_id = self._registered_id(conn, name)
            conn.execute(
                update(t.models)
                .where(t.models.c.id == model_id)
                .values(description=description, updated_ms=now_ms())
            )
            log_activity(conn, "model", "update", name, {"description": description})
        return self.get_registered_model(name)

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        """Refused while an endpoint serves one of its versions (it names them)."""
        with self.write() as conn:
            model_id = self._registered_id(conn, name)
            if (
                new_name != name
                and conn.execute(select(t.models.c.id).where(t.models.c.name == new_name)).first()
            ):
                raise ResourceAlreadyExistsError(
                    f"Registered Model (name={new_name}) already exists."
                )
            self._refuse_if_deployed(conn, model_id, name, "renamed")
            conn.execute(
                update(t.models)
                .where(t.models.c.id == model_id)
                .values(name=new_name, updated_ms=now_ms())
            )
            log_activity(conn, "model", "update", new_name, {"name": [name, new_name]})
        return self.get_registered_model(new_name)

    def delete_registered_model(self, name: str) -> None:
        """The model with all its versions; refused while an endpoint serves one."""
        v = t.model_versions.c
        with self.write() as conn:
            model_id = self._registered_id(conn, name)
            self._refuse_if_deployed(conn, model_id, name, "deleted")
            pks = list(conn.execute(select(v.pk).where(v.model_id == model_id)).scalars())
            for table in (t.model_files, t.model_version_tags, t.model_version_properties):
                conn.execute(delete(table).where(table.c.version_pk.in_(pks)))
            conn.execute(delete(t.model_aliases).where(t.model_aliases.c.model_id == model_id))
            conn.execute(delete(t.model_versions).where(v.model_id == model_id))
            conn.execute(delete(t.model_tags).where(t.model_tags.c.model_id == model_id))
            conn.execute(delete(t.models).where(t.models.c.id == model_id))
            log_activity(conn, "model", "delete", name, {"versions": len(pks)})

    def set_registered_model_tag(self, name: str, key: str, value: str) -> None:
        with self.write() as conn:
            self._write_model_tags(conn, self._registered_id(conn, name), {key: value})
            log_activity(conn, "model", "update", name, {"tags": {key: value}})

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        mt = t.model_tags.c
        with self.write() as conn:
            model_id = self._registered_id(conn, name)
            conn.execute(delete(t.model_tags).where(mt.model_id == model_id, mt.key == key))
            log_activity(conn, "model", "update", name, {"removed_tags": [key]})

    # ---- versions ---------------------------------------------------------------------
    def version_meta(self, refs: Sequence[tuple[str, int]]) -> dict[tuple[str, int], VersionMeta]:
        v, m = t.model_versions.c, t.models.c
        names = sorted({name for name, _ in refs})
        if not names:
            return {}
        with self.read() as conn:
            rows = conn.execute(
                select(m.name, v.version, v.stage, v.source, v.updated_ms)
                .join(t.models, m.id == v.model_id)
                .where(m.name.in_(names))
            ).all()
        return {(r.name, r.version): VersionMeta(r.stage, r.source, r.updated_ms) for r in rows}

    def update_version_meta(
        self,
        name: str,
        version: int,
        *,
        description: str | None = None,
        stage: str | None = None,
        source: str | None = None,
        archive_others: bool = False,
    ) -> None:
        """Set what is given; a stage with ``archive_others`` moves the versions in that
        stage to Archived."""
        v = t.model_versions.c
        now = now_ms()
        with self.write() as conn:
            model_id = self._registered_id(conn, name)
            pk = conn.execute(
                select(v.pk).where(v.model_id == model_id, v.version == version)
            ).scalar()
            if pk is None:
                raise ResourceNotFoundError(
                    f"Model Version (name={name}, version={version}) not found"
                )
            values: dict[str, object] = {"updated_ms": now}
            if description is not None:
                values["description"] = description
            if source is not None:
                values["source"] = source
            if stage is not None:
                values["stage"] = stage
                if archive_others and stage in ("Staging", "Production"):
                    conn.execute(
                        update(t.model_versions)
                        .where(v.model_id == model_id, v.stage == stage, v.pk != pk)
                        .values(stage="Archived", updated_ms=now)
                    )
            conn.execute(update(t.model_versions).where(v.pk == pk).values(**values))
            shown: dict[str, Any] = {k: values[k] for k in ("description", "stage") if k in values}
            if shown:  # a source alone is part of creating the version
                log_activity(conn, "model", "update", f"{name}:{version}", shown)
            conn.execute(update(t.models).where(t.models.c.id == model_id).values(updated_ms=now))

    # ---- experiment tags --------------------------------------------------------------
    def set_experiment_tag(self, experiment_id: int, key: str, value: str) -> None:
        validate_name("tag", key)
        et = t.experiment_tags.c
        with self.write() as conn:
            conn.execute(
                delete(t.experiment_tags).where(et.experiment_id == experiment_id, et.key == key)
            )
            conn.execute(
                insert(t.experiment_tags).values(experiment_id=experiment_id, key=key, value=value)
            )
            name = self._experiment_name(conn, experiment_id)
            changes = {"id": experiment_id, "tags": {key: value}}
            log_activity(conn, "experiment", "update", name, changes)

    def delete_experiment_tag(self, experiment_id: int, key: str) -> bool:
        et = t.experiment_tags.c
        with self.write() as conn:
            done = conn.execute(
                delete(t.experiment_tags).where(et.experiment_id == experiment_id, et.key == key)
            ).rowcount
            if done:
                name = self._experiment_name(conn, experiment_id)
                changes = {"id": experiment_id, "removed_tags": [key]}
                log_activity(conn, "experiment", "update", name, changes)
        return bool(done)

    def experiment_tags_of(self, experiment_ids: Iterable[int]) -> dict[int, dict[str, str]]:
        et = t.experiment_tags.c
        ids = list(experiment_ids)
        found: dict[int, dict[str, str]] = defaultdict(dict)
        if ids:
            with self.read() as conn:
                for exp_id, key, value in conn.execute(
                    select(et.experiment_id, et.key, et.value).where(et.experiment_id.in_(ids))
                ):
                    found[exp_id][key] = value
        return found

    # ---- deleted runs -----------------------------------------------------------------
    def set_run_deleted(self, run_id: str, deleted: bool) -> None:
        with self.write() as conn:
            pk = self.run_pk(conn, run_id)
            conn.execute(delete(t.deleted_runs).where(t.deleted_runs.c.run_pk == pk))
            if deleted:
                conn.execute(insert(t.deleted_runs).values(run_pk=pk, deleted_ms=now_ms()))
            log_activity(conn, "run", "delete" if deleted else "restore", run_id)

    def deleted_run_ids(self, run_ids: Sequence[str]) -> set[str]:
        """Which of these runs are deleted."""
        if not run_ids:
            return set()
        r = t.runs.c
        query = select(r.id).join(t.deleted_runs, t.deleted_runs.c.run_pk == r.pk)
        if len(run_ids) <= 500:  # else read every deleted run: fewer than a page of ids
            query = query.where(r.id.in_(list(run_ids)))
        with self.read() as conn:
            return set(conn.execute(query).scalars()) & set(run_ids)

    # ---- helpers ----------------------------------------------------------------------
    def _experiment_name(self, conn: Connection, experiment_id: int) -> str:
        e = t.experiments.c
        found = conn.execute(select(e.name).where(e.id == experiment_id)).scalar()
        return str(found if found is not None else experiment_id)

    def _registered_id(self, conn: Connection, name: str) -> int:
        found = conn.execute(select(t.models.c.id).where(t.models.c.name == name)).scalar()
        if found is None:
            raise ResourceNotFoundError(f"Registered Model with name={name} not found")
        return int(found)

    def _refuse_if_deployed(self, conn: Connection, model_id: int, name: str, what: str) -> None:
        e, em, v = t.endpoints.c, t.endpoint_models.c, t.model_versions.c
        users = sorted(
            set(
                conn.execute(
                    select(e.name)
                    .join(t.endpoint_models, em.endpoint_id == e.id)
                    .join(t.model_versions, v.pk == em.version_pk)
                    .where(v.model_id == model_id)
                ).scalars()
            )
        )
        if users:
            raise ResourceConflictError(
                f"model {name!r} cannot be {what}: endpoint(s) {', '.join(users)} serve it"
            )

    def _write_model_tags(self, conn: Connection, model_id: int, tags: Mapping[str, str]) -> None:
        mt = t.model_tags.c
        for key, value in tags.items():
            validate_name("tag", key)
            conn.execute(delete(t.model_tags).where(mt.model_id == model_id, mt.key == key))
            conn.execute(insert(t.model_tags).values(model_id=model_id, key=key, value=value))
        if tags:
            conn.execute(
                update(t.models).where(t.models.c.id == model_id).values(updated_ms=now_ms())
            )

    def _registered_models(self, names: list[str] | None) -> list[RegisteredModel]:
        m, mt, a, v = t.models.c, t.model_tags.c, t.model_aliases.c, t.model_versions.c
        query = select(t.models).order_by(m.name)
        if names is not None:
            query = query.where(m.name.in_(names))
        with self.read() as conn:
            rows = conn.execute(query).all()
            ids = [row.id for row in rows]
            tags: dict[int, dict[str, str]] = defaultdict(dict)
            aliases: dict[int, dict[str, int]] = defaultdict(dict)
            if ids:
                for model_id, key, value in conn.execute(
                    select(mt.model_id, mt.key, mt.value).where(mt.model_id.in_(ids))
                ):
                    tags[model_id][key] = value
                for model_id, alias, version in conn.execute(
                    select(a.model_id, a.alias, v.version)
                    .join(t.model_versions, v.pk == a.version_pk)
                    .where(a.model_id.in_(ids))
                    .order_by(a.alias)
                ):
                    aliases[model_id][alias] = version
        return [
            RegisteredModel(
                name=row.name,
                created_ms=row.created_ms,
                updated_ms=row.updated_ms,
                description=row.description,
                tags=dict(tags.get(row.id, {})),
                aliases=dict(aliases.get(row.id, {})),
            )
            for row in rows
        ]
