"""``MlwsApp``: the ``mlws`` Jupyter server extension and its settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_server.extension.application import ExtensionApp
from traitlets import Float, Int, Unicode

from jupyter_mlws.server.lost_runs import LostRunSweeper
from jupyter_mlws.server.mlflow_handlers import mlflow_routes
from jupyter_mlws.server.routes import API_PREFIX, route_table
from jupyter_mlws.server.schedule_loop import ScheduleLoop
from jupyter_mlws.server.service import MlwsService, ServiceSettings
from jupyter_mlws.workspace import Workspace


class MlwsApp(ExtensionApp):
    """ML Workspace: REST API for experiments, runs, compute and the JupyterLab sidebar.

    Configure it as ``c.MlwsApp.<option>`` in ``jupyter_server_config.py`` (or
    ``jupyter_mlws_config.py``), or ``--MlwsApp.<option>=…`` on the command line.
    """

    name = "mlws"
    description = __doc__
    load_other_extensions = True

    workspace = Unicode(
        "",
        help=(
            "Path of the workspace (a `.mlws` folder or the folder that holds it). Empty: "
            "MLWS_WORKSPACE, else the nearest `.mlws/` above the server's working folder, "
            "else ~/.mlws."
        ),
    ).tag(config=True)

    refresh_interval_ms = Int(
        1000,
        help=(
            "How often (ms) the JupyterLab sidebar and run panels ask for the change cursor "
            "and follow logs; status changes and new metric points show within about this "
            "delay."
        ),
    ).tag(config=True)

    page_size = Int(50, help="Runs per page in the sidebar.").tag(config=True)

    chart_max_points = Int(
        2000, help="Points per metric curve the run panel asks for (min/max-preserving)."
    ).tag(config=True)

    outputs_dir = Unicode(
        "mlws-outputs",
        help=(
            "Folder, relative to the server's root_dir, where 'open in JupyterLab' copies "
            "output notebooks of runs."
        ),
    ).tag(config=True)

    lost_run_sweep_seconds = Float(
        5.0,
        help=(
            "How often (s) the server looks for runs whose process died (kill -9, crash) and "
            "marks them Failed, so they do not stay Running until someone reads them. A run "
            "of this host is found by its pid at the next sweep; one of another host when its "
            "heartbeat is older than the workspace's lost_after_seconds. 0 disables it."
        ),
    ).tag(config=True)

    schedule_poll_seconds = Float(
        10.0,
        help=(
            "How often (s) the server fires due pipeline schedules (mlws schedule …); 0 "
            "disables it (then `mlws scheduler run` can fire them). Several schedulers may "
            "run: each due time fires once."
        ),
    ).tag(config=True)

    _sweeper: LostRunSweeper | None = None
    _schedules: ScheduleLoop | None = None

    def initialize_settings(self) -> None:
        ws = Workspace.open(self.workspace) if self.workspace else Workspace.current()
        root_dir = Path(self.serverapp.root_dir if self.serverapp else ".").resolve()
        settings = ServiceSettings(
            root_dir=root_dir,
            outputs_dir=self.outputs_dir,
            refresh_interval_ms=self.refresh_interval_ms,
            page_size=self.page_size,
            chart_max_points=self.chart_max_points,
        )
        self.settings["mlws_service"] = MlwsService(ws, settings)
        self._sweeper = LostRunSweeper(ws, self.lost_run_sweep_seconds)
        self._schedules = ScheduleLoop(ws, self.schedule_poll_seconds)
        self.log.info("mlws: workspace %s, REST API at /%s", ws.root, API_PREFIX)

    def initialize_handlers(self) -> None:
        self.handlers.extend(route_table())
        self.handlers.extend(mlflow_routes())  # the MLflow REST API, /mlws/mlflow

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        if self._sweeper is not None:
            self._sweeper.start()
        if self._schedules is not None:
            self._schedules.start()

    async def stop_extension(self) -> None:
        if self._sweeper is not None:
            await self._sweeper.stop()
        if self._schedules is not None:
            await self._schedules.stop()
        service = self.settings.get("mlws_service")
        if isinstance(service, MlwsService):
            service.close()
