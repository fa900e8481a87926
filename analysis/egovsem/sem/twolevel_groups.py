"""Multi-group two-level SEM (lavaan 0.6-14's ``sem(model, data, cluster = , group = )``).

Every cluster lies inside one group. Without equality constraints across groups (lavaan's default; egovsem
refuses ``group_equal`` here) the groups' likelihoods are separate, so each group is fitted on its own rows
by :func:`egovsem.sem.twolevel.sem_twolevel` and the results are combined as lavaan does: parameters per
group (``block = 2 (g - 1) + level``), the test statistics, degrees of freedom, log-likelihoods and
parameter counts summed, information criteria from the sums and the total N, RMSEA with lavaan's
multi-group factor sqrt(G), and the within / between SRMR as the groups' values weighted by their share of
the observations.

The model is either one ``level: 1`` / ``level: 2`` text used for every group, or lavaan's form with a
``group: <label>`` line before each group's level blocks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._errors import DataError, EgovsemError, ModelSyntaxError, NotAvailableError
from .twolevel import TwoLevelFit, sem_twolevel, write_fit_json

__all__ = ["MultiGroupTwoLevelFit", "split_groups", "sem_twolevel_groups"]

_GROUP_RE = re.compile(r"^\s*group\s*:\s*([^#;]+?)\s*;?\s*$")


def split_groups(model: str, labels: list[str]) -> dict[str, str]:
    """The model text of each group: the whole text for every group, or the blocks after ``group: <label>``
    lines (every label of the data exactly once)."""
    lines = model.splitlines()
    heads = [(i, m.group(1).strip().strip("'\"")) for i, ln in enumerate(lines) if (m := _GROUP_RE.match(ln))]
    if not heads:
        return {g: model for g in labels}
    before = "\n".join(ln.split("#")[0] for ln in lines[:heads[0][0]]).strip()
    if before:
        raise ModelSyntaxError(f"model syntax, line 1: statements before the first 'group:' line ({before[:40]!r}); "
                               "with 'group:' blocks every statement belongs to a group.")
    out: dict[str, str] = {}
    for k, (i, lab) in enumerate(heads):
        end = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        if lab in out:
            raise ModelSyntaxError(f"model syntax, line {i + 1}: 'group: {lab}' appears twice.")
        if lab not in labels:
            raise ModelSyntaxError(f"model syntax, line {i + 1}: 'group: {lab}' is not a group of the data "
                                   f"(groups: {', '.join(labels)}).")
        out[lab] = "\n".join(lines[i + 1:end])
    missing = [g for g in labels if g not in out]
    if missing:
        raise ModelSyntaxError(f"model syntax: no 'group:' block for the groups {missing} of the data.")
    return out


def _group_labels(data: pd.DataFrame, group: str, cluster: str) -> list[str]:
    if group not in data.columns:
        raise DataError(f"group = {group!r}: no such column in the data.")
    g = data[group]
    if g.isna().any():
        rows = [int(r) + 1 for r in np.flatnonzero(g.isna().to_numpy())[:10]]
        raise DataError(f"group = {group!r}: missing group values in data rows {rows}.")
    if cluster in data.columns:
        per = data.groupby(cluster, sort=False)[group].nunique()
        bad = per[per > 1]
        if len(bad):
            cl = bad.index[0]
            rows = [int(r) + 1 for r in np.flatnonzero((data[cluster] == cl).to_numpy())[:10]]
            raise DataError(f"cluster {cl} of {cluster!r} lies in more than one group of {group!r} "
                            f"({len(bad)} cluster(s) in all; data rows {rows}): in a multi-group two-level model "
                            "every cluster belongs to one group.")
    labels = [str(v) for v in pd.unique(g)]  # lavaan: the order of first appearance
    if len(labels) < 2:
        raise DataError(f"group = {group!r} has one value ({labels[0]}); a multi-group model needs two or more.")
    return labels


@dataclass
class MultiGroupTwoLevelFit:
    """A multi-group two-level fit: one :class:`TwoLevelFit` per group and the combined fit measures."""

    fits: list[TwoLevelFit]
    group: str
    group_labels: list[str]
    fit_measures: pd.Series
    cluster: str
    nobs: int
    nclusters: int

    @property
    def converged(self) -> bool:
        return all(f.converged for f in self.fits)

    @property
    def iterations(self) -> int:
        return sum(f.iterations for f in self.fits)

    def parameter_estimates(self, level: float = 0.95) -> pd.DataFrame:
        """lavaan's ``parameterEstimates()`` with the ``group`` column (the group's label) and lavaan's blocks
        (``2 (g - 1) + level``)."""
        parts = []
        for k, (lab, f) in enumerate(zip(self.group_labels, self.fits)):
            pe = f.parameter_estimates(level)
            pe["block"] = 2 * k + pe["level"].astype(int)
            pe.insert(4, "group", lab)
            parts.append(pe)
        return pd.concat(parts, ignore_index=True)

    def inspect(self, what: str):
        """``lavInspect`` per group (a dict keyed by the group labels) for every ``what`` of
        :meth:`TwoLevelFit.inspect`; ``group.label`` and ``ngroups`` for the groups themselves."""
        w = what.lower()
        if w == "group.label":
            return list(self.group_labels)
        if w == "ngroups":
            return len(self.fits)
        if w == "converged":
            return self.converged
        return {lab: f.inspect(what) for lab, f in zip(self.group_labels, self.fits)}

    def summary(self) -> str:
        """A plain-text summary: the combined test and each group's summary."""
        fm = self.fit_measures
        out = [f"Two-level ML, {len(self.fits)} groups ({self.group}), cluster = {self.cluster}: {self.nobs} "
               f"observations in {self.nclusters} clusters",
               f"  chisq = {fm['chisq']:.3f}, df = {int(fm['df'])}, p = {fm['pvalue']:.3f}, CFI = {fm['cfi']:.3f}, "
               f"RMSEA = {fm['rmsea']:.3f}", ""]
        for lab, f in zip(self.group_labels, self.fits):
            out += [f"Group {lab}", f.summary()]
        return "\n".join(out)

    def to_json(self, path: str) -> None:
        """Write the estimates and fit measures as JSON."""
        write_fit_json(path, self.parameter_estimates(), self.fit_measures)


def combine_fit_measures(fits: list[TwoLevelFit]) -> pd.Series:
    """lavaan's multi-group fit measures from independent groups' fits. lavaan's fmin weights each group's
    objective (which it divides by the total N) by the group's share N_g / N."""
    fm = [f.fit_measures for f in fits]
    G = len(fits)
    N = float(sum(f.nobs for f in fits))
    tot = {k: float(sum(m[k] for m in fm)) for k in ("npar", "chisq", "df", "baseline.chisq", "baseline.df", "logl",
                                                      "unrestricted.logl")}
    chisq, df, bchisq, bdf, q = tot["chisq"], tot["df"], tot["baseline.chisq"], tot["baseline.df"], tot["npar"]
    cfi_den = max(chisq - df, bchisq - bdf, 0.0)
    logl = tot["logl"]
    out = {
        "npar": q, "fmin": float(sum((f.nobs / N) ** 2 * m["fmin"] for f, m in zip(fits, fm))), "chisq": chisq, "df": df,
        "pvalue": float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan,
        "baseline.chisq": bchisq, "baseline.df": bdf,
        "baseline.pvalue": float(stats.chi2.sf(bchisq, bdf)) if bdf > 0 else np.nan,
        "cfi": 1.0 - max(chisq - df, 0.0) / cfi_den if cfi_den > 0 else 1.0,
        "tli": ((bchisq / bdf - chisq / df) / (bchisq / bdf - 1.0)) if df > 0 and bdf > 0 else np.nan,
        "logl": logl, "unrestricted.logl": tot["unrestricted.logl"],
        "aic": -2 * logl + 2 * q, "bic": -2 * logl + q * np.log(N), "ntotal": N,
        "bic2": -2 * logl + q * np.log((N + 2) / 24),
        "rmsea": float(np.sqrt(G) * np.sqrt(max(chisq - df, 0.0) / (df * N))) if df > 0 else 0.0,
        "srmr_within": float(sum(f.nobs / N * m["srmr_within"] for f, m in zip(fits, fm))),
        "srmr_between": float(sum(f.nobs / N * m["srmr_between"] for f, m in zip(fits, fm))),
    }
    out["srmr"] = out["srmr_within"] + out["srmr_between"]
    return pd.Series(out)


def sem_twolevel_groups(model: str, data: pd.DataFrame, *, cluster: str, group: str, group_equal: Any = None,
                        **kwargs: Any) -> MultiGroupTwoLevelFit:
    """Fit a two-level model in every group of ``group`` (see the module docstring).

    Parameters
    ----------
    model : str
        ``level:`` blocks used for every group, or ``group: <label>`` lines each followed by level blocks.
    data : pandas.DataFrame
        One row per level-1 unit.
    cluster, group : str
        The columns of cluster identifiers and of group values.
    group_equal : None
        Equality constraints across groups are not available for two-level models.
        ``fiml=True`` (``missing = "ml"``) is refused too: lavaan 0.6-14's multi-group two-level FIML results
        are inconsistent, so there is no reference.
    **kwargs
        Passed to :func:`egovsem.sem.twolevel.sem_twolevel` (std_lv, fixed_x, iter_max, fiml).

    Returns
    -------
    MultiGroupTwoLevelFit
    """
    if kwargs.get("fiml"):
        raise NotAvailableError(
            "missing = 'ml' with group = and a two-level model is not available: lavaan 0.6-14's own results there "
            "are inconsistent (chi-square 0, the same fixed covariate moments in both groups; "
            "tests/reference/make_reference_twolevel_groups.R), so egovsem has no reference to match. Fit each "
            f"group's rows separately with missing = 'ml', or use the default listwise deletion with group = {group!r}.")
    if group_equal:
        raise EgovsemError(f"group_equal = {group_equal!r} is not available for a multi-group two-level model: "
                           "every parameter is free in each group (lavaan's default); leave it out.")
    labels = _group_labels(data, group, cluster)
    texts = split_groups(model, labels)
    key = data[group].astype(str)
    fits = []
    for lab in labels:
        try:
            fits.append(sem_twolevel(texts[lab], data[key == lab], cluster=cluster, **kwargs))
        except EgovsemError as e:
            raise type(e)(f"group {lab!r} of {group!r}: {e}") from None
    return MultiGroupTwoLevelFit(fits, group, labels, combine_fit_measures(fits), cluster,
                                 sum(f.nobs for f in fits), sum(f.nclusters for f in fits))
