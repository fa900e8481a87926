"""Discriminant validity and common-method checks: HTMT (semTools::htmt), the Fornell-Larcker table,
Harman's single-factor test and Kock's full-collinearity VIF."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .._errors import EgovsemError, check_option
from ._common import check_constructs, check_items, check_positive_definite, fit_parts
from .reliability import ave

__all__ = ["htmt", "fornell_larcker", "harman_single_factor", "full_collinearity_vif"]


def htmt(data: pd.DataFrame, constructs, *, htmt2: bool = True, absolute: bool = True,
         missing: str = "listwise") -> pd.DataFrame:
    """Heterotrait-monotrait ratio of correlations between constructs (``semTools::htmt``).

    Parameters
    ----------
    data : DataFrame
    constructs : dict of name -> list of str
        The items of each construct (at least 2 each).
    htmt2 : bool, default True
        semTools 0.5-6's default: geometric means of the absolute correlations (HTMT2, Roemer, Schuberth &
        Henseler 2021). False: arithmetic means (the original HTMT of Henseler, Ringle & Sarstedt 2015).
    absolute : bool, default True
        Use absolute correlations (always so when ``htmt2``).
    missing : {"listwise", "ml", "pairwise"}, default "listwise"
        "listwise": Pearson correlations of the rows complete on every listed item (semTools' default).
        "ml" (or "fiml"): the correlations of the EM (saturated FIML) covariance of every row with an observed
        item, as ``semTools::htmt(missing = "ml")`` (``lavCor(missing = "ml")``); the HTMT of a FIML analysis.
        "pairwise": the correlations of the pairwise covariance matrix (each pair's complete rows; each item's
        variance from its observed rows), ``cov2cor(cov(use = "pairwise"))``, as ``semTools::htmt(missing =
        "pairwise")`` (``lavCor(missing = "pairwise")``).
        ``result.attrs["n"]`` holds the number of rows used, ``result.attrs["missing"]`` the method.

    Returns
    -------
    DataFrame
        Square, construct by construct, ones on the diagonal: the mean correlation between the items of two
        constructs divided by the geometric mean of their within-construct mean correlations. Correlations
        are Pearson on the rows complete on every listed item (``lavCor(missing = "listwise")``, semTools'
        default) or, with ``missing="ml"``, from the EM covariance.

    Examples
    --------
    >>> import egovsem.datasets as ds
    >>> from egovsem.measure import htmt
    >>> hs = ds.load("HolzingerSwineford1939")
    >>> cons = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
    >>> # In R: semTools::htmt(model, HS)  -> textual-visual 0.384, speed-visual 0.387, speed-textual 0.280
    >>> htmt(hs, cons).round(3)
             visual  textual  speed
    visual    1.000    0.384  0.387
    textual   0.384    1.000  0.280
    speed     0.387    0.280  1.000
    """
    cons = check_constructs(data, constructs)
    items = [i for v in cons.values() for i in v]
    missing = check_option("missing", missing, ["listwise", "ml", "fiml", "pairwise"], casefold=True)
    X = check_items(data, list(dict.fromkeys(items)), arg="constructs")
    if missing == "listwise":
        X = X.dropna()
        R = X.corr().to_numpy()
    elif missing == "pairwise":
        X = X[X.notna().any(axis=1)]
        M = X.notna().to_numpy(dtype=float)
        pair = M.T @ M
        if (pair < 2).any():
            i, j = np.argwhere(pair < 2)[0]
            raise EgovsemError(f"The items {X.columns[i]!r} and {X.columns[j]!r} are observed together on fewer "
                               "than 2 rows, so their pairwise correlation (and the HTMT with missing='pairwise') "
                               "cannot be estimated.")
        S = X.cov().to_numpy()
        d = np.sqrt(np.diag(S))
        R = S / np.outer(d, d)
    else:
        X = X[X.notna().any(axis=1)]
        R = _em_correlation(X)
    if absolute or htmt2:
        R = np.abs(R)
    pos = {i: k for k, i in enumerate(X.columns)}

    def mean(a, b, within):
        block = R[np.ix_([pos[i] for i in a], [pos[i] for i in b])]
        vals = block[~np.eye(len(a), dtype=bool)] if within else block.ravel()
        return float(np.exp(np.log(vals).mean())) if htmt2 else float(vals.mean())

    names = list(cons)
    w = {c: mean(cons[c], cons[c], True) for c in names}
    out = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
    for a in names:
        for b in names:
            if a != b:
                out.loc[a, b] = mean(cons[a], cons[b], False) / np.sqrt(w[a] * w[b])
    out.attrs.update(n=int(len(X)), missing=missing if missing in ("listwise", "pairwise") else "ml")
    return out


def _em_correlation(X: pd.DataFrame) -> np.ndarray:
    """The correlation matrix of the EM (saturated FIML) covariance of ``X`` (NaN = missing)."""
    from ..sem.casewise import em_saturated

    A = X.to_numpy(dtype=float)
    M = (~np.isnan(A)).astype(float)
    pair = M.T @ M
    if (pair == 0).any():
        i, j = np.argwhere(pair == 0)[0]
        raise EgovsemError(f"The items {X.columns[i]!r} and {X.columns[j]!r} are never observed together, so "
                           "their correlation (and the HTMT with missing='ml') cannot be estimated.")
    S, _mu, _ll, _it = em_saturated(np.where(M > 0, A, 0.0), M)
    d = np.sqrt(np.diag(S))
    return S / np.outer(d, d)


def fornell_larcker(fit) -> pd.DataFrame:
    """Fornell-Larcker table: square root of AVE on the diagonal, latent correlations off it.

    Parameters
    ----------
    fit : egovsem.Results
        A single-group CFA (or SEM) fit.

    Returns
    -------
    DataFrame
        Square, factor by factor. Diagonal: ``sqrt(AVE)`` (semTools::AVE). Off-diagonal: the model-implied
        correlations of the factors (``lavInspect(fit, "cor.lv")``). Discriminant validity by the criterion of
        Fornell & Larcker (1981) holds for a factor when its diagonal value exceeds every correlation in its
        row and column.

    Examples
    --------
    >>> import egovsem, egovsem.datasets as ds
    >>> from egovsem.measure import fornell_larcker
    >>> hs = ds.load("HolzingerSwineford1939")
    >>> fit = egovsem.cfa("visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9", hs)
    >>> # In R: sqrt(semTools::AVE(fit)); lavInspect(fit, "cor.lv")  -> visual-textual 0.459
    >>> fornell_larcker(fit).round(3)
             visual  textual  speed
    visual    0.609    0.459  0.471
    textual   0.459    0.849  0.283
    speed     0.471    0.283  0.652
    """
    parts = fit_parts(fit, "fornell_larcker")
    factors = parts.factors()
    C = parts.cov_lv.loc[factors, factors].to_numpy()
    sd = np.sqrt(np.diag(C))
    out = pd.DataFrame(C / np.outer(sd, sd), index=factors, columns=factors)
    a = ave(fit).set_index("construct")["sqrt_ave"]
    for f in factors:
        out.loc[f, f] = a[f]
    return out


def harman_single_factor(data: pd.DataFrame, items) -> pd.DataFrame:
    """Harman's single-factor test for common-method variance, as it is commonly run.

    All items of all constructs go into one unrotated principal component analysis of their correlation
    matrix (Pearson, pairwise-complete rows as psych's default); the statistic is the share of the total
    variance taken by the first component, ``lambda_1 / p`` (``psych::principal(R, nfactors = 1,
    rotate = "none")``, "Proportion Var"). The usual reading (Podsakoff et al. 2003) flags common-method
    variance when the share exceeds 50%; the test is weak, and a low share does not rule it out.

    Parameters
    ----------
    data : DataFrame
    items : list of str, or dict of name -> list of str
        Every item (a dict of constructs is flattened).

    Returns
    -------
    DataFrame
        One row: ``n n_items first_eigenvalue variance_share method``.

    Examples
    --------
    >>> import egovsem.datasets as ds
    >>> from egovsem.measure import harman_single_factor
    >>> hs = ds.load("HolzingerSwineford1939")
    >>> # In R: psych::principal(cor(HS[, paste0("x", 1:9)]), 1, rotate = "none")$Vaccounted  -> 0.36
    >>> harman_single_factor(hs, [f"x{i}" for i in range(1, 10)])[["n_items", "variance_share"]].round(3)
       n_items  variance_share
    0        9           0.357
    """
    if isinstance(items, dict):
        items = list(dict.fromkeys(i for v in check_constructs(data, items, arg="items").values() for i in v))
    X = check_items(data, items, min_items=2)
    R = X.corr().to_numpy()
    ev = np.linalg.eigvalsh(R)[::-1]
    return pd.DataFrame([{
        "n": len(X), "n_items": R.shape[0], "first_eigenvalue": float(ev[0]),
        "variance_share": float(ev[0] / R.shape[0]), "method": "unrotated PCA, first component",
    }])


def full_collinearity_vif(data: pd.DataFrame, constructs) -> pd.DataFrame:
    """Full-collinearity VIF of each construct (Kock 2015; Kock & Lynn 2012).

    Each construct score (the mean of the construct's answered items) is regressed on all the other
    construct scores; ``VIF = 1 / (1 - R^2)``. Rows with a missing score are dropped (listwise over scores).
    Kock (2015) reads a VIF above 3.3 as a sign of common-method bias (or of collinearity).

    Parameters
    ----------
    data : DataFrame
    constructs : dict of name -> list of str
        At least two constructs.

    Returns
    -------
    DataFrame
        ``construct r2 vif``.

    Examples
    --------
    >>> import egovsem.datasets as ds
    >>> from egovsem.measure import full_collinearity_vif
    >>> hs = ds.load("HolzingerSwineford1939")
    >>> cons = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
    >>> # In R: s <- sapply(cons, function(v) rowMeans(HS[, v]))
    >>> #       1 / (1 - summary(lm(visual ~ textual + speed, data.frame(s)))$r.squared)  -> 1.164
    >>> full_collinearity_vif(hs, cons).round(3)
      construct     r2    vif
    0    visual  0.141  1.164
    1   textual  0.119  1.136
    2     speed  0.095  1.105
    """
    cons = check_constructs(data, constructs)
    if len(cons) < 2:
        raise EgovsemError(f"The 'constructs' parameter must hold at least 2 constructs. Got {list(cons)!r}.")
    scores = pd.DataFrame({c: check_items(data, v, arg=f"constructs[{c!r}]").mean(axis=1, skipna=True)
                           for c, v in cons.items()}).dropna()
    R = scores.corr().to_numpy()
    check_positive_definite(R, list(cons), "correlation matrix of the construct scores")
    # R^2 of each score on the others = 1 - 1 / diag(inverse correlation matrix)
    vif = np.diag(np.linalg.inv(R))
    return pd.DataFrame({"construct": list(cons), "r2": 1 - 1 / vif, "vif": vif})
