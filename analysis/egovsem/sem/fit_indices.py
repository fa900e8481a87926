"""The fit indices every estimator shares, from test statistics alone (lavaan 0.6-14's ``lav_fit_*``).

* incremental indices (``lav_fit_cfi``, ``lav_fit_tli``, ``lav_fit_rni``, ``lav_fit_rfi``, ``lav_fit_nfi``,
  ``lav_fit_ifi``, ``lav_fit_pnfi``) from the model's and the baseline's statistic and df, with the scaling
  factors ``c``, ``cb`` of the robust versions;
* RMSEA, its interval from the non-central chi-square, the close / not-close p-values (``lav_fit_rmsea*``);
  the sample size passed in is ``N / G`` (lavaan's multi-group RMSEA: times sqrt(G), non-centrality / G);
* Hoelter's critical N (``lav_fit_cn``) and AGFI (``lav_fit_agfi``).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .distributions import chi2_cdf, chi2_isf, ncx2_cdf

__all__ = ["cfi", "tli", "rni", "rfi", "nfi", "ifi", "incremental", "rmsea", "rmsea_ci", "rmsea_block",
           "RMSEA_NAMES", "critical_n", "agfi"]

#: the rows of one RMSEA block, in lavaan's order
RMSEA_NAMES = ("rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "rmsea.notclose.pvalue")


def cfi(x2: float, df: float, x2b: float, dfb: float, c: float = 1.0, cb: float = 1.0) -> float:
    """Comparative fit index; with scaling factors (robust CFI) when ``df > 0`` and both differ from 1."""
    if not np.all(np.isfinite([x2, df, x2b, dfb, c, cb])):
        return np.nan
    if df > 0 and c != 1 and cb != 1:
        t1 = max(x2 - c * df, 0.0)
        t2 = max(x2 - c * df, x2b - cb * dfb, 0.0)
    else:
        t1 = max(x2 - df, 0.0)
        t2 = max(x2 - df, x2b - dfb, 0.0)
    if np.isclose(t1, 0, atol=1.5e-8) and np.isclose(t2, 0, atol=1.5e-8):
        return 1.0
    return 1.0 - t1 / t2


def rni(x2: float, df: float, x2b: float, dfb: float, c: float = 1.0, cb: float = 1.0) -> float:
    """Relative noncentrality index (CFI without the truncation at 0)."""
    if not np.all(np.isfinite([x2, df, x2b, dfb, c, cb])):
        return np.nan
    if df > 0 and c != 1 and cb != 1:
        t1, t2 = x2 - c * df, x2b - cb * dfb
    else:
        t1, t2 = x2 - df, x2b - dfb
    return np.nan if np.isclose(t2, 0) else 1.0 - t1 / t2


def tli(x2: float, df: float, x2b: float, dfb: float, c: float = 1.0, cb: float = 1.0) -> float:
    """Tucker-Lewis index (NNFI); 1 when ``df = 0``."""
    if not np.all(np.isfinite([x2, df, x2b, dfb, c, cb])):
        return np.nan
    if df > 0 and c != 1 and cb != 1:
        t1, t2 = (x2 - c * df) * dfb, (x2b - cb * dfb) * df
    else:
        t1, t2 = (x2 - df) * dfb, (x2b - dfb) * df
    if df > 0 and abs(t2) > 0:
        return 1.0 - t1 / t2
    return 1.0


def rfi(x2: float, df: float, x2b: float, dfb: float) -> float:
    """Bollen's relative fit index."""
    if df > dfb:
        return np.nan
    if df > 0 and dfb > 0:
        t1, t2 = x2b / dfb - x2 / df, x2b / dfb
        return 1.0 if (t1 < 0 or t2 < 0) else t1 / t2
    return 1.0


def nfi(x2: float, df: float, x2b: float, dfb: float) -> float:
    """Bentler-Bonett normed fit index."""
    if df > dfb or np.isclose(x2b, 0):
        return np.nan
    if df > 0:
        return (x2b - x2) / x2b
    return 1.0


def ifi(x2: float, df: float, x2b: float, dfb: float) -> float:
    """Bollen's incremental fit index (lavaan 0.6-14: defined also when df > dfb; NA when x2b = df)."""
    t1, t2 = x2b - x2, x2b - df
    if not (np.isfinite(t1) and np.isfinite(t2)):
        return np.nan
    if t2 < 0:
        return 1.0
    if np.isclose(t2, 0.0, rtol=0.0, atol=1.5e-8):
        return np.nan
    return t1 / t2


def pnfi(x2: float, df: float, x2b: float, dfb: float) -> float:
    """James-Mulaik-Brett parsimony NFI, ``(df / dfb) (x2b - x2) / x2b`` (lavaan 0.6-14: also when df > dfb,
    where the NFI itself is NA)."""
    if dfb > 0 and x2b > 0:
        return (df / dfb) * (x2b - x2) / x2b
    return np.nan


def incremental(x2: float, df: float, x2b: float, dfb: float, suffix: str = "") -> dict[str, float]:
    """CFI, TLI, NNFI, RFI, NFI, PNFI, IFI, RNI of one pair of statistics, named with ``suffix``."""
    n = nfi(x2, df, x2b, dfb)
    return {
        f"cfi{suffix}": cfi(x2, df, x2b, dfb), f"tli{suffix}": tli(x2, df, x2b, dfb),
        f"nnfi{suffix}": tli(x2, df, x2b, dfb), f"rfi{suffix}": rfi(x2, df, x2b, dfb), f"nfi{suffix}": n,
        f"pnfi{suffix}": pnfi(x2, df, x2b, dfb), f"ifi{suffix}": ifi(x2, df, x2b, dfb),
        f"rni{suffix}": rni(x2, df, x2b, dfb),
    }


def _bisect(f: Callable[[float], float], lo: float, hi: float, tol: float = 1e-12) -> float:
    """Root of a decreasing function on [lo, hi] by bisection."""
    flo = f(lo)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        fm = f(mid)
        if (fm > 0) == (flo > 0):
            lo, flo = mid, fm
        else:
            hi = mid
        if hi - lo <= tol * max(1.0, hi):
            break
    return 0.5 * (lo + hi)


def rmsea_ci(X2: float, df: float, N: float, level: float = 0.90) -> tuple[float, float]:
    """Confidence interval of RMSEA from the non-central chi-square distribution (lavaan's search)."""
    if df < 1 or not np.isfinite(X2):
        return np.nan, np.nan
    lo_p, hi_p = (1 + level) / 2, (1 - level) / 2

    def root(prob: float) -> float:
        def f(lam: float) -> float:
            return float(ncx2_cdf(X2, df, lam) if lam > 0 else chi2_cdf(df, X2)) - prob

        if f(0.0) < 0:
            return 0.0
        hi = max(X2, 1.0)
        while f(hi) > 0:
            hi *= 2
            if hi > 1e8:
                return np.nan
        return _bisect(f, 0.0, hi)

    lam_lo, lam_hi = root(lo_p), root(hi_p)
    return float(np.sqrt(lam_lo / (N * df))), float(np.sqrt(lam_hi / (N * df)))


def rmsea(x2: float, df: float, n: float, c: float = 1.0) -> float:
    """RMSEA (``n`` = N / G); 0 when ``df = 0``."""
    return float(np.sqrt(max(x2 / n / df - c / n, 0.0))) if df > 0 else 0.0


def rmsea_block(x2: float, df: float, n: float, c: float = 1.0, x2_ci: float | None = None,
                suffix: str = "") -> dict[str, float]:
    """RMSEA, its interval and the close / not-close p-values (lavaan's lav_fit_rmsea_*), named with
    ``suffix``; ``x2_ci`` is the statistic of the interval and p-values when it differs from ``x2``."""
    x2_ci = x2 if x2_ci is None else x2_ci
    if df > 0:
        lo, hi = rmsea_ci(x2_ci, df, n)
        lo, hi = lo * np.sqrt(c), hi * np.sqrt(c)
        rp = 1.0 - ncx2_cdf(x2_ci, df, n * df * 0.05**2 / c)
        rnp = ncx2_cdf(x2_ci, df, n * df * 0.08**2 / c)
    else:
        lo = hi = 0.0
        rp = rnp = np.nan
    vals = (rmsea(x2, df, n, c), lo, hi, rp, rnp)
    if not suffix:
        return dict(zip(RMSEA_NAMES, vals))
    return {("rmsea" + suffix if k == "rmsea" else k + suffix): v for k, v in zip(RMSEA_NAMES, vals)}


def critical_n(X2: float, df: float, N: float, alpha: float) -> float:
    """Hoelter's critical N, lavaan's lav_fit_cn: NA when df = 0 and the statistic is 0 (below machine
    epsilon); with df = 0 otherwise the 0 quantile of chi-square(0) gives 1."""
    if df == 0:
        return np.nan if X2 < np.finfo(float).eps else 1.0
    if X2 <= 0:
        return np.nan
    return float(chi2_isf(df, alpha) / (X2 / N) + 1)


def agfi(gfi: float, nel: float, df: float) -> float:
    """lavaan's lav_fit_agfi: 1 for a saturated model (df = 0)."""
    if not np.isfinite(gfi):
        return np.nan
    return 1.0 - (nel / df) * (1.0 - gfi) if df > 0 else 1.0
