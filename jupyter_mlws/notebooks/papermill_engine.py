"""The ``mlws`` papermill engine (entry point ``papermill.engine: mlws``).

Imported by papermill when it loads its engines, so papermill is imported at the top.
"""

from __future__ import annotations

from typing import Any

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, NotebookExecutionManager
from papermill.log import logger
from papermill.utils import remove_args

from jupyter_mlws.notebooks.engine import Progress
from jupyter_mlws.notebooks.kernels import ReadyKernel


class ReportingManager(NotebookExecutionManager):
    """Passes every save and finished cell to a ``Progress`` listener."""

    progress: Progress | None = None

    def save(self, **kwargs: Any) -> None:
        super().save(**kwargs)
        if self.progress is not None:
            self.progress.notebook_saved()

    def cell_complete(self, cell: Any, cell_index: int | None = None, **kwargs: Any) -> None:
        super().cell_complete(cell, cell_index=cell_index, **kwargs)
        if self.progress is not None and cell_index is not None:
            self.progress.cell_finished(cell_index)


class MlwsEngine(NBClientEngine):
    @classmethod
    def execute_notebook(
        cls,
        nb: Any,
        kernel_name: str,
        output_path: str | None = None,
        progress_bar: bool = False,
        log_output: bool = False,
        autosave_cell_every: int = 30,
        progress: Progress | None = None,
        **kwargs: Any,
    ) -> Any:
        nb_man = ReportingManager(
            nb,
            output_path=output_path,
            progress_bar=False,
            log_output=log_output,
            autosave_cell_every=autosave_cell_every,
        )
        nb_man.progress = progress
        if progress is not None:
            progress.start(nb)
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        finally:
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
        return nb_man.nb

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: Any,
        kernel_name: str,
        ready_kernel: ReadyKernel | None = None,
        log_output: bool = False,
        stdout_file: Any = None,
        stderr_file: Any = None,
        start_timeout: float = 60,
        execution_timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        if ready_kernel is None:
            raise ValueError("the mlws engine needs ready_kernel=")
        kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
        client = PapermillNotebookClient(
            nb_man,
            km=ready_kernel.manager,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
            **kwargs,
        )
        client.kc = ready_kernel.client  # connected and checked already
        return client.execute()
