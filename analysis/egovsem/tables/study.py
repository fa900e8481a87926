"""The standard set of tables for one hypothesis model, in the order of a paper's results section."""
from __future__ import annotations

from typing import Any

import pandas as pd

from .builders import (
    correlation_table,
    fit_table,
    htmt_table,
    hypotheses_table,
    indirect_table,
    measurement_table,
    model_constructs,
    sample_table,
)
from .table import Table

__all__ = ["cfa_syntax", "model_tables"]


def cfa_syntax(fit_or_constructs) -> str:
    """lavaan syntax of the measurement model (the ``=~`` blocks) of a fitted model or ``{factor: items}``.

    >>> cfa_syntax({"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]})
    'A =~ a1 + a2 + a3\\nB =~ b1 + b2 + b3\\n'
    """
    blocks = fit_or_constructs if isinstance(fit_or_constructs, dict) else model_constructs(fit_or_constructs)
    return "".join(f"{f} =~ {' + '.join(items)}\n" for f, items in blocks.items())


def _measure_parts(cfa, data):
    """Reliability table and HTMT from egovsem.measure (None, None when it is unavailable)."""
    try:
        from ..measure import htmt, reliability_table
    except ImportError:  # pragma: no cover - egovsem.measure ships with the package
        return None, None
    blocks = model_constructs(cfa)
    items = {f: [i for i in its if i in data.columns] for f, its in blocks.items()}
    rel = reliability_table(cfa, data)
    # a FIML fit: the HTMT of the EM correlations (semTools::htmt(missing = "ml")), as the fit used every row
    miss = "ml" if getattr(cfa, "missing", "listwise") in ("fiml", "ml") else "listwise"
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
    ``sample`` (columns of ``data``, see :func:`sample_table`; category names from ``instrument``) puts the
    sample characteristics first; ``levels`` (column -> code -> name) names its categories where ``instrument``
    does not. ``expected`` (label -> "+" or "-") gives the hypotheses' expected signs; by default they are read
    from ``# sign: -`` comments of ``model`` (:func:`egovsem.tables.signs.expected_signs`), else positive.
    """
    from ..sem import cfa as _cfa
    from ..sem import sem as _sem
    from ..sem.checks import require_converged

    if fit is None:
        fit = _sem(model, data, **sem_options)
    require_converged(fit, "model_tables", title=model_name[0] if isinstance(model_name, tuple) else model_name)
    if cfa_fit is None:
        cfa_fit = _cfa(cfa_syntax(fit), data, **sem_options)
    require_converged(cfa_fit, "model_tables", title="measurement model (CFA)")
    rel, ht = _measure_parts(cfa_fit, data)
    tables = [sample_table(data, sample, instrument=instrument, levels=levels, note=note)] if sample else []
    tables += [measurement_table(cfa_fit, rel, labels=labels, note=note),
              correlation_table(cfa_fit, data=data, ave=rel, labels=labels, note=note)]
    if ht is not None:
        n_ht = ht.attrs.get("n")
        hnote = ((f"HTMT from the correlations of the saturated model estimated by full-information maximum "
                  f"likelihood (EM) over all {n_ht} respondents.",
                  f"HTMT基于以全信息极大似然（EM）估计的饱和模型相关矩阵，纳入全部{n_ht}名受访者。")
                 if ht.attrs.get("missing") == "ml" else
                 (f"HTMT from the {n_ht} cases complete on every item (listwise deletion).",
                  f"HTMT基于所有题项均完整的{n_ht}个个案（列删）。"))
        tables.append(htmt_table(ht, labels=labels, note=note).with_note(hnote))
    name = model_name or ("Structural model", "结构模型")
    if isinstance(name, str):
        name = (name, name)
    structural = bool((fit.params["op"] == "~").any())
    fits = {("Measurement model (CFA)", "测量模型（CFA）"): cfa_fit}
    if structural:
        fits[name] = fit
    tables.append(fit_table(fits, note=note))
    if structural:
        if expected is None and isinstance(model, str):
            from .signs import expected_signs

            expected = expected_signs(model) or None
        tables.append(hypotheses_table(fit, expected=expected, labels=labels, note=note))
    if (fit.params["op"] == ":=").any():
        tables.append(indirect_table(fit, bootstrap=bootstrap, ci_method=ci_method, labels=labels, note=note))
    return [t.with_number(first_number + i) for i, t in enumerate(tables)]
