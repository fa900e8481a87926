"""The SEM engine: lavaan syntax -> parameter table -> matrices -> estimates, fit, standardised solution.

The package is also callable: ``egovsem.sem(model, data, ...)`` is :func:`egovsem.sem.model.sem`, lavaan's
``sem()`` (the package and the function share the name, as ``lavaan::sem``).
"""
import inspect as _inspect
import sys as _sys
import types as _types

from .model import Model, cfa, growth, lavaan, sem
from .partable import build_partable, specify
from .results import Results
from .score_test import score_tests
from .simulate import simulate_data
from .syntax import parse_syntax

__all__ = ["Model", "Results", "sem", "cfa", "growth", "lavaan", "simulate_data", "parse_syntax", "build_partable",
           "specify", "score_tests"]


class _CallableEngine(_types.ModuleType):
    """The type of the ``egovsem.sem`` package: calling it fits a model with :func:`sem`."""

    def __call__(self, *args, **kwargs):
        return self.sem(*args, **kwargs)


_sys.modules[__name__].__class__ = _CallableEngine
__signature__ = _inspect.signature(sem)
