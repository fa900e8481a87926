"""Reliability: Cronbach's alpha with its Feldt interval (psych::alpha), composite reliability / omega
(semTools::compRelSEM) and average variance extracted (semTools::AVE)."""
from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import ndtr

from .._errors import EgovsemError, EgovsemWarning, NotAvailableError
from ..sem._bivnorm import bvn_cdf
from ._common import check_constructs, check_items, cov2cor, fit_parts, pairwise_cov

__all__ = ["cronbach_alpha", "composite_reliability", "ave"]


def alpha_from_cov(C: np.ndarray) -> float:
    k = C.shape[0]
    return k / (k - 1) * (1 - np.trace(C) / C.sum())


def _warn_negative(Cn: np.ndarray, names, scale: str) -> None:
    """Warn (as psych::alpha does) when an item correlates negatively with the rest of its scale."""
    tot = Cn.sum(axis=1) - np.diag(Cn)
    rest = np.array([np.delete(np.delete(Cn, i, 0), i, 1).sum() for i in range(len(names))])
    r = tot / np.sqrt(np.diag(Cn) * rest)
    bad = [f"{n!r} (r = {v:.2f})" for n, v in zip(names, r) if v < 0]
    if bad:
        warnings.warn(f"In {scale}, item(s) {', '.join(bad)} correlate negatively with the sum of the other items: "
                      "reverse-worded and not recoded?", EgovsemWarning, stacklevel=4)


def _alpha_row(X: pd.DataFrame, ci: float, scale: str = "'items'") -> dict:
    C = pairwise_cov(X)
    Cn = C.to_numpy()
    k = Cn.shape[0]
    _warn_negative(Cn, list(X.columns), scale)
    n = len(X)  # psych counts every row of the data, answered or not (nsub)
    raw = alpha_from_cov(Cn)
    R = cov2cor(C).to_numpy()
    std = k / (k - 1) * (1 - k / R.sum())
    # Duhachek & Iacobucci (2004) asymptotic SE, as psych::alpha's "ase"
    s, tr = Cn.sum(), np.trace(Cn)
    CC = Cn @ Cn
    Q = (2 * k**2 / ((k - 1) ** 2 * s**3)) * (s * (np.trace(CC) + tr**2) - 2 * tr * CC.sum())
    # Feldt (1987) interval, as psych::alpha.ci: F with n-1 and (n-1)(k-1) degrees of freedom
    df1, df2 = n - 1, (n - 1) * (k - 1)
    p = 1 - ci
    lower = 1 - (1 - raw) * stats.f.ppf(1 - p / 2, df1, df2)
    upper = 1 - (1 - raw) * stats.f.ppf(p / 2, df1, df2)
    return {"n": n, "n_items": k, "alpha": raw, "std_alpha": std, "ase": float(np.sqrt(Q / n)),
            "ci_lower": lower, "ci_upper": upper}


def cronbach_alpha(data: pd.DataFrame, items, *, ci: float = 0.95) -> pd.DataFrame:
    """Cronbach's alpha with a Feldt confidence interval (``psych::alpha``).

    Parameters
    ----------
    data : DataFrame
    items : list of str, or dict of name -> list of str
        The items of one scale, or several scales by construct name. Items must already be keyed the same
        way (reverse-worded items recoded).
    ci : float, default 0.95
        Coverage of the interval.

    Returns
    -------
    DataFrame
        One row per scale: ``[construct] n n_items alpha std_alpha ase ci_lower ci_upper``.
        ``alpha`` is psych's ``raw_alpha``, ``k/(k-1) (1 - tr C / sum C)`` with ``C`` the covariance matrix
        on pairwise-complete rows (psych's default ``use = "pairwise"``); ``std_alpha`` the same on the
        correlation matrix ``cov2cor(C)``; ``ase`` psych's asymptotic SE (Duhachek & Iacobucci 2004);
        ``ci_lower``/``ci_upper`` Feldt's interval ``1 - (1 - alpha) F_{1-p/2 | p/2}(n-1, (n-1)(k-1))`` with
        ``n`` all rows of ``data`` (psych::alpha.ci, printed by psych::alpha as "Feldt"). pingouin's
        ``cronbach_alpha`` gives the same alpha and interval (a test checks it), but rounds the interval to
        3 decimals and checks its input with ``assert``, so egovsem computes both itself.
        ``construct`` is present when ``items`` is a dict.

    Examples
    --------
    >>> import egovsem.datasets as ds
    >>> from egovsem.measure import cronbach_alpha
    >>> hs = ds.load("HolzingerSwineford1939")
    >>> # In R: psych::alpha(HS[, c("x1", "x2", "x3")])  -> raw_alpha 0.63, std.alpha 0.63, Feldt 0.55 0.69
    >>> cronbach_alpha(hs, ["x1", "x2", "x3"]).round(4)
         n  n_items   alpha  std_alpha     ase  ci_lower  ci_upper
    0  301        3  0.6261     0.6272  0.0375    0.5465    0.6938
    """
    if not isinstance(ci, (float, int)) or isinstance(ci, bool) or not 0 < ci < 1:
        raise EgovsemError(f"The 'ci' parameter must be a number between 0 and 1. Got {ci!r} instead.")
    if isinstance(items, Mapping):
        cons = check_constructs(data, items, arg="items")
        return pd.DataFrame([{"construct": c, **_alpha_row(check_items(data, v, arg=f"items[{c!r}]"), ci, repr(c))}
                             for c, v in cons.items()])
    return pd.DataFrame([_alpha_row(check_items(data, items), ci)])


def _factor_table(fit, constructs, what: str, *, ordinal: bool = False):
    parts = fit_parts(fit, what, ordinal=ordinal)
    factors = parts.factors()
    if constructs is not None:
        unknown = [c for c in constructs if c not in factors]
        if unknown:
            raise EgovsemError(
                f"The 'constructs' parameter names {unknown!r}, which are not factors of the fitted model with "
                f"two or more observed indicators; the model has {factors!r}."
            )
        factors = [c for c in factors if c in set(constructs)]
    return parts, factors


def _omega_cat(common: np.ndarray, total: np.ndarray, thresholds: list[np.ndarray], scales: np.ndarray) -> float:
    """Green & Yang's (2009) categorical omega (semTools' ``omegaCat``): the variance of the sum of the item
    codes explained by the factor over its total variance, both from bivariate normal probabilities of the
    latent responses at the thresholds. ``common`` is ``lambda psi lambda'`` (latent-response scale),
    ``total`` the (sample or implied) correlations of the latent responses."""
    R = scales[:, None] * common * scales[None, :]
    sd = np.sqrt(np.diag(total))
    D = total / np.outer(sd, sd)
    t = [np.asarray(th, dtype=float) * s for th, s in zip(thresholds, scales)]
    p1 = [float(ndtr(ti).sum()) for ti in t]
    num = den = 0.0
    k = len(t)
    for j in range(k):
        for jp in range(k):
            h, kk = np.meshgrid(t[j], t[jp], indexing="ij")
            num += float(bvn_cdf(h, kk, np.full(h.shape, R[j, jp])).sum()) - p1[j] * p1[jp]
            den += float(bvn_cdf(h, kk, np.full(h.shape, D[j, jp])).sum()) - p1[j] * p1[jp]
    return num / den


def composite_reliability(fit, *, constructs=None, obs_var: bool = True, tau_eq: bool = False,
                          ord_scale: bool = True) -> pd.DataFrame:
    """Composite reliability (omega) of each factor of a fitted CFA (``semTools::compRelSEM``).

    Parameters
    ----------
    fit : egovsem.Results
        A single-group fit of :func:`egovsem.cfa` or :func:`egovsem.sem`.
    constructs : list of str, optional
        Factors to report (default: every factor with two or more observed indicators).
    obs_var : bool, default True
        Denominator from the observed (sample) covariance matrix, as compRelSEM's default; False uses the
        model-implied one.
    tau_eq : bool, default False
        True gives coefficient alpha of the indicators from the same covariance matrix instead.
    ord_scale : bool, default True
        Only for a WLSMV fit with ordered indicators (compRelSEM's ``ord.scale``). True: Green & Yang's (2009)
        categorical omega, the reliability of the sum of the item codes (bivariate normal probabilities of the
        latent responses at the model's thresholds; denominator from the sample polychoric correlations, or
        the model-implied ones with ``obs_var=False``); with ``tau_eq=True`` coefficient alpha of the item
        codes, as semTools. False: omega of the latent responses (loadings over the polychoric correlations);
        with ``tau_eq=True`` alpha of the polychoric correlation matrix, the ordinal alpha of Zumbo,
        Gadermann & Zeisser (2007).

    Returns
    -------
    DataFrame
        ``construct n_items omega``. With the defaults this is compRelSEM's default for a CFA with
        correlated factors: for factor f with indicators I,
        ``omega = (sum_{i in I} lambda_if)^2 var(f) / sum_{i, j in I} S_ij``, where ``var(f)`` is the
        model-implied factor variance and ``S`` the sample covariance matrix of the analysed rows (divisor
        N, ``lavInspect(fit, "sampstat")``): Bentler's (2009) omega with the observed total variance in the
        denominator, so residual covariances between the indicators lower it. Only the factor's own loadings
        enter the numerator; correlations with other factors do not.

    Examples
    --------
    >>> import egovsem, egovsem.datasets as ds
    >>> from egovsem.measure import composite_reliability
    >>> hs = ds.load("HolzingerSwineford1939")
    >>> fit = egovsem.cfa("visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9", hs)
    >>> # In R: semTools::compRelSEM(fit)  -> visual 0.612, textual 0.885, speed 0.686
    >>> composite_reliability(fit).round(3)
      construct  n_items  omega
    0    visual        3  0.612
    1   textual        3  0.885
    2     speed        3  0.686
    """
    parts, factors = _factor_table(fit, constructs, "composite_reliability", ordinal=True)
    S = parts.sample_cov if obs_var else parts.implied_cov
    ordp = parts.ordinal
    rows = []
    for f in factors:
        ind = parts.indicators(f)
        total = S.loc[ind, ind].to_numpy()
        cat = ordp is not None and any(v in ordp.ordered for v in ind)
        if cat and ordp is not None and any(v not in ordp.ordered for v in ind):
            raise NotAvailableError(f"composite_reliability: the factor {f!r} has ordinal and continuous indicators; "
                                    "semTools gives no omega for such a mix either.")
        if cat and ordp is not None and tau_eq and ord_scale:
            if ordp.raw_cov is None:
                raise NotAvailableError("composite_reliability(tau_eq=True) of a WLSMV fit needs the item codes, "
                                        "which this fit did not keep; use ord_scale=False for ordinal alpha.")
            value = alpha_from_cov(ordp.raw_cov.loc[ind, ind].to_numpy())
        elif tau_eq:
            value = alpha_from_cov(total)
        elif cat and ordp is not None and ord_scale:
            lam = parts.loadings.loc[ind, f].to_numpy()
            common = np.outer(lam, lam) * parts.cov_lv.loc[f, f]
            value = _omega_cat(common, total, [ordp.thresholds[v] for v in ind], ordp.scales[ind].to_numpy())
        else:
            lam = parts.loadings.loc[ind, f].to_numpy()
            value = lam.sum() ** 2 * parts.cov_lv.loc[f, f] / total.sum()
        rows.append({"construct": f, "n_items": len(ind), "omega": float(value)})
    return pd.DataFrame(rows, columns=["construct", "n_items", "omega"])


def ave(fit, *, constructs=None, obs_var: bool = True) -> pd.DataFrame:
    """Average variance extracted of each factor of a fitted CFA (``semTools::AVE``).

    Parameters
    ----------
    fit : egovsem.Results
    constructs : list of str, optional
        Factors to report (default: every factor with two or more observed indicators).
    obs_var : bool, default True
        Denominator from the sample variances (semTools' default) or, if False, the model-implied ones.

    Returns
    -------
    DataFrame
        ``construct n_items ave sqrt_ave`` with ``ave = var(f) sum_i lambda_if^2 / sum_i S_ii`` over the
        factor's indicators (``S``: sample covariance matrix, divisor N). As in semTools, a factor with a
        cross-loading indicator gets NaN. With standardised indicators this is the mean squared standardised
        loading of Fornell & Larcker (1981).

    Examples
    --------
    >>> import egovsem, egovsem.datasets as ds
    >>> from egovsem.measure import ave
    >>> hs = ds.load("HolzingerSwineford1939")
    >>> fit = egovsem.cfa("visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9", hs)
    >>> # In R: semTools::AVE(fit)  -> visual 0.371, textual 0.721, speed 0.424
    >>> ave(fit).round(3)
      construct  n_items    ave  sqrt_ave
    0    visual        3  0.371     0.609
    1   textual        3  0.721     0.849
    2     speed        3  0.424     0.652
    """
    parts, factors = _factor_table(fit, constructs, "ave")
    S = parts.sample_cov if obs_var else parts.implied_cov
    L = parts.loadings[parts.factors()]
    cross = (L.round(5) != 0).sum(axis=1) > 1
    rows = []
    for f in factors:
        ind = parts.indicators(f)
        if cross[ind].any():
            value = np.nan
        else:
            lam = parts.loadings.loc[ind, f].to_numpy()
            value = (lam**2).sum() * parts.cov_lv.loc[f, f] / np.diag(S.loc[ind, ind].to_numpy()).sum()
        rows.append({"construct": f, "n_items": len(ind), "ave": float(value), "sqrt_ave": float(np.sqrt(value))})
    return pd.DataFrame(rows, columns=["construct", "n_items", "ave", "sqrt_ave"])
