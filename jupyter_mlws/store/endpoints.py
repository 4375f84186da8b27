"""Endpoints: where each scoring service listens, what it serves, its key hashes, telemetry."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from jupyter_mlws.entities import (
    EndpointKeyInfo,
    EndpointMetricWindow,
    EndpointRecord,
    EndpointState,
    now_ms,
)
from jupyter_mlws.exceptions import ResourceAlreadyExistsError, ResourceNotFoundError
from jupyter_mlws.store import schema as t
from jupyter_mlws.store.activity import log_activity
from jupyter_mlws.store.base import StoreBase, dumps, loads

ModelRef = tuple[str, int]
_JSON_FIELDS = ("config", "error")
_FIELDS = frozenset(
    {
        "state",
        "host",
        "bind",
        "port",
        "pid",
        "pid_started",
        "workers",
        "auth",
        "generation",
        "config",
        "error",
    }
)


class EndpointsMixin(StoreBase):
    # ---- endpoints ------------------------------------------------------------------
    def create_endpoint(
        self,
        name: str,
        *,
        bind: str,
        port: int | None,
        workers: int,
        auth: str,
        config: dict[str, Any],
        models: Sequence[ModelRef],
    ) -> EndpointRecord:
        now = now_ms()
        try:
            with self.write() as conn:
                if self._endpoint_id_or_none(conn, name) is not None:
                    raise ResourceAlreadyExistsError(
                        f"endpoint {name!r} already exists; `mlws endpoint update {name}` "
                        "changes it, `mlws endpoint delete` removes it"
                    )
                result = conn.execute(
                    insert(t.endpoints).values(
                        name=name,
                        state=EndpointState.TRANSITIONING.value,
                        bind=bind,
                        port=port,
                        workers=workers,
                        auth=auth,
                        generation=0,
                        config=dumps(config),
                        created_ms=now,
                        updated_ms=now,
                    )
                )
                assert result.inserted_primary_key is not None
                self._set_models(conn, int(result.inserted_primary_key[0]), models)
                changes = {"models": [f"{m}:{v}" for m, v in models], "auth": auth}
                log_activity(conn, "endpoint", "create", name, changes)
        except IntegrityError:
            raise ResourceAlreadyExistsError(f"endpoint {name!r} already exists") from None
        return self.get_endpoint(name)

    def get_endpoint(self, name: str) -> EndpointRecord:
        with self.read() as conn:
            found = self._endpoint_records(conn, t.endpoints.c.name == name)
        if not found:
            raise ResourceNotFoundError(
                f"endpoint {name!r} does not exist (see `mlws endpoint list`)"
            )
        return found[0]

    def list_endpoints(self) -> list[EndpointRecord]:
        with self.read() as conn:
            return self._endpoint_records(conn, None)

    def update_endpoint(
        self,
        name: str,
        *,
        models: Sequence[ModelRef] | None = None,
        activity: str | None = None,
        **fields: Any,
    ) -> EndpointRecord:
        """Set some columns (``state``, ``pid``, ``port``, ``config``, ``error``, …); a
        user's act (``activity="update"``, ``"stop"``, …) goes to the activity log."""
        unknown = set(fields) - _FIELDS
        if unknown:
            raise TypeError(f"unknown endpoint fields: {sorted(unknown)}")
        values: dict[str, Any] = {"updated_ms": now_ms()}
        for key, value in fields.items():
            if key in _JSON_FIELDS:
                value = None if value is None else dumps(value)
            elif isinstance(value, EndpointState):
                value = value.value
            values[key] = value
        with self.write() as conn:
            endpoint_id = self._endpoint_id(conn, name)
            conn.execute(
                update(t.endpoints).where(t.endpoints.c.id == endpoint_id).values(**values)
            )
            if models is not None:
                self._set_models(conn, endpoint_id, models)
            if activity is not None:
                changes: dict[str, Any] = {
                    k: values[k] for k in ("workers", "state") if k in values
                }
                if models is not None:
                    changes["models"] = [f"{m}:{v}" for m, v in models]
                log_activity(conn, "endpoint", activity, name, changes)
        return self.get_endpoint(name)

    def delete_endpoint(self, name: str) -> None:
        with self.write() as conn:
            endpoint_id = self._endpoint_id(conn, name)
            for table in (t.endpoint_models, t.endpoint_keys, t.endpoint_metrics):
                conn.execute(delete(table).where(table.c.endpoint_id == endpoint_id))
            conn.execute(delete(t.endpoints).where(t.endpoints.c.id == endpoint_id))
            log_activity(conn, "endpoint", "delete", name)

    # ---- keys (hashes only) ----------------------------------------------------------
    def set_endpoint_key_hash(
        self, name: str, slot: str, key_hash: str, activity: str | None = None
    ) -> None:
        """``activity``: a user's act to log (a regenerated key: its slot, never the key)."""
        k = t.endpoint_keys.c
        with self.write() as conn:
            endpoint_id = self._endpoint_id(conn, name)
            conn.execute(
                delete(t.endpoint_keys).where(k.endpoint_id == endpoint_id, k.slot == slot)
            )
            conn.execute(
                insert(t.endpoint_keys).values(
                    endpoint_id=endpoint_id, slot=slot, key_hash=key_hash, created_ms=now_ms()
                )
            )
            if activity is not None:
                log_activity(conn, "endpoint", activity, name, {"key": slot})

    def endpoint_key_hashes(self, name: str) -> dict[str, str]:
        k = t.endpoint_keys.c
        with self.read() as conn:
            endpoint_id = self._endpoint_id(conn, name)
            rows = conn.execute(select(k.slot, k.key_hash).where(k.endpoint_id == endpoint_id))
            return {slot: key_hash for slot, key_hash in rows}

    def list_endpoint_keys(self, name: str) -> list[EndpointKeyInfo]:
        k = t.endpoint_keys.c
        with self.read() as conn:
            endpoint_id = self._endpoint_id(conn, name)
            rows = conn.execute(
                select(k.slot, k.key_hash, k.created_ms)
                .where(k.endpoint_id == endpoint_id)
                .order_by(k.slot)
            )
            return [
                EndpointKeyInfo(slot, key_hash[:8], created) for slot, key_hash, created in rows
            ]

    # ---- telemetry ------------------------------------------------------------------
    def add_endpoint_metrics(self, name: str, windows: Sequence[EndpointMetricWindow]) -> None:
        if not windows:
            return
        with self.write() as conn:
            endpoint_id = self._endpoint_id(conn, name)
            conn.execute(
                insert(t.endpoint_metrics),
                [
                    {
                        "endpoint_id": endpoint_id,
                        "generation": w.generation,
                        "worker_pid": w.worker_pid,
                        "start_ms": w.start_ms,
                        "end_ms": w.end_ms,
                        "count": w.count,
                        "errors": w.errors,
                        "client_errors": w.client_errors,
                        "total_ms": w.total_ms,
                        "histogram": json.dumps({str(k): v for k, v in w.histogram.items()}),
                    }
                    for w in windows
                ],
            )

    def list_endpoint_metrics(
        self, name: str, since_ms: int | None = None
    ) -> list[EndpointMetricWindow]:
        c = t.endpoint_metrics.c
        with self.read() as conn:
            endpoint_id = self._endpoint_id(conn, name)
            query = select(t.endpoint_metrics).where(c.endpoint_id == endpoint_id)
            if since_ms is not None:
                query = query.where(c.end_ms >= since_ms)
            return [
                EndpointMetricWindow(
                    generation=row.generation,
                    worker_pid=row.worker_pid,
                    start_ms=row.start_ms,
                    end_ms=row.end_ms,
                    count=row._mapping["count"],
                    errors=row.errors,
                    client_errors=row.client_errors,
                    total_ms=row.total_ms,
                    histogram={int(k): int(v) for k, v in json.loads(row.histogram).items()},
                )
                for row in conn.execute(query.order_by(c.start_ms))
            ]

    # ---- helpers --------------------------------------------------------------------
    def _endpoint_id_or_none(self, conn: Connection, name: str) -> int | None:
        found = conn.execute(select(t.endpoints.c.id).where(t.endpoints.c.name == name)).scalar()
        return None if found is None else int(found)

    def _endpoint_id(self, conn: Connection, name: str) -> int:
        found = self._endpoint_id_or_none(conn, name)
        if found is None:
            raise ResourceNotFoundError(
                f"endpoint {name!r} does not exist (see `mlws endpoint list`)"
            )
        return found

    def _set_models(self, conn: Connection, endpoint_id: int, models: Sequence[ModelRef]) -> None:
        v, m = t.model_versions.c, t.models.c
        pks = []
        for name, version in models:
            pk = conn.execute(
                select(v.pk)
                .join(t.models, m.id == v.model_id)
                .where(m.name == name, v.version == version)
            ).scalar()
            if pk is None:
                raise ResourceNotFoundError(f"model {name}:{version} does not exist")
            pks.append(int(pk))
        conn.execute(
            delete(t.endpoint_models).where(t.endpoint_models.c.endpoint_id == endpoint_id)
        )
        if pks:
            conn.execute(
                insert(t.endpoint_models),
                [{"endpoint_id": endpoint_id, "version_pk": pk} for pk in dict.fromkeys(pks)],
            )

    def _endpoint_records(self, conn: Connection, where: Any) -> list[EndpointRecord]:
        query = select(t.endpoints).order_by(t.endpoints.c.name)
        if where is not None:
            query = query.where(where)
        rows = conn.execute(query).all()
        em, v, m = t.endpoint_models.c, t.model_versions.c, t.models.c
        served: dict[int, list[str]] = defaultdict(list)
        ids = [row.id for row in rows]
        if ids:
            for endpoint_id, name, version in conn.execute(
                select(em.endpoint_id, m.name, v.version)
                .join(t.model_versions, v.pk == em.version_pk)
                .join(t.models, m.id == v.model_id)
                .where(em.endpoint_id.in_(ids))
                .order_by(m.name, v.version)
            ):
                served[endpoint_id].append(f"{name}:{version}")
        return [
            EndpointRecord(
                name=row.name,
                state=EndpointState(row.state),
                bind=row.bind,
                port=row.port,
                workers=row.workers,
                auth=row.auth,
                generation=row.generation,
                created_ms=row.created_ms,
                updated_ms=row.updated_ms,
                host=row.host,
                pid=row.pid,
                pid_started=row.pid_started,
                models=tuple(served.get(row.id, ())),
                config=loads(row.config) or {},
                error=loads(row.error),
            )
            for row in rows
        ]
