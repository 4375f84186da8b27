"""GPU utilisation and memory per device through NVIDIA's management library.

``nvidia-ml-py`` (module ``pynvml``) is optional and loaded on first use; no library,
no driver or no device all mean "no GPU metrics", never an error.
"""

from __future__ import annotations

import contextlib
from typing import Any

MB = 1024 * 1024


class Gpus:
    def __init__(self) -> None:
        self._nvml: Any = None
        self._handles: list[Any] = []
        try:
            import pynvml

            pynvml.nvmlInit()
            count = pynvml.nvmlDeviceGetCount()
            self._handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
            self._nvml = pynvml
        except Exception:  # ImportError, NVMLError (no driver, no device): no GPU metrics
            self._handles = []

    @property
    def count(self) -> int:
        return len(self._handles)

    def sample(self) -> list[tuple[float, float]]:
        """(utilisation %, memory used MB) per device."""
        found = []
        for handle in self._handles:
            with contextlib.suppress(Exception):
                util = self._nvml.nvmlDeviceGetUtilizationRates(handle)
                memory = self._nvml.nvmlDeviceGetMemoryInfo(handle)
                found.append((float(util.gpu), memory.used / MB))
        return found

    def close(self) -> None:
        if self._nvml is not None:
            with contextlib.suppress(Exception):
                self._nvml.nvmlShutdown()
            self._nvml = None
