"""PLS-SEM beside CB-SEM, on the same lavaan syntax: ``egovsem.pls(model, data)``.

``=~`` a construct in mode A, ``<~`` in mode B, ``~`` the inner model; PLSc with ``consistent=True``; the
bootstrap with ``bootstrap=B``. The numbers reproduce seminr's (its published test fixtures, in
tests/test_pls_*.py).

Modules: :mod:`~egovsem.pls.specify` (the model), :mod:`~egovsem.pls.data` (indicator data, missing values),
:mod:`~egovsem.pls.weights` (the PLS algorithm), :mod:`~egovsem.pls.consistent` (PLSc),
:mod:`~egovsem.pls.estimates` (paths, loadings, R-squared), :mod:`~egovsem.pls.reliability` (alpha, rho_A,
rho_C, AVE, HTMT, VIF, f-squared), :mod:`~egovsem.pls.bootstrap`, :mod:`~egovsem.pls.results`,
:mod:`~egovsem.pls.fit` (the entry point), :mod:`~egovsem.pls.predict` (PLSpredict),
:mod:`~egovsem.pls.hoc` (higher-order constructs), :mod:`~egovsem.pls.interactions`, :mod:`~egovsem.pls.ipma`
(``fit.ipma``), :mod:`~egovsem.pls.mga` (``fit.mga``: multi-group analysis, MICOM).
"""
from __future__ import annotations

import inspect as _inspect
import sys as _sys
import types as _types

from .fit import pls
from .mga import PLSMGA
from .predict import PLSPredict, predict_pls
from .results import PLSResults
from .specify import PLSSpec, specify

__all__ = ["pls", "PLSResults", "PLSSpec", "specify", "predict_pls", "PLSPredict", "PLSMGA"]


class _CallablePLS(_types.ModuleType):
    """The type of the ``egovsem.pls`` package: calling it fits a model with :func:`pls`."""

    def __call__(self, *args, **kwargs):
        return self.pls(*args, **kwargs)


_sys.modules[__name__].__class__ = _CallablePLS
__signature__ = _inspect.signature(pls)
