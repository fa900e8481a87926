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


def unrestricted_info(rows, Sigma: np.ndarray, mu: np.ndarray, meanstructure: bool, xi=(), *,
                      expected: bool = False) -> UnrestrictedInfo:
    cw = casewise_pd(rows.X0, rows.M, Sigma, mu, rows.w)
    idx = saturated_coords(Sigma.shape[0], meanstructure, xi)
    A1 = (expected_information_phi(cw) if expected else -saturated_hessian(cw))[np.ix_(idx, idx)]
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


def fiml_corrected_k(*, Wc: list[np.ndarray], Wm: list[np.ndarray], Jm: list[np.ndarray] | None,
                     D: list[list[np.ndarray]], version: str,
                     Wm_inv: list[np.ndarray] | None = None,
                     W_E: list[np.ndarray] | None = None) -> list[float]:
    """The traces k of FIML-C as lavaan 0.6-14 defines them, one per Jacobian in ``D``.

    ``Wc``, ``Wm`` and ``Jm`` are the groups' blocks (each weighted by N_g / N) of block-diagonal
    per-observation matrices; ``D[t]`` is the list of the groups' column blocks of the t-th model Jacobian
    (q_t, nphi_g). lavaan writes, with the block-diagonal matrices, ``E = D Wm D'`` and
    ``U = Wm - Wm D' E^-1 D Wm``; V6: ``k = tr(Wc Wm^-1 U Wm^-1)``; V3: ``k = tr(U Wm^-1 Wc Wm^-1 U G)``
    with ``G = Wm^-1 Jm Wm^-1``. Since ``Wm^-1 U Wm^-1 = P = Wm^-1 - D' E^-1 D``, these are
    ``tr(Wc P)`` and ``tr(P Wc P Jm)``, computed here block by block and through q x q products
    (``F = E^-1``): V6 ``sum_g tr(Wc_g Wm_g^-1) - tr(F D Wc D')``; V3 ``sum_g tr(Wm_g^-1 Wc_g Wm_g^-1 Jm_g)
    - 2 tr(F D Jm Wm^-1 Wc D') + tr(F D Wc D' F D Jm D')``. The same numbers as lavaan's dense products
    (to rounding: the last digits differ), without inverting or multiplying the (G nphi)^2 matrices; the
    groups' inverses ``Wm_g^-1`` are shared by every Jacobian (``Wm_inv``: given by a caller that keeps them,
    :func:`egovsem.sem.fit_robust.fiml_corrected`, since they depend on the data only). ``W_E``: the h1 blocks
    of ``E = D W_E D'`` when they are not ``Wm`` (lavaan's E of information = "expected" or "first.order";
    then ``P = Wm^-1 - D' E^-1 D`` still).
    """
    Wmi = list(Wm_inv) if Wm_inv is not None else [np.linalg.inv(w) for w in Wm]
    if version == "V6":
        base = sum(float(np.sum(wc * wi.T)) for wc, wi in zip(Wc, Wmi))
    else:
        assert Jm is not None
        WiWc = [wi @ wc for wi, wc in zip(Wmi, Wc)]
        WiJm = [wi @ jm for wi, jm in zip(Wmi, Jm)]
        base = sum(float(np.sum(a * b.T)) for a, b in zip(WiWc, WiJm))
    out = []
    for Dt in D:
        E = sum(d @ wm @ d.T for d, wm in zip(Dt, Wm if W_E is None else W_E))
        F = np.linalg.inv(E)
        Mc = sum(d @ wc @ d.T for d, wc in zip(Dt, Wc))
        if version == "V6":
            out.append(base - float(np.sum(F * Mc.T)))
            continue
        assert Jm is not None
        Mj = sum(d @ jm @ d.T for d, jm in zip(Dt, Jm))
        # D Jm Wm^-1 Wc D' by blocks: (Wm_g^-1 Jm_g)' = Jm_g Wm_g^-1
        M2 = sum(d @ (b.T @ wc) @ d.T for d, b, wc in zip(Dt, WiJm, Wc))
        FMc = F @ Mc
        out.append(base - 2.0 * float(np.sum(F * M2.T)) + float(np.sum(FMc * (F @ Mj).T)))
    return out
