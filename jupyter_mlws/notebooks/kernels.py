"""Kernels started inside the run's process group, so that stopping the run stops them.

jupyter_client starts every kernel in a new session; the job runner, though, stops a run
by killing *its* process group (DESIGN §4). ``GroupProvisioner`` launches the kernel as
a plain child instead, in the caller's group, and signals only the kernel's own pid
(an interrupt must not reach the process that executes the notebook).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# IPython's history database would be shared by every kernel on the machine.
KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]
STARTUP_TIMEOUT_S = 60.0
# Run before the kernel is killed: what the kernel logged but had not written yet.
FLUSH_CODE = (
    "import sys as _mlws_sys\n"
    "_mlws_w = _mlws_sys.modules.get('jupyter_mlws.tracking.metric_writer')\n"
    "if _mlws_w is not None: _mlws_w.get_writer().flush()\n"
    "del _mlws_sys, _mlws_w\n"
)


@dataclass
class ReadyKernel:
    """A started kernel and a connected client that has seen its ``kernel_info``."""

    name: str
    manager: Any  # jupyter_client AsyncKernelManager
    client: Any  # its AsyncKernelClient, channels started
    start_dir: str = ""
    env_updates: dict[str, str] = field(default_factory=dict)

    @property
    def pid(self) -> int | None:
        provisioner = self.manager.provisioner
        return getattr(provisioner, "pid", None)

    def run_code(self, code: str, timeout: float = 30.0) -> None:
        """Execute setup code; raise if it fails (the kernel is then not usable)."""
        from jupyter_core.utils import run_sync

        reply = run_sync(self.client.execute_interactive)(
            code, silent=True, store_history=False, timeout=timeout, output_hook=_ignore
        )
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise RuntimeError(
                f"kernel setup failed: {content.get('ename')}: {content.get('evalue')}"
            )

    def adopt(self, cwd: Path) -> None:
        """Make a kernel started ahead of time look started for this run: its working
        folder, the run's environment variables (``MLWS_RUN_ID``, …) and ``sys.path``."""
        folder = str(cwd)
        self.run_code(
            "import os as _mlws_os, sys as _mlws_sys\n"
            f"_mlws_os.chdir({folder!r})\n"
            f"_mlws_os.environ.update({self.env_updates!r})\n"
            f"_mlws_sys.path[:] = [{folder!r} if p == {self.start_dir!r} else p "
            "for p in _mlws_sys.path]\n"
            f"if {folder!r} not in _mlws_sys.path: _mlws_sys.path.insert(0, {folder!r})\n"
            "del _mlws_os, _mlws_sys\n"
        )

    def finish(self) -> None:
        """Flush the kernel's buffered metrics, then kill it (it is never reused).

        A single-use kernel gets no graceful shutdown: that would add ~0.1 s to every
        run; ``atexit`` handlers of the notebook therefore do not run.
        """
        try:
            self.run_code(FLUSH_CODE, timeout=30)
        except Exception:  # a dead or wedged kernel has nothing left to flush
            pass
        finally:
            self.kill()

    def kill(self) -> None:
        """SIGKILL the kernel without waiting for a graceful shutdown (it is single-use)."""
        try:
            self.client.stop_channels()
        finally:
            process = getattr(self.manager.provisioner, "process", None)
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
            self._release()

    def _release(self) -> None:
        """The connection file and the manager's zmq context (else a ResourceWarning)."""
        from jupyter_core.utils import run_sync

        try:
            run_sync(self.manager.cleanup_resources)()
        except Exception:  # best effort: the kernel itself is gone already
            pass


def _ignore(_msg: dict[str, Any]) -> None:
    pass


def _group_provisioner_class() -> type:
    from jupyter_client.provisioning.local_provisioner import LocalProvisioner

    class GroupProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
            env = dict(kwargs.get("env") or os.environ)
            env["JPY_PARENT_PID"] = str(os.getpid())  # the kernel exits if we die
            cwd = kwargs.get("cwd")
            self.process = subprocess.Popen(
                [os.path.expanduser(c) for c in cmd],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=env,
                cwd=cwd,
            )
            self.pid = self.process.pid
            self.pgid = None  # signals go to the kernel only, never to our group
            self.cwd = cwd or Path.cwd()
            return self.connection_info

    return GroupProvisioner


def start_kernel(name: str, cwd: str | os.PathLike[str] | None = None) -> ReadyKernel:
    """Start kernel ``name`` in this process group and wait until it answers.

    A kernel that dies while starting is started once more: on a loaded machine a
    kernel can miss its start-up (seen: "Kernel died before replying to kernel_info"),
    and a run should not fail for that alone. A second failure is the run's error.
    """
    try:
        return _start_kernel_once(name, cwd)
    except RuntimeError as exc:
        print(f"[mlws] kernel {name!r} did not start ({exc}); starting it again", file=sys.stderr)
        return _start_kernel_once(name, cwd)


def _start_kernel_once(name: str, cwd: str | os.PathLike[str] | None) -> ReadyKernel:
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    manager = AsyncKernelManager(kernel_name=name)
    manager.kernel_id = str(uuid.uuid4())
    manager.provisioner = _group_provisioner_class()(
        kernel_id=manager.kernel_id, kernel_spec=manager.kernel_spec, parent=manager
    )
    run_sync(manager.start_kernel)(
        extra_arguments=list(KERNEL_ARGUMENTS), cwd=str(cwd or Path.cwd())
    )
    client = manager.client()
    client.start_channels()
    try:
        run_sync(client.wait_for_ready)(timeout=STARTUP_TIMEOUT_S)
    except Exception:
        ReadyKernel(name, manager, client).kill()
        raise
    return ReadyKernel(name, manager, client, start_dir=str(cwd or Path.cwd()))
