"""The model registry (below tracking: it takes a store and a blob store)."""

from jupyter_mlws.registry.refs import (
    ModelRef,
    parse_model_ref,
    validate_alias,
    validate_model_name,
)
from jupyter_mlws.registry.registry import ModelRegistry

__all__ = ["ModelRef", "ModelRegistry", "parse_model_ref", "validate_alias", "validate_model_name"]
