"""``Webservice``: a deployed v1 service, which here is a local endpoint."""

from __future__ import annotations

import builtins
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from jupyter_mlws.azureml._notice import say_once
from jupyter_mlws.azureml.core.environment import native_environment
from jupyter_mlws.azureml.core.webservice.config import DeploymentConfiguration
from jupyter_mlws.azureml.exceptions import UserErrorException, WebserviceException
from jupyter_mlws.exceptions import ResourceNotFoundError

if TYPE_CHECKING:
    from jupyter_mlws.azureml.core.model import InferenceConfig, Model
    from jupyter_mlws.azureml.core.workspace import Workspace
    from jupyter_mlws.serving import Endpoint

V1_CONTRACT = "azureml-v1"
STATE = {"Healthy": "Healthy", "Transitioning": "Transitioning", "Failed": "Failed"}


class Webservice:
    """``Webservice(ws, name)``; made by ``Model.deploy``."""

    def __init__(self, workspace: Workspace, name: str) -> None:
        self.workspace = workspace
        self.name = name
        self._failure: BaseException | None = None
        self._config: DeploymentConfiguration | None = None
        try:
            self._endpoint: Endpoint = workspace.endpoint(name)
        except ResourceNotFoundError as exc:
            raise WebserviceException(str(exc)) from None

    @classmethod
    def _made(
        cls,
        workspace: Workspace,
        name: str,
        endpoint: Endpoint | None,
        config: DeploymentConfiguration,
        failure: BaseException | None = None,
    ) -> Webservice:
        service = cls.__new__(cls)
        service.workspace = workspace
        service.name = name
        service._config = config
        service._failure = failure
        service._endpoint = endpoint if endpoint is not None else workspace.endpoint(name)
        return service

    @staticmethod
    def list(
        workspace: Workspace, compute_type: str | None = None, **kwargs: Any
    ) -> builtins.list[Webservice]:
        return list(workspace.webservices.values())

    # ---- v1 attributes ------------------------------------------------------------------
    @property
    def state(self) -> str:
        return self._endpoint.state.value

    @property
    def scoring_uri(self) -> str:
        return self._endpoint.refresh().scoring_uri or ""

    @property
    def swagger_uri(self) -> str:
        return self.scoring_uri.rsplit("/score", 1)[0] + "/swagger.json"

    @property
    def port(self) -> int | None:
        return self._endpoint.refresh().port

    @property
    def compute_type(self) -> str:
        kind = self._config.compute_type if self._config else "local"
        return {"local": "Local", "aci": "ACI", "aks": "AKS"}[kind]

    @property
    def auth_enabled(self) -> bool:
        return self._endpoint.refresh().auth == "key"

    @property
    def tags(self) -> dict[str, str]:
        return dict(self._config.tags) if self._config else {}

    @property
    def models(self) -> builtins.list[Model]:
        from jupyter_mlws.azureml.core.model import Model

        return [Model(self.workspace, id=ref) for ref in self._endpoint.refresh().models]

    @property
    def error(self) -> str | None:
        if self._failure is not None:
            return str(self._failure)
        error = self._endpoint.refresh().error
        return str(error.get("message")) if error else None

    # ---- waiting and calling -----------------------------------------------------------
    def wait_for_deployment(
        self, show_output: bool = False, timeout_sec: float | None = None
    ) -> None:
        """Deployment finished before ``Model.deploy`` returned; this reports how."""
        state = "Failed" if self._failure is not None else self.state
        if show_output:
            print(
                f"{self.compute_type} service creation operation finished, operation "
                f'"{"Succeeded" if state == "Healthy" else "Failed"}"'
            )
        if state != "Healthy":
            detail = self.error or "the service is not running"
            if show_output:
                print(self.get_logs(num_lines=40), file=sys.stderr)
            raise WebserviceException(
                "Service deployment polling reached non-successful terminal state, current "
                f"service state: {state}\nError:\n{detail}"
            )

    def run(self, input_data: Any) -> Any:
        """``service.run(input_data=json_str)``: the body as given (a str is sent as is)."""
        body = input_data if isinstance(input_data, (str, bytes)) else json.dumps(input_data)
        key = self._endpoint.get_keys().get("primary")
        return self._endpoint.invoke(body, key=key)

    def get_logs(self, num_lines: int = 5000, init: bool = False) -> str:
        return self._endpoint.get_logs(num_lines)

    def get_keys(self) -> tuple[str | None, str | None]:
        keys = self._endpoint.get_keys()
        if not self.auth_enabled:
            raise WebserviceException(f"service {self.name!r} has no keys (auth_enabled=False)")
        return keys.get("primary"), keys.get("secondary")

    def regen_key(self, key: str, set_key: str | None = None) -> None:
        if set_key is not None:
            raise UserErrorException("set_key= is not supported: keys are generated here")
        self._endpoint.regen_key(key.lower())

    def get_token(self) -> Any:
        raise WebserviceException("token auth has no local meaning: use get_keys()")

    # ---- changing it -------------------------------------------------------------------
    def reload(self, wait: bool = False) -> None:
        """Serve the current ``score.py`` of its source folder again (a new generation)."""
        from jupyter_mlws.serving.prepare import Settings

        record = self._endpoint.refresh()
        settings = Settings.from_dict(record.config)
        self._endpoint.update(entry_script=settings.entry_script, source_dir=settings.source_dir)

    def update(
        self,
        models: Sequence[Model] | None = None,
        inference_config: InferenceConfig | None = None,
        **kwargs: Any,
    ) -> None:
        refs = [m.id for m in models] if models is not None else None
        script = folder = None
        if inference_config is not None:
            script, folder = inference_config.script_and_folder()
        ignored = sorted(k for k, v in kwargs.items() if v is not None)
        if ignored:
            say_once(
                "update." + ",".join(ignored), f"update({', '.join(ignored)}=…): recorded only"
            )
        self._endpoint.update(models=refs, entry_script=script, source_dir=folder)
        self._failure = None

    def delete(self) -> None:
        self._endpoint.delete()

    def serialize(self) -> dict[str, Any]:
        record = self._endpoint.refresh()
        return {
            "name": self.name,
            "state": record.state.value,
            "scoringUri": record.scoring_uri,
            "computeType": self.compute_type,
            "models": list(record.models),
        }

    def __repr__(self) -> str:
        return (
            f"{self.compute_type}Webservice(workspace={self.workspace.name!r}, "
            f"name={self.name}, state={self.state}, scoring_uri={self.scoring_uri})"
        )


def deploy(
    workspace: Workspace,
    name: str,
    models: Sequence[Model],
    inference_config: InferenceConfig | None,
    deployment_config: DeploymentConfiguration | None,
    overwrite: bool = False,
    show_output: bool = False,
) -> Webservice:
    """A local endpoint for a v1 deployment, with v1's scoring contract."""
    from jupyter_mlws.serving import EndpointStartError

    if inference_config is None:
        raise UserErrorException("Model.deploy needs inference_config=InferenceConfig(...)")
    config = deployment_config or DeploymentConfiguration("local")
    config.validate()
    if config.compute_type != "local":
        say_once(
            "deploy." + config.compute_type,
            f"{config.compute_type.upper()} deployment: served as a local endpoint on this "
            "machine; cpu_cores/memory_gb are recorded, not enforced",
        )
    if overwrite and name in {r.name for r in workspace.endpoints()}:
        workspace.endpoint(name).delete()
    script, folder = inference_config.script_and_folder()
    try:
        endpoint = workspace.deploy(
            name,
            [m.id for m in models],
            entry_script=script,
            source_dir=folder,
            workers=config.replicas,
            port=config.port,
            auth=config.auth,
            timeout_s=config.timeout_s,
            contract=V1_CONTRACT,
            environment=native_environment(workspace, inference_config.environment),
        )
    except EndpointStartError as exc:  # v1 reports it from wait_for_deployment
        return Webservice._made(workspace, name, None, config, failure=exc)
    service = Webservice._made(workspace, name, endpoint, config)
    if show_output:
        service.wait_for_deployment(show_output=True)
    return service
