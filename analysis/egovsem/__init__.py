"""egovsem: survey and structural-equation toolkit for e-government research.

The SEM engine reads lavaan syntax and reproduces lavaan's estimates, standard errors and fit measures;
``egovsem.pls`` estimates PLS path models (PLS-SEM, PLSc) on the same syntax and reproduces seminr.
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

# The engines (numpy, pandas, scipy) are imported on first use, so that ``egovsem --help`` and the error
# classes load in milliseconds. ``egovsem.sem`` is the CB-SEM package, and calling it is lavaan's sem()
# (see egovsem/sem/__init__.py); ``egovsem.pls`` likewise is the PLS package, callable as pls(); so
# ``import egovsem.sem.model`` and ``import egovsem.pls.fit`` keep working.
_LAZY = {"Model": "sem", "Results": "sem", "cfa": "sem", "sem": "sem", "growth": "sem", "lavaan": "sem",
         "simulate_data": "sem", "pls": "pls", "PLSResults": "pls"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        pkg = importlib.import_module("." + _LAZY[name], __name__)
        value = pkg if name == _LAZY[name] else getattr(pkg, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'egovsem' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "__version__",
    "sem",
    "cfa",
    "growth",
    "lavaan",
    "Model",
    "Results",
    "simulate_data",
    "pls",
    "PLSResults",
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
