"""``azureml.core.authentication``: Azure sign-in has no local meaning.

Each class accepts v1's arguments; passing one as ``auth=`` says once that access is
local (the workspace folder's permissions, or the Jupyter server's token, decide).
"""

from __future__ import annotations

from typing import Any


class AbstractAuthentication:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        self.kwargs = {k: v for k, v in kwargs.items() if "secret" not in k and "password" not in k}

    def get_authentication_header(self) -> dict[str, str]:
        return {}


class InteractiveLoginAuthentication(AbstractAuthentication):
    pass


class ServicePrincipalAuthentication(AbstractAuthentication):
    pass


class MsiAuthentication(AbstractAuthentication):
    pass


class AzureCliAuthentication(AbstractAuthentication):
    pass


class TokenAuthentication(AbstractAuthentication):
    pass


__all__ = [
    "AbstractAuthentication",
    "AzureCliAuthentication",
    "InteractiveLoginAuthentication",
    "MsiAuthentication",
    "ServicePrincipalAuthentication",
    "TokenAuthentication",
]
