"""Fit a hypothesis model and its CFA, compute reliability and HTMT, and build the paper's standard tables.

This is the orchestration behind ``egovsem tables`` and :func:`egovsem.tables.model_tables` (which forwards
here): the builders of :mod:`egovsem.tables` take the fits and the computed measures as plain inputs and
never fit a model themselves.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from ..measure import htmt, reliability_table
from ..sem import cfa, sem
from ..sem.checks import require_converged
from ..tables import Table, cfa_syntax, model_constructs
from ..tables.study import standard_tables

__all__ = ["measure_parts", "model_tables"]


def measure_parts(cfa_fit, data: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The reliability table and the HTMT (``None`` with a single construct) of a fitted CFA.

    A FIML fit gets the HTMT of the EM correlations (semTools ``htmt(missing = "ml")``), as the fit used every
    row; another fit the HTMT of the complete cases.
    """
    blocks = model_constructs(cfa_fit)
    items = {f: [i for i in its if i in data.columns] for f, its in blocks.items()}
    rel = reliability_table(cfa_fit, data)
    miss = "ml" if getattr(cfa_fit, "missing", "listwise") in ("fiml", "ml") else "listwise"
    ht = htmt(data, items, missing=miss) if len(items) > 1 else None
    return rel, ht


def model_tables(model: str, data: pd.DataFrame, *, fit=None, cfa_fit=None, bootstrap: pd.DataFrame | None = None,
                 ci_method: str | None = None, labels=None, model_name: tuple[str, str] | str | None = None,
                 sample=None, instrument=None, levels=None, expected=None, note: Any = None,
                 first_number: int = 1,
                 **sem_options) -> list[Table]:
    """Fit ``model`` and its CFA to ``data`` and build the paper's tables, numbered from ``first_number``.

    Tables: measurement model (loadings, alpha, CR, AVE), descriptives and latent correlations (sqrt(AVE)
    diagonal), HTMT, fit (CFA and structural model), hypotheses, indirect effects (when the model has ``:=``
    rows). ``fit`` / ``cfa_fit`` skip the fitting when given; ``sem_options`` go to :func:`egovsem.sem`.
    ``sample`` (columns of ``data``, see :func:`egovsem.tables.sample_table`; category names from
    ``instrument``) puts the sample characteristics first; ``levels`` (column -> code -> name) names its
    categories where ``instrument`` does not. ``labels`` names the constructs (default: ``instrument``'s
    constructs when one is given, else codes only; :func:`egovsem.instruments.study_labels` gives the bundled
    questionnaire's names). ``expected`` (label -> "+" or "-") gives the hypotheses' expected signs; by default
    they are read from ``# sign: -`` comments of ``model`` (:func:`egovsem.tables.signs.expected_signs`), else
    positive. The tables themselves are :func:`egovsem.tables.study.standard_tables`.
    """
    if fit is None:
        fit = sem(model, data, **sem_options)
    require_converged(fit, "model_tables", title=model_name[0] if isinstance(model_name, tuple) else model_name)
    if cfa_fit is None:
        cfa_fit = cfa(cfa_syntax(fit), data, **sem_options)
    require_converged(cfa_fit, "model_tables", title="measurement model (CFA)")
    rel, ht = measure_parts(cfa_fit, data)
    return standard_tables(fit, cfa_fit, data=data, reliability=rel, htmt=ht, model=model, bootstrap=bootstrap,
                           ci_method=ci_method, labels=labels, model_name=model_name, sample=sample,
                           instrument=instrument, levels=levels, expected=expected, note=note,
                           first_number=first_number)
