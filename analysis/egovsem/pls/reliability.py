"""Quality criteria of a PLS solution: reliability (alpha, rho_C, AVE, rho_A), HTMT, VIF and f-squared.

As seminr computes them (Hair et al. 2017; Henseler, Ringle & Sarstedt 2015):

* Cronbach's alpha from the indicator correlations, ``k/(k-1) (1 - k / sum R_b)``;
* rho_C (Dillon-Goldstein) ``(sum l)^2 / ((sum l)^2 + sum(1 - l^2))`` and AVE ``mean(l^2)`` from the loadings
  as reported (the PLSc loadings under ``consistent=True``);
* rho_A (Dijkstra & Henseler 2015) from the outer weights (:mod:`egovsem.pls.consistent`);
* a single-indicator construct has alpha = rho_C = AVE = rho_A = 1; for a mode-B (formative) construct the
  reflective criteria are not defined: egovsem reports NaN for alpha, rho_C and AVE (seminr prints the
  formulas' values) and rho_A = 1 (the value PLSc uses);
* HTMT: the mean absolute between-block indicator correlation over the geometric mean of the two blocks' mean
  absolute within-block correlations (a single-indicator block counts 1);
* indicator VIF: ``diag(R_b^-1)`` of each block; antecedent VIF: ``diag(C_p^-1)`` of the PLS construct-score
  correlations of each endogenous construct's predecessors (NaN for a single predictor);
* f-squared of a path ``X -> Y``: ``(R2_with - R2_without) / (1 - R2_with)``, where R2_without comes from
  re-estimating the whole model without the path (0 when Y has no other predictor).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .estimates import Estimates, estimate
from .specify import PLSSpec
from .weights import Structure, structure

__all__ = ["reliability_table", "htmt_matrix", "htmt_pairs", "item_vifs", "antecedent_vifs", "f_squared",
           "RELIABILITY_COLUMNS"]

RELIABILITY_COLUMNS = ["alpha", "rhoC", "AVE", "rhoA"]


def _alpha(Rb: np.ndarray) -> float:
    k = Rb.shape[0]
    return float(k / (k - 1) * (1.0 - k / Rb.sum()))


def reliability_table(R: np.ndarray, est: Estimates, st: Structure) -> pd.DataFrame:
    """alpha, rhoC, AVE, rhoA by construct."""
    rows = []
    for k, idx in enumerate(st.blocks):
        if idx.size == 1:
            rows.append([1.0, 1.0, 1.0, 1.0])
            continue
        if st.composite[k]:
            rows.append([np.nan, np.nan, np.nan, 1.0])
            continue
        lam = est.L[idx, k]
        s = lam.sum()
        rows.append([_alpha(R[np.ix_(idx, idx)]), float(s ** 2 / (s ** 2 + np.sum(1 - lam ** 2))),
                     float(np.mean(lam ** 2)), float(est.rho_a[k])])
    return pd.DataFrame(rows, index=pd.Index(st.spec.constructs, name="construct"), columns=RELIABILITY_COLUMNS)


def _mean_within(A: np.ndarray, idx: np.ndarray) -> float:
    if idx.size < 2:
        return 1.0
    sub = A[np.ix_(idx, idx)]
    iu = np.triu_indices(idx.size, 1)
    return float(sub[iu].mean())


def htmt_pairs(R: np.ndarray, st: Structure) -> np.ndarray:
    """HTMT of every construct pair ``(i, j), i < j`` in construct order (a flat vector)."""
    A = np.abs(R)
    within = [_mean_within(A, idx) for idx in st.blocks]
    K = len(st.blocks)
    out = []
    for i in range(K):
        for j in range(i + 1, K):
            hetero = A[np.ix_(st.blocks[i], st.blocks[j])].mean()
            out.append(hetero / np.sqrt(within[i] * within[j]))
    return np.array(out)


def htmt_matrix(R: np.ndarray, st: Structure) -> pd.DataFrame:
    """HTMT as a construct x construct table, filled below the diagonal (row > column)."""
    names = list(st.spec.constructs)
    K = len(names)
    M = np.full((K, K), np.nan)
    vals = iter(htmt_pairs(R, st))
    for i in range(K):
        for j in range(i + 1, K):
            M[j, i] = next(vals)
    return pd.DataFrame(M, index=names, columns=names)


def item_vifs(R: np.ndarray, st: Structure) -> pd.Series:
    """VIF of every indicator within its block (1 for a single indicator), indexed ``(construct, item)``."""
    keys, vals = [], []
    for k, idx in enumerate(st.blocks):
        c = st.spec.constructs[k]
        v = np.ones(1) if idx.size == 1 else np.diag(np.linalg.inv(R[np.ix_(idx, idx)]))
        for x, val in zip(st.spec.blocks[c], v):
            keys.append((c, x))
            vals.append(float(val))
    return pd.Series(vals, index=pd.MultiIndex.from_tuples(keys, names=["construct", "indicator"]), name="VIF")


def antecedent_vifs(est: Estimates, st: Structure) -> pd.Series:
    """VIF of every predictor of each endogenous construct, indexed ``(endogenous, predictor)``."""
    keys, vals = [], []
    names = st.spec.constructs
    for j, pred in enumerate(st.predecessors):
        if not pred.size:
            continue
        v = np.full(1, np.nan) if pred.size == 1 else np.diag(np.linalg.inv(est.C[np.ix_(pred, pred)]))
        for i, val in zip(pred, v):
            keys.append((names[j], names[i]))
            vals.append(float(val))
    return pd.Series(vals, index=pd.MultiIndex.from_tuples(keys, names=["endogenous", "predictor"]), name="VIF")


def f_squared(R: np.ndarray, spec: PLSSpec, est: Estimates, n: int, **settings) -> pd.Series:
    """f-squared of every path (re-estimating the model without it), indexed ``(to, from)``."""
    cpos = {c: k for k, c in enumerate(spec.constructs)}
    pos = {x: i for i, x in enumerate(spec.indicators)}
    keys, vals = [], []
    for s, t in spec.paths:
        with_r2 = float(est.r2[cpos[t]])
        reduced = spec.without_path(s, t)
        without = 0.0
        if any(tt == t for _, tt in reduced.paths):
            st2 = structure(reduced)
            idx = np.array([pos[x] for x in reduced.indicators])
            e2 = estimate(R[np.ix_(idx, idx)], st2, n, **settings)
            without = float(e2.r2[reduced.constructs.index(t)])
        keys.append((t, s))
        vals.append((with_r2 - without) / (1.0 - with_r2))
    return pd.Series(vals, index=pd.MultiIndex.from_tuples(keys, names=["to", "from"]), name="f2")
