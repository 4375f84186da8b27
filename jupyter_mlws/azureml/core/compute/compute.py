"""v1 compute targets over the native ``compute.admin`` calls."""

from __future__ import annotations

import builtins
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jupyter_mlws.azureml._notice import say_once
from jupyter_mlws.azureml.exceptions import ComputeTargetException, UserErrorException
from jupyter_mlws.compute import admin
from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError

if TYPE_CHECKING:
    from jupyter_mlws.azureml.core.workspace import Workspace

DEFAULT_MAX_NODES = 4  # v1's default
READY = ("Running", "Attached")


@dataclass
class AmlComputeProvisioningConfiguration:
    vm_size: str = ""
    vm_priority: str = "dedicated"
    min_nodes: int = 0
    max_nodes: int = DEFAULT_MAX_NODES
    idle_seconds_before_scaledown: int | None = None


class ComputeTarget:
    """``ComputeTarget(ws, name)`` finds one (``ComputeTargetException`` when missing)."""

    type = "AmlCompute"

    def __new__(cls, workspace: Any = None, name: str | None = None) -> Any:
        return super().__new__(AmlCompute if cls is ComputeTarget else cls)

    def __init__(self, workspace: Workspace, name: str) -> None:
        self.workspace = workspace
        self.name = name
        try:
            self._row = admin.show_target(workspace, name)
        except (ResourceNotFoundError, InvalidParameterError) as exc:
            raise ComputeTargetException(str(exc)) from None

    @classmethod
    def _of(cls, workspace: Workspace, row: dict[str, Any]) -> ComputeTarget:
        target = object.__new__(AmlCompute)
        target.workspace = workspace
        target.name = row["name"]
        target._row = row
        return target

    @staticmethod
    def create(
        workspace: Workspace,
        name: str,
        provisioning_configuration: AmlComputeProvisioningConfiguration,
    ) -> ComputeTarget:
        """A managed Dask cluster with the configuration's node bounds, started now
        (v1 clusters scale from ``min_nodes`` on their own)."""
        cfg = provisioning_configuration
        if cfg.vm_size:
            say_once(
                "vm_size",
                f"vm_size={cfg.vm_size!r} is recorded, not enforced: nodes are Dask worker "
                "processes on this machine",
            )
        options: dict[str, Any] = {
            "min_nodes": int(cfg.min_nodes),
            "max_nodes": int(cfg.max_nodes),
            "properties": {"vm_size": cfg.vm_size, "vm_priority": cfg.vm_priority},
        }
        if cfg.idle_seconds_before_scaledown:
            options["idle_seconds"] = float(cfg.idle_seconds_before_scaledown)
        try:
            admin.create_target(workspace, name, "dask", **options)
        except InvalidParameterError as exc:
            raise ComputeTargetException(str(exc)) from None
        admin.start_target(workspace, name)
        return ComputeTarget(workspace, name)

    @staticmethod
    def list(workspace: Workspace) -> builtins.list[ComputeTarget]:
        return list(workspace.compute_targets.values())

    # ---- state ---------------------------------------------------------------------------
    def refresh_state(self) -> None:
        self._row = admin.show_target(self.workspace, self.name)

    @property
    def provisioning_state(self) -> str:
        self.refresh_state()
        status = self._row.get("status", "")
        return "Succeeded" if status in READY else status

    @property
    def vm_size(self) -> str:
        return str(self._row.get("config", {}).get("properties", {}).get("vm_size", ""))

    @property
    def scale_settings(self) -> dict[str, int]:
        config = self._row.get("config", {})
        return {
            "minNodeCount": config.get("min_nodes", 0),
            "maxNodeCount": config.get("max_nodes", 1),
        }

    def get_status(self) -> AmlComputeStatus:
        self.refresh_state()
        return AmlComputeStatus(self._row)

    def wait_for_completion(
        self,
        show_output: bool = False,
        min_node_count: int | None = None,
        timeout_in_minutes: float = 20,
        is_delete_operation: bool = False,
    ) -> None:
        """Until the cluster runs (v1: until provisioning succeeded)."""
        deadline = time.monotonic() + timeout_in_minutes * 60
        while self.provisioning_state != "Succeeded":
            if self._row.get("status") == "Stopped":
                admin.start_target(self.workspace, self.name)
            if time.monotonic() > deadline:
                raise ComputeTargetException(
                    f"compute target {self.name!r} not running after {timeout_in_minutes} min"
                )
            time.sleep(0.2)
        if show_output:
            print('SucceededProvisioning operation finished, operation "Succeeded"')
            print(f"AmlCompute wait for completion finished: {self.name} is running")

    def delete(self) -> None:
        if self._row.get("config", {}).get("managed") and self._row.get("status") != "Stopped":
            admin.stop_target(self.workspace, self.name)
        admin.delete_target(self.workspace, self.name)

    def stop(self, wait_for_completion: bool = True, show_output: bool = False) -> None:
        admin.stop_target(self.workspace, self.name)

    def start(self, wait_for_completion: bool = True, show_output: bool = False) -> None:
        admin.start_target(self.workspace, self.name)

    def serialize(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "properties": dict(self._row)}

    def __repr__(self) -> str:
        return f"{self.type}(workspace={self.workspace.name!r}, name={self.name})"


class AmlCompute(ComputeTarget):
    type = "AmlCompute"

    @staticmethod
    def provisioning_configuration(
        vm_size: str = "",
        vm_priority: str = "dedicated",
        min_nodes: int = 0,
        max_nodes: int | None = None,
        idle_seconds_before_scaledown: int | None = None,
        admin_username: str | None = None,
        admin_user_password: str | None = None,
        admin_user_ssh_key: str | None = None,
        vnet_resourcegroup_name: str | None = None,
        vnet_name: str | None = None,
        subnet_name: str | None = None,
        tags: dict[str, str] | None = None,
        description: str | None = None,
        remote_login_port_public_access: str = "NotSpecified",
        identity_type: str | None = None,
        identity_id: builtins.list[str] | None = None,
        location: str | None = None,
        enable_node_public_ip: bool = True,
    ) -> AmlComputeProvisioningConfiguration:
        if min_nodes < 0 or (max_nodes is not None and max_nodes < max(1, min_nodes)):
            raise UserErrorException("need 0 <= min_nodes <= max_nodes and max_nodes >= 1")
        return AmlComputeProvisioningConfiguration(
            vm_size,
            vm_priority,
            min_nodes,
            max_nodes or DEFAULT_MAX_NODES,
            idle_seconds_before_scaledown,
        )

    @staticmethod
    def supported_vmsizes(
        workspace: Workspace, location: str | None = None
    ) -> builtins.list[dict[str, Any]]:
        return []


class ComputeInstance(ComputeTarget):
    type = "ComputeInstance"

    @staticmethod
    def provisioning_configuration(
        vm_size: str = "", **kwargs: Any
    ) -> AmlComputeProvisioningConfiguration:
        return AmlComputeProvisioningConfiguration(vm_size, min_nodes=0, max_nodes=1)


class AmlComputeStatus:
    def __init__(self, row: dict[str, Any]) -> None:
        self._row = row
        state = row.get("state", {})
        self.current_node_count = int(state.get("workers", 0) or 0)
        self.allocation_state = "Steady"
        self.provisioning_state = "Succeeded" if row.get("status") in READY else row.get("status")

    def serialize(self) -> dict[str, Any]:
        return {
            "currentNodeCount": self.current_node_count,
            "allocationState": self.allocation_state,
            "provisioningState": self.provisioning_state,
            "status": self._row.get("status"),
            "queued": self._row.get("queued", 0),
            "active": self._row.get("active", 0),
        }
