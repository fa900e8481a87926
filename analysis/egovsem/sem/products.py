"""Latent interactions by product indicators: :func:`ind_prod` (``semTools::indProd``), probing of a two-way
interaction (:func:`probe_2way_mc`, :func:`probe_2way_rc`: ``semTools::probe2WayMC`` / ``probe2WayRC``) with
Johnson-Neyman bounds, and a simple-slopes plot (:func:`plot_probe`, en and zh).

The product-indicator model is an ordinary lavaan model fitted by :func:`egovsem.sem`; the product factor is a
latent variable measured by the product columns ``ind_prod`` writes (``x1.x4``, ...), uncorrelated with its
first-order factors (``f12 ~~ 0*f1 + 0*f2``).
"""
from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._errors import DataError, EgovsemError, EgovsemWarning, caller_stacklevel
from .checks import require_converged

__all__ = ["ind_prod", "probe_2way_mc", "probe_2way_rc", "ProbeResult", "johnson_neyman", "plot_probe"]


def _columns(data: pd.DataFrame, names, arg: str) -> list[str]:
    if isinstance(names, str) or not isinstance(names, Sequence) or not len(names):
        raise EgovsemError(f"The '{arg}' parameter must be a non-empty list of column names. Got {names!r} instead.")
    names = [data.columns[i] if isinstance(i, (int, np.integer)) and not isinstance(i, bool) else i for i in names]
    absent = [c for c in names if c not in data.columns]
    if absent:
        raise DataError(f"The '{arg}' parameter names column(s) that are not in 'data': {absent!r}.")
    bad = [c for c in names if not pd.api.types.is_numeric_dtype(data[c])]
    if bad:
        raise DataError(f"The column(s) {bad!r} named in '{arg}' must be numeric.")
    return [str(c) for c in names]


def _residualize(prod: np.ndarray, first: np.ndarray) -> np.ndarray:
    """semTools' residual centring: the rows complete on every product are replaced by the residuals of the
    multivariate regression of the products on all first-order indicators (with an intercept); rows with a
    missing product keep their raw products."""
    ok = ~np.isnan(prod).any(axis=1)
    X = np.column_stack([np.ones(int(ok.sum())), first[ok]])
    good = ~np.isnan(X).any(axis=1)
    rows = np.flatnonzero(ok)[good]
    X = X[good]
    coef, *_ = np.linalg.lstsq(X, prod[rows], rcond=None)
    out = prod.copy()
    out[rows] = prod[rows] - X @ coef
    return out


def ind_prod(data: pd.DataFrame, var1, var2, *, match: bool = True, mean_c: bool = True, residual_c: bool = False,
             double_mc: bool = True, names_prod: Sequence[str] | None = None) -> pd.DataFrame:
    """Product indicators of two latent variables, as ``semTools::indProd``.

    Parameters
    ----------
    data : DataFrame
    var1, var2 : list of str (or column positions)
        The indicators of the two factors.
    match : bool, default True
        Matched pairs (``var1[i] * var2[i]``; equal numbers of indicators) or all pairs (``var1[i] * var2[j]``,
        ``var1`` outer).
    mean_c : bool, default True
        Centre the indicators at their means before multiplying (``meanC``).
    residual_c : bool, default False
        Residual centring (Little, Bovaird & Widaman 2006): each product replaced by its residual from the
        regression on all first-order indicators (``residualC``).
    double_mc : bool, default True
        Centre the products too (double-mean centring, Lin et al. 2010; semTools' default ``doubleMC``).
    names_prod : list of str, optional
        Names of the products (default ``"x1.x4"``: the two names joined by a dot, as semTools writes them).

    Returns
    -------
    DataFrame
        ``data`` with the product columns appended (missing values propagate; means are taken over the
        answered rows, as R's ``scale``).

    Examples
    --------
    >>> import egovsem.datasets as ds
    >>> from egovsem.sem.products import ind_prod
    >>> hs = ds.load("HolzingerSwineford1939")
    >>> # In R: semTools::indProd(HS, c("x1","x2","x3"), c("x4","x5","x6"))[1, c("x1.x4","x2.x5","x3.x6")]
    >>> ind_prod(hs, ["x1", "x2", "x3"], ["x4", "x5", "x6"]).loc[0, ["x1.x4", "x2.x5", "x3.x6"]].round(4).tolist()
    [0.6611, 2.1314, 1.4435]
    """
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"The 'data' parameter must be a pandas DataFrame. Got {type(data).__name__} instead.")
    v1, v2 = _columns(data, var1, "var1"), _columns(data, var2, "var2")
    if match and len(v1) != len(v2):
        raise EgovsemError(f"Matched pairs (match=True) need as many indicators in 'var1' as in 'var2'. Got "
                           f"{len(v1)} ({v1!r}) and {len(v2)} ({v2!r}).")
    same = sorted(set(v1) & set(v2))
    if same:
        raise EgovsemError(f"An interaction of a variable with itself is not a product indicator: {same!r} is in "
                           "both 'var1' and 'var2' (a quadratic term needs its own model).")
    d1 = data[v1].to_numpy(float)
    d2 = data[v2].to_numpy(float)
    if mean_c:
        d1 = d1 - np.nanmean(d1, axis=0)
        d2 = d2 - np.nanmean(d2, axis=0)
    if match:
        prod = d1 * d2
        names = [f"{a}.{b}" for a, b in zip(v1, v2)]
    else:
        prod = np.column_stack([d1[:, i] * d2[:, j] for i in range(len(v1)) for j in range(len(v2))])
        names = [f"{a}.{b}" for a in v1 for b in v2]
    if residual_c:
        prod = _residualize(prod, np.column_stack([d1, d2]))
    if double_mc:
        prod = prod - np.nanmean(prod, axis=0)
    if names_prod is not None:
        names_prod = list(names_prod)
        if len(names_prod) != len(names):
            raise EgovsemError(f"The 'names_prod' parameter must hold {len(names)} names. Got {len(names_prod)}.")
        names = [str(n) for n in names_prod]
    clash = [n for n in names if n in data.columns]
    if clash:
        raise DataError(f"The product column(s) {clash!r} are already columns of 'data'; give 'names_prod'.")
    return pd.concat([data, pd.DataFrame(prod, index=data.index, columns=names)], axis=1)


@dataclass(frozen=True)
class ProbeResult:
    """Simple slopes of a latent two-way interaction (``semTools::probe2WayMC`` / ``probe2WayRC``).

    ``slopes``: ``value est se z pvalue`` (the slope of the focal predictor at each moderator value);
    ``intercepts``: the simple intercepts in the same layout when the outcome's intercept is estimated, else
    None; ``jn``: the Johnson-Neyman bounds (:func:`johnson_neyman`); ``b`` and ``V``: the focal slope, the
    moderator's slope and the interaction (in that order) with their sampling covariance, on the scale the
    slopes refer to (for RC: the mean-centred, "NC" solution).
    """

    focal: str
    moderator: str
    outcome: str
    interaction: str
    method: str
    slopes: pd.DataFrame
    intercepts: pd.DataFrame | None
    jn: pd.DataFrame
    b: np.ndarray
    V: np.ndarray
    moderator_mean: float
    moderator_sd: float

    def __repr__(self) -> str:
        head = (f"Simple slopes of {self.focal} on {self.outcome} at values of {self.moderator} "
                f"(probe2Way{self.method.upper()})")
        return "\n".join([head, self.slopes.to_string(index=False), "Johnson-Neyman:",
                          self.jn.to_string(index=False)])

    def _repr_html_(self) -> str:
        return (f"<p>Simple slopes of {self.focal} on {self.outcome} at values of {self.moderator} "
                f"(probe2Way{self.method.upper()})</p>" + self.slopes.to_html(index=False)
                + "<p>Johnson-Neyman</p>" + self.jn.to_html(index=False))

    def simple_slope(self, values) -> pd.DataFrame:
        """Slopes at other moderator values (``value est se z pvalue``), from the same ``b`` and ``V``."""
        return _slope_table(self.b, self.V, np.atleast_1d(np.asarray(values, float)))

    def plot(self, path=None, **kw):
        """:func:`plot_probe` of this result."""
        return plot_probe(self, path, **kw)


def _slope_table(b: np.ndarray, V: np.ndarray, w: np.ndarray) -> pd.DataFrame:
    est = b[0] + b[2] * w
    se = np.sqrt(V[0, 0] + 2 * w * V[0, 2] + w ** 2 * V[2, 2])
    z = est / se
    return pd.DataFrame({"value": w, "est": est, "se": se, "z": z, "pvalue": 2 * stats.norm.sf(np.abs(z))})


def johnson_neyman(b: np.ndarray, V: np.ndarray, *, alpha: float = 0.05) -> pd.DataFrame:
    """Johnson-Neyman bounds: the moderator values ``w`` where the simple slope ``b[0] + b[2] w`` has
    ``|z| = qnorm(1 - alpha/2)``, the roots of ``(b0 + b2 w)^2 - z^2 (V00 + 2 w V02 + w^2 V22) = 0``.

    Returns one row ``lower upper significant`` where ``significant`` is ``"inside"`` (the slope is
    significant between the bounds), ``"outside"`` (below ``lower`` and above ``upper``), ``"everywhere"``
    or ``"nowhere"`` (no real root; the bounds are NaN).
    """
    z = stats.norm.isf(alpha / 2)
    a = b[2] ** 2 - z ** 2 * V[2, 2]
    bb = 2 * (b[0] * b[2] - z ** 2 * V[0, 2])
    c = b[0] ** 2 - z ** 2 * V[0, 0]
    disc = bb ** 2 - 4 * a * c
    if disc < 0 or a == 0:
        lo = hi = float("nan")
        where = "everywhere" if c > 0 else "nowhere"
    else:
        lo, hi = sorted(((-bb - np.sqrt(disc)) / (2 * a), (-bb + np.sqrt(disc)) / (2 * a)))
        where = "inside" if a < 0 else "outside"
    return pd.DataFrame([{"lower": lo, "upper": hi, "significant": where, "alpha": alpha}])


def _check_names(fit, name_x, name_y, mod_var):
    if not all(hasattr(fit, a) for a in ("params", "inspect")):
        raise EgovsemError(f"The 'fit' parameter must be the result of egovsem.sem(). Got {type(fit).__name__}.")
    require_converged(fit, "probe_2way")
    if fit.inspect("ngroups") > 1:
        from .._errors import NotAvailableError

        raise NotAvailableError("Probing an interaction of a multi-group fit is not implemented yet.")
    if isinstance(name_x, str) or len(name_x) != 3:
        raise EgovsemError("The 'name_x' parameter must name three latent variables: the two first-order factors "
                           f"and their product factor, e.g. ['f1', 'f2', 'f12']. Got {name_x!r}.")
    name_x = [str(v) for v in name_x]
    if len(set(name_x)) < 3:
        raise EgovsemError(f"An interaction of a variable with itself cannot be probed: 'name_x' = {name_x!r} names "
                           "a factor twice.")
    lv = list(fit.inspect("lv.names"))
    absent = [v for v in name_x + [str(name_y)] if v not in lv]
    if absent:
        raise EgovsemError(f"The factor(s) {absent!r} are not latent variables of the fit (it has {lv!r}).")
    if mod_var in (1, 2):
        mod = int(mod_var) - 1
    elif mod_var in name_x[:2]:
        mod = name_x.index(mod_var)
    else:
        raise EgovsemError(f"The 'mod_var' parameter must be {name_x[0]!r} or {name_x[1]!r} (or 1 or 2). "
                           f"Got {mod_var!r} instead.")
    pe = fit.params
    for x in name_x:
        if not ((pe["lhs"] == name_y) & (pe["op"] == "~") & (pe["rhs"] == x)).any():
            raise EgovsemError(f"The fit has no regression {name_y} ~ {x}; the outcome must be regressed on all "
                               f"of {name_x!r}.")
    return name_x, str(name_y), mod


def _vcov_key(pe: pd.DataFrame, lhs: str, op: str, rhs: str) -> str:
    row = pe[(pe["lhs"] == lhs) & (pe["op"] == op) & (pe["rhs"] == rhs)]
    lab = str(row["label"].iloc[0]) if len(row) and "label" in row else ""
    return lab if lab and lab != "nan" else f"{lhs}{op}{rhs}"


def _check_values(values, mean: float, sd: float, moderator: str, k: float = 3.0) -> np.ndarray:
    w = np.atleast_1d(np.asarray(values, dtype=float))
    if w.size == 0 or not np.isfinite(w).all():
        raise EgovsemError(f"The 'val_probe' parameter must hold finite moderator values. Got {values!r}.")
    lo, hi = mean - k * sd, mean + k * sd
    out = [float(v) for v in w if v < lo or v > hi]
    if out:
        warnings.warn(f"The moderator value(s) {out!r} of 'val_probe' lie outside the latent range of {moderator!r} "
                      f"(its model-implied mean +- {k:g} SD: [{lo:.3f}, {hi:.3f}]); the simple slopes there are "
                      "extrapolations.", EgovsemWarning, stacklevel=caller_stacklevel())
    return w


def probe_2way_mc(fit, name_x: Sequence[str], name_y: str, mod_var, val_probe) -> ProbeResult:
    """Simple slopes of a latent interaction fitted with mean-centred (or double-mean-centred) product
    indicators, as ``semTools::probe2WayMC``.

    Parameters
    ----------
    fit : egovsem.Results
        A converged single-group fit in which ``name_y`` is regressed on the three factors of ``name_x``.
    name_x : [focal or moderator, focal or moderator, product factor]
    name_y : str
        The outcome factor.
    mod_var : str or {1, 2}
        The moderator (one of the first two of ``name_x``); the other is the focal predictor.
    val_probe : sequence of float
        Moderator values (in the factor's metric: its mean is 0 under mean centring). A value more than 3 SD
        (model-implied) from the moderator's mean gets a warning naming the value and the range.

    Returns
    -------
    ProbeResult

    Examples
    --------
    >>> import egovsem, egovsem.datasets as ds
    >>> from egovsem.sem.products import ind_prod, probe_2way_mc
    >>> d = ind_prod(ds.load("HolzingerSwineford1939"), ["x1", "x2", "x3"], ["x4", "x5", "x6"])
    >>> fit = egovsem.sem("f1 =~ x1 + x2 + x3\\nf2 =~ x4 + x5 + x6\\nf12 =~ x1.x4 + x2.x5 + x3.x6\\n"
    ...                   "f3 =~ x7 + x8 + x9\\nf3 ~ f1 + f2 + f12\\nf12 ~~ 0*f1 + 0*f2", d)
    >>> # In R: probe2WayMC(fit, c("f1","f2","f12"), "f3", "f2", c(-1, 0, 1))$SimpleSlope  -> .234 .298 .362
    >>> probe_2way_mc(fit, ["f1", "f2", "f12"], "f3", "f2", [-1, 0, 1]).slopes[["value", "est", "se"]].round(3)
       value    est     se
    0   -1.0  0.234  0.100
    1    0.0  0.298  0.078
    2    1.0  0.362  0.104
    """
    name_x, name_y, mod = _check_names(fit, name_x, name_y, mod_var)
    focal = 1 - mod
    order = [focal, mod, 2]
    est = fit.inspect("est")
    pe = fit.params
    beta = est["beta"].loc[name_y, name_x].to_numpy(float)[order]
    V = fit.inspect("vcov")
    keys = [_vcov_key(pe, name_y, "~", name_x[i]) for i in order]
    Vs = V.loc[keys, keys].to_numpy(float)
    alpha = est.get("alpha")
    m_mean = float(alpha.loc[name_x[mod]].iloc[0]) if alpha is not None else 0.0
    m_sd = float(np.sqrt(fit.inspect("cov.lv").loc[name_x[mod], name_x[mod]]))
    w = _check_values(val_probe, m_mean, m_sd, name_x[mod])
    icpt = None
    ikey = _vcov_key(pe, name_y, "~1", "")
    if ikey in V.index and alpha is not None:
        bi = np.array([float(alpha.loc[name_y].iloc[0]), 0.0, beta[1]])
        ki = [ikey, keys[1]]
        Vi = np.zeros((3, 3))
        Vi[np.ix_([0, 2], [0, 2])] = V.loc[ki, ki].to_numpy(float)
        icpt = _slope_table(bi, Vi, w)
    return ProbeResult(name_x[focal], name_x[mod], name_y, name_x[2], "mc", _slope_table(beta, Vs, w), icpt,
                       johnson_neyman(beta, Vs), beta, Vs, m_mean, m_sd)


def probe_2way_rc(fit, name_x: Sequence[str], name_y: str, mod_var, val_probe) -> ProbeResult:
    """Simple slopes of a latent interaction fitted with residual-centred product indicators, as
    ``semTools::probe2WayRC``: the residual-centred solution is transformed back to the uncentred ("NC")
    regression (the mean and covariance of the product of two normal factors) and its sampling covariance is
    rescaled as semTools does (``resVarNC / resVarRC * V SS_RC SS_NC^-1``).

    Parameters
    ----------
    fit : egovsem.Results
        As :func:`probe_2way_mc`, fitted with ``meanstructure=True``.
    name_x, name_y, mod_var, val_probe
        As :func:`probe_2way_mc`.

    Returns
    -------
    ProbeResult
        ``b`` and ``V`` are the NC slopes (focal, moderator, product) and their rescaled covariance.

    Examples
    --------
    >>> import egovsem, egovsem.datasets as ds
    >>> from egovsem.sem.products import ind_prod, probe_2way_rc
    >>> d = ind_prod(ds.load("HolzingerSwineford1939"), ["x1", "x2", "x3"], ["x4", "x5", "x6"],
    ...              mean_c=False, residual_c=True, double_mc=False)
    >>> fit = egovsem.sem("f1 =~ x1 + x2 + x3\\nf2 =~ x4 + x5 + x6\\nf12 =~ x1.x4 + x2.x5 + x3.x6\\n"
    ...                   "f3 =~ x7 + x8 + x9\\nf3 ~ f1 + f2 + f12\\nf12 ~~ 0*f1 + 0*f2", d, meanstructure=True)
    >>> # In R: probe2WayRC(fit, c("f1","f2","f12"), "f3", "f2", c(-1, 0, 1))$SimpleSlope  -> .228 .299 .370
    >>> probe_2way_rc(fit, ["f1", "f2", "f12"], "f3", "f2", [-1, 0, 1]).slopes[["value", "est", "se"]].round(3)
       value    est     se
    0   -1.0  0.228  0.091
    1    0.0  0.299  0.078
    2    1.0  0.370  0.093
    """
    name_x, name_y, mod = _check_names(fit, name_x, name_y, mod_var)
    if not (getattr(fit, "options", {}) or {}).get("meanstructure"):
        raise EgovsemError("probe_2way_rc needs a fit with a mean structure: fit with meanstructure=True.")
    est = fit.inspect("est")
    pe = fit.params
    beta_all, psi, alpha = est["beta"], est["psi"], est["alpha"]
    varX = psi.loc[name_x, name_x].to_numpy(float).copy()
    meanX = alpha.loc[name_x].iloc[:, 0].to_numpy(float).copy()
    intRC = float(alpha.loc[name_y].iloc[0])
    resRC = float(psi.loc[name_y, name_y])
    betaRC = beta_all.loc[name_y, name_x].to_numpy(float)
    n = float(fit.inspect("nobs"))
    m1 = np.concatenate([[1.0], meanX])
    v0 = np.zeros((4, 4))
    v0[1:, 1:] = varX
    SSRC = n * (v0 + np.outer(m1, m1))
    bRCi = np.concatenate([[intRC], betaRC])
    meanY = float(m1 @ bRCi)
    varY = float(bRCi @ SSRC @ bRCi) / n - meanY ** 2 + resRC
    covY = (varX @ betaRC)[:2]
    meanX[2] = meanX[0] * meanX[1] + varX[0, 1]
    varX[2, 2] = (meanX[0] ** 2 * varX[1, 1] + meanX[1] ** 2 * varX[0, 0] + 2 * meanX[0] * meanX[1] * varX[0, 1]
                  + varX[0, 0] * varX[1, 1] + varX[0, 1] ** 2)
    varX[0, 2] = varX[2, 0] = meanX[0] * varX[0, 1] + meanX[1] * varX[0, 0]
    varX[1, 2] = varX[2, 1] = meanX[0] * varX[1, 1] + meanX[1] * varX[0, 1]
    bNC = np.linalg.solve(varX[:2, :2], covY - varX[:2, 2] * betaRC[2])
    bNC = np.concatenate([bNC, [betaRC[2]]])
    intNC = meanY - float(bNC @ meanX)
    bNCi = np.concatenate([[intNC], bNC])
    m1 = np.concatenate([[1.0], meanX])
    v0 = np.zeros((4, 4))
    v0[1:, 1:] = varX
    SSNC = n * (v0 + np.outer(m1, m1))
    resNC = varY - float(bNCi @ SSNC @ bNCi) / n + meanY ** 2
    V = fit.inspect("vcov")
    keys = [_vcov_key(pe, name_y, "~", x) for x in name_x]
    ikey = _vcov_key(pe, name_y, "~1", "")
    focal = 1 - mod
    m_mean = float(alpha.loc[name_x[mod]].iloc[0])
    m_sd = float(np.sqrt(psi.loc[name_x[mod], name_x[mod]]))
    w = _check_values(val_probe, m_mean, m_sd, name_x[mod])
    icpt = None
    if ikey in V.index:
        k = [ikey] + keys
        # not symmetric: semTools reads the upper elements, so does _slope_table
        used = resNC / resRC * (V.loc[k, k].to_numpy(float) @ SSRC @ np.linalg.inv(SSNC))
        o = [0, 1 + focal, 1 + mod, 3]  # intercept, focal slope, moderator slope, product (semTools' order)
        used, ub = used[np.ix_(o, o)], bNCi[o]
        icpt = _slope_table(ub[:3], used[:3, :3], w)
        bs, Vs = ub[1:], used[1:, 1:]
    else:
        used = resNC / resRC * (V.loc[keys, keys].to_numpy(float) @ SSRC[1:, 1:] @ np.linalg.inv(SSNC[1:, 1:]))
        o = [focal, mod, 2]
        bs, Vs = bNC[o], used[np.ix_(o, o)]
    return ProbeResult(name_x[focal], name_x[mod], name_y, name_x[2], "rc", _slope_table(bs, Vs, w), icpt,
                       johnson_neyman(bs, Vs), bs, Vs, m_mean, m_sd)


@contextlib.contextmanager
def _quiet_font_log():
    """Silence matplotlib's "Failed to find font weight" log lines for the CJK fallback font."""
    log = logging.getLogger("matplotlib.font_manager")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


_TEXT = {
    "en": {"slopes": "Simple slopes", "region": "Conditional slope of {f} (95% CI)", "at": "{m} = {v}",
           "outcome": "{y} (predicted)", "slope": "slope of {f}", "jn": "Johnson-Neyman bound",
           "note": "Shaded: 95% confidence band; dotted lines: Johnson-Neyman bounds (p = .05)."},
    "zh": {"slopes": "简单斜率", "region": "{f} 的条件斜率（95% 置信区间）", "at": "{m} = {v}",
           "outcome": "{y}（预测值）", "slope": "{f} 的斜率", "jn": "Johnson-Neyman 界值",
           "note": "阴影：95% 置信带；点线：Johnson-Neyman 界值（p = .05）。"},
}


def plot_probe(result: ProbeResult, path=None, *, lang: str = "en", labels=None, sd_range: float = 2.0,
               figsize: tuple[float, float] = (9.0, 3.8), dpi: int = 200):
    """Plot a probed interaction: the simple regression lines of the outcome on the focal predictor at each
    probed moderator value (left), and the conditional slope with its 95% band over the moderator's
    mean +- ``sd_range`` SD with the Johnson-Neyman bounds (right). Labels in English or Chinese.

    Parameters
    ----------
    result : ProbeResult
    path : str, Path or sequence of them, optional
        File(s) to write (``.png``, ``.svg``, ``.pdf``), as :func:`egovsem.figures.save_figure`.
    lang : {"en", "zh"}
        Without a CJK font the English labels are used and a warning says so (as the path diagram).
    labels : mapping, optional
        Display names of the factors, ``code -> name`` or ``code -> (name_en, name_zh)``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import egovsem, egovsem.datasets as ds
    >>> from egovsem.sem.products import ind_prod, probe_2way_mc, plot_probe
    >>> d = ind_prod(ds.load("HolzingerSwineford1939"), ["x1", "x2", "x3"], ["x4", "x5", "x6"])
    >>> fit = egovsem.sem("f1 =~ x1 + x2 + x3\\nf2 =~ x4 + x5 + x6\\nf12 =~ x1.x4 + x2.x5 + x3.x6\\n"
    ...                   "f3 =~ x7 + x8 + x9\\nf3 ~ f1 + f2 + f12\\nf12 ~~ 0*f1 + 0*f2", d)
    >>> fig = plot_probe(probe_2way_mc(fit, ["f1", "f2", "f12"], "f3", "f2", [-1, 0, 1]))
    >>> [len(ax.lines) for ax in fig.axes]
    [3, 3]
    """
    import matplotlib
    from matplotlib.figure import Figure

    from .._errors import check_option
    from ..figures import font_families, save_figure

    if not isinstance(result, ProbeResult):
        raise EgovsemError(f"The 'result' parameter must be a ProbeResult. Got {type(result).__name__} instead.")
    lang = check_option("lang", lang, ("en", "zh"))
    families, has_cjk = font_families()
    if lang == "zh" and not has_cjk:
        warnings.warn("No CJK font is installed (for instance Noto Sans CJK SC); the plot uses English labels.",
                      EgovsemWarning, stacklevel=caller_stacklevel())
        lang = "en"
    t = _TEXT[lang]

    def name(code: str) -> str:
        v = (labels or {}).get(code, code)
        return v if isinstance(v, str) else v[0 if lang == "en" else 1]

    f, m, y = name(result.focal), name(result.moderator), name(result.outcome)
    b, sd, mu = result.b, result.moderator_sd, result.moderator_mean
    x = np.linspace(-sd_range, sd_range, 50)  # the focal factor, in its own metric (mean 0 under centring)
    icpt = result.intercepts
    rc: dict = {"font.family": families, "svg.fonttype": "none", "svg.hashsalt": "egovsem", "pdf.fonttype": 42,
                "axes.unicode_minus": False}
    with matplotlib.rc_context(rc), _quiet_font_log():
        fig = Figure(figsize=figsize, dpi=dpi)
        ax1, ax2 = fig.subplots(1, 2)
        for i, r in enumerate(result.slopes.itertuples()):
            a0 = float(icpt["est"].iloc[i]) if icpt is not None else b[1] * r.value
            ax1.plot(x, a0 + r.est * x, label=t["at"].format(m=m, v=f"{r.value:g}"))
        ax1.set_xlabel(f)
        ax1.set_ylabel(t["outcome"].format(y=y))
        ax1.set_title(t["slopes"])
        ax1.legend(fontsize=7, frameon=False)
        w = np.linspace(mu - sd_range * sd, mu + sd_range * sd, 101)
        tab = result.simple_slope(w)
        zc = stats.norm.isf(0.025)
        ax2.fill_between(w, tab["est"] - zc * tab["se"], tab["est"] + zc * tab["se"], alpha=0.25, lw=0)
        ax2.plot(w, tab["est"], color="black", lw=1.2)
        ax2.axhline(0, color="grey", lw=0.8)
        for bound in result.jn[["lower", "upper"]].iloc[0]:
            if np.isfinite(bound) and w[0] <= bound <= w[-1]:
                ax2.axvline(bound, ls=":", color="black", lw=1)
        ax2.set_xlabel(m)
        ax2.set_ylabel(t["slope"].format(f=f))
        ax2.set_title(t["region"].format(f=f))
        fig.text(0.01, 0.01, t["note"], fontsize=7)
        fig.subplots_adjust(bottom=0.2, wspace=0.3)
    if path is not None:
        save_figure(fig, path)
    return fig
