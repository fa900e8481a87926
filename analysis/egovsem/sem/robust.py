"""Robust corrections: MLR's sandwich standard errors, the Yuan-Bentler (Mplus variant) scaled test,
and the FIML-corrected robust CFI/TLI/RMSEA (Zhang & Savalei's "FIML-C"), as lavaan 0.6 computes them.

All information matrices here are totals over rows (not per observation); traces are scale free.

* sandwich: ``vcov = A^-1 B0 A^-1`` with ``A`` the observed information and ``B0`` the score cross-product.
* Yuan-Bentler (Mplus): ``trace_h1 = tr(B1 A1^-1)`` for the unrestricted model at its estimates,
  ``trace_h0 = tr(B0 A^-1)``; scaling factor ``c = (trace_h1 - trace_h0) / df``; ``chisq.scaled = chisq / c``.
* FIML-C: with ``Wm`` the observed information of the unrestricted model under missing data, ``Wc`` the
  complete-data information at the EM moments, ``Jm`` the unrestricted score cross-product,
  ``XX3`` the complete-data chi-square of the FIML estimates against the EM moments, and
  ``c3 = k / df`` with ``k`` from :func:`fiml_corrected_k` (V6 for ML, V3 for MLR).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .casewise import Casewise, casewise_pd, expected_information_phi, saturated_crossproduct, saturated_hessian

__all__ = ["UnrestrictedInfo", "unrestricted_info", "complete_information_phi", "ml_discrepancy",
           "yb_traces", "fiml_corrected_k", "saturated_coords"]


@dataclass
class UnrestrictedInfo:
    """Observed information (A1) and score cross-product (B1) of the unrestricted model at its estimates."""

    A1: np.ndarray
    B1: np.ndarray
    idx: np.ndarray  # which saturated coordinates are in use (all, or vech only without a mean structure)


def saturated_coords(p: int, meanstructure: bool, xi=()) -> np.ndarray:
    """Saturated coordinates in use: without a mean structure no means; under fixed.x not the covariates'
    own moments (lavaan zeroes those rows of the unrestricted information and drops them)."""
    from .casewise import vech_indices

    vi, vj = vech_indices(p)
    xs = set(xi)
    keep_mu = [i for i in range(p) if meanstructure and i not in xs]
    keep_v = [p + k for k, (a, b) in enumerate(zip(vi, vj)) if not (a in xs and b in xs)]
    return np.array(keep_mu + keep_v, dtype=int)


_coords = saturated_coords  # the former private name


def unrestricted_info(rows, Sigma: np.ndarray, mu: np.ndarray, meanstructure: bool, xi=()) -> UnrestrictedInfo:
    cw = casewise_pd(rows.X0, rows.M, Sigma, mu, rows.w)
    idx = saturated_coords(Sigma.shape[0], meanstructure, xi)
    A1 = -saturated_hessian(cw)[np.ix_(idx, idx)]
    return UnrestrictedInfo(A1, saturated_crossproduct(cw, idx, rows.cluster), idx)


def complete_information_phi(Sigma: np.ndarray) -> np.ndarray:
    """Per-observation complete-data information of [mu, vech Sigma] at Sigma (mean block Sigma^-1)."""
    W = np.linalg.inv(Sigma)
    p = Sigma.shape[0]
    cw = Casewise(W[None, :, :], np.zeros((1, p)), np.zeros(1))
    return expected_information_phi(cw)


def ml_discrepancy(S: np.ndarray, xbar: np.ndarray, Sigma: np.ndarray, mu: np.ndarray, meanstructure: bool) -> float:
    """lavaan's F_ML (times two): log|Sigma| + tr(S Sigma^-1) - log|S| - p [+ mean part]."""
    W = np.linalg.inv(Sigma)
    f = np.linalg.slogdet(Sigma)[1] + np.sum(S * W) - np.linalg.slogdet(S)[1] - S.shape[0]
    if meanstructure:
        d = xbar - mu
        f += d @ W @ d
    return float(f)


def yb_traces(h1: UnrestrictedInfo, A: np.ndarray, B0: np.ndarray) -> tuple[float, float]:
    """(trace_h1, trace_h0) of the Yuan-Bentler (Mplus) correction."""
    t1 = float(np.sum(h1.B1 * np.linalg.inv(h1.A1).T))
    t0 = float(np.sum(B0 * np.linalg.inv(A).T))
    return t1, t0


def fiml_corrected_k(*, Wc: np.ndarray, Wm: np.ndarray, Jm: np.ndarray | None, D: np.ndarray,
                     version: str) -> float:
    """The trace k of FIML-C as lavaan 0.6-14 computes it (per-observation matrices; ``D`` is the model
    Jacobian (q, nphi)). ``E = D Wm D'`` (observed information of the "h1" kind at the EM moments) and
    ``U = Wm - Wm D' E^-1 D Wm``; V6: ``tr(Wc Wm^-1 U Wm^-1)``; V3: ``tr(U Wm^-1 Wc Wm^-1 U G)`` with
    ``G = Wm^-1 Jm Wm^-1``."""
    Wmi = np.linalg.inv(Wm)
    E = D @ Wm @ D.T
    WD = Wm @ D.T
    U = Wm - WD @ np.linalg.solve(E, WD.T)
    if version == "V6":
        return float(np.trace(Wc @ Wmi @ U @ Wmi))
    G = Wmi @ Jm @ Wmi
    return float(np.trace(U @ Wmi @ Wc @ Wmi @ U @ G))
