"""Consistent PLS (PLSc; Dijkstra & Henseler 2015): correct the mode-A constructs for attenuation by rho_A.

With the PLS weights ``w`` of a block and the correlations ``S`` of its indicators,

    rho_A = (w'w)^2 * w'(S - diag S)w / w'(ww' - diag(ww'))w

is the reliability of the construct score (Dijkstra & Henseler 2015, eq. 21). PLSc divides the correlation of
two construct scores by ``sqrt(rho_A,i rho_A,j)`` (the correlation of the common factors), re-estimates the
paths and R-squared from the corrected matrix by least squares, and gives the loadings of a common factor as
``w sqrt(rho_A) / (w'w)``. Constructs in mode B (composites), single-indicator constructs keep rho_A = 1 and
their PLS loadings; the weights and construct scores are the PLS ones. This is what seminr does for its
``reflective()`` constructs.
"""
from __future__ import annotations

import numpy as np

from .weights import Structure

__all__ = ["rho_a", "block_rho_a", "corrected_correlations", "consistent_loadings"]


def block_rho_a(w: np.ndarray, S: np.ndarray) -> float:
    """rho_A of one block with weights ``w`` and indicator correlations ``S``."""
    if w.size < 2:
        return 1.0
    S0 = S - np.diag(np.diag(S))
    A0 = np.outer(w, w)
    A0 -= np.diag(np.diag(A0))
    ww = float(w @ w)
    return float(ww ** 2 * (w @ S0 @ w) / (w @ A0 @ w))


def rho_a(R: np.ndarray, W: np.ndarray, st: Structure) -> np.ndarray:
    """rho_A of every construct (1 for mode B and for single indicators)."""
    out = np.ones(len(st.blocks))
    for k, idx in enumerate(st.blocks):
        if not st.composite[k]:
            out[k] = block_rho_a(W[idx, k], R[np.ix_(idx, idx)])
    return out


def corrected_correlations(C: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Construct correlations corrected for attenuation: ``C_ij / sqrt(rho_i rho_j)``, unit diagonal."""
    adj = C / np.sqrt(np.outer(rho, rho))
    np.fill_diagonal(adj, 1.0)
    return adj


def consistent_loadings(L: np.ndarray, W: np.ndarray, rho: np.ndarray, st: Structure) -> np.ndarray:
    """Loadings with the mode-A columns replaced by ``w sqrt(rho_A) / (w'w)``."""
    out = L.copy()
    for k, idx in enumerate(st.blocks):
        if not st.composite[k]:
            w = W[idx, k]
            out[idx, k] = w * np.sqrt(rho[k]) / float(w @ w)
    return out
