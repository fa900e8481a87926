"""Exploratory factor analysis (psych::fa's minres and oblimin, through factor_analyzer) with Horn's
parallel analysis, KMO and Bartlett's test."""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .._errors import EgovsemError, check_option
from ._common import check_constructs, check_items, check_positive_definite

__all__ = ["efa", "parallel_analysis", "EFAResult"]

ROTATIONS = ["oblimin", "promax", "quartimin", "varimax", "quartimax", "equamax", "none"]
OBLIQUE = {"oblimin", "promax", "quartimin"}


def _items(data, items):
    if isinstance(items, dict):
        items = list(dict.fromkeys(i for v in check_constructs(data, items, arg="items").values() for i in v))
    return check_items(data, items, min_items=3)


def _check_int(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise EgovsemError(f"The '{name}' parameter must be an integer >= {minimum}. Got {value!r} instead.")
    return int(value)


def parallel_analysis(data: pd.DataFrame, items, *, n_iter: int = 100, quantile: float = 0.95,
                      seed: int = 20240101) -> pd.DataFrame:
    """Horn's (1965) parallel analysis on principal-component eigenvalues.

    The eigenvalues of the items' correlation matrix (Pearson, pairwise-complete rows) are compared with
    those of ``n_iter`` correlation matrices of normal random data of the same size (rows of ``data`` by
    items); a component is retained while its eigenvalue exceeds the ``quantile`` of the random ones
    (Glorfeld 1995 uses the 95th percentile; psych::fa.parallel's "ncomp" compares with the mean). The
    random draws are seeded, so the result is reproducible.

    Returns
    -------
    DataFrame
        ``component eigenvalue random_mean random_quantile retain``.

    Examples
    --------
    >>> import egovsem.datasets as ds
    >>> from egovsem.measure import parallel_analysis
    >>> hs = ds.load("HolzingerSwineford1939")
    >>> # In R: psych::fa.parallel(HS[, paste0("x", 1:9)])  -> "number of components = 3"
    >>> pa = parallel_analysis(hs, [f"x{i}" for i in range(1, 10)])
    >>> int(pa["retain"].sum())
    3
    """
    X = _items(data, items)
    n_iter = _check_int("n_iter", n_iter, 2)
    if not isinstance(quantile, (float, int)) or isinstance(quantile, bool) or not 0 < quantile < 1:
        raise EgovsemError(f"The 'quantile' parameter must be between 0 and 1. Got {quantile!r} instead.")
    n, p = X.shape
    observed = np.linalg.eigvalsh(X.corr().to_numpy())[::-1]
    rng = np.random.default_rng(seed)
    parts: list[np.ndarray] = []
    chunk = max(1, int(5e6 // (n * p)))  # bound the memory of one batch (about 40 MB)
    for start in range(0, n_iter, chunk):
        Z = rng.standard_normal((min(chunk, n_iter - start), n, p))
        Z = (Z - Z.mean(axis=1, keepdims=True)) / Z.std(axis=1, keepdims=True)
        R = np.swapaxes(Z, 1, 2) @ Z / n
        parts.append(np.linalg.eigvalsh(R)[:, ::-1])
    sims = np.concatenate(parts)
    q = np.quantile(sims, quantile, axis=0)
    above = observed > q
    retain = np.cumprod(above).astype(bool)  # leading run only
    return pd.DataFrame({"component": np.arange(1, p + 1), "eigenvalue": observed,
                         "random_mean": sims.mean(axis=0), "random_quantile": q, "retain": retain})


@dataclass(frozen=True)
class EFAResult:
    """What :func:`efa` returns.

    Attributes
    ----------
    loadings : DataFrame
        Items by factors (``F1``, ``F2``, ...): the pattern matrix after rotation.
    phi : DataFrame or None
        Factor correlations (oblique rotations only).
    communalities : Series
    eigenvalues : DataFrame
        Parallel analysis (:func:`parallel_analysis`): observed and random eigenvalues.
    n_factors : int
        Factors extracted; ``n_factors_suggested`` is what parallel analysis suggests.
    kmo : DataFrame
        Kaiser-Meyer-Olkin measure of sampling adequacy, per item and ``overall`` (``psych::KMO``).
    bartlett : dict
        Bartlett's test of sphericity: ``chisq df pvalue`` (``psych::cortest.bartlett``).
    """

    loadings: pd.DataFrame
    phi: pd.DataFrame | None
    communalities: pd.Series
    eigenvalues: pd.DataFrame
    n_factors: int
    n_factors_suggested: int
    rotation: str
    method: str
    kmo: pd.DataFrame
    bartlett: dict = field(default_factory=dict)

    def _repr_html_(self) -> str:
        head = str(self).splitlines()[0]
        return f"<p>{head}</p>" + self.loadings.round(3).to_html()

    def __str__(self) -> str:
        head = (f"EFA ({self.method}, {self.rotation}): {self.n_factors} factor(s); parallel analysis suggests "
                f"{self.n_factors_suggested}. KMO = {self.kmo.loc['overall', 'msa']:.3f}; Bartlett chi2("
                f"{self.bartlett['df']}) = {self.bartlett['chisq']:.2f}, p = {self.bartlett['pvalue']:.3g}")
        return head + "\n" + self.loadings.round(3).to_string()


def kmo_bartlett(R: np.ndarray, n: int, names) -> tuple[pd.DataFrame, dict]:
    """KMO (overall and per item) and Bartlett's sphericity test of a correlation matrix."""
    p = R.shape[0]
    Ri = np.linalg.inv(R)
    Q = -Ri / np.sqrt(np.outer(np.diag(Ri), np.diag(Ri)))
    off = ~np.eye(p, dtype=bool)
    r2, q2 = np.where(off, R**2, 0), np.where(off, Q**2, 0)
    per_item = r2.sum(0) / (r2.sum(0) + q2.sum(0))
    kmo = pd.DataFrame({"msa": np.append(per_item, r2.sum() / (r2.sum() + q2.sum()))},
                       index=list(names) + ["overall"])
    chisq = -np.log(np.linalg.det(R)) * (n - 1 - (2 * p + 5) / 6)
    df = p * (p - 1) // 2
    return kmo, {"chisq": float(chisq), "df": int(df), "pvalue": float(stats.chi2.sf(chisq, df))}


def _fit_minres(R: np.ndarray, k: int, method: str) -> np.ndarray:
    from factor_analyzer import FactorAnalyzer

    # FactorAnalyzer.fit() passes a keyword that scikit-learn >= 1.8 removed (force_all_finite) to
    # check_array; we hand it a correlation matrix anyway, so call the fitting step directly.
    fa = FactorAnalyzer(n_factors=k, rotation=None, method=method, is_corr_matrix=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fa._fit_factor_analysis(np.array(R, dtype=float, copy=True))


def efa(data: pd.DataFrame, items, n_factors: int | None = None, rotation: str = "oblimin", *,
        method: str = "minres", n_iter: int = 100, seed: int = 20240101) -> EFAResult:
    """Exploratory factor analysis with parallel analysis (psych::fa defaults: minres, oblimin).

    Parameters
    ----------
    data : DataFrame
    items : list of str, or dict of name -> list of str
        The items to analyse (at least 3; a dict of constructs is flattened).
    n_factors : int, optional
        Factors to extract; default: the number parallel analysis retains (at least 1).
    rotation : {"oblimin", "promax", "quartimin", "varimax", "quartimax", "equamax", "none"}
    method : {"minres", "ml"}
        Extraction (psych's ``fm``).
    n_iter, seed
        Random data sets of the parallel analysis and their seed.

    Returns
    -------
    EFAResult
        ``loadings``, ``phi``, ``communalities``, ``eigenvalues`` (observed and random), ``n_factors``,
        ``n_factors_suggested``, ``kmo``, ``bartlett``. The solution is computed from the Pearson
        correlation matrix on pairwise-complete rows (psych's default) by factor_analyzer, whose minres and
        GPA oblimin reproduce psych::fa / GPArotation; as psych does, factors are ordered by their sum of
        squared loadings and signed so that each column of loadings sums positive.

    Examples
    --------
    >>> import egovsem.datasets as ds
    >>> from egovsem.measure import efa
    >>> hs = ds.load("HolzingerSwineford1939")
    >>> res = efa(hs, [f"x{i}" for i in range(1, 10)])
    >>> res.n_factors
    3
    >>> # In R: psych::fa(cor(HS[, paste0("x", 1:9)]), 3, rotate = "oblimin")$loadings  -> x4 on MR1: 0.846
    >>> res.loadings.loc[["x1", "x4", "x7"]].round(3)
           F1     F2     F3
    x1  0.196  0.592  0.031
    x4  0.846  0.016  0.008
    x7  0.044 -0.152  0.737
    """
    X = _items(data, items)
    rotation = check_option("rotation", "none" if rotation is None else rotation, ROTATIONS, casefold=True)
    method = check_option("method", method, ["minres", "ml"], casefold=True)
    pa = parallel_analysis(X, list(X.columns), n_iter=n_iter, seed=seed)
    suggested = max(1, int(pa["retain"].sum()))
    p = X.shape[1]
    k = suggested if n_factors is None else _check_int("n_factors", n_factors, 1)
    if k >= p:
        raise EgovsemError(f"The 'n_factors' parameter must be smaller than the number of items ({p}). Got {k}.")
    R = X.corr().to_numpy()
    check_positive_definite(R, list(X.columns), "correlation matrix of the items")
    L = _fit_minres(R, k, method)
    phi = None
    if k > 1 and rotation != "none":
        from factor_analyzer import Rotator

        rot = Rotator(method=rotation)
        L = rot.fit_transform(L)
        phi = rot.phi_ if rotation in OBLIQUE else None
    signs = np.sign(L.sum(axis=0))
    signs[signs == 0] = 1
    L = L * signs
    order = np.argsort(-(L**2).sum(axis=0), kind="stable")
    L = L[:, order]
    cols = [f"F{j + 1}" for j in range(k)]
    loadings = pd.DataFrame(L, index=X.columns, columns=cols)
    phi_df = None
    if phi is not None:
        phi = (phi * np.outer(signs, signs))[np.ix_(order, order)]
        phi_df = pd.DataFrame(phi, index=cols, columns=cols)
    structure = L @ phi if phi is not None else L
    communal = pd.Series((L * structure).sum(axis=1), index=X.columns, name="communality")
    kmo, bart = kmo_bartlett(R, len(X), X.columns)
    return EFAResult(loadings, phi_df, communal, pa, k, suggested, rotation, method, kmo, bart)
