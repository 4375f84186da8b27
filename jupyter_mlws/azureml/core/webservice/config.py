"""The v1 deployment configurations and how each maps to a local endpoint."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jupyter_mlws.azureml.exceptions import UserErrorException

LOOPBACK = "127.0.0.1"


@dataclass
class DeploymentConfiguration:
    compute_type: str = "local"
    port: int | None = None
    auth_enabled: bool = False
    cpu_cores: float | None = None
    memory_gb: float | None = None
    replicas: int = 1
    scoring_timeout_ms: int | None = None
    tags: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    recorded: dict[str, Any] = field(default_factory=dict)

    @property
    def auth(self) -> str:
        return "key" if self.auth_enabled else "none"

    @property
    def timeout_s(self) -> float:
        return self.scoring_timeout_ms / 1000 if self.scoring_timeout_ms else 60.0

    def validate(self) -> None:
        if self.port is not None and not 0 < int(self.port) < 65536:
            raise UserErrorException(f"port must be between 1 and 65535, got {self.port}")
        if self.replicas < 1:
            raise UserErrorException("num_replicas must be at least 1")


LocalWebserviceDeploymentConfiguration = DeploymentConfiguration
AciServiceDeploymentConfiguration = DeploymentConfiguration
AksServiceDeploymentConfiguration = DeploymentConfiguration


def _recorded(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


class LocalWebservice:
    @staticmethod
    def deploy_configuration(port: int | None = None) -> DeploymentConfiguration:
        return DeploymentConfiguration("local", port=port)


class AciWebservice:
    @staticmethod
    def deploy_configuration(
        cpu_cores: float | None = None,
        memory_gb: float | None = None,
        tags: dict[str, str] | None = None,
        properties: dict[str, str] | None = None,
        description: str | None = None,
        location: str | None = None,
        auth_enabled: bool | None = None,
        ssl_enabled: bool | None = None,
        enable_app_insights: bool | None = None,
        ssl_cert_pem_file: str | None = None,
        ssl_key_pem_file: str | None = None,
        ssl_cname: str | None = None,
        dns_name_label: str | None = None,
        primary_key: str | None = None,
        secondary_key: str | None = None,
        collect_model_data: bool | None = None,
        cmk_vault_base_url: str | None = None,
        cmk_key_name: str | None = None,
        cmk_key_version: str | None = None,
        vnet_name: str | None = None,
        subnet_name: str | None = None,
    ) -> DeploymentConfiguration:
        return DeploymentConfiguration(
            "aci",
            auth_enabled=bool(auth_enabled),
            cpu_cores=cpu_cores if cpu_cores is not None else 0.1,
            memory_gb=memory_gb if memory_gb is not None else 0.5,
            tags=dict(tags or {}),
            description=description,
            recorded=_recorded(
                {
                    "location": location,
                    "ssl_enabled": ssl_enabled,
                    "enable_app_insights": enable_app_insights,
                    "dns_name_label": dns_name_label,
                    "collect_model_data": collect_model_data,
                }
            ),
        )


class AksWebservice:
    @staticmethod
    def deploy_configuration(
        autoscale_enabled: bool | None = None,
        autoscale_min_replicas: int | None = None,
        autoscale_max_replicas: int | None = None,
        autoscale_refresh_seconds: int | None = None,
        autoscale_target_utilization: int | None = None,
        collect_model_data: bool | None = None,
        auth_enabled: bool | None = None,
        cpu_cores: float | None = None,
        memory_gb: float | None = None,
        enable_app_insights: bool | None = None,
        scoring_timeout_ms: int | None = None,
        replica_max_concurrent_requests: int | None = None,
        max_request_wait_time: int | None = None,
        num_replicas: int | None = None,
        primary_key: str | None = None,
        secondary_key: str | None = None,
        tags: dict[str, str] | None = None,
        properties: dict[str, str] | None = None,
        description: str | None = None,
        gpu_cores: int | None = None,
        period_seconds: int | None = None,
        initial_delay_seconds: int | None = None,
        timeout_seconds: int | None = None,
        success_threshold: int | None = None,
        failure_threshold: int | None = None,
        namespace: str | None = None,
        token_auth_enabled: bool | None = None,
        **kwargs: Any,
    ) -> DeploymentConfiguration:
        if auth_enabled and token_auth_enabled:
            raise UserErrorException("auth_enabled and token_auth_enabled exclude each other")
        return DeploymentConfiguration(
            "aks",
            auth_enabled=True if auth_enabled is None else bool(auth_enabled or token_auth_enabled),
            cpu_cores=cpu_cores,
            memory_gb=memory_gb,
            replicas=int(num_replicas or 1),
            scoring_timeout_ms=scoring_timeout_ms if scoring_timeout_ms is not None else 60_000,
            tags=dict(tags or {}),
            description=description,
            recorded=_recorded(
                {
                    "autoscale_enabled": autoscale_enabled,
                    "autoscale_max_replicas": autoscale_max_replicas,
                    "gpu_cores": gpu_cores,
                    "namespace": namespace,
                    "token_auth_enabled": token_auth_enabled,
                }
            ),
        )
