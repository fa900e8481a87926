"""Starting values: lavaan 0.6-14's defaults (``start = "default"``, ``mimic = "lavaan"``).

Written from the rules of lavaan's ``lav_start()``, ``lav_cfa_1fac_fabin()``, ``lav_cfa_1fac_3ind()`` and
``lav_start_check_cov()``, per group:

* loadings: 1 (0.7 with ordinal indicators); for a factor whose indicators are all observed, FABIN3
  (Hägglund, 1982) on the sample covariances of its indicators, relative to the first indicator
  (with four or more indicators: ``lambda_i = s_i3' S_33^-1 s_31 / s_13' S_33^-1 s_31`` with ``3`` the
  other indicators; with fewer, the three-indicator closed form), bounded by
  ``|lambda_i| <= sqrt(s_ii / (0.1 s_11))``; a negative triad gives 1 (0.7 with a fixed unit latent
  variance); with a fixed unit latent variance the loadings are rescaled by ``sqrt(psi)`` of the
  one-factor solution;
* latent variances 0.05; an exogenous latent variable with a single indicator ``x``:
  ``max(0.05, s_xx - theta_x)`` with ``theta_x`` the indicator's fixed residual variance (1 if free);
* residual variances of observed variables ``0.5 s_ii`` (under FIML ``s_ii`` is the available-case
  variance times ``(N - 1) / N``, as lavaan's ``lavsamplestats@cov``);
* covariances and regressions 0; a model without latent variables starts each regression at its OLS
  coefficients and the residual variance at ``s_yy - b' s_xy`` when that lies in (0.01, 0.99) ``s_yy``;
* intercepts the sample means (the EM means under FIML), latent means 0; egovsem's one departure: a free
  latent mean whose first indicator has a fixed loading and a fixed intercept starts at that marker's mean
  (:func:`_marker_mean_start`);
* the (co)variances of exogenous observed covariates their sample values;
* user ``start()`` values of free parameters, then the values of fixed parameters, win;
* a starting covariance that implies a correlation beyond +-1 is shrunk (``lav_start_check_cov``).

Parameters shared by several rows (labels, ``group_equal``) start at the mean of their rows' values,
which is where lavaan's projection onto the equality constraints puts them.

>>> import numpy as np
>>> S = np.array([[1.0, .5, .4, .3], [.5, 1.0, .35, .3], [.4, .35, 1.0, .2], [.3, .3, .2, 1.0]])
>>> np.round(fabin3(S), 4)  # lavaan: lavaan:::lav_cfa_1fac_fabin(S, lambda.only = TRUE)$lambda
array([1.    , 0.9158, 0.694 , 0.5667])
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .data import SampleStats
    from .partable import ModelSpec
    from .ram import RAM

__all__ = ["fabin3", "one_factor_3ind", "partable_start", "start_theta", "start_theta_groups", "start_values"]


def one_factor_3ind(S: np.ndarray, *, std_lv: bool = False) -> tuple[np.ndarray, bool]:
    """One-factor loadings of one to three indicators in closed form (lavaan's ``lav_cfa_1fac_3ind``).

    Returns the loadings and whether the product of the three covariances is negative (a "negative
    triad"). Two indicators borrow a third with the mean variance and the same covariance; one indicator
    gets a loading of 1.
    """
    S = np.asarray(S, dtype=float)
    nvar = S.shape[0]
    if nvar == 1:
        S = np.ones((3, 3))
    elif nvar == 2:
        extra = np.array([np.mean(np.diag(S)), S[1, 0]])
        S = np.block([[S, extra[:, None]], [extra[None, :], np.array([[np.max(np.diag(S))]])]])
    s11, s22, s33 = S[0, 0], S[1, 1], S[2, 2]
    s21, s31, s32 = S[1, 0], S[2, 0], S[2, 1]
    neg_triad = bool(s21 * s31 * s32 < 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        psi = s21 * s31 / s32
        l2, l3 = s32 / s31, s32 / s21
    lower_psi = 0.1 * s11
    psi = min(max(psi, lower_psi), s11)
    l2 = _clip(l2, np.sqrt(s22 / lower_psi))
    l3 = _clip(l3, np.sqrt(s33 / lower_psi))
    lam = np.array([1.0, l2, l3])
    if std_lv:
        lam = lam * np.sign(psi) * np.sqrt(abs(psi))
    return lam[:nvar], neg_triad


def _clip(x: float, bound: float) -> float:
    # R's min(max(-b, x), b): a NaN x stays NaN (lavaan then replaces a non-finite start by 1)
    if np.isnan(x):
        return x
    return float(min(max(-bound, x), bound))


def fabin3(S: np.ndarray, *, std_lv: bool = False) -> np.ndarray:
    """FABIN3 one-factor loadings relative to the first indicator (lavaan's ``lav_cfa_1fac_fabin``).

    Fewer than four indicators use :func:`one_factor_3ind`. With ``std_lv`` the loadings are those of a
    factor with unit variance.
    """
    S = np.asarray(S, dtype=float)
    nvar = S.shape[0]
    if nvar < 4:
        return one_factor_3ind(S, std_lv=std_lv)[0]
    lam = np.ones(nvar)
    for i in range(1, nvar):
        idx3 = [j for j in range(nvar) if j not in (0, i)]
        s23 = S[i, idx3]
        s31 = S[idx3, 0]
        try:
            t = np.linalg.solve(S[np.ix_(idx3, idx3)], s31)
            lam[i] = (s23 @ t) / (s31 @ t)
        except np.linalg.LinAlgError:
            lam[i] = (s23 @ s31) / (s31 @ s31)
    lower_psi = 0.1 * S[0, 0]
    for i in range(1, nvar):
        lam[i] = _clip(lam[i], np.sqrt(S[i, i] / lower_psi))
    if std_lv:
        l2 = lam @ lam
        D = np.outer(lam, lam) / l2
        theta = np.linalg.solve(np.eye(nvar) - D * D, np.diag(S - D @ S @ D))
        S1 = S - np.diag(theta)
        psi = (lam @ S1 @ lam) / (l2 * l2)
        lam = lam * np.sign(psi) * np.sqrt(abs(psi))
    return lam


def _lavaan_cov(stats: Any) -> tuple[np.ndarray, bool]:
    """lavaan's ``lavsamplestats@cov`` and whether the data have missing values: with missing values it
    is the pairwise-complete covariance times (N - 1) / N, otherwise the sample covariance (divisor N)."""
    X = getattr(stats, "X", None)
    if X is None or X.size == 0 or not np.isnan(X).any():
        return np.asarray(stats.cov, dtype=float), False
    n = X.shape[0]
    P = pd.DataFrame(X).cov().to_numpy()  # pairwise complete, divisor n_jk - 1
    return P * (n - 1) / n, True


def _ov_x_names(spec, pt: pd.DataFrame) -> list[str]:
    """lavaan's ``ov.x``: observed variables on the right of ``~`` that are neither indicators nor
    dependent variables (whether or not they are fixed.x)."""
    if spec.ov_x:
        return list(spec.ov_x)
    lv = set(spec.lv)
    regs = pt[pt["op"] == "~"]
    y = set(regs["lhs"])
    ind = set(pt.loc[pt["op"] == "=~", "rhs"])
    return [v for v in spec.ov if v in set(regs["rhs"]) and v not in y and v not in ind and v not in lv]


def partable_start(spec, pt: pd.DataFrame, stats: Any, *, categorical: bool = False) -> np.ndarray:
    """lavaan's start value of every row of ``pt`` (the rows of one group), as ``parTable(fit)$start``.

    ``stats`` holds the group's sample moments (``cov`` with divisor N, ``mean``; ``X`` when the rows
    are available, with NaN for missing cells, in which case ``cov``/``mean`` are the EM estimates).
    ``categorical``: ordinal indicators (loadings default to 0.7; their residual variances are not set here).
    """
    pt = pt.reset_index(drop=True)
    ov = list(spec.ov)
    opos = {v: i for i, v in enumerate(ov)}
    lvs = set(spec.lv)
    S = np.asarray(stats.cov, dtype=float)
    xbar = np.asarray(stats.mean, dtype=float)
    Slav, missing = _lavaan_cov(stats)
    lhs, op, rhs = pt["lhs"].to_numpy(), pt["op"].to_numpy(), pt["rhs"].to_numpy()
    free = pt["free"].to_numpy()
    ustart = pt["ustart"].to_numpy(dtype=float)
    n = len(pt)
    start = np.zeros(n)
    start[op == "=~"] = 0.7 if categorical else 1.0
    var_row = {a: i for i, (a, o, b) in enumerate(zip(lhs, op, rhs)) if o == "~~" and a == b}
    for f, i in var_row.items():
        if f in lvs:
            start[i] = 0.05
        elif f in opos:
            start[i] = 0.5 * Slav[opos[f], opos[f]]
    # loadings: FABIN3 per factor whose indicators are all observed
    for f in spec.lv:
        lam_idx = np.flatnonzero((lhs == f) & (op == "=~"))
        if lam_idx.size == 0 or any(r in lvs for r in rhs[lam_idx]):
            continue
        if any(r not in opos for r in rhs[lam_idx]):
            continue
        vi = var_row.get(f)
        std_lv = vi is not None and free[vi] == 0 and ustart[vi] == 1.0
        idx = [opos[r] for r in rhs[lam_idx]]
        C = S[np.ix_(idx, idx)]
        if len(idx) < 4:
            lam, neg = one_factor_3ind(C, std_lv=std_lv)
        else:
            lam, neg = fabin3(C, std_lv=std_lv), False
        lam = np.where(np.isfinite(lam), lam, 1.0)
        if neg:
            lam = np.full(lam.size, 0.7 if std_lv else 1.0)
        start[lam_idx] = lam
    # intercepts: the sample (EM) means
    for i in np.flatnonzero(op == "~1").tolist():
        if lhs[i] in opos:
            start[i] = xbar[opos[lhs[i]]]
    # egovsem's one departure from lavaan's rules: a free latent mean identified by a marker indicator
    # with a fixed intercept starts where that marker's mean puts it (lavaan starts at 0)
    for i in np.flatnonzero((op == "~1") & (free > 0)).tolist():
        if lhs[i] in lvs and not np.isfinite(ustart[i]):
            marker = _marker_mean_start(lhs[i], lhs, op, rhs, free, ustart, opos, xbar)
            if marker is not None:
                start[i] = marker
    # exogenous observed covariates: their sample (co)variances
    ovx = set(_ov_x_names(spec, pt))
    for i in np.flatnonzero(op == "~~").tolist():
        if lhs[i] in ovx and rhs[i] in ovx:
            a, b = opos[lhs[i]], opos[rhs[i]]
            start[i] = S[a, b] * ((stats.X.shape[0] - 1) / stats.X.shape[0] if missing and free[i] > 0 else 1.0)
    # an exogenous latent variable with a single indicator
    for f in spec.lv_x:
        ind = np.flatnonzero((lhs == f) & (op == "=~"))
        if ind.size != 1 or f not in var_row:
            continue
        x = rhs[ind[0]]
        xv = var_row.get(x)
        single_var = ustart[xv] if xv is not None and np.isfinite(ustart[xv]) else 1.0
        tmp = np.nan
        if x in opos:
            ov_var = Slav[opos[x], opos[x]]
            tmp = (1.0 - single_var / ov_var) * ov_var
        start[var_row[f]] = tmp if (np.isfinite(tmp) and tmp >= 0.05) else 0.05
    # a model without latent variables: OLS regressions
    if not spec.lv:
        for y in pd.unique(lhs[op == "~"]):
            ridx = np.flatnonzero((lhs == y) & (op == "~"))
            xi = [opos[v] for v in rhs[ridx]]
            yi = opos[y]
            Sxy = Slav[xi, yi]
            try:
                beta = np.linalg.solve(Slav[np.ix_(xi, xi)], Sxy)
            except np.linalg.LinAlgError:
                beta = np.zeros(len(xi))
            start[ridx] = beta
            res = Slav[yi, yi] - beta @ Sxy
            if y in var_row and 0.01 * Slav[yi, yi] < res < 0.99 * Slav[yi, yi]:
                start[var_row[y]] = res
    # user start() values of free rows, then fixed values
    user = np.isfinite(ustart)
    start[user & (free > 0)] = ustart[user & (free > 0)]
    start[user & (free == 0)] = ustart[user & (free == 0)]
    start = _check_cov(pt, start, var_row)
    start[~np.isfinite(start)] = 0.5
    return start


def _marker_mean_start(f: str, lhs: np.ndarray, op: np.ndarray, rhs: np.ndarray, free: np.ndarray,
                       ustart: np.ndarray, opos: dict, xbar: np.ndarray) -> float | None:
    """Start of the free mean of latent ``f`` whose first indicator is observed, with a fixed nonzero
    loading ``l`` and a fixed intercept ``nu``: ``(mean(x) - nu) / l``, so the marker's mean fits at the
    start; ``None`` when ``f`` has no such marker.

    From lavaan's start (latent means 0) a model with the marker intercepts fixed at 0 and the latent means
    free begins with every marker's whole mean unexplained; on semTools' ``probe2WayMC`` example model fitted
    to HolzingerSwineford1939 (means ~ 3-6) the scoring steps then run onto a ridge of improper solutions
    (chisq 224.3 after 10,000 iterations) instead of lavaan's optimum (chisq 147.161), which they reach
    from this start."""
    lam = np.flatnonzero((lhs == f) & (op == "=~"))
    if lam.size == 0:
        return None
    j = lam[0]
    x = rhs[j]
    if x not in opos or free[j] > 0 or not np.isfinite(ustart[j]) or ustart[j] == 0:
        return None
    nu = np.flatnonzero((lhs == x) & (op == "~1"))
    if nu.size != 1 or free[nu[0]] > 0 or not np.isfinite(ustart[nu[0]]):
        return None
    return float((xbar[opos[x]] - ustart[nu[0]]) / ustart[j])


def _check_cov(pt: pd.DataFrame, start: np.ndarray, var_row: dict) -> np.ndarray:
    """lavaan's ``lav_start_check_cov``: a starting covariance must imply a correlation within +-1."""
    lhs, op, rhs = pt["lhs"].to_numpy(), pt["op"].to_numpy(), pt["rhs"].to_numpy()
    free = pt["free"].to_numpy()
    ustart = pt["ustart"].to_numpy(dtype=float)
    exo = pt["exo"].to_numpy() if "exo" in pt else np.zeros(len(pt))
    for i in np.flatnonzero((op == "~~") & (lhs != rhs) & (exo == 0) & (start != 0)):
        a, b = var_row.get(lhs[i]), var_row.get(rhs[i])
        if a is None or b is None:
            continue
        va, vb = start[a], start[b]
        if va == 0 or vb == 0:
            if free[i] > 0:
                start[i] = 0.0
            continue
        vmin, vmax = (a, b) if abs(va) < abs(vb) else (b, a)
        with np.errstate(invalid="ignore"):
            cor = start[i] / np.sqrt(va * vb)
        if not np.isfinite(cor):
            start[a] = start[b] = 1.0
            start[i] = 0.0
        elif abs(cor) > 1:
            # lavaan's order: the covariance, the smaller variance, the larger one; first among the free
            # rows without a user start value, then among all free rows
            order = ((i, True), (vmin, False), (vmax, False))
            pick = next((c for c in order if free[c[0]] > 0 and np.isnan(ustart[c[0]])), None)
            if pick is None:
                pick = next((c for c in order if free[c[0]] > 0), None)
            if pick is None:
                continue
            k, is_cov = pick
            start[k] = start[k] / (cor * 1.1) if is_cov else start[k] * (cor * 1.1) ** 2
    return start


def _theta_from_rows(free: np.ndarray, rows_start: np.ndarray, q: int, override: np.ndarray | None = None) -> np.ndarray:
    theta = np.zeros(q)
    cnt = np.zeros(q)
    k = free - 1
    m = k >= 0
    np.add.at(theta, k[m], rows_start[m])
    np.add.at(cnt, k[m], 1.0)
    theta = np.where(cnt > 0, theta / np.maximum(cnt, 1.0), 0.0)
    if override is not None:
        # an explicit value in the table's "start" column (set by the caller) wins
        for kk, v in zip(k, override):
            if kk >= 0 and np.isfinite(v):
                theta[kk] = v
    return theta


def start_theta(spec, pt: pd.DataFrame, q: int, stats: Any, *, categorical: bool = False) -> np.ndarray:
    """Starting values of the free parameters (length ``q``) of a single-group table ``pt``."""
    rows = partable_start(spec, pt, stats, categorical=categorical)
    override = pt["start"].to_numpy(dtype=float) if "start" in pt else None
    return _theta_from_rows(pt["free"].to_numpy(), rows, q, override)


def start_theta_groups(spec, pt: pd.DataFrame, stats: list, q: int) -> tuple[np.ndarray, np.ndarray]:
    """Multi-group starting values: each group's rows from its own moments; a parameter shared across
    groups starts at the mean of its rows. Returns ``(theta0, rows_start)`` with one start per row of
    ``pt`` (in ``pt``'s order)."""
    rows = np.zeros(len(pt))
    grp = pt["group"].to_numpy()
    for g, st in enumerate(stats, start=1):
        mask = grp == g
        rows[mask] = partable_start(spec, pt[mask], st)
    override = pt["start"].to_numpy(dtype=float) if "start" in pt else None
    return _theta_from_rows(pt["free"].to_numpy(), rows, q, override), rows


def start_values(spec: ModelSpec, pt: pd.DataFrame, ram: RAM, stats: SampleStats) -> np.ndarray:
    """Starting values of the free parameters: lavaan's defaults (FABIN3 loadings and its rules for the
    rest), see :mod:`egovsem.sem.start`; user ``start()`` values win."""
    return start_theta(spec, pt, ram.q, stats)
