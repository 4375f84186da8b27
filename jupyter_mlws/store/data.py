"""The data tables: encrypted secrets, datastores, dataset versions and run lineage.

The store only keeps what it is given: secrets arrive encrypted (data/keyvault.py holds
the key), datastore options arrive with credentials already replaced by references.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Connection, delete, func, insert, select, update

from jupyter_mlws.entities import (
    DatasetFile,
    DatasetVersion,
    DatastoreRecord,
    RunDatasetLink,
    now_ms,
)
from jupyter_mlws.exceptions import (
    InvalidParameterError,
    ResourceAlreadyExistsError,
    ResourceConflictError,
    ResourceNotFoundError,
)
from jupyter_mlws.store import schema as t
from jupyter_mlws.store.activity import log_activity
from jupyter_mlws.store.base import StoreBase, dumps, loads

DIRECTIONS = ("input", "output")


class DataMixin(StoreBase):
    # ---- secrets ----------------------------------------------------------------------
    def put_secret(self, name: str, ciphertext: bytes) -> None:
        now = now_ms()
        s = t.secrets.c
        with self.write() as conn:
            found = conn.execute(select(s.name).where(s.name == name)).first()
            if found is None:
                conn.execute(
                    insert(t.secrets).values(
                        name=name, ciphertext=ciphertext, created_ms=now, updated_ms=now
                    )
                )
            else:
                conn.execute(
                    update(t.secrets)
                    .where(s.name == name)
                    .values(ciphertext=ciphertext, updated_ms=now)
                )
            # the name only: the value never reaches the activity log
            log_activity(conn, "secret", "create" if found is None else "update", name)

    def get_secret_ciphertext(self, name: str) -> bytes:
        with self.read() as conn:
            row = conn.execute(
                select(t.secrets.c.ciphertext).where(t.secrets.c.name == name)
            ).first()
        if row is None:
            raise ResourceNotFoundError(f"secret {name!r} does not exist in the key vault")
        return bytes(row[0])

    def list_secrets(self) -> list[dict[str, Any]]:
        s = t.secrets.c
        with self.read() as conn:
            rows = conn.execute(select(s.name, s.created_ms, s.updated_ms).order_by(s.name))
            return [dict(r._mapping) for r in rows]

    def delete_secret(self, name: str) -> None:
        with self.write() as conn:
            result = conn.execute(delete(t.secrets).where(t.secrets.c.name == name))
            if result.rowcount:
                log_activity(conn, "secret", "delete", name)
        if result.rowcount == 0:
            raise ResourceNotFoundError(f"secret {name!r} does not exist in the key vault")

    # ---- datastores -------------------------------------------------------------------
    def create_datastore(
        self, name: str, url: str, options: Mapping[str, Any], overwrite: bool = False
    ) -> DatastoreRecord:
        d = t.datastores.c
        with self.write() as conn:
            found = conn.execute(select(d.name).where(d.name == name)).first()
            if found is not None and not overwrite:
                raise ResourceAlreadyExistsError(
                    f"datastore {name!r} already exists (pass overwrite=True / --overwrite)"
                )
            if found is not None:
                conn.execute(
                    update(t.datastores)
                    .where(d.name == name)
                    .values(url=url, options=dumps(dict(options)))
                )
            else:
                conn.execute(
                    insert(t.datastores).values(
                        name=name, url=url, options=dumps(dict(options)), created_ms=now_ms()
                    )
                )
            # option names only: an option may hold a credential
            changes = {"url": _without_credentials(url), "options": sorted(options)}
            action = "create" if found is None else "update"
            log_activity(conn, "datastore", action, name, changes)
        return self.get_datastore(name)

    def get_datastore(self, name: str) -> DatastoreRecord:
        with self.read() as conn:
            row = conn.execute(select(t.datastores).where(t.datastores.c.name == name)).first()
        if row is None:
            raise ResourceNotFoundError(f"datastore {name!r} does not exist")
        return _datastore(row)

    def list_datastores(self) -> list[DatastoreRecord]:
        with self.read() as conn:
            rows = conn.execute(select(t.datastores).order_by(t.datastores.c.name)).all()
        return [_datastore(r) for r in rows]

    def delete_datastore(self, name: str) -> None:
        with self.write() as conn:
            used = conn.execute(
                select(func.count())
                .select_from(t.dataset_versions)
                .where(t.dataset_versions.c.datastore == name)
            ).scalar_one()
            if used:
                raise ResourceConflictError(
                    f"datastore {name!r} is referenced by {used} dataset version(s); "
                    "it cannot be deleted"
                )
            result = conn.execute(delete(t.datastores).where(t.datastores.c.name == name))
            if result.rowcount:
                log_activity(conn, "datastore", "delete", name)
        if result.rowcount == 0:
            raise ResourceNotFoundError(f"datastore {name!r} does not exist")

    # ---- datasets ---------------------------------------------------------------------
    def add_dataset_version(
        self,
        name: str,
        *,
        kind: str,
        datastore: str,
        pattern: str,
        reader: Mapping[str, Any],
        fingerprint: str,
        files: Sequence[DatasetFile],
        description: str | None = None,
        run_id: str | None = None,
        create_new_version: bool = True,
    ) -> tuple[DatasetVersion, bool]:
        """The version holding exactly this data, made if needed; True when it is new.

        The same (datastore, pattern, reader, fingerprint) as an existing version returns
        that version: registering unchanged data twice never makes a second version.
        """
        now = now_ms()
        ds, v = t.datasets.c, t.dataset_versions.c
        reader_text = dumps(dict(reader))
        with self.write() as conn:
            row = conn.execute(select(ds.id, ds.kind, ds.next_version).where(ds.name == name))
            found = row.first()
            if found is not None:
                if found.kind != kind:
                    raise ResourceConflictError(
                        f"dataset {name!r} is a {found.kind} dataset; a {kind} dataset cannot "
                        "be registered under its name"
                    )
                same = conn.execute(
                    select(v.version).where(
                        v.dataset_id == found.id,
                        v.fingerprint == fingerprint,
                        v.datastore == datastore,
                        v.pattern == pattern,
                        v.reader == reader_text,
                    )
                ).first()
                if same is not None:
                    existing = int(same.version)
                    return self._dataset_version(conn, name, existing), False
                if not create_new_version:
                    raise ResourceAlreadyExistsError(
                        f"dataset {name!r} already exists with other data; pass "
                        "create_new_version=True to register a new version"
                    )
                dataset_id, version = int(found.id), int(found.next_version)
                conn.execute(
                    update(t.datasets).where(ds.id == dataset_id).values(next_version=version + 1)
                )
            else:
                result = conn.execute(
                    insert(t.datasets).values(name=name, kind=kind, next_version=2, created_ms=now)
                )
                assert result.inserted_primary_key is not None
                dataset_id, version = int(result.inserted_primary_key[0]), 1
            run_pk = self.run_pk(conn, run_id) if run_id else None
            conn.execute(
                insert(t.dataset_versions).values(
                    dataset_id=dataset_id,
                    version=version,
                    datastore=datastore,
                    pattern=pattern,
                    reader=reader_text,
                    fingerprint=fingerprint,
                    file_count=len(files),
                    total_bytes=sum(f.size for f in files),
                    files=dumps([[f.path, f.size, f.token] for f in files]),
                    description=description,
                    run_pk=run_pk,
                    created_ms=now,
                )
            )
            changes = {"version": version, "datastore": datastore, "files": len(files)}
            log_activity(conn, "dataset", "create", f"{name}:{version}", changes)
            return self._dataset_version(conn, name, version), True

    def get_dataset_version(self, name: str, version: int | None = None) -> DatasetVersion:
        """``version=None`` is the latest."""
        with self.read() as conn:
            return self._dataset_version(conn, name, version)

    def _dataset_version(self, conn: Connection, name: str, version: int | None) -> DatasetVersion:
        query = _versions_query().where(t.datasets.c.name == name)
        if version is None:
            query = query.order_by(t.dataset_versions.c.version.desc()).limit(1)
        else:
            query = query.where(t.dataset_versions.c.version == version)
        row = conn.execute(query).first()
        if row is not None:
            return _dataset_version(row)
        exists = conn.execute(select(t.datasets.c.id).where(t.datasets.c.name == name)).first()
        if exists is None:
            raise ResourceNotFoundError(f"dataset {name!r} does not exist")
        raise ResourceNotFoundError(f"dataset {name!r} has no version {version}")

    def list_dataset_versions(self, name: str | None = None) -> list[DatasetVersion]:
        """Every version of ``name`` (newest first), or the latest version of each dataset."""
        v = t.dataset_versions.c
        with self.read() as conn:
            if name is not None:
                self._dataset_version(conn, name, None)  # raises for an unknown name
                query = (
                    _versions_query().where(t.datasets.c.name == name).order_by(v.version.desc())
                )
            else:
                latest = (
                    select(v.dataset_id, func.max(v.version).label("version"))
                    .group_by(v.dataset_id)
                    .subquery()
                )
                query = (
                    _versions_query()
                    .join(
                        latest,
                        (latest.c.dataset_id == v.dataset_id) & (latest.c.version == v.version),
                    )
                    .order_by(t.datasets.c.name)
                )
            return [_dataset_version(r) for r in conn.execute(query)]

    def dataset_files(self, name: str, version: int) -> list[DatasetFile]:
        with self.read() as conn:
            pk = self._version_pk_of(conn, name, version)
            text = conn.execute(
                select(t.dataset_versions.c.files).where(t.dataset_versions.c.pk == pk)
            ).scalar_one()
        return [DatasetFile(str(p), int(s), str(k)) for p, s, k in loads(text) or []]

    def dataset_profile(self, name: str, version: int) -> dict[str, Any] | None:
        with self.read() as conn:
            pk = self._version_pk_of(conn, name, version)
            text = conn.execute(
                select(t.dataset_versions.c.profile).where(t.dataset_versions.c.pk == pk)
            ).scalar_one()
        return loads(text)

    def set_dataset_profile(self, name: str, version: int, profile: Mapping[str, Any]) -> None:
        """Once per version: a profile already stored is kept (versions are immutable)."""
        with self.write() as conn:
            pk = self._version_pk_of(conn, name, version)
            conn.execute(
                update(t.dataset_versions)
                .where(t.dataset_versions.c.pk == pk, t.dataset_versions.c.profile.is_(None))
                .values(profile=dumps(dict(profile)))
            )

    def _version_pk_of(self, conn: Connection, name: str, version: int) -> int:
        v, ds = t.dataset_versions.c, t.datasets.c
        row = conn.execute(
            select(v.pk)
            .join(t.datasets, ds.id == v.dataset_id)
            .where(ds.name == name, v.version == version)
        ).first()
        if row is None:
            self._dataset_version(conn, name, version)  # raises the precise error
        assert row is not None
        return int(row[0])

    # ---- lineage ----------------------------------------------------------------------
    def link_run_dataset(
        self,
        run_id: str,
        dataset: str,
        version: int,
        *,
        direction: str,
        name: str,
        changed: bool = False,
    ) -> None:
        if direction not in DIRECTIONS:
            raise InvalidParameterError(f"direction must be one of {DIRECTIONS}")
        rd = t.run_datasets.c
        with self.write() as conn:
            run_pk = self.run_pk(conn, run_id)
            pk = self._version_pk_of(conn, dataset, version)
            conn.execute(
                delete(t.run_datasets).where(
                    rd.run_pk == run_pk, rd.version_pk == pk, rd.direction == direction
                )
            )
            conn.execute(
                insert(t.run_datasets).values(
                    run_pk=run_pk,
                    version_pk=pk,
                    direction=direction,
                    name=name,
                    changed=changed,
                    created_ms=now_ms(),
                )
            )

    def run_datasets(self, run_id: str) -> list[RunDatasetLink]:
        with self.read() as conn:
            run_pk = self.run_pk(conn, run_id)
            rows = conn.execute(_links_query().where(t.run_datasets.c.run_pk == run_pk))
            return [_link(r) for r in rows]

    def dataset_lineage(self, name: str, version: int) -> dict[str, Any]:
        """dataset version → runs that read or wrote it → models from those runs →
        endpoints serving those models."""
        with self.read() as conn:
            pk = self._version_pk_of(conn, name, version)
            links = [
                _link(r)
                for r in conn.execute(_links_query().where(t.run_datasets.c.version_pk == pk))
            ]
            readers = sorted({x.run_id for x in links if x.direction == "input"})
            writers = sorted({x.run_id for x in links if x.direction == "output"})
            run_ids = readers + [r for r in writers if r not in readers]
            models = _models_of_runs(conn, run_ids)
            endpoints = _endpoints_of_models(conn, [m["pk"] for m in models])
        for m in models:
            m.pop("pk")
        return {
            "dataset": f"{name}:{version}",
            "read_by": readers,
            "written_by": writers,
            "changed_in": sorted({x.run_id for x in links if x.changed}),
            "models": models,
            "endpoints": endpoints,
        }


def _without_credentials(url: str) -> str:
    """``scheme://user:password@host/…`` as ``scheme://host/…``."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def run_input_refs(conn: Connection, run_pk: int) -> list[str]:
    """``name:version`` of the datasets a run read: a model registered from it inherits them."""
    rd, v, ds = t.run_datasets.c, t.dataset_versions.c, t.datasets.c
    rows = conn.execute(
        select(ds.name, v.version)
        .select_from(t.run_datasets)
        .join(t.dataset_versions, v.pk == rd.version_pk)
        .join(t.datasets, ds.id == v.dataset_id)
        .where(rd.run_pk == run_pk, rd.direction == "input")
        .order_by(ds.name, v.version)
    )
    return [f"{r.name}:{r.version}" for r in rows]


def _models_of_runs(conn: Connection, run_ids: list[str]) -> list[dict[str, Any]]:
    if not run_ids:
        return []
    mv, m, r = t.model_versions.c, t.models.c, t.runs.c
    rows = conn.execute(
        select(mv.pk, m.name, mv.version, r.id.label("run_id"))
        .select_from(t.model_versions)
        .join(t.models, m.id == mv.model_id)
        .join(t.runs, r.pk == mv.run_pk)
        .where(r.id.in_(run_ids))
        .order_by(m.name, mv.version)
    )
    return [
        {"pk": row.pk, "model": f"{row.name}:{row.version}", "run_id": row.run_id} for row in rows
    ]


def _endpoints_of_models(conn: Connection, version_pks: list[int]) -> list[dict[str, Any]]:
    if not version_pks:
        return []
    e, em, mv, m = t.endpoints.c, t.endpoint_models.c, t.model_versions.c, t.models.c
    rows = conn.execute(
        select(e.name, m.name.label("model"), mv.version)
        .select_from(t.endpoint_models)
        .join(t.endpoints, e.id == em.endpoint_id)
        .join(t.model_versions, mv.pk == em.version_pk)
        .join(t.models, m.id == mv.model_id)
        .where(em.version_pk.in_(version_pks))
        .order_by(e.name)
    )
    return [{"endpoint": row.name, "model": f"{row.model}:{row.version}"} for row in rows]


def _versions_query() -> Any:
    v, ds, r = t.dataset_versions.c, t.datasets.c, t.runs.c
    return (
        select(
            ds.name,
            ds.kind,
            v.version,
            v.datastore,
            v.pattern,
            v.reader,
            v.fingerprint,
            v.file_count,
            v.total_bytes,
            v.created_ms,
            v.description,
            r.id.label("run_id"),
            v.profile.is_not(None).label("has_profile"),
        )
        .select_from(t.dataset_versions)
        .join(t.datasets, ds.id == v.dataset_id)
        .outerjoin(t.runs, r.pk == v.run_pk)
    )


def _links_query() -> Any:
    rd, v, ds, r = t.run_datasets.c, t.dataset_versions.c, t.datasets.c, t.runs.c
    return (
        select(
            r.id.label("run_id"),
            ds.name.label("dataset"),
            v.version,
            rd.direction,
            rd.name,
            rd.changed,
        )
        .select_from(t.run_datasets)
        .join(t.runs, r.pk == rd.run_pk)
        .join(t.dataset_versions, v.pk == rd.version_pk)
        .join(t.datasets, ds.id == v.dataset_id)
        .order_by(rd.created_ms)
    )


def _datastore(row: Any) -> DatastoreRecord:
    return DatastoreRecord(
        name=row.name, url=row.url, options=loads(row.options) or {}, created_ms=row.created_ms
    )


def _dataset_version(row: Any) -> DatasetVersion:
    return DatasetVersion(
        name=row.name,
        kind=row.kind,
        version=int(row.version),
        datastore=row.datastore,
        pattern=row.pattern,
        fingerprint=row.fingerprint,
        file_count=int(row.file_count),
        total_bytes=int(row.total_bytes),
        created_ms=int(row.created_ms),
        reader=loads(row.reader) or {},
        description=row.description,
        run_id=row.run_id,
        has_profile=bool(row.has_profile),
    )


def _link(row: Any) -> RunDatasetLink:
    return RunDatasetLink(
        run_id=row.run_id,
        dataset=row.dataset,
        version=int(row.version),
        direction=row.direction,
        name=row.name,
        changed=bool(row.changed),
    )
