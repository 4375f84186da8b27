"""The URL table of the REST API (patterns relative to the server's base_url)."""

from __future__ import annotations

from typing import Any

from jupyter_mlws.server import activity_handlers as act
from jupyter_mlws.server import data_handlers as d
from jupyter_mlws.server import endpoint_handlers as ep
from jupyter_mlws.server import environments as env
from jupyter_mlws.server import handlers as h
from jupyter_mlws.server import pipeline_handlers as pl
from jupyter_mlws.server import run_handlers as r
from jupyter_mlws.server import schedule_handlers as sc
from jupyter_mlws.server import sweeps as sw

API_PREFIX = "mlws/api/v1"
_ID = r"([^/]+)"


def route_table() -> list[tuple[str, Any]]:
    routes: list[tuple[str, Any]] = [
        ("workspace", h.WorkspaceHandler),
        ("changes", h.ChangesHandler),
        ("openapi.yaml", h.OpenApiHandler),
        ("experiments", h.ExperimentsHandler),
        (f"experiments/{_ID}", h.ExperimentHandler),
        (f"experiments/{_ID}/archive", h.ExperimentArchiveHandler),
        ("runs", r.RunsHandler),
        (f"runs/{_ID}", r.RunHandler),
        (f"runs/{_ID}/cancel", r.RunCancelHandler),
        (f"runs/{_ID}/rerun", r.RunRerunHandler),
        (f"runs/{_ID}/metrics", r.MetricsHandler),
        (f"runs/{_ID}/metrics/history", r.MetricHistoryHandler),
        (f"runs/{_ID}/values", r.ValuesHandler),
        (f"runs/{_ID}/logs", r.LogsHandler),
        (f"runs/{_ID}/artifacts", r.ArtifactsHandler),
        (f"runs/{_ID}/artifacts/content", r.ArtifactContentHandler),
        (f"runs/{_ID}/artifacts/open", r.ArtifactOpenHandler),
        (f"runs/{_ID}/snapshot.zip", r.SnapshotHandler),
        ("compute", h.ComputeListHandler),
        (f"compute/{_ID}", h.ComputeHandler),
        (f"compute/{_ID}/(start|stop)", h.ComputeActionHandler),
        ("notebooks/parameters", h.NotebookParametersHandler),
        ("models", h.ModelsHandler),
        (f"models/{_ID}", h.ModelHandler),
        ("endpoints", h.EndpointsHandler),
        (f"endpoints/{_ID}", h.EndpointHandler),
        (f"endpoints/{_ID}/stats", ep.EndpointStatsHandler),
        (f"endpoints/{_ID}/stats/series", ep.EndpointStatsSeriesHandler),
        (f"endpoints/{_ID}/data", ep.EndpointDataHandler),
        ("environments", env.EnvironmentsHandler),
        (f"environments/{_ID}", env.EnvironmentHandler),
        ("datastores", d.DatastoresHandler),
        (f"datastores/{_ID}", d.DatastoreHandler),
        ("datasets", d.DatasetsHandler),
        (f"datasets/{_ID}", d.DatasetHandler),
        (f"datasets/{_ID}/profile", d.DatasetProfileHandler),
        (f"datasets/{_ID}/lineage", d.DatasetLineageHandler),
        ("secrets", d.SecretsHandler),
        ("sweeps", sw.SweepsHandler),
        (f"sweeps/{_ID}", sw.SweepHandler),
        (f"sweeps/{_ID}/cancel", sw.SweepCancelHandler),
        (f"sweeps/{_ID}/extend", sw.SweepExtendHandler),
        ("pipeline-endpoints", pl.PipelineEndpointsHandler),
        (f"pipeline-endpoints/{_ID}", pl.PipelineEndpointHandler),
        (f"pipeline-endpoints/{_ID}/runs", pl.PipelineEndpointRunsHandler),
        (f"pipeline-runs/{_ID}", pl.PipelineRunHandler),
        ("schedules", sc.SchedulesHandler),
        (f"schedules/{_ID}", sc.ScheduleHandler),
        (f"schedules/{_ID}/enable", sc.ScheduleEnableHandler),
        (f"schedules/{_ID}/disable", sc.ScheduleDisableHandler),
        ("activity", act.ActivityHandler),
    ]
    table = [(f"/{API_PREFIX}/{pattern}", handler) for pattern, handler in routes]
    table.append((f"/{API_PREFIX}/(.*)", h.NotFoundHandler))
    return table
