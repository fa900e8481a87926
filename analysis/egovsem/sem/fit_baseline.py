"""The baseline (independence) model of one group, as lavaan's ``lav_object_independence``.

Continuous data (ML, FIML): free means and variances, zero covariances; the covariates (lavaan's ov.x,
``xb`` here, whatever fixed.x) keep their joint distribution: their covariances are the sample values,
fixed under fixed.x (``xi`` = the fixed covariates) and free without it. Under FIML the variances and means
are the per-variable ML estimates on the observed values (the likelihood factorises).

DWLS on ordered items: thresholds free (they fit exactly), correlations 0.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .casewise import DigestCache

__all__ = ["baseline_moments", "baseline_chisq", "baseline_df", "baseline_info", "baseline_dwls", "baseline_free_coords"]

#: the results of recent calls of :func:`baseline_info` (rows, EM moments, covariates -> Ab, Bb, Db, Sb, mb)
BASELINE_INFO = DigestCache(8)


def baseline_moments(S: np.ndarray, xbar: np.ndarray, rows: Any, xi: list[int], xb: list[int],
                     fiml: bool) -> tuple[np.ndarray, np.ndarray]:
    """The baseline model's (Sigma, mu) estimates in one group."""
    if fiml:
        from .fiml import independence_fiml_moments

        Sb, mb, _ = independence_fiml_moments(rows, xi=xb)
        if xi:
            Sb[np.ix_(xi, xi)] = S[np.ix_(xi, xi)]
        return Sb, mb
    Sb = np.diag(np.diag(S))
    if xb:
        Sb[np.ix_(xb, xb)] = S[np.ix_(xb, xb)]
    return Sb, xbar


def baseline_chisq(S: np.ndarray, n: float, rows: Any, logl_h1: float, xb: list[int], fiml: bool) -> float:
    """The baseline model's likelihood-ratio statistic in one group (``n F_b``; FIML: 2 (logl_h1 - logl_b))."""
    if fiml:
        from .fiml import independence_fiml

        return 2.0 * (logl_h1 - independence_fiml(rows, xi=xb)[2])
    yb = [i for i in range(S.shape[0]) if i not in xb]
    Fb = np.sum(np.log(np.diag(S)[yb]))
    if xb:
        Fb += np.linalg.slogdet(S[np.ix_(xb, xb)])[1]
    Fb -= np.linalg.slogdet(S)[1]
    return float(n * Fb)


def baseline_df(p: int, nx: int) -> int:
    """Degrees of freedom of one group's baseline model (``nx`` covariates keep their covariances)."""
    return p * (p - 1) // 2 - nx * (nx - 1) // 2


def baseline_free_coords(p: int, xi: list[int], xb: list[int], ms: bool) -> np.ndarray:
    """Saturated coordinates ([mu, vech Sigma]) the baseline frees: means (with a mean structure) and
    variances of the non-fixed variables, and the covariances of the free covariates."""
    from .casewise import vech_indices

    vi, vj = vech_indices(p)
    yi = [i for i in range(p) if i not in xi]
    xfree = set(xb) - set(xi)
    free_cov = [k for k, (a, b) in enumerate(zip(vi, vj))
                if (a == b and a in yi) or (a != b and a in xfree and b in xfree)]
    cov_coord = p + np.array(free_cov, dtype=int)
    return np.concatenate([np.array(yi, dtype=int), cov_coord]) if ms else cov_coord


def baseline_info(S: np.ndarray, xbar: np.ndarray, rows: Any, xi: list[int], xb: list[int], ms: bool,
                  fiml: bool, *, information: str = "observed"
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Observed information ``Ab`` (the expected one with ``information="expected"``: lavaan refits the
    baseline with the model's options) and score cross-product ``Bb`` of one group's baseline model at its
    estimates, its Jacobian ``Db`` (selection of the free saturated coordinates) and its moments.

    They depend on the rows, their EM moments and the covariates only, not on the model: the last few are
    kept (:data:`BASELINE_INFO`), so the models of one data set compute them once."""
    from .casewise import array_digest

    expected = information == "expected"
    key = array_digest(S, xbar, rows.X0, rows.M, rows.w, rows.cluster,
                       extra=(list(xi), list(xb), ms, fiml, expected))
    return BASELINE_INFO.get(key, lambda: _compute_baseline_info(S, xbar, rows, xi, xb, ms, fiml, expected))


def _compute_baseline_info(S: np.ndarray, xbar: np.ndarray, rows: Any, xi: list[int], xb: list[int], ms: bool,
                           fiml: bool, expected: bool = False
                           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    from .casewise import casewise, expected_information_phi, saturated_hessian, saturated_scores, score_blocks

    p = S.shape[0]
    Sb, mb = baseline_moments(S, xbar, rows, xi, xb, fiml)
    from .vcov import crossproduct

    cw = casewise(rows.X0, rows.M, Sb, mb, rows.w)
    if cw is None:
        raise ValueError("a covariance matrix of the fit measures is not positive definite on some rows' "
                         "observed variables")
    idx = baseline_free_coords(p, xi, xb, ms)
    Db = np.zeros((idx.size, p + p * (p + 1) // 2))
    Db[np.arange(idx.size), idx] = 1.0
    H = -expected_information_phi(cw) if expected else saturated_hessian(cw)
    sc = np.empty((cw.u.shape[0], idx.size))
    for lo, hi in score_blocks(cw):  # the n x nphi saturated scores a block of rows at a time
        sc[lo:hi] = saturated_scores(cw, lo, hi) @ Db.T
    return -(Db @ H @ Db.T), crossproduct(sc, rows.cluster), Db, Sb, mb


def baseline_dwls(s: np.ndarray, w: np.ndarray, Gamma: np.ndarray, n1: int, N: int) -> tuple[float, int, np.ndarray]:
    """DWLS baseline: statistic ``(N - 1) sum_corr w r^2``, df (the correlations) and ``U Gamma`` (``U = W``
    on the correlation block, the thresholds fitting exactly); ``n1`` is the first correlation row."""
    rc = s[n1:]
    X2b = (N - 1) * float(np.sum(w[n1:] * rc * rc))
    return X2b, rc.size, w[n1:, None] * Gamma[n1:, n1:]
