"""Normal and chi-square probabilities of the fit measures and the parameter table, with the standard library.

The ML path of ``egovsem fit`` needs only a handful of probabilities: the two-sided normal p-value and the
0.975 quantile of the parameter table, the chi-square survival function of the model and baseline tests, its
inverse (Hoelter's critical N) and the non-central chi-square distribution function of the RMSEA interval and
p-values. ``scipy.special`` provides them but costs about 0.1 s of CPU to import (it loads scipy's array-API
layer and with it numpy.testing and numpy.f2py), more than the whole fit of a small model; a fresh
``egovsem fit`` process is timed against lavaan's Rscript (issue 17). These functions use ``math`` only and
agree with ``scipy.special`` (``ndtr``, ``ndtri``, ``chdtrc``, ``chdtr``, ``chdtri``, ``chndtr``) to about
1e-13 (tests/test_distributions.py).

Methods (textbook ones): the regularized incomplete gamma function by its power series below ``a + 1`` and
its continued fraction (modified Lentz) above; the non-central chi-square as the Poisson mixture of central
ones, summed outwards from the largest Poisson weight with the recurrences of the incomplete gamma function
in its shape; the chi-square quantile by safeguarded Newton steps on the survival function.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from statistics import NormalDist

import numpy as np

__all__ = ["normal_two_sided_p", "normal_quantile", "chi2_sf", "chi2_cdf", "chi2_isf", "ncx2_cdf"]

_EPS = 2.220446049250313e-16
_TINY = 1e-300
_SQRT2 = math.sqrt(2.0)
_STD_NORMAL = NormalDist()


def normal_two_sided_p(z: Iterable[float] | np.ndarray) -> np.ndarray:
    """``2 P(Z > |z|)`` of each element (NaN stays NaN): ``erfc(|z| / sqrt 2)``."""
    arr = np.asarray(z, dtype=float)
    return np.array([math.erfc(abs(v) / _SQRT2) for v in arr.ravel()], dtype=float).reshape(arr.shape)


def normal_quantile(p: float) -> float:
    """The ``p`` quantile of the standard normal (Wichura's AS241 algorithm, :class:`statistics.NormalDist`)."""
    return _STD_NORMAL.inv_cdf(p)


def _log_front(a: float, x: float) -> float:
    """``log(x^a e^-x / Gamma(a))``; for ``a >= 15`` in Stirling's form ``-a D(x / a) + log(a / 2 pi) / 2 -
    stirlerr(a)``, ``D(r) = r - 1 - log r``, which keeps the rounding at about ``eps |x - a|`` instead of
    ``eps a log x``."""
    if a < 15.0:
        return a * math.log(x) - x - math.lgamma(a)
    r = x / a
    if 0.5 < r < 2.0:  # x - a is exact here (Sterbenz), and log1p keeps D's precision near r = 1
        u = (x - a) / a
        dev = u - math.log1p(u)
    else:
        dev = r - 1.0 - math.log(r)
    inv, inv2 = 1.0 / a, 1.0 / (a * a)
    stirlerr = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 * (1 / 1680 - inv2 / 1188))))
    return -a * dev + 0.5 * math.log(a / (2.0 * math.pi)) - stirlerr


def _gamma_pq(a: float, x: float) -> tuple[float, float]:
    """The regularized incomplete gamma functions ``(P(a, x), Q(a, x))``, ``a > 0``."""
    if math.isnan(x) or math.isnan(a):
        return math.nan, math.nan
    if x <= 0:
        return 0.0, 1.0
    if math.isinf(x):
        return 1.0, 0.0
    log_front = _log_front(a, x)
    if x < a + 1.0:
        # series: P = x^a e^-x / Gamma(a + 1) * sum_n x^n / ((a + 1) ... (a + n))
        term = total = 1.0 / a
        ap = a
        for _ in range(100000):
            ap += 1.0
            term *= x / ap
            total += term
            if term < total * _EPS:
                break
        p = total * math.exp(log_front)
        p = min(p, 1.0)
        return p, 1.0 - p
    # continued fraction for Q (modified Lentz)
    b = x + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    h = d
    for i in range(1, 100000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        if abs(d) < _TINY:
            d = _TINY
        c = b + an / c
        if abs(c) < _TINY:
            c = _TINY
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    q = min(math.exp(log_front) * h, 1.0)
    return 1.0 - q, q


def chi2_sf(df: float, x: float) -> float:
    """``P(X > x)`` for a chi-square variable with ``df > 0`` degrees of freedom (scipy's ``chdtrc``)."""
    return _gamma_pq(0.5 * float(df), 0.5 * float(x))[1]


def chi2_cdf(df: float, x: float) -> float:
    """``P(X <= x)`` for a chi-square variable with ``df > 0`` degrees of freedom (scipy's ``chdtr``)."""
    return _gamma_pq(0.5 * float(df), 0.5 * float(x))[0]


def chi2_isf(df: float, p: float) -> float:
    """The ``x`` with ``chi2_sf(df, x) = p``, ``0 < p < 1`` (scipy's ``chdtri``)."""
    df, p = float(df), float(p)
    if not df > 0 or math.isnan(p):
        return math.nan
    if p <= 0.0:
        return math.inf
    if p >= 1.0:
        return 0.0
    a = 0.5 * df
    # Wilson-Hilferty start, then Newton on the survival function in log(x), kept inside a bracket
    z = normal_quantile(1.0 - p)
    x = max(df * (1.0 - 2.0 / (9.0 * df) + z * math.sqrt(2.0 / (9.0 * df))) ** 3, 1e-8)
    lo, hi = 0.0, math.inf
    for _ in range(200):
        lower, upper = _gamma_pq(a, 0.5 * x)
        gap = upper - p if p <= 0.5 else (1.0 - p) - lower  # the smaller tail keeps its relative precision
        if gap > 0:
            lo = x
        else:
            hi = x
        dens = math.exp(_log_front(a, 0.5 * x)) / x  # the chi-square density at x
        step = gap / dens if dens > 0 else math.inf
        new = x + step
        if not lo < new < hi:
            new = 0.5 * (lo + hi) if math.isfinite(hi) else 2.0 * x
        if abs(new - x) <= 4 * _EPS * max(new, 1.0):
            return new
        x = new
    return x


def ncx2_cdf(x: float, df: float, nc: float) -> float:
    """``P(X <= x)`` for a non-central chi-square variable with ``df > 0`` degrees of freedom and
    non-centrality ``nc >= 0`` (scipy's ``chndtr``)."""
    x, df, nc = float(x), float(df), float(nc)
    if math.isnan(x) or math.isnan(df) or math.isnan(nc):
        return math.nan
    if x <= 0:
        return 0.0
    if nc == 0:
        return chi2_cdf(df, x)
    lam, y, a = 0.5 * nc, 0.5 * x, 0.5 * df
    # P(X <= x) = sum_j Poisson(j; lam) P(a + j, y), from the largest weight j0 outwards
    j0 = int(lam)
    w0 = math.exp(_log_front(j0 + 1.0, lam) - math.log(lam))  # lam^j0 e^-lam / j0!
    p0 = _gamma_pq(a + j0, y)[0]
    # t = y^(a+j) e^-y / Gamma(a + j + 1): P(a + j + 1, y) = P(a + j, y) - t_j
    t0 = math.exp(_log_front(a + j0, y) - math.log(a + j0))
    total = w0 * p0
    # upwards
    w, p, t, j = w0, p0, t0, j0
    while True:
        p = max(p - t, 0.0)
        j += 1
        w *= lam / j
        t *= y / (a + j)
        term = w * p
        total += term
        if (term <= _EPS * total * 1e-3 or p == 0.0) and j > lam:
            break
        if w == 0.0 or j > j0 + 100000:
            break
    # downwards: P(a + j - 1, y) = P(a + j, y) + t_(j-1), t_(j-1) = t_j (a + j) / y
    w, p, t, j = w0, p0, t0, j0
    while j > 0:
        t *= (a + j) / y
        p = min(p + t, 1.0)
        w *= j / lam
        j -= 1
        term = w * p
        total += term
        if term <= _EPS * total * 1e-3:
            break
    return min(total, 1.0)
