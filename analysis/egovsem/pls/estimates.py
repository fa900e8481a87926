"""Estimates of a PLS path model from its outer weights: loadings, construct correlations, paths, R-squared.

The paths of each endogenous construct are the least-squares regression of its score on the scores of its
predecessors (all scores standardised, so the coefficients come from the construct correlations); R-squared
is ``1 - 1 / [C_sub^-1]_jj`` over the construct and its predecessors, adjusted R-squared
``1 - (1 - R2)(N - 1)/(N - k - 1)``. The loadings are the correlations of each indicator with its construct
score. Under PLSc (``consistent=True``) the paths and R-squared come from the corrected correlations and the
mode-A loadings from rho_A (:mod:`egovsem.pls.consistent`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._errors import EgovsemError
from .consistent import consistent_loadings, corrected_correlations, rho_a
from .weights import MAX_ITER, STOP_CRITERION, OuterWeights, Structure, outer_weights

__all__ = ["Estimates", "estimate", "path_coefficients", "total_effects"]


@dataclass(frozen=True)
class Estimates:
    """One PLS solution (all arrays indexed by ``spec.indicators`` / ``spec.constructs``)."""

    weights: OuterWeights
    W: np.ndarray          # (p, K) outer weights
    L: np.ndarray          # (p, K) loadings (PLSc-corrected for mode A when consistent)
    C: np.ndarray          # (K, K) correlations of the construct scores
    Cm: np.ndarray         # (K, K) the correlations the paths come from (C, or corrected under PLSc)
    B: np.ndarray          # (K, K) path coefficients, B[i, j] for i -> j
    r2: np.ndarray         # (K,) R-squared (NaN for exogenous constructs)
    r2_adj: np.ndarray     # (K,)
    rho_a: np.ndarray      # (K,)
    consistent: bool


def path_coefficients(Cm: np.ndarray, st: Structure, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Paths, R-squared and adjusted R-squared from construct correlations ``Cm``."""
    K = Cm.shape[0]
    B = np.zeros((K, K))
    r2 = np.full(K, np.nan)
    r2_adj = np.full(K, np.nan)
    for j, pred in enumerate(st.predecessors):
        if not pred.size:
            continue
        sub = np.r_[pred, j]
        B[pred, j] = np.linalg.solve(Cm[np.ix_(pred, pred)], Cm[pred, j])
        inv = np.linalg.inv(Cm[np.ix_(sub, sub)])
        r2[j] = 1.0 - 1.0 / inv[-1, -1]
        r2_adj[j] = 1.0 - (1.0 - r2[j]) * (n - 1) / (n - pred.size - 1)
    return B, r2, r2_adj


def total_effects(B: np.ndarray) -> np.ndarray:
    """Total effects ``B + B^2 + ...`` of a recursive inner model (``(I - B)^-1 - I``)."""
    K = B.shape[0]
    return np.linalg.inv(np.eye(K) - B) - np.eye(K)


def estimate(R: np.ndarray, st: Structure, n: int, *, weighting: str = "path", consistent: bool = False,
             max_iter: int = MAX_ITER, stop_criterion: float = STOP_CRITERION) -> Estimates:
    """Fit the PLS (or PLSc) model to the indicator correlations ``R`` of ``n`` rows."""
    ow = outer_weights(R, st, weighting, max_iter=max_iter, stop_criterion=stop_criterion)
    W = ow.W
    L = (R @ W) * st.mask
    C = W.T @ R @ W
    rho = rho_a(R, W, st)
    if consistent:
        if np.any(~np.isfinite(rho)) or np.any(rho <= 0):
            bad = [c for c, r in zip(st.spec.constructs, rho) if not (np.isfinite(r) and r > 0)]
            raise EgovsemError(f"PLSc (consistent=True) needs a positive rho_A for every construct; rho_A of "
                               f"{bad} is {[float(r) for r, c in zip(rho, st.spec.constructs) if c in bad]}.")
        Cm = corrected_correlations(C, rho)
        L = consistent_loadings(L, W, rho, st)
    else:
        Cm = C
    B, r2, r2_adj = path_coefficients(Cm, st, n)
    return Estimates(ow, W, L, C, Cm, B, r2, r2_adj, rho, bool(consistent))
