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

# as for sem: the package egovsem.pls is rebound to the function pls(); ``import egovsem.pls.fit`` still works
from .pls import PLSResults, pls  # noqa: E402,F811

# the engine package is egovsem.sem; the name egovsem.sem is then rebound to the function sem()
# (as lavaan's sem()), while ``import egovsem.sem.model`` keeps working through sys.modules
from .sem import (  # noqa: E402
    Model,
    Results,
    cfa,
    sem,  # noqa: E402,F811
    simulate_data,
)

__all__ = [
    "__version__",
    "sem",
    "cfa",
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
