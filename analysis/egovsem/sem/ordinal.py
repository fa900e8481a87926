"""The first stage of WLSMV: thresholds, polychoric correlations and their asymptotic covariance (Gamma).

``ordinal_stats(X, names, ordered)`` computes, as lavaan 0.6-14 does for ``estimator = "WLSMV"`` with
``ordered=`` (``lav_samplestats_step1``, ``lav_samplestats_step2``, ``muthen1984``; single group, no
exogenous covariates, complete rows):

1. Univariate stage, one variable at a time. An ordered item with categories ``1..K`` gets the ``K - 1``
   probit thresholds ``qnorm`` of its cumulative proportions (the ML estimates; lavaan's ``x|t1 x|t2 ...``).
   A continuous variable gets its mean and its variance with divisor N (lavaan's ``lav_uvreg_fit``).
2. Bivariate stage, one pair at a time with the univariate estimates held fixed ("two-step"): the
   polychoric correlation (ordered x ordered) maximises the bivariate-probit likelihood of the
   contingency table; the polyserial correlation (continuous x ordered) maximises the joint likelihood
   of the continuous values and the item; continuous x continuous is the Pearson correlation. Here all
   pairs are estimated at once by vectorised Newton steps with analytic derivatives in rho.
3. Gamma (lavaan's NACOV; ``lavInspect(fit, "gamma")``) from the casewise scores of the univariate and
   bivariate likelihoods, with lavaan's sandwich for the two-stage estimator::

       B = [[A11, 0], [A21, A22]],  W = B^-1 (S'S) B^-T,   Gamma = N * W

   where S holds the casewise scores (N rows), A11 is the block-diagonal (per variable) cross-product of
   the univariate scores, A22 the diagonal of the cross-product of the correlation scores, and A21 the
   cross-product of each pair's correlation score with that pair's bivariate-likelihood scores of the
   two variables' thresholds (means, variances). With continuous variables, Gamma is then carried from
   correlations to covariances (lavaan's H matrix) and the rows of the means change sign (lavaan stores
   ``-mean`` in the threshold slot of a continuous variable).

Conventions (lavaan's, so that the engine's DWLS stage can use them unchanged):

- ``wls_obs`` = thresholds first, variable by variable in the order of ``names`` (a continuous variable
  contributes ``-mean`` in its place: ``x~1``), then the variances of the continuous variables
  (``x~~x``), then the off-diagonal entries of the covariance matrix (= the correlations when all items
  are ordered) in ``lav_matrix_vech(., diagonal = FALSE)`` order: the lower triangle column by column,
  (2,1), (3,1), ..., (p,1), (3,2), ... ``wls_names`` gives lavaan's label of each entry.
- ``gamma`` has the rows and columns of ``wls_obs``; ``wls_v_diag = 1 / diag(gamma)`` is lavaan's DWLS
  weight (``lavInspect(fit, "wls.v")`` is ``diag(wls_v_diag)`` for ``estimator = "WLSMV"``).

Categories. The categories of an ordered column are its distinct observed values, in increasing order
(lavaan turns the column into ``ordered(x)``, whose levels are the observed values): codes 1, 2, 3, 5 make a
4-category item with 3 thresholds, and an unused code such as 4 is not an empty category. A bivariate
table with empty cells is used as it is (lavaan's ``zero.add = c(0.5, 0)``: nothing is added except in a
2 x 2 table with one empty cell, where 0.5 is moved to it keeping the margins, as lavaan does).

Where the likelihood has no interior maximum. When the non-empty cells of a table lie on a monotone
staircase, the likelihood keeps increasing up to |rho| = 1 and is flat (to ~1e-6) over a wide range of
rho. lavaan's value is then wherever ``nlminb`` stops (its relative function convergence, rel.tol = 1e-10,
or the bound 0.999), and its Gamma entries for that correlation are huge. egovsem stops by the same rule
from the same start, but its Newton path differs from nlminb's trust-region path, so its value is near
lavaan's, not equal (typically within 1e-3, sometimes 0.02 when lavaan jumps to the bound). Such tables
come from items with one or two categories holding nearly everybody; the DWLS weight of that correlation
is then close to 0 in both programs.

>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> z = rng.multivariate_normal([0, 0], [[1, .5], [.5, 1]], size=2000)
>>> X = np.digitize(z, [-0.5, 0.4]) + 1                  # two 3-category items
>>> st = ordinal_stats(X, ["a", "b"])
>>> print(np.round(st.thresholds["a"], 3), round(float(st.corr[1, 0]), 3))
[-0.52   0.387] 0.518
>>> st.wls_names
('a|t1', 'a|t2', 'b|t1', 'b|t2', 'a~~b')

In R (the same X written to a CSV file and read as ``d``): ``lavCor(d, ordered = c("a", "b"))`` gives
0.518, ``lavCor(d, ordered = c("a", "b"), output = "th")`` gives ``a|t1 = -0.520, a|t2 = 0.387``.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr, ndtri

from .._errors import DataError, EgovsemWarning
from ._bivnorm import bvn_cdf

__all__ = ["OrdinalStats", "ordinal_stats"]

_SQRT_EPS = np.sqrt(np.finfo(float).eps)
_EPS = np.finfo(float).eps
_BIG = 100.0  # lavaan's stand-in for an infinite threshold in casewise scores (o1 / o2 offsets)
_MAX_CATEGORIES = 10


@dataclass(frozen=True, eq=False)
class OrdinalStats:
    """Sample statistics of the first stage of WLSMV (lavaan's ordinal sample statistics).

    Attributes
    ----------
    names : tuple of str
        Variables, in the order of the columns of ``X`` (and of ``corr``).
    ordered : tuple of str
        The ordered variables (a subset of ``names``, in the same order).
    nobs : int
        Number of rows (N).
    levels : dict
        Ordered variable -> its categories (distinct observed values, increasing).
    thresholds : dict
        Ordered variable -> its ``K - 1`` thresholds (lavaan's ``x|t1, x|t2, ...``).
    means, variances : dict
        Continuous variable -> its mean and its variance (divisor N).
    corr : ndarray, p x p
        Polychoric / polyserial / Pearson correlation matrix.
    wls_obs : ndarray
        The sample statistics in lavaan's order (see the module docstring).
    wls_names : tuple of str
        lavaan's label of each entry of ``wls_obs`` (``x1|t1``, ``x7~1``, ``x7~~x7``, ``x1~~x2``).
    gamma : ndarray
        N times the asymptotic covariance matrix of ``wls_obs`` (lavaan's NACOV, ``lavInspect(fit, "gamma")``).
    wls_v_diag : ndarray
        ``1 / diag(gamma)``: the diagonal DWLS weight matrix of WLSMV.
    zero_cell_pairs : tuple of (str, str)
        Pairs of ordered variables whose bivariate table has an empty cell
        (lavaan's ``lavInspect(fit, "zero.cell.tables")``).
    nobs_w : float
        With sampling weights: their sum (lavaan's ``nobs``); otherwise ``nobs``.
    """

    names: tuple[str, ...]
    ordered: tuple[str, ...]
    nobs: int
    levels: dict = field(repr=False)
    thresholds: dict = field(repr=False)
    means: dict = field(repr=False)
    variances: dict = field(repr=False)
    corr: np.ndarray = field(repr=False)
    wls_obs: np.ndarray = field(repr=False)
    wls_names: tuple[str, ...] = field(repr=False)
    gamma: np.ndarray = field(repr=False)
    wls_v_diag: np.ndarray = field(repr=False)
    zero_cell_pairs: tuple = field(repr=False, default=())
    nobs_w: float | None = None  # lavaan's nobs with sampling weights: their sum (None: nobs)

    @property
    def n(self) -> float:
        """lavaan's ``nobs`` of the group: the sum of the sampling weights, otherwise the rows."""
        return float(self.nobs if self.nobs_w is None else self.nobs_w)


# --------------------------------------------------------------------------------------------- input --

def _check_input(X, names, ordered, missing="listwise"):
    X = np.asarray(X)
    if X.ndim != 2:
        raise DataError(f"The 'X' parameter must be a 2-dimensional array (rows x variables). Got {X.ndim} dimension(s).")
    names = [str(n) for n in names]
    if len(names) != X.shape[1]:
        raise DataError(f"The 'names' parameter must name every column of 'X': {X.shape[1]} column(s), "
                        f"{len(names)} name(s).")
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise DataError(f"The 'names' parameter must not repeat a name. Got {dup} more than once.")
    if ordered is None:
        ordered = list(names)
    else:
        ordered = [str(o) for o in ordered]
        unknown = [o for o in ordered if o not in names]
        if unknown:
            raise DataError(f"The 'ordered' parameter names variable(s) {unknown} that are not in 'names' {names}.")
    is_ord = np.array([n in set(ordered) for n in names])
    try:
        Xf = X.astype(float)
    except (TypeError, ValueError):
        raise DataError("The 'X' parameter must hold numbers (integer category codes for ordered items).") from None
    if X.shape[0] < 2:
        raise DataError(f"The 'X' parameter must have at least 2 rows. Got {X.shape[0]}.")
    bad = ~np.isfinite(Xf)
    if missing == "pairwise":
        bad &= ~np.isnan(Xf)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise DataError(f"Column {names[c]!r} holds the value {float(Xf[r, c])!r} at row index {r} (0-based); "
                        + ("missing='pairwise' allows missing values (NaN) but not infinite ones."
                           if missing == "pairwise" else
                           "ordinal_stats needs complete rows: delete or impute missing values first, or pass "
                           "missing='pairwise'."))
    if missing == "pairwise":
        nobs = (~np.isnan(Xf)).sum(axis=0)
        few = [names[k] for k in range(len(names)) if nobs[k] < 2]
        if few:
            raise DataError(f"Column(s) {few} have fewer than 2 observed values; missing='pairwise' needs at "
                            "least 2 per variable.")
    return Xf, names, is_ord


def _categorize(x: np.ndarray, name: str):
    """Category codes 0..K-1 of an ordered column (its distinct observed values, increasing); -1 where missing."""
    obs = ~np.isnan(x)
    if not obs.all():
        lev, c = _categorize(x[obs], name)
        codes = np.full(x.shape, -1, np.intp)
        codes[obs] = c
        return lev, codes
    nonint = x != np.round(x)
    if nonint.any():
        r = int(np.argmax(nonint))
        raise DataError(f"Column {name!r} is declared ordered but holds the non-integer value {float(x[r])!r} at row "
                        f"index {r} (0-based); ordered items must be coded as integer categories.")
    levels, codes = np.unique(x, return_inverse=True)
    if levels.size < 2:
        raise DataError(f"Column {name!r} is declared ordered but has only one category (every row is "
                        f"{levels[0]:g}); an ordered item needs at least two categories.")
    if levels.size > _MAX_CATEGORIES:
        warnings.warn(f"Column {name!r} is declared ordered and has {levels.size} categories (more than "
                      f"{_MAX_CATEGORIES}); lavaan treats it as ordinal, but a variable with this many "
                      f"categories is usually better treated as continuous.", EgovsemWarning, stacklevel=3)
    return levels, codes.astype(np.intp)


# --------------------------------------------------------------------------------- survey design --

def _check_weights(weights, n: int) -> np.ndarray | None:
    """The sampling weights as floats (n of them, finite, >= 0, not all 0), or None."""
    if weights is None:
        return None
    wt = np.asarray(weights, dtype=float).reshape(-1)
    if wt.size != n:
        raise DataError(f"The 'weights' parameter must have one weight per row of 'X': {n} rows, {wt.size} "
                        "weights.")
    bad = ~np.isfinite(wt) | (wt < 0)
    if bad.any():
        r = int(np.argmax(bad))
        raise DataError(f"The 'weights' parameter holds the value {float(wt[r])!r} at row index {r} (0-based); "
                        "sampling weights must be finite and >= 0.")
    if not wt.sum() > 0:
        raise DataError("The 'weights' parameter is zero on every row.")
    return wt


def cluster_gamma(IF: np.ndarray, cluster: np.ndarray, nobs: float) -> np.ndarray:
    """The cluster-robust Gamma from the casewise influence rows ``IF`` (n x k) and the rows' cluster codes
    ``0..C-1``: ``nobs * C / (C - 1) * sum_c IF_c' IF_c`` with ``IF_c`` the sum of the rows of cluster ``c``
    (lavaan >= 0.7's NACOV of categorical data with ``cluster=``, as Mplus's TYPE=COMPLEX)."""
    codes = np.asarray(cluster).reshape(-1)
    C = int(codes.max()) + 1
    if codes.size != IF.shape[0] or C < 2:
        raise DataError(f"The 'cluster' parameter must give one cluster code (0..C-1, C >= 2) per row: {IF.shape[0]} "
                        f"rows, {codes.size} codes, {C} cluster(s).")
    S = np.zeros((C, IF.shape[1]))
    np.add.at(S, codes, IF)
    return nobs * C / (C - 1.0) * (S.T @ S)


# -------------------------------------------------------------------------------------- polychoric --

def _phi2(h, k, r):
    """Bivariate normal density and d(density)/d(rho); zero where h or k is infinite.

    |r| is capped at 0.9999 as in lavaan's ``dbinorm`` (matters only for a 2 x 2 table whose correlation
    lavaan sets to +-1).
    """
    r = np.clip(r, -0.9999, 0.9999)
    s = 1.0 - r * r
    fin = np.isfinite(h) & np.isfinite(k)
    hf, kf = np.where(fin, h, 0.0), np.where(fin, k, 0.0)
    q = hf * hf - 2.0 * r * hf * kf + kf * kf
    d = np.exp(-0.5 * q / s) / (2.0 * np.pi * np.sqrt(s))
    guv = (hf * kf * s - r * q + r * s) / (s * s)  # lavaan's guv(): d log(phi2) / d rho
    d = np.where(fin, d, 0.0)
    return d, d * guv


def _rect(G):
    """Cell masses from corner values G[..., a, b] (a, b = 0..K): G[a+1,b+1] - G[a,b+1] - G[a+1,b] + G[a,b]."""
    return G[..., 1:, 1:] - G[..., :-1, 1:] - G[..., 1:, :-1] + G[..., :-1, :-1]


class _PolyTables:
    """Cell probabilities of all ordered pairs at once (tables padded to K x K)."""

    def __init__(self, Bu, Bv):
        # Bu, Bv: (P, K+1) category bounds of the first / second variable of each pair (-inf, th.., +inf..)
        self.Bu, self.Bv = Bu, Bv

    def pi(self, rho):
        r = rho[:, None, None]
        F = bvn_cdf(self.Bu[:, :, None], self.Bv[:, None, :], r)
        return _rect(F)

    def derivs(self, rho):
        r = rho[:, None, None]
        d, dg = _phi2(self.Bu[:, :, None], self.Bv[:, None, :], r)
        return _rect(d), _rect(dg)


def _logl_grad_hess(tabs, freq, valid, rho, *, need_hess=True):
    PI = tabs.pi(rho)
    PI = np.where(PI < _SQRT_EPS, _SQRT_EPS, PI)  # lavaan's floor of the cell probabilities
    logl = np.sum(np.where(valid, freq * np.log(PI), 0.0), axis=(1, 2))
    if not need_hess:
        return logl, None, None, PI
    phi, gn = tabs.derivs(rho)
    ok = valid & (PI > _SQRT_EPS)  # lavaan drops cells with PI <= sqrt(eps) from the derivatives
    g = np.sum(np.where(ok, freq * phi / PI, 0.0), axis=(1, 2))
    h = np.sum(np.where(ok, freq * gn / PI - freq * phi * phi / (PI * PI), 0.0), axis=(1, 2))
    info = np.sum(np.where(ok, freq.sum(axis=(1, 2))[:, None, None] * phi * phi / PI, 0.0), axis=(1, 2))
    return logl, g, np.where(h < 0, h, -info), PI


def _newton_1d(fun, rho0, lower, upper, *, tol=1e-11, maxit=200, max_step=0.1, rel_tol=1e-10):
    """Maximise many 1-d log-likelihoods at once: Newton steps, step halving, kept inside [lower, upper].

    Steps are at most ``max_step`` long: near |rho| = 1 the floor of the cell probabilities (lavaan's
    sqrt(eps)) makes the log-likelihood flat, and a long first step could land on that plateau.

    ``fun(rho) -> (logl, grad, hess)`` with hess < 0 (callers substitute minus the information where the
    observed second derivative is not negative).
    """
    rho = np.clip(np.asarray(rho0, float).copy(), lower, upper)
    active = np.ones(rho.shape, bool)
    logl, g, h = fun(rho)
    for _ in range(maxit):
        if not active.any():
            break
        # nlminb's relative function convergence (rel.tol = 1e-10): when the reduction that the Newton
        # step from here predicts is negligible, this step is the last one. This is what decides where
        # lavaan stops when the likelihood flattens out towards |rho| = 1
        last = 0.5 * g * g / np.abs(h) <= rel_tol * np.abs(logl)
        step = np.clip(np.where(active, -g / h, 0.0), -max_step, max_step)
        new = np.clip(rho + step, lower, upper)
        for _half in range(40):
            l_new, g_new, h_new = fun(new)
            worse = active & (l_new < logl - 1e-12 * np.abs(logl))
            if not worse.any():
                break
            new = np.where(worse, 0.5 * (new + rho), new)
        moved = np.abs(new - rho)
        rho, logl, g, h = new, l_new, g_new, h_new
        at_bound = ((rho <= lower) & (g < 0)) | ((rho >= upper) & (g > 0))
        active = active & (moved > tol) & ~at_bound & ~last
    return rho


def _polychoric(codes, K, th, pairs, names, wt=None):
    """Two-step polychoric correlations of ordered pairs; returns rho, the tables and the cell frequencies
    (weighted by the sampling weights ``wt`` when given: lavaan's weighted tables; the start value stays the
    unweighted Pearson correlation of the codes, as lavaan's)."""
    P = len(pairs)
    Kmax = max(K.values())
    bounds = {}
    for v, t in th.items():
        b = np.full(Kmax + 1, np.inf)
        b[0] = -np.inf
        b[1:K[v]] = t
        bounds[v] = b
    U = np.array([u for u, _ in pairs])
    V = np.array([v for _, v in pairs])
    Bu = np.stack([bounds[u] for u in U])
    Bv = np.stack([bounds[v] for v in V])
    # frequencies of all tables at once
    both = (codes[:, U] >= 0) & (codes[:, V] >= 0)  # pairwise-present rows (all rows without missing values)
    cell = np.where(both, codes[:, U] * Kmax + codes[:, V], 0) + (np.arange(P) * Kmax * Kmax)[None, :]
    cw = both if wt is None else both * wt[:, None]
    counts = np.bincount(cell.ravel(), weights=cw.ravel().astype(float),
                         minlength=P * Kmax * Kmax).reshape(P, Kmax, Kmax)
    freq = counts.copy()  # the table the correlation is fitted to (lavaan may move 0.5 into an empty cell)
    valid = np.zeros((P, Kmax, Kmax), bool)
    for p, (u, v) in enumerate(pairs):
        valid[p, :K[u], :K[v]] = True
    # starting values: Pearson correlation of the category codes (lavaan's start)
    # (over the pairwise-present rows: lavaan's cor(use = "pairwise.complete.obs"))
    nb = both.sum(0)
    cu, cv = np.where(both, codes[:, U], 0).astype(float), np.where(both, codes[:, V], 0).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        cu = np.where(both, cu - cu.sum(0) / nb, 0.0)
        cv = np.where(both, cv - cv.sum(0) / nb, 0.0)
        start = (cu * cv).sum(0) / np.sqrt((cu * cu).sum(0) * (cv * cv).sum(0))
    start = np.where(np.isfinite(start) & (np.abs(start) < 1), start, 0.0)

    rho = np.full(P, np.nan)
    fixed = np.zeros(P, bool)
    zero_cells = [(names[u], names[v]) for p, (u, v) in enumerate(pairs) if (valid[p] & (freq[p] == 0)).any()]
    # lavaan's special cases of 2 x 2 tables (zero.add = c(0.5, 0), zero.keep.margins = TRUE)
    for p, (u, v) in enumerate(pairs):
        if K[u] != 2 or K[v] != 2:
            continue
        f = freq[p, :2, :2]
        z = f == 0
        if z.sum() == 2:
            warnings.warn(f"Two empty cells in the 2 x 2 table of {names[v]} x {names[u]}; the tetrachoric "
                          f"correlation is set to {1 if f[0, 0] > 0 else -1} (as lavaan).", EgovsemWarning,
                          stacklevel=3)
            rho[p], fixed[p] = (1.0 if f[0, 0] > 0 else -1.0), True
            continue
        if z.sum() == 1:
            s = 0.5 if (z[0, 0] or z[1, 1]) else -0.5
            f = f + np.array([[s, -s], [-s, s]])
            freq[p, :2, :2] = f
        if f[0, 0] * f[1, 1] == f[0, 1] * f[1, 0]:
            rho[p], fixed[p] = 0.0, True
        elif th[u][0] == 0 and th[v][0] == 0:
            rho[p], fixed[p] = -np.cos(2 * np.pi * f[0, 0] / f.sum()), True

    free = ~fixed
    if free.any():
        tabs = _PolyTables(Bu[free], Bv[free])
        fr, va = freq[free], valid[free]

        def fun(r):
            logl, g, h, _ = _logl_grad_hess(tabs, fr, va, r)
            return logl, g, h

        rho[free] = _newton_1d(fun, start[free], -0.999, 0.999)
    return rho, Bu, Bv, counts, valid, zero_cells


def _polychoric_scores(rho, Bu, Bv, freq, valid, K, pairs):
    """Per-cell correlation score and the pair's A21 entries (bivariate scores of the two threshold sets).

    ``freq`` are the observed counts (the casewise scores of lavaan sum over the rows actually observed).
    """
    tabs = _PolyTables(Bu, Bv)
    PI = tabs.pi(rho)
    PI = np.where(PI < _SQRT_EPS, _SQRT_EPS, PI)
    phi, _ = tabs.derivs(rho)
    ok = valid & (PI > _SQRT_EPS)
    lik = np.where(ok, PI, 1.0)
    dxrho = np.where(ok, phi / lik, 0.0)  # (P, K, K): score of rho for a row in cell (a, b)
    # finite stand-ins for infinite bounds, as lavaan's casewise z1 / z2 (+-100)
    bu, bv = np.clip(Bu, -_BIG, _BIG), np.clip(Bv, -_BIG, _BIG)
    R = np.sqrt(1.0 - rho * rho)[:, None, None]
    r = rho[:, None, None]
    lo_u, up_u = bu[:, :-1, None], bu[:, 1:, None]   # (P, K, 1)
    lo_v, up_v = bv[:, None, :-1], bv[:, None, 1:]   # (P, 1, K)
    # |rho| = 1 only in a 2 x 2 table with two empty cells; lavaan then uses 0.5 for the conditional mass
    deg = R == 0
    Rs = np.where(deg, 1.0, R)

    def cond(up, lo, x):
        return np.where(deg, 0.5, ndtr((up - r * x) / Rs) - ndtr((lo - r * x) / Rs))

    # derivatives of the cell probability in the upper (Z1) / lower (Z2) bound of the first variable ...
    Zu1 = _dnorm(up_u) * cond(up_v, lo_v, up_u)
    Zu2 = _dnorm(lo_u) * cond(up_v, lo_v, lo_u)
    # ... and of the second variable
    Zv1 = _dnorm(up_v) * cond(up_u, lo_u, up_v)
    Zv2 = _dnorm(lo_v) * cond(up_u, lo_u, lo_v)
    w = np.where(ok, freq * dxrho / lik, 0.0)
    su1, su2 = (w * Zu1).sum(2), (w * Zu2).sum(2)   # (P, K) by category of u
    sv1, sv2 = (w * Zv1).sum(1), (w * Zv2).sum(1)   # (P, K) by category of v
    a21_u, a21_v = [], []
    for p, (u, v) in enumerate(pairs):
        ku, kv = K[u], K[v]
        a21_u.append(su1[p, :ku - 1] - su2[p, 1:ku])
        a21_v.append(sv1[p, :kv - 1] - sv2[p, 1:kv])
    return dxrho, a21_u, a21_v


def _pearson_ml(a: np.ndarray, b: np.ndarray, log_s12: float, w: np.ndarray | None = None) -> float:
    """The correlation that maximises the bivariate normal likelihood of the standardised rows ``(a, b)``
    (means and variances fixed), as lavaan's ``lav_bvreg_cor_twostep_fit``: start at the Pearson correlation of
    the rows, bounds +-0.999, rows whose density is below sqrt(eps) (lavaan's NA) left out; ``w``: the rows'
    sampling weights (the weighted likelihood)."""
    wr = np.ones(a.size) if w is None else np.asarray(w, dtype=float)

    def fun(rho):
        r = rho[:, None]
        R = 1.0 - r * r
        z = a * a - 2.0 * r * a * b + b * b
        ll = -np.log(2.0 * np.pi) - log_s12 - 0.5 * np.log(R) - 0.5 * z / R
        ok = ll >= np.log(_SQRT_EPS)
        g = r / R + a * b / R - z * r / (R * R)
        h = ((1.0 + r * r) / (R * R) + 2.0 * r * a * b / (R * R)
             - (z - 2.0 * r * a * b) / (R * R) - 4.0 * r * r * z / (R * R * R))
        info = np.where(ok, g * g, 0.0) @ wr
        hs = np.where(ok, h, 0.0) @ wr
        return np.where(ok, ll, 0.0) @ wr, np.where(ok, g, 0.0) @ wr, np.where(hs < 0, hs, -info)

    ac, bc = a - a.mean(), b - b.mean()
    start = float(ac @ bc / np.sqrt((ac @ ac) * (bc @ bc)))
    start = start if np.isfinite(start) and abs(start) < 1 else 0.0
    return float(_newton_1d(fun, np.array([start]), -0.999, 0.999)[0])


def _dnorm(x):
    return np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)


# -------------------------------------------------------------------------------------- polyserial --

def _polyserial(y1, mean, var, codes, bounds, *, start, obs, w=None):
    """Two-step polyserial correlations; y1: (N, P) continuous, codes: (N, P), bounds: (P, K+1); obs: (N, P)
    the rows where both variables of the pair are observed (the others do not enter the likelihood); w: (N,)
    the rows' sampling weights (the weighted likelihood), None: 1."""
    z1 = np.take_along_axis(np.clip(bounds, -_BIG, _BIG).T, codes + 1, axis=0)  # upper bound of the category
    z2 = np.take_along_axis(np.clip(bounds, -_BIG, _BIG).T, codes, axis=0)      # lower bound
    Z = (y1 - mean) / np.sqrt(var)
    return polyserial_rows(Z, np.sqrt(var), z1, z2, start=start, obs=obs, w=w), Z, z1, z2


def polyserial_rows(Z, sd, z1, z2, *, start, obs, w=None):
    """Two-step polyserial correlations from each row's standardised continuous value ``Z`` (N, P; ``sd`` the
    continuous variables' SDs) and the row's upper and lower bounds ``z1``, ``z2`` of the ordered variable's
    category (fixed thresholds, less the covariates' part with conditional.x), as lavaan's
    ``lav_bvmix_cor_twostep_fit``: rows whose likelihood is below sqrt(eps) are left out (lavaan's NA); ``w``
    (N,): the rows' sampling weights (the weighted likelihood), None: 1."""
    wc = np.ones((Z.shape[0], 1)) if w is None else np.asarray(w, dtype=float)[:, None]
    logpy1 = -0.5 * Z * Z - np.log(sd) - 0.5 * np.log(2 * np.pi)

    def fun(rho):
        # per row: l(rho) = log(Phi(a1) - Phi(a2)) + const, a = (tau - rho Z) / R, R = sqrt(1 - rho^2);
        # a' = (rho tau - Z) / R^3 and a'' = (tau R^2 + 3 rho (rho tau - Z)) / R^5 (analytic, no differencing)
        R2 = 1.0 - rho * rho
        R = np.sqrt(R2)
        a1, a2 = (z1 - rho * Z) / R, (z2 - rho * Z) / R
        py = ndtr(a1) - ndtr(a2)
        py = np.where(py < _EPS, _EPS, py)  # lavaan's floor
        ok = obs & (logpy1 + np.log(py) >= np.log(_SQRT_EPS))  # lavaan drops rows with lik < sqrt(eps) (NA)
        f1, f2 = _dnorm(a1), _dnorm(a2)
        e1, e2 = z1 * rho - Z, z2 * rho - Z
        R3 = R2 * R
        da1, da2 = e1 / R3, e2 / R3
        dda1 = (z1 * R2 + 3.0 * rho * e1) / (R3 * R2)
        dda2 = (z2 * R2 + 3.0 * rho * e2) / (R3 * R2)
        dl = (f1 * da1 - f2 * da2) / py
        ddl = (f1 * (dda1 - a1 * da1 * da1) - f2 * (dda2 - a2 * da2 * da2)) / py - dl * dl
        logl = (wc * np.where(ok, logpy1 + np.log(py), 0.0)).sum(0)
        g = (wc * np.where(ok, dl, 0.0)).sum(0)
        h = (wc * np.where(ok, ddl, 0.0)).sum(0)
        info = (wc * np.where(ok, dl * dl, 0.0)).sum(0)
        return logl, g, np.where(h < 0, h, -info)

    return _newton_1d(fun, start, -0.995, 0.995)


# ------------------------------------------------------------------------------------------- main ---

def ordinal_stats(X: np.ndarray, names: list[str], ordered: list[str] | None = None, *,
                  missing: str = "listwise", weights: np.ndarray | None = None,
                  cluster: np.ndarray | None = None) -> OrdinalStats:
    """Thresholds, polychoric correlations, WLS.obs and Gamma of ordinal data, as lavaan's WLSMV.

    Parameters
    ----------
    X : array, n x p
        Complete rows. Ordered columns hold integer category codes (any integers; the categories are the
        distinct observed values), the other columns continuous values.
    names : list of str
        Name of each column of ``X``.
    ordered : list of str, optional
        The ordered columns; default: all of them (lavaan's ``ordered = TRUE``).
    missing : {"listwise", "pairwise"}
        ``"listwise"`` (default): ``X`` must have complete rows. ``"pairwise"`` (lavaan's ``missing =
        "pairwise"``): ``X`` may hold NaN; thresholds come from each item's observed values, each
        polychoric correlation from the rows where both items are observed, and the casewise scores of a
        row are zero for what it does not observe, so Gamma is lavaan's sandwich over the available
        cases (N = all rows). A continuous variable gets its mean and variance from its observed values,
        its polyserial correlations from the rows where both variables are observed, and its correlation
        with another continuous variable (when either has missing values) is the maximum of the
        bivariate normal likelihood of their complete rows with the means and variances held fixed
        (lavaan's ``lav_bvreg_cor_twostep_fit``; without missing values that maximum is the Pearson
        correlation).
    weights : array of n floats, optional
        Sampling weights of the rows, already normalised (lavaan's ``sampling.weights``): weighted
        proportions give the thresholds, weighted contingency tables the polychoric correlations (the
        weighted pairwise likelihood), and Gamma is lavaan's sandwich with the weighted casewise scores
        ``w_i s_i`` in its meat and the weighted cross-products in its bread, times ``sum(w)`` (lavaan's
        ``nobs``). Continuous variables: weighted means and variances (divisor ``sum(w)``), weighted
        polyserial likelihoods and Pearson correlations (with missing values: the weighted two-step ML).
    cluster : array of n ints, optional
        Cluster codes ``0..C-1`` of the rows: the casewise influence rows are summed within clusters
        before their cross-product, times ``C / (C - 1)`` (lavaan >= 0.7's cluster-robust NACOV, issue
        #254; lavaan 0.6-14 ignores ``cluster=`` here). ``wls_v_diag`` keeps the unclustered Gamma's
        diagonal (the estimates do not change), ``gamma`` is the cluster-robust one.

    Returns
    -------
    OrdinalStats
        ``thresholds``, ``corr``, ``wls_obs`` (with ``wls_names``), ``gamma``, ``wls_v_diag`` and more; see
        the class and the module docstring for lavaan's orderings.

    Raises
    ------
    DataError
        Missing or non-finite values; an ordered column with a non-integer value (column, row, value)
        or with a single category (column, value); a constant continuous column.

    Warns
    -----
    EgovsemWarning
        An ordered column with more than 10 categories; a correlation above 0.99 in absolute value.

    Examples
    --------
    Same numbers as R's ``lavCor(d, ordered = names(d))`` (correlations), ``lavCor(d, ordered =
    names(d), output = "th")`` (thresholds) and ``lavInspect(fit, "wls.obs")`` / ``lavInspect(fit,
    "gamma")`` of ``fit <- cfa(model, data = d, ordered = TRUE, estimator = "WLSMV")``:

    >>> import numpy as np
    >>> X = np.array([[1, 1], [1, 2], [2, 2], [2, 3], [3, 3], [1, 1], [3, 2], [2, 1]])
    >>> st = ordinal_stats(X, ["a", "b"])
    >>> st.gamma.shape == (5, 5), st.wls_names[-1]
    (True, 'a~~b')
    """
    from .._errors import check_option

    missing = check_option("missing", missing, ["listwise", "pairwise"], casefold=True)
    Xf, names, is_ord = _check_input(X, names, ordered, missing)
    n, p = Xf.shape
    wt = _check_weights(weights, n)
    wv = np.ones(n) if wt is None else wt  # the rows' weights (1 without sampling weights)
    ord_names = tuple(nm for nm, o in zip(names, is_ord) if o)

    # ---- step 1: univariate ----------------------------------------------------------------------
    levels, codes, K, th = {}, np.zeros((n, p), np.intp), {}, {}
    means, variances = {}, {}
    slot_start, slot_len = np.zeros(p, int), np.zeros(p, int)
    pos = 0
    for v in range(p):
        if is_ord[v]:
            lev, c = _categorize(Xf[:, v], names[v])
            levels[names[v]], codes[:, v], K[v] = lev.astype(np.int64), c, lev.size
            cnt = np.bincount(c[c >= 0], weights=None if wt is None else wt[c >= 0], minlength=lev.size)
            prop = cnt / cnt.sum()
            th[v] = ndtri(np.cumsum(prop)[:-1])
            slot_len[v] = lev.size - 1
        else:
            # mean and variance (divisor: the observed rows) from the available cases (lavaan's lav_uvreg_fit)
            ob_v = ~np.isnan(Xf[:, v])
            xo, wo = Xf[ob_v, v], wv[ob_v]  # (weighted: lavaan's lav_uvreg_fit with wt, divisor sum(w))
            m = wo @ xo / wo.sum()
            s2 = wo @ (xo - m) ** 2 / wo.sum()
            if not s2 > 0:
                raise DataError(f"Column {names[v]!r} is constant (every row is {xo[0]:g}); a continuous "
                                f"variable needs some variance.")
            means[v], variances[v] = m, s2
            slot_len[v] = 1
        slot_start[v] = pos
        pos += slot_len[v]
    nth = pos
    num_idx = [v for v in range(p) if not is_ord[v]]
    var_slot = {v: nth + k for k, v in enumerate(num_idx)}
    n1 = nth + len(num_idx)

    # casewise univariate scores (lavaan's SC.TH, SC.VAR) and the A11 blocks
    SC1 = np.zeros((n, n1))
    for v in range(p):
        s0 = slot_start[v]
        if is_ord[v]:
            k, t = K[v], th[v]
            cv = codes[:, v]
            cnt = np.bincount(cv[cv >= 0], weights=None if wt is None else wt[cv >= 0], minlength=k)
            prop = cnt / cnt.sum()
            dt = _dnorm(t)
            S = np.zeros((k + 1, k - 1))  # the last row: a missing value (code -1) scores 0
            S[np.arange(k - 1), np.arange(k - 1)] = dt / prop[:-1]      # row in category j: +phi(t_j)/p_j
            S[np.arange(1, k), np.arange(k - 1)] = -dt / prop[1:]       # category j+1: -phi(t_j)/p_{j+1}
            SC1[:, s0:s0 + k - 1] = S[cv]
        else:
            res = Xf[:, v] - means[v]
            ob = ~np.isnan(res)  # a missing value scores 0 (lavaan's NA, dropped from the cross-products)
            res = np.where(ob, res, 0.0)
            SC1[:, s0] = res / variances[v]
            SC1[:, var_slot[v]] = np.where(ob, -1.0 / (2 * variances[v]) + res * res / (2 * variances[v] ** 2), 0.0)
    A11_blocks = []
    for v in range(p):
        slots = list(range(slot_start[v], slot_start[v] + slot_len[v]))
        if not is_ord[v]:
            slots.append(var_slot[v])
        A11_blocks.append(np.array(slots))

    # ---- step 2: bivariate -----------------------------------------------------------------------
    pairs = [(i, j) for j in range(p - 1) for i in range(j + 1, p)]  # lavaan's vech(diagonal = FALSE)
    pstar = len(pairs)
    corr = np.eye(p)
    SCC = np.zeros((n, pstar))
    A21 = np.zeros((pstar, n1))
    H21 = np.zeros((pstar, n1))
    H22 = np.ones(pstar)
    zero_cells = []

    oo = [k for k, (i, j) in enumerate(pairs) if is_ord[i] and is_ord[j]]
    if oo:
        pr = [(pairs[k][1], pairs[k][0]) for k in oo]  # (first, second) = (j, i) as lavaan's step 2
        rho, Bu, Bv, freq, valid, zero_cells = _polychoric(codes, K, th, pr, names, wt)
        dxrho, a21_u, a21_v = _polychoric_scores(rho, Bu, Bv, freq, valid, K, pr)
        U = np.array([u for u, _ in pr])
        V = np.array([v for _, v in pr])
        ok_idx = np.array(oo)
        both = (codes[:, U] >= 0) & (codes[:, V] >= 0)
        SCC[:, ok_idx] = np.where(both, dxrho[np.arange(len(oo))[None, :], codes[:, U], codes[:, V]], 0.0)
        for q, k in enumerate(oo):
            u, v = pr[q]
            corr[u, v] = corr[v, u] = rho[q]
            A21[k, slot_start[u]:slot_start[u] + K[u] - 1] = a21_u[q]
            A21[k, slot_start[v]:slot_start[v] + K[v] - 1] = a21_v[q]

    mix = [k for k, (i, j) in enumerate(pairs) if is_ord[i] != is_ord[j]]
    if mix:
        Kmax = max(K.values())
        yn = np.array([pairs[k][0] if not is_ord[pairs[k][0]] else pairs[k][1] for k in mix])  # continuous
        yo = np.array([pairs[k][1] if not is_ord[pairs[k][0]] else pairs[k][0] for k in mix])  # ordered
        bounds = np.full((len(mix), Kmax + 1), np.inf)
        bounds[:, 0] = -np.inf
        for q, v in enumerate(yo):
            bounds[q, 1:K[v]] = th[v]
        mu = np.array([means[v] for v in yn])
        var = np.array([variances[v] for v in yn])
        # the pair's rows: both observed (all rows with complete data); a missing value stands in at the mean
        # (continuous) or the first category (ordered) and scores 0
        pobs = ~np.isnan(Xf[:, yn]) & (codes[:, yo] >= 0)
        y1 = np.where(pobs, Xf[:, yn], mu)
        c2 = np.where(pobs, codes[:, yo], 0)
        # lavaan's start: cor(y1, y2, use = "pairwise") * sd(y2, na.rm = TRUE) * sqrt((N - 1) / N) / sum(dnorm(th)),
        # halved when above 0.9
        nb = pobs.sum(0)
        with np.errstate(invalid="ignore", divide="ignore"):
            y1c = np.where(pobs, y1 - y1.sum(0) / nb, 0.0)
            c2c = np.where(pobs, c2 - c2.sum(0) / nb, 0.0)
            r12 = (y1c * c2c).sum(0) / np.sqrt((y1c * y1c).sum(0) * (c2c * c2c).sum(0))
            o2 = codes[:, yo] >= 0
            n2 = o2.sum(0)
            m2 = np.where(o2, codes[:, yo], 0).sum(0) / n2
            ss2 = np.where(o2, (codes[:, yo] - m2) ** 2, 0.0).sum(0)
            sd2 = np.sqrt(ss2 / (n2 - 1) * (n - 1) / n)
        start = r12 * sd2 / np.array([_dnorm(th[v]).sum() for v in yo])
        start = np.where(np.abs(start) > 0.9, start / 2, start)
        start = np.clip(np.nan_to_num(start), -0.9, 0.9)
        rho, Z, z1, z2 = _polyserial(y1, mu, var, c2, bounds, start=start, obs=pobs, w=wv)
        R = np.sqrt(1 - rho * rho)
        t1, t2 = (z1 - rho * Z) / R, (z2 - rho * Z) / R
        d1, d2 = _dnorm(t1), _dnorm(t2)
        py = ndtr(t1) - ndtr(t2)
        py = np.where(py < _EPS, _EPS, py)
        sd = np.sqrt(var)
        dmu = np.where(pobs, (Z + (rho / R) * (d1 - d2) / py) / sd, 0.0)
        dvar = np.where(pobs, ((Z * Z - 1) + (rho * Z / R) * (d1 - d2) / py) / (2 * var), 0.0)
        drho = np.where(pobs, ((d1 * (z1 * rho - Z) - d2 * (z2 * rho - Z)) / py) / R ** 3, 0.0)
        mix_idx = np.array(mix)
        SCC[:, mix_idx] = drho
        for q, k in enumerate(mix):
            u, o = yn[q], yo[q]
            corr[u, o] = corr[o, u] = rho[q]
            A21[k, slot_start[u]] = drho[:, q] @ (wv * dmu[:, q])
            A21[k, var_slot[u]] = drho[:, q] @ (wv * dvar[:, q])
            c = c2[:, q]
            kk = K[o]
            # bivariate score of threshold t_j: (1[c == j] phi(t1) - 1[c == j+1] phi(t2)) / (R py)
            w = wv * drho[:, q] / (R[q] * py[:, q])
            a_up = np.bincount(c, weights=w * d1[:, q], minlength=kk)
            a_lo = np.bincount(c, weights=w * d2[:, q], minlength=kk)
            A21[k, slot_start[o]:slot_start[o] + kk - 1] = a_up[:kk - 1] - a_lo[1:kk]
            H21[k, var_slot[u]] = rho[q] / (2 * sd[q])
            H22[k] = sd[q]

    nn = [k for k, (i, j) in enumerate(pairs) if not is_ord[i] and not is_ord[j]]
    for k in nn:
        i, j = pairs[k]
        r1, r2 = Xf[:, i] - means[i], Xf[:, j] - means[j]
        v1, v2 = variances[i], variances[j]
        s1, s2 = np.sqrt(v1), np.sqrt(v2)
        both = ~(np.isnan(r1) | np.isnan(r2))
        if not both.all():
            # lavaan (lav_bvreg_cor_twostep_fit): with missing values, the ML correlation of the pair's
            # complete rows with the available-case means and variances held fixed
            r1, r2 = np.where(both, r1, 0.0), np.where(both, r2, 0.0)
            rho = _pearson_ml(r1[both] / s1, r2[both] / s2, np.log(s1 * s2), wv[both])
        else:
            rho = (wv @ (r1 * r2)) / (wv.sum() * s1 * s2)
        corr[i, j] = corr[j, i] = rho
        Rr = 1 - rho * rho
        dmu1 = (2 * r1 / v1 - 2 * rho * r2 / (s1 * s2)) / (2 * Rr)
        dmu2 = -(2 * rho * r1 / (s1 * s2) - 2 * r2 / v2) / (2 * Rr)
        dv1 = -(0.5 / v1 - (r1 * r1 / (v1 * v1) - rho * r1 * r2 / (v1 * s1 * s2)) / (2 * Rr))
        dv2 = -(0.5 / v2 + (rho * r1 * r2 / (v2 * s1 * s2) - r2 * r2 / (v2 * v2)) / (2 * Rr))
        z = r1 * r1 / v1 - 2 * rho * r1 * r2 / (s1 * s2) + r2 * r2 / v2
        drho = rho / Rr + (r1 * r2 / (s1 * s2 * Rr) - z * rho / (Rr * Rr))
        if not both.all():  # the rows that miss either variable score 0 (lavaan's NA)
            dmu1, dmu2, dv1, dv2, drho = (np.where(both, x, 0.0) for x in (dmu1, dmu2, dv1, dv2, drho))
        SCC[:, k] = drho
        dw = wv * drho
        A21[k, slot_start[i]] = dw @ dmu1
        A21[k, slot_start[j]] = dw @ dmu2
        A21[k, var_slot[i]] = dw @ dv1
        A21[k, var_slot[j]] = dw @ dv2
        H21[k, var_slot[i]] = s2 * rho / (2 * s1)
        H21[k, var_slot[j]] = s1 * rho / (2 * s2)
        H22[k] = s1 * s2

    for i, j in pairs:
        if abs(corr[i, j]) > 0.99:
            warnings.warn(f"The correlation between {names[i]} and {names[j]} is (nearly) 1.0 "
                          f"({corr[i, j]:.4f}).", EgovsemWarning, stacklevel=2)

    # ---- Gamma: the two-stage sandwich --------------------------------------------------------------
    # influence rows: IF1 = SC1 A11^-1 (block by block), IF2 = (SCC - IF1 A21') / diag(A22)
    # (sampling weights: the meat has the weighted scores w_i s_i, the bread the weighted cross-products)
    SC1w = SC1 if wt is None else SC1 * wt[:, None]
    IF1 = np.zeros_like(SC1)
    for idx in A11_blocks:
        blk = SC1w[:, idx]
        A = SC1[:, idx].T @ blk
        try:
            IF1[:, idx] = np.linalg.solve(A, blk.T).T
        except np.linalg.LinAlgError:
            warnings.warn("Trouble constructing Gamma: a block of A11 is singular; used a generalised inverse "
                          "(as lavaan).", EgovsemWarning, stacklevel=2)
            IF1[:, idx] = blk @ np.linalg.pinv(A)
    SCCw = SCC if wt is None else SCC * wt[:, None]
    a22 = np.einsum("ij,ij->j", SCC, SCCw)
    if np.any(a22 == 0):
        warnings.warn("Trouble constructing Gamma: a correlation has zero scores; used a generalised inverse "
                      "(as lavaan).", EgovsemWarning, stacklevel=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv22 = np.where(a22 > 0, 1.0 / a22, 0.0)
    IF2 = (SCCw - IF1 @ A21.T) * inv22[None, :]
    if num_idx:
        IF2 = IF1 @ H21.T + IF2 * H22[None, :]  # correlations -> covariances (lavaan's H)
        mean_slots = [slot_start[v] for v in num_idx]
        IF1[:, mean_slots] *= -1.0  # lavaan stores -mean in the threshold slot
    IF = np.hstack([IF1, IF2])
    nobs_w = float(n if wt is None else wt.sum())  # lavaan's nobs: the rows, or the sum of their weights
    gamma = nobs_w * (IF.T @ IF)
    gamma_iid = gamma
    if cluster is not None:
        gamma = cluster_gamma(IF, cluster, nobs_w)

    # ---- WLS.obs and names --------------------------------------------------------------------------
    sds = np.array([np.sqrt(variances[v]) if v in variances else 1.0 for v in range(p)])
    cov = corr * np.outer(sds, sds)
    obs: list[np.ndarray] = []
    labels: list[str] = []
    for v in range(p):
        if is_ord[v]:
            obs.extend(th[v])
            labels.extend(f"{names[v]}|t{k + 1}" for k in range(K[v] - 1))
        else:
            obs.append(-means[v])
            labels.append(f"{names[v]}~1")
    for v in num_idx:
        obs.append(variances[v])
        labels.append(f"{names[v]}~~{names[v]}")
    for i, j in pairs:
        obs.append(cov[i, j])
        labels.append(f"{names[j]}~~{names[i]}")
    wls_obs = np.array(obs)
    with np.errstate(divide="ignore"):
        wls_v_diag = 1.0 / np.diag(gamma_iid)

    return OrdinalStats(
        names=tuple(names), ordered=ord_names, nobs=n, nobs_w=nobs_w,
        levels={k: v.copy() for k, v in levels.items()},
        thresholds={names[v]: t for v, t in th.items()},
        means={names[v]: float(m) for v, m in means.items()},
        variances={names[v]: float(s) for v, s in variances.items()},
        corr=corr, wls_obs=wls_obs, wls_names=tuple(labels), gamma=gamma, wls_v_diag=wls_v_diag,
        zero_cell_pairs=tuple(zero_cells),
    )


categorize = _categorize  # public name for other modules
dnorm = _dnorm  # public name for other modules
pearson_ml = _pearson_ml  # public name for other modules
phi2 = _phi2  # public name for other modules
