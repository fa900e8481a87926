"""Scaled test statistics and the inputs of the robust fit indices, summed over groups (lavaan 0.6-14).

* Yuan-Bentler (Mplus) scaling (``test = "yuan.bentler.mplus"``): ``c = (tr_h1 - tr_h0) / df`` with
  ``tr_h1 = sum_g tr(B1_g A1_g^-1)`` (unrestricted model), ``tr_h0 = tr(B0 A^-1)`` (the model), and the
  baseline's ``cb = (tr_h1 - tr_b) / df_b``.
* FIML-C (Zhang & Savalei; lavaan's ``lav_fit_fiml_corrected``): the complete-data statistic ``XX3`` of
  the FIML estimates against the EM moments and ``c3 = k / df`` from block-diagonal h1 matrices weighted
  by ``f_g = N_g / N``. lavaan builds the complete-data information ``Wc`` from a refit with lavaan()'s
  defaults, which are fixed.x: the covariates' own moments leave ``Wc`` even when the model has
  fixed.x = FALSE (checked against lavaan, tests/reference/mgx).
* scaled-shifted (``lav_test_satorra_bentler``, WLSMV): ``a = sqrt(df / tr((U Gamma)^2))``,
  ``b = df - a tr(U Gamma)``.
* catML (Savalei 2021, ``lav_fit_catml_dwls``): the robust indices after DWLS.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .casewise import DigestCache
from .distributions import chi2_sf

__all__ = ["trace_ratio", "unrestricted_trace", "fiml_corrected", "scaled_shifted", "scaled_shifted_traces", "mean_var_adjusted",
           "catml_dwls", "fiml_yb_traces"]


def block_diag(*blocks: np.ndarray) -> np.ndarray:
    """The block-diagonal matrix of 2-D ``blocks`` (as scipy.linalg.block_diag; scipy.linalg is not
    imported for this alone: it adds 50 ms to every command's start)."""
    mats = [np.atleast_2d(np.asarray(b, dtype=float)) for b in blocks]
    out = np.zeros((sum(m.shape[0] for m in mats), sum(m.shape[1] for m in mats)))
    r = c = 0
    for m in mats:
        out[r:r + m.shape[0], c:c + m.shape[1]] = m
        r, c = r + m.shape[0], c + m.shape[1]
    return out


#: the saturated blocks of recent calls of :func:`_h1_blocks` (rows and EM moments -> Wc, Wm, Jm, Wm^-1)
H1_BLOCKS = DigestCache(8)


def trace_ratio(B: np.ndarray, A: np.ndarray) -> float:
    """``tr(B A^-1)``."""
    return float(np.sum(B * np.linalg.inv(A).T))


def unrestricted_trace(rows: Any, S: np.ndarray, xbar: np.ndarray, ms: bool, xi: list[int], *,
                       information: str = "observed") -> tuple[float, int]:
    """``tr(B1 A1^-1)`` of one group's unrestricted model at its estimates, and the size of ``A1`` (lavaan's
    h1 information of the fit's ``information`` kind, at the unrestricted moments: observed, or expected,
    which differ under missing data)."""
    from .robust import unrestricted_info

    h1 = unrestricted_info(rows, S, xbar, ms, xi, expected=information == "expected")
    return trace_ratio(h1.B1, h1.A1), int(h1.A1.shape[0])


def _h1_blocks(S: np.ndarray, xbar: np.ndarray, rows: Any, cx: np.ndarray,
               zero_x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-observation ``Wc`` (complete data at the EM moments, with the coordinates ``zero_x`` zeroed),
    ``Wm`` (observed information under missing data), ``Jm`` (score cross-product), ``Wm^-1`` and ``We``
    (expected information under missing data) of one group.

    They depend on the rows and their EM moments only, not on the model: the last few are kept
    (:data:`H1_BLOCKS`), so the models of one data set (the CFA marker sequence, the steps of an invariance
    test) compute them once."""
    from .casewise import array_digest

    key = array_digest(S, xbar, rows.X0, rows.M, rows.w, rows.cluster, cx, zero_x)
    return H1_BLOCKS.get(key, lambda: _compute_h1_blocks(S, xbar, rows, cx, zero_x))


def _compute_h1_blocks(S: np.ndarray, xbar: np.ndarray, rows: Any, cx: np.ndarray,
                       zero_x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    from .casewise import casewise, expected_information_phi, saturated_crossproduct, saturated_hessian
    from .robust import complete_information_phi

    n = rows.total
    wc = complete_information_phi(S)
    if zero_x.size:
        wc[zero_x, :] = 0.0
        wc[:, zero_x] = 0.0
    cw = casewise(rows.X0, rows.M, S, xbar, rows.w)
    if cw is None:
        raise ValueError("a covariance matrix of the fit measures is not positive definite on some rows' "
                         "observed variables")
    wm = -saturated_hessian(cw)[np.ix_(cx, cx)] / n
    jm = saturated_crossproduct(cw, cx, rows.cluster)  # a block of rows at a time
    we = expected_information_phi(cw)[np.ix_(cx, cx)] / n
    return wc[np.ix_(cx, cx)], wm, jm / n, np.linalg.inv(wm), we


def fiml_corrected(groups: list[dict[str, Any]], p: int, xi: list[int], xb: list[int],
                   version: str, *, information: str = "observed") -> tuple[float, float]:
    """FIML-C traces ``(k, k_b)`` of the model and of the baseline over groups. Each group gives ``S``,
    ``xbar`` (EM moments), ``rows``, ``fg`` (N_g / N), ``D`` (model Jacobian, q x nphi) and ``Db``.

    lavaan's ``E`` (the model's and the baseline's information, with ``h1.information = "unstructured"``) is
    of the fit's ``information`` kind: ``D Wm D'`` (observed, "h1"), ``D We D'`` (expected) or ``D Jm D'``
    (first.order), all at the EM moments."""
    from .robust import fiml_corrected_k, saturated_coords

    cx = saturated_coords(p, True, xi)
    # the covariates' own moments (means and x-x vech coordinates) in the full coordinates
    xcoords = np.setdiff1d(np.arange(p + p * (p + 1) // 2), saturated_coords(p, True, xb))
    Wc, Wm, Wmi, Jm, D, Db, WE = [], [], [], [], [], [], []
    for g in groups:
        wc, wm, jm, wmi, we = _h1_blocks(g["S"], g["xbar"], g["rows"], cx, xcoords)
        fg = g["fg"]
        Wc.append(fg * wc)
        Wm.append(fg * wm)
        WE.append(fg * {"expected": we, "first.order": jm}.get(information, wm))
        Wmi.append(wmi / fg)
        Jm.append(fg * jm)
        D.append(g["D"][:, cx])
        Db.append(g["Db"][:, cx])
    # the baseline's Jacobian is block-diagonal over groups (no parameter is shared): its group blocks are
    # each group's rows padded with zero rows for the other groups' parameters
    Db_full = block_diag(*Db)
    edges = np.cumsum([0] + [d.shape[1] for d in Db])
    Db_blocks = [Db_full[:, a:b] for a, b in zip(edges[:-1], edges[1:])]
    k, kb = fiml_corrected_k(Wc=Wc, Wm=Wm, Jm=Jm, D=[D, Db_blocks], version=version, Wm_inv=Wmi, W_E=WE)
    return k, kb


def scaled_shifted(UG: np.ndarray, X2: float, df: int) -> dict[str, float]:
    """lavaan's scaled-shifted statistic from ``U Gamma``: a, shift, scaled statistic and its p-value."""
    return scaled_shifted_traces(float(np.trace(UG)), float(np.sum(UG * UG.T)), X2, df)


def scaled_shifted_traces(tr1: float, tr2: float, X2: float, df: int) -> dict[str, float]:
    """:func:`scaled_shifted` from the traces ``tr(U Gamma)`` and ``tr((U Gamma)^2)``."""
    if df <= 0 or tr2 <= 0:
        return dict(stat=X2 if df == 0 else np.nan, a=np.nan, shift=np.nan, scaling=np.nan, pvalue=np.nan,
                    tr1=tr1, tr2=tr2)
    a = float(np.sqrt(df / tr2))
    shift = df - a * tr1
    stat = a * X2 + shift
    return dict(stat=stat, a=a, shift=shift, scaling=1.0 / a, pvalue=float(chi2_sf(df, stat)),
                tr1=tr1, tr2=tr2)


def mean_var_adjusted(UG: np.ndarray, X2: float, df: int) -> dict[str, float]:
    """lavaan's mean-and-variance adjusted (Satterthwaite) statistic from ``U Gamma``: ``df2 = tr(UG)^2 /
    tr(UG^2)`` (not rounded: lavaan rounds only with mimic = "Mplus"), ``c = tr(UG) / df2``, ``stat = X2 / c``
    on ``df2`` degrees of freedom."""
    tr1 = float(np.trace(UG))
    tr2 = float(np.sum(UG * UG.T))
    if df <= 0 or tr2 <= 0:
        return dict(stat=X2 if df == 0 else np.nan, df=np.nan, scaling=np.nan, pvalue=np.nan, tr1=tr1)
    df2 = tr1 * tr1 / tr2
    c = tr1 / df2
    if c < 0:
        return dict(stat=np.nan, df=df2, scaling=np.nan, pvalue=np.nan, tr1=tr1)
    stat = X2 / c
    return dict(stat=stat, df=df2, scaling=c, pvalue=float(chi2_sf(df2, stat)), tr1=tr1)


def catml_dwls(ost: Any, Sigma: np.ndarray, D: np.ndarray, A_inv: np.ndarray, n1: int,
               nfree_nonth: int) -> dict[str, float]:
    """XX3, c.hat3 and their baseline counterparts of lavaan's ``lav_fit_catml_dwls`` (NaN if R is not PD):
    the ML discrepancy of the polychoric matrix ``R`` at the DWLS solution, its scaling
    ``c = tr(M' V M Gamma_c) / df3`` with ``M = I - Delta_c A^-1 Delta_c' W_c`` (correlation rows only) and
    ``V`` the normal-theory weight of a correlation structure at ``Sigma``; baseline ``-N log|R|`` with
    ``c0 = tr(Gamma_c) / df0``. ``nfree_nonth``: free parameters other than thresholds."""
    N = getattr(ost, "n", ost.nobs)  # lavaan's nobs: the sum of the sampling weights, if any
    R = ost.corr
    p = R.shape[0]
    nan = dict(XX3=np.nan, df3=np.nan, c3=np.nan, XX3s=np.nan, XX3b=np.nan, df3b=np.nan, c3b=np.nan)
    if len(ost.ordered) < len(ost.names) or np.linalg.eigvalsh(R).min() < np.sqrt(np.finfo(float).eps):
        return nan  # lavaan: only for ordered items alone, and a positive definite R
    if np.linalg.eigvalsh(Sigma).min() <= 0:
        # lavaan's ML objective is infinite for a non-positive-definite implied matrix and its robust measures
        # then follow no definition we could check against it: not reported (NaN)
        return nan
    P = np.linalg.inv(Sigma)
    XX3 = N * (np.linalg.slogdet(Sigma)[1] - np.linalg.slogdet(R)[1] + np.sum(R * P) - p)
    cj, ci = np.triu_indices(p, 1)
    V = P[np.ix_(ci, ci)] * P[np.ix_(cj, cj)] + P[np.ix_(ci, cj)] * P[np.ix_(cj, ci)]
    Dc = D[n1:]
    wc = ost.wls_v_diag[n1:]
    Gc = ost.gamma[n1:, n1:]
    npc = ci.size
    M = np.eye(npc) - (Dc @ A_inv @ Dc.T) * wc[None, :]
    ks = float(np.sum((M.T @ V @ M) * Gc.T))
    df3 = npc - nfree_nonth
    c3 = ks / df3 if df3 > 0 else np.inf
    XX3b = -N * np.linalg.slogdet(R)[1]
    df3b = npc
    c3b = float(np.trace(Gc)) / df3b
    return dict(XX3=float(XX3), df3=df3, c3=c3, XX3s=float(XX3 / c3), XX3b=float(XX3b), df3b=df3b, c3b=c3b)


def fiml_yb_traces(groups: list[dict[str, Any]], xi: list[int], information: str) -> tuple[float, float, int, float]:
    """lavaan 0.6-14's Yuan-Bentler test under missing data (``missing = "ml"``, ``test = "yuan.bentler"``):
    ``(tr(U Omega), tr_h1, size of the h1 information, tr_h0)`` summed over the groups.

    Each group gives its rows, the moments of the model (``Sigma``, ``mu``: the model's, or the baseline's) and
    the unrestricted (EM) moments ``S``, ``xbar``, and the Jacobian ``D`` (q, nphi) of the model. Per group and
    observation, ``A1`` is the h1 information of the missing-data likelihood at the model's moments (observed, or
    expected with ``information = "expected"``), ``B1`` the cross-product of its casewise scores there, and
    ``Omega = A1u^-1 B1u A1u^-1`` with the information of the same kind and the score cross-product ``A1u``,
    ``B1u`` at the EM moments (lavaan's omega.information, which follows information); with
    ``E = sum_g f_g D_g A1_g D_g'`` and ``f_g = N_g / N``:
    ``tr(U Omega) = sum_g tr((A1_g - f_g A1_g D_g' E^-1 D_g A1_g) Omega_g)``, ``tr_h1 = sum_g tr(B1u A1u^-1)`` and
    ``tr_h0 = sum_g f_g tr(B1_g D_g' E^-1 D_g)``."""
    from .robust import saturated_coords, unrestricted_info

    N = float(sum(g["n"] for g in groups))
    parts = []
    for g in groups:
        idx = saturated_coords(g["Sigma"].shape[0], True, xi)
        h0 = unrestricted_info(g["rows"], g["Sigma"], g["mu"], True, xi, expected=information == "expected")
        hu = unrestricted_info(g["rows"], g["S"], g["xbar"], True, xi, expected=information == "expected")
        Au_inv = np.linalg.inv(hu.A1)
        parts.append((g["n"] / N, h0.A1 / g["n"], h0.B1 / g["n"], g["n"] * Au_inv @ hu.B1 @ Au_inv,
                      float(np.sum(hu.B1 * Au_inv.T)), idx.size, g["D"][:, idx]))
    E = sum(fg * D @ A1 @ D.T for fg, A1, _B1, _Om, _t, _k, D in parts)
    E_inv = np.linalg.inv(E)
    tr = t1 = t0 = 0.0
    k = 0
    for fg, A1, B1, Om, tg, kg, D in parts:
        M = D.T @ E_inv @ D
        tr += float(np.sum((A1 - fg * A1 @ M @ A1) * Om.T))
        t0 += fg * float(np.sum(B1 * M.T))
        t1 += tg
        k += kg
    return tr, t1, k, t0
