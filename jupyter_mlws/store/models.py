"""The model registry's tables: models, their versions, files, tags, properties, aliases."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Select, delete, exists, func, insert, select, update

from jupyter_mlws.entities import FileEntry, ModelVersion, now_ms, validate_name
from jupyter_mlws.exceptions import ResourceConflictError, ResourceNotFoundError
from jupyter_mlws.store import schema as t
from jupyter_mlws.store.activity import log_activity
from jupyter_mlws.store.base import StoreBase, dumps, loads
from jupyter_mlws.store.data import run_input_refs

_KV = {"tags": t.model_version_tags, "properties": t.model_version_properties}
Filter = Mapping[str, str | None]
"""key → value to match, or key → None to match any value of that key."""


class ModelsMixin(StoreBase):
    # ---- write ----------------------------------------------------------------------
    def create_model_version(
        self,
        name: str,
        *,
        root: str,
        files: Sequence[FileEntry],
        description: str | None = None,
        framework: str | None = None,
        framework_version: str | None = None,
        tags: Mapping[str, str] | None = None,
        properties: Mapping[str, str] | None = None,
        run_id: str | None = None,
        datasets: Sequence[str] = (),
    ) -> ModelVersion:
        """The next version of ``name`` (created on first use), in one transaction."""
        now = now_ms()
        with self.write() as conn:
            lineage = self._run_lineage(conn, run_id)
            if not datasets and lineage:  # a model inherits the datasets its run read
                datasets = run_input_refs(conn, lineage["run_pk"])
            model_id, version = self._claim_version(conn, name, now)
            result = conn.execute(
                insert(t.model_versions).values(
                    model_id=model_id,
                    version=version,
                    description=description,
                    framework=framework,
                    framework_version=framework_version,
                    root=root,
                    file_count=len(files),
                    total_bytes=sum(f.size for f in files),
                    datasets=dumps(list(datasets)),
                    created_ms=now,
                    **lineage,
                )
            )
            pk = _new_pk(result)
            conn.execute(
                insert(t.model_files),
                [
                    {
                        "version_pk": pk,
                        "path": f.path,
                        "digest": f.digest,
                        "size": f.size,
                        "mode": f.mode,
                    }
                    for f in files
                ],
            )
            self._write_model_kv(conn, "tags", pk, tags or {})
            self._write_model_kv(conn, "properties", pk, properties or {})
            changes = {"version": version, "files": len(files), "tags": dict(tags or {})}
            if run_id is not None:
                changes["run_id"] = run_id
            log_activity(conn, "model", "create", f"{name}:{version}", changes)
        return self.get_model_version(name, version)

    def _run_lineage(self, conn: Connection, run_id: str | None) -> dict[str, Any]:
        if run_id is None:
            return {}
        r = t.runs.c
        row = conn.execute(
            select(r.pk, r.experiment_id, r.snapshot_id).where(r.id == run_id)
        ).first()
        if row is None:
            raise ResourceNotFoundError(f"run {run_id!r} does not exist")
        return {
            "run_pk": row.pk,
            "experiment_id": row.experiment_id,
            "snapshot_id": row.snapshot_id,
        }

    def _claim_version(self, conn: Connection, name: str, now: int) -> tuple[int, int]:
        m = t.models.c
        row = conn.execute(select(m.id, m.next_version).where(m.name == name)).first()
        if row is None:
            result = conn.execute(
                insert(t.models).values(name=name, next_version=2, created_ms=now, updated_ms=now)
            )
            return _new_pk(result), 1
        conn.execute(
            update(t.models)
            .where(m.id == row.id)
            .values(next_version=row.next_version + 1, updated_ms=now)
        )
        return int(row.id), int(row.next_version)

    def _write_model_kv(
        self, conn: Connection, kind: str, pk: int, values: Mapping[str, str]
    ) -> None:
        table = _KV[kind]
        clean = {
            validate_name(kind[:-1] if kind == "tags" else "property", k): v
            for k, v in values.items()
        }
        if not clean:
            return
        conn.execute(delete(table).where(table.c.version_pk == pk, table.c.key.in_(list(clean))))
        conn.execute(
            insert(table), [{"version_pk": pk, "key": k, "value": v} for k, v in clean.items()]
        )

    def update_model_tags(
        self, name: str, version: int, set_: Mapping[str, str], remove: Iterable[str] = ()
    ) -> ModelVersion:
        """Tags are mutable (properties are not): set some, remove others."""
        with self.write() as conn:
            pk = self._version_pk(conn, name, version)
            self._write_model_kv(conn, "tags", pk, set_)
            keys = list(remove)
            if keys:
                tags = t.model_version_tags
                conn.execute(delete(tags).where(tags.c.version_pk == pk, tags.c.key.in_(keys)))
            changes: dict[str, Any] = {"tags": dict(set_)}
            if keys:
                changes["removed_tags"] = keys
            log_activity(conn, "model", "update", f"{name}:{version}", changes)
        return self.get_model_version(name, version)

    def set_model_alias(self, name: str, alias: str, version: int) -> ModelVersion:
        """Point ``alias`` at ``version`` (moving it if it pointed elsewhere)."""
        a = t.model_aliases.c
        with self.write() as conn:
            pk = self._version_pk(conn, name, version)
            model_id = self._model_id(conn, name)
            conn.execute(delete(t.model_aliases).where(a.model_id == model_id, a.alias == alias))
            conn.execute(
                insert(t.model_aliases).values(
                    model_id=model_id, alias=alias, version_pk=pk, updated_ms=now_ms()
                )
            )
            log_activity(conn, "model", "update", f"{name}:{version}", {"alias": alias})
        return self.get_model_version(name, version)

    def delete_model_alias(self, name: str, alias: str) -> None:
        a = t.model_aliases.c
        with self.write() as conn:
            model_id = self._model_id(conn, name)
            done = conn.execute(
                delete(t.model_aliases).where(a.model_id == model_id, a.alias == alias)
            ).rowcount
            if done:
                log_activity(conn, "model", "update", name, {"removed_alias": alias})
        if not done:
            raise ResourceNotFoundError(f"model {name!r} has no alias {alias!r}")

    def delete_model_version(self, name: str, version: int) -> None:
        """Refused while an endpoint serves it; its aliases go with it."""
        with self.write() as conn:
            pk = self._version_pk(conn, name, version)
            e, em = t.endpoints.c, t.endpoint_models.c
            users = (
                conn.execute(
                    select(e.name)
                    .join(t.endpoint_models, em.endpoint_id == e.id)
                    .where(em.version_pk == pk)
                    .order_by(e.name)
                )
                .scalars()
                .all()
            )
            if users:
                raise ResourceConflictError(
                    f"model {name}:{version} is deployed to endpoint(s) {', '.join(users)}; "
                    "update or delete those endpoints first"
                )
            for table in (
                t.model_aliases,
                t.model_files,
                t.model_version_tags,
                t.model_version_properties,
            ):
                conn.execute(delete(table).where(table.c.version_pk == pk))
            conn.execute(delete(t.model_versions).where(t.model_versions.c.pk == pk))
            log_activity(conn, "model", "delete", f"{name}:{version}")

    # ---- read -----------------------------------------------------------------------
    def get_model_version(
        self, name: str, version: int | None = None, alias: str | None = None
    ) -> ModelVersion:
        """A version by number, by alias, or the latest when neither is given."""
        with self.read() as conn:
            pk = self._find_version_pk(conn, name, version, alias)
            return self._versions(conn, self._version_query().where(t.model_versions.c.pk == pk))[0]

    def list_model_versions(
        self,
        name: str | None = None,
        *,
        tags: Filter | None = None,
        properties: Filter | None = None,
        run_id: str | None = None,
        latest_only: bool = False,
    ) -> list[ModelVersion]:
        """Versions matching every filter, newest first within a name, names sorted."""
        v = t.model_versions.c
        query = self._version_query()
        if name is not None:
            query = query.where(t.models.c.name == name)
        if run_id is not None:
            query = query.where(t.runs.c.id == run_id)
        for kind, wanted in (("tags", tags), ("properties", properties)):
            table = _KV[kind]
            for key, value in (wanted or {}).items():
                cond = (table.c.version_pk == v.pk) & (table.c.key == key)
                if value is not None:
                    cond = cond & (table.c.value == value)
                query = query.where(exists().where(cond))
        if latest_only:
            inner = t.model_versions.alias("newer")
            newest = (
                select(func.max(inner.c.version))
                .where(inner.c.model_id == v.model_id)
                .scalar_subquery()
            )
            query = query.where(v.version == newest)
        with self.read() as conn:
            return self._versions(conn, query.order_by(t.models.c.name, v.version.desc()))

    def list_model_files(self, name: str, version: int) -> list[FileEntry]:
        f = t.model_files.c
        with self.read() as conn:
            pk = self._version_pk(conn, name, version)
            rows = conn.execute(
                select(f.path, f.digest, f.size, f.mode).where(f.version_pk == pk).order_by(f.path)
            )
            return [FileEntry(*row) for row in rows]

    def model_version_pks(self, conn: Connection, refs: Sequence[tuple[str, int]]) -> list[int]:
        return [self._version_pk(conn, name, version) for name, version in refs]

    # ---- helpers --------------------------------------------------------------------
    def _model_id(self, conn: Connection, name: str) -> int:
        found = conn.execute(select(t.models.c.id).where(t.models.c.name == name)).scalar()
        if found is None:
            raise ResourceNotFoundError(f"model {name!r} does not exist")
        return int(found)

    def _version_pk(self, conn: Connection, name: str, version: int) -> int:
        return self._find_version_pk(conn, name, version, None)

    def _find_version_pk(
        self, conn: Connection, name: str, version: int | None, alias: str | None
    ) -> int:
        v, m = t.model_versions.c, t.models.c
        model_id = self._model_id(conn, name)
        if alias is not None:
            a = t.model_aliases.c
            pk = conn.execute(
                select(a.version_pk).where(a.model_id == model_id, a.alias == alias)
            ).scalar()
            if pk is None:
                raise ResourceNotFoundError(f"model {name!r} has no alias {alias!r}")
            return int(pk)
        query = select(v.pk).where(v.model_id == model_id)
        if version is None:
            pk = conn.execute(query.order_by(v.version.desc()).limit(1)).scalar()
            if pk is None:
                raise ResourceNotFoundError(f"model {name!r} has no versions")
            return int(pk)
        pk = conn.execute(query.where(v.version == version)).scalar()
        if pk is None:
            newest = conn.execute(select(m.next_version).where(m.id == model_id)).scalar_one()
            raise ResourceNotFoundError(
                f"model {name!r} has no version {version} (versions go up to {newest - 1})"
            )
        return int(pk)

    def _version_query(self) -> Select[Any]:
        v = t.model_versions.c
        return (
            select(
                v.pk,
                t.models.c.name,
                v.version,
                v.created_ms,
                v.root,
                v.file_count,
                v.total_bytes,
                v.description,
                v.framework,
                v.framework_version,
                v.snapshot_id,
                v.datasets,
                t.runs.c.id.label("run_id"),
                t.experiments.c.name.label("experiment_name"),
            )
            .join(t.models, t.models.c.id == v.model_id)
            .outerjoin(t.runs, t.runs.c.pk == v.run_pk)
            .outerjoin(t.experiments, t.experiments.c.id == v.experiment_id)
        )

    def _versions(self, conn: Connection, query: Select[Any]) -> list[ModelVersion]:
        rows = conn.execute(query).all()
        pks = [row.pk for row in rows]
        kv = {kind: self._kv_by_pk(conn, table, pks) for kind, table in _KV.items()}
        aliases: dict[int, list[str]] = defaultdict(list)
        a = t.model_aliases.c
        for pk, alias in conn.execute(
            select(a.version_pk, a.alias).where(a.version_pk.in_(pks)).order_by(a.alias)
        ):
            aliases[pk].append(alias)
        return [
            ModelVersion(
                name=row.name,
                version=row.version,
                created_ms=row.created_ms,
                root=row.root,
                file_count=row.file_count,
                total_bytes=row.total_bytes,
                description=row.description,
                framework=row.framework,
                framework_version=row.framework_version,
                tags=kv["tags"].get(row.pk, {}),
                properties=kv["properties"].get(row.pk, {}),
                aliases=tuple(aliases.get(row.pk, ())),
                run_id=row.run_id,
                experiment_name=row.experiment_name,
                snapshot_id=row.snapshot_id,
                datasets=tuple(loads(row.datasets) or ()),
            )
            for row in rows
        ]

    @staticmethod
    def _kv_by_pk(conn: Connection, table: Any, pks: list[int]) -> dict[int, dict[str, str]]:
        found: dict[int, dict[str, str]] = defaultdict(dict)
        if pks:
            for pk, key, value in conn.execute(
                select(table.c.version_pk, table.c.key, table.c.value).where(
                    table.c.version_pk.in_(pks)
                )
            ):
                found[pk][key] = value
        return found


def _new_pk(result: Any) -> int:
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])
