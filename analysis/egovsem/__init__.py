"""egovsem: survey and structural-equation toolkit for e-government research.

The SEM engine reads lavaan syntax and reproduces lavaan's estimates, standard errors and fit measures.
"""
from __future__ import annotations

__version__ = "0.1.0"

from ._errors import (  # noqa: E402
    ConvergenceWarning,
    DataError,
    EgovsemError,
    EgovsemWarning,
    HeywoodWarning,
    IdentificationError,
    ModelSyntaxError,
    NotAvailableError,
)

_LAZY = {"sem", "cfa", "Model", "Results", "simulate_data"}


def __getattr__(name: str):
    # the engine is imported on first use, so `egovsem --help` and light modules start fast
    if name in _LAZY:
        from . import sem as _sem_pkg

        return getattr(_sem_pkg, name)
    raise AttributeError(f"module 'egovsem' has no attribute {name!r}")

__all__ = [
    "__version__",
    "sem",
    "cfa",
    "Model",
    "Results",
    "simulate_data",
    "EgovsemError",
    "DataError",
    "ModelSyntaxError",
    "IdentificationError",
    "NotAvailableError",
    "EgovsemWarning",
    "ConvergenceWarning",
    "HeywoodWarning",
]
