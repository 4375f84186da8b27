"""``azureml.core.webservice``: ``Webservice`` and the Local/ACI/AKS deployment configs.

Every kind maps to a local endpoint (a scoring service on this machine) with v1's
defaults: local and ACI have no key unless ``auth_enabled=True``; AKS has key auth on
by default. Services without a key listen on the loopback interface only.
"""

from jupyter_mlws.azureml.core.webservice.config import (
    AciServiceDeploymentConfiguration,
    AciWebservice,
    AksServiceDeploymentConfiguration,
    AksWebservice,
    DeploymentConfiguration,
    LocalWebservice,
    LocalWebserviceDeploymentConfiguration,
)
from jupyter_mlws.azureml.core.webservice.webservice import Webservice, deploy

__all__ = [
    "AciServiceDeploymentConfiguration",
    "AciWebservice",
    "AksServiceDeploymentConfiguration",
    "AksWebservice",
    "DeploymentConfiguration",
    "LocalWebservice",
    "LocalWebserviceDeploymentConfiguration",
    "Webservice",
    "deploy",
]
