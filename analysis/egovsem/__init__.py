"""egovsem: survey and structural-equation toolkit for e-government research.

The SEM engine reads lavaan syntax and reproduces lavaan's estimates, standard errors and fit measures.
"""
from __future__ import annotations

from ._errors import (  # noqa: E402
    ConvergenceWarning,
    DataError,
    EgovsemError,
    EgovsemWarning,
    HeywoodWarning,
    IdentificationError,
    ModelSyntaxError,
    NotAvailableError,
    NotConvergedError,
)
from ._version import __version__

# The engine (numpy, pandas, scipy) is imported on first use, so that ``egovsem --help`` and the error
# classes load in milliseconds. ``egovsem.sem`` is the engine package, and calling it is lavaan's sem()
# (see egovsem/sem/__init__.py); ``import egovsem.sem.model`` keeps working.
_ENGINE = ("Model", "Results", "cfa", "sem", "simulate_data")


def __getattr__(name: str):
    if name in _ENGINE:
        import importlib

        pkg = importlib.import_module(".sem", __name__)
        value = pkg if name == "sem" else getattr(pkg, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'egovsem' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_ENGINE))


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
    "NotConvergedError",
    "EgovsemWarning",
    "ConvergenceWarning",
    "HeywoodWarning",
]
