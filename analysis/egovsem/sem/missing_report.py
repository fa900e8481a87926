"""What is missing, and whether it looks completely at random: the report a FIML analysis needs.

* percent missing per variable;
* the pattern table (1 = observed, 0 = missing; one row per pattern with its count), as
  ``lavInspect(fit, "patterns")``;
* covariance coverage: the share of rows observing both variables of each pair (``lavInspect(fit, "coverage")``);
* Little's (1988) MCAR test: ``d2 = sum_j n_j (ybar_j - mu_j)' Sigma_jj^-1 (ybar_j - mu_j)`` over the
  missing-data patterns j, with the ML (EM) estimates ``mu, Sigma`` restricted to the pattern's observed
  variables; ``df = sum_j p_j - p``; p-value from the chi-square distribution.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

__all__ = ["MissingReport", "missing_report", "little_mcar"]


@dataclass(frozen=True)
class MissingReport:
    percent_missing: pd.Series
    patterns: pd.DataFrame
    coverage: pd.DataFrame
    mcar: dict

    def to_dict(self) -> dict:
        return {
            "percent_missing": {k: float(v) for k, v in self.percent_missing.items()},
            "patterns": self.patterns.to_dict(orient="records"),
            "coverage": {r: {c: float(v) for c, v in row.items()} for r, row in self.coverage.iterrows()},
            "little_mcar": self.mcar,
        }


def little_mcar(X: np.ndarray, Sigma: np.ndarray, mu: np.ndarray) -> dict:
    """Little's MCAR test from the data ``X`` (NaN = missing) and the EM estimates ``Sigma, mu``."""
    M = ~np.isnan(X)
    keys, inverse = np.unique(M, axis=0, return_inverse=True)
    d2, df = 0.0, -X.shape[1]
    for j, key in enumerate(keys):
        obs = np.flatnonzero(key)
        if obs.size == 0:
            continue
        rows = X[inverse.ravel() == j][:, obs]
        diff = rows.mean(axis=0) - mu[obs]
        d2 += rows.shape[0] * diff @ np.linalg.solve(Sigma[np.ix_(obs, obs)], diff)
        df += obs.size
    p = float(special.chdtrc(df, d2)) if df > 0 else float("nan")
    return {"statistic": float(d2), "df": int(df), "pvalue": p, "n_patterns": int(len(keys))}


def missing_report(X: np.ndarray, names, Sigma: np.ndarray, mu: np.ndarray) -> MissingReport:
    M = ~np.isnan(X)
    pct = pd.Series(100.0 * (1 - M.mean(axis=0)), index=list(names), name="percent_missing")
    keys, counts = np.unique(M.astype(int), axis=0, return_counts=True)
    order = np.lexsort(tuple(keys.T[::-1]))[::-1]
    pat = pd.DataFrame(keys[order], columns=list(names))
    pat.insert(0, "n", counts[order])
    pat = pat.sort_values("n", ascending=False, kind="stable").reset_index(drop=True)
    cov = pd.DataFrame((M.T.astype(float) @ M.astype(float)) / X.shape[0], index=list(names), columns=list(names))
    return MissingReport(pct, pat, cov, little_mcar(X, Sigma, mu))
