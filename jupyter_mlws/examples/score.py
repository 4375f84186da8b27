"""Scoring script of the demo model (``outputs/model.npz`` of ``train.py``).

``init()`` runs once per worker; ``run(data)`` once per request, with the parsed JSON.
"""

import json
import os
from typing import Any

import numpy as np

weights: np.ndarray
bias: float


def init() -> None:
    global weights, bias
    model = np.load(os.path.join(os.environ["MLWS_MODEL_DIR"], "model.npz"))
    weights, bias = model["w"], float(model["b"])


def run(data: Any) -> dict[str, Any]:
    """``{"data": [[x1, ..., x5], ...]}`` -> ``{"probabilities": [...], "labels": [...]}``"""
    if isinstance(data, (str, bytes)):  # an Azure ML v1 deployment passes the body as text
        data = json.loads(data)
    rows = np.asarray(data["data"] if isinstance(data, dict) else data, dtype=float)
    if rows.ndim == 1:
        rows = rows[None, :]
    if rows.ndim != 2 or rows.shape[1] != weights.shape[0]:
        raise ValueError(f"each row needs {weights.shape[0]} numbers, got shape {rows.shape}")
    probabilities = 1 / (1 + np.exp(-(rows @ weights + bias)))
    return {
        "probabilities": probabilities.round(6).tolist(),
        "labels": (probabilities > 0.5).astype(int).tolist(),
    }
