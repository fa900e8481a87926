"""The standard set of tables of one hypothesis model from its fits, in the order of a paper's results section.

:func:`standard_tables` takes what is already computed (the structural fit, its CFA, the reliability table and
the HTMT); :func:`egovsem.study.model_tables.model_tables` (also :func:`egovsem.tables.model_tables`) fits the
model and its CFA, computes reliability and HTMT with :mod:`egovsem.measure` and calls it."""
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
from .signs import expected_signs
from .table import Table

__all__ = ["cfa_syntax", "htmt_note", "standard_tables"]


def cfa_syntax(fit_or_constructs) -> str:
    """lavaan syntax of the measurement model (the ``=~`` blocks) of a fitted model or ``{factor: items}``.

    >>> cfa_syntax({"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]})
    'A =~ a1 + a2 + a3\\nB =~ b1 + b2 + b3\\n'
    """
    blocks = fit_or_constructs if isinstance(fit_or_constructs, dict) else model_constructs(fit_or_constructs)
    return "".join(f"{f} =~ {' + '.join(items)}\n" for f, items in blocks.items())


def htmt_note(htmt: pd.DataFrame) -> tuple[str, str]:
    """The note of the HTMT table: which correlations it used (``htmt.attrs``: ``n``, ``missing``).

    >>> ht = pd.DataFrame([[1.0]], index=["A"], columns=["A"])
    >>> ht.attrs.update(n=300, missing="listwise")
    >>> htmt_note(ht)[0]
    'HTMT from the 300 cases complete on every item (listwise deletion).'
    """
    n_ht = htmt.attrs.get("n")
    if htmt.attrs.get("missing") == "pairwise":
        return (f"HTMT from pairwise-complete correlations (each pair of items over the rows that observe both; "
                f"{n_ht} respondents).",
                f"HTMT基于成对完整相关（每对题项使用两者均有观测的个案；{n_ht}名受访者）。")
    if htmt.attrs.get("missing") == "ml":
        return (f"HTMT from the correlations of the saturated model estimated by full-information maximum "
                f"likelihood (EM) over all {n_ht} respondents.",
                f"HTMT基于以全信息极大似然（EM）估计的饱和模型相关矩阵，纳入全部{n_ht}名受访者。")
    return (f"HTMT from the {n_ht} cases complete on every item (listwise deletion).",
            f"HTMT基于所有题项均完整的{n_ht}个个案（列删）。")


def standard_tables(fit, cfa_fit, *, data: pd.DataFrame, reliability: pd.DataFrame | None = None,
                    htmt: pd.DataFrame | None = None, model: str | None = None,
                    bootstrap: pd.DataFrame | None = None, ci_method: str | None = None, labels=None,
                    model_name: tuple[str, str] | str | None = None, sample=None, instrument=None, levels=None,
                    expected=None, note: Any = None, first_number: int = 1) -> list[Table]:
    """The paper's tables of a fitted model and its fitted CFA, numbered from ``first_number``.

    Tables: measurement model (loadings, alpha, CR, AVE), descriptives and latent correlations (sqrt(AVE)
    diagonal), HTMT (when ``htmt`` is given), fit (CFA and structural model), hypotheses, indirect effects
    (when the model has ``:=`` rows). Nothing is fitted or computed here: ``reliability`` is the output of
    :func:`egovsem.measure.reliability_table` of ``cfa_fit`` and ``htmt`` that of :func:`egovsem.measure.htmt`;
    ``data`` gives the descriptives (and the sample characteristics). ``sample`` (columns of ``data``, see
    :func:`sample_table`; category names from ``instrument``) puts the sample characteristics first; ``levels``
    (column -> code -> name) names its categories where ``instrument`` does not. ``labels`` names the
    constructs (default: ``instrument``'s constructs when one is given, else codes only). ``expected`` (label
    -> "+" or "-") gives the hypotheses' expected signs; by default they are read from ``# sign: -`` comments
    of ``model`` (the lavaan syntax, :func:`egovsem.tables.signs.expected_signs`), else positive.
    """
    if labels is None and instrument is not None:
        labels = instrument
    tables = [sample_table(data, sample, instrument=instrument, levels=levels, note=note)] if sample else []
    tables += [measurement_table(cfa_fit, reliability, labels=labels, note=note),
               correlation_table(cfa_fit, data=data, ave=reliability, labels=labels, note=note)]
    if htmt is not None:
        tables.append(htmt_table(htmt, labels=labels, note=note).with_note(htmt_note(htmt)))
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
            expected = expected_signs(model) or None
        tables.append(hypotheses_table(fit, expected=expected, labels=labels, note=note))
    if (fit.params["op"] == ":=").any():
        tables.append(indirect_table(fit, bootstrap=bootstrap, ci_method=ci_method, labels=labels, note=note))
    return [t.with_number(first_number + i) for i, t in enumerate(tables)]
