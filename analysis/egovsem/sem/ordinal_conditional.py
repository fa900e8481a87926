"""The first stage of WLSMV with exogenous observed covariates (lavaan's ``conditional.x = TRUE``).

``conditional_ordinal_stats(Y, X, names, xnames)`` computes, as lavaan 0.6-14 does when ordered items are
regressed on observed covariates (``lav_samplestats_step1`` / ``step2`` / ``muthen1984`` with ``eXo``; single
group, every endogenous variable ordered; complete rows, or with ``missing="pairwise"`` the items' missing
values handled as lavaan's ``muthen1984`` does):

1. Univariate stage: one ordinal probit regression per item, ``P(y <= k | x) = Phi(tau_k - x' beta)``
   (maximum likelihood; lavaan's ``lav_uvord_fit``): the thresholds ``y|t1 ...`` and the slopes ``y~x``.
2. Bivariate stage: for each pair of items, the residual polychoric correlation, maximising the bivariate
   probit likelihood of the pair with each row's bounds ``tau - x' beta`` (the univariate estimates held fixed).
3. Gamma (lavaan's NACOV) from the casewise scores, with the two-stage sandwich of
   :mod:`egovsem.sem.ordinal`: ``B = [[A11, 0], [A21, A22]]``, ``Gamma = N B^-1 (S'S) B^-T``, where ``A11``
   is block-diagonal per item (its thresholds and slopes), ``A22`` the diagonal of the correlation scores'
   cross-product, and ``A21`` the cross-product of each correlation's score with the bivariate scores of
   the two items' thresholds and slopes.

``wls_obs`` is in lavaan's order: the thresholds (item by item), the slopes (covariate by covariate, items
within), the residual correlations in ``vech(., diagonal = FALSE)`` order; ``wls_names`` are lavaan's labels
(``A1|t1``, ``A1~age``, ``A1~~A2``).

The second stage (the DWLS fit of the model's reduced form to these statistics, SEs, fit measures) is
:mod:`egovsem.sem.wls_conditional`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr, ndtri

from .._errors import DataError, NotConvergedError
from ._bivnorm import bvn_cdf
from .ordinal import categorize as _categorize
from .ordinal import dnorm as _dnorm
from .ordinal import phi2 as _phi2

__all__ = ["ConditionalOrdinalStats", "conditional_ordinal_stats"]

_FLOOR = np.sqrt(np.finfo(float).eps)


@dataclass(frozen=True, eq=False)
class ConditionalOrdinalStats:
    """First-stage statistics of WLSMV with covariates (see the module docstring)."""

    names: tuple[str, ...]
    xnames: tuple[str, ...]
    nobs: int
    thresholds: dict = field(repr=False)
    slopes: np.ndarray = field(repr=False)  # (p items, k covariates)
    corr: np.ndarray = field(repr=False)  # residual polychoric correlations
    wls_obs: np.ndarray = field(repr=False)
    wls_names: tuple[str, ...] = field(repr=False)
    gamma: np.ndarray = field(repr=False)
    nobs_w: float | None = None  # with sampling weights: their sum (lavaan's nobs)
    gamma_iid: np.ndarray | None = field(repr=False, default=None)  # with clusters: the unclustered Gamma

    @property
    def wls_v_diag(self) -> np.ndarray:
        """The DWLS weights ``1 / diag(Gamma)`` (with clusters: of the unclustered Gamma, as lavaan 0.7)."""
        return 1.0 / np.diag(self.gamma if self.gamma_iid is None else self.gamma_iid)

    @property
    def n(self) -> float:
        """lavaan's ``nobs`` of the group: the sum of the sampling weights, otherwise the rows."""
        return float(self.nobs if self.nobs_w is None else self.nobs_w)


def _probit_parts(codes, K, X, tau, beta):
    """Row bounds z1 (upper), z2 (lower) and the row probabilities of an ordinal probit regression."""
    eta = X @ beta
    tt = np.concatenate([[-np.inf], tau, [np.inf]])
    z1 = tt[codes + 1] - eta
    z2 = tt[codes] - eta
    p = ndtr(z1) - ndtr(z2)
    return z1, z2, np.maximum(p, 1e-300)


def _probit_scores(codes, K, X, tau, beta):
    """Casewise scores (n, K - 1 + k) of the thresholds and slopes."""
    z1, z2, p = _probit_parts(codes, K, X, tau, beta)
    d1, d2 = _dnorm(np.clip(z1, -1e3, 1e3)), _dnorm(np.clip(z2, -1e3, 1e3))
    n = codes.size
    S_th = np.zeros((n, K - 1))
    rows = np.arange(n)
    up = codes < K - 1  # the upper bound is threshold `codes`
    S_th[rows[up], codes[up]] += d1[up] / p[up]
    lo = codes > 0  # the lower bound is threshold `codes - 1`
    S_th[rows[lo], codes[lo] - 1] -= d2[lo] / p[lo]
    S_sl = -X * ((d1 - d2) / p)[:, None]
    return np.hstack([S_th, S_sl])


def _fit_probit(codes, K, X, name, w=None):
    """ML ordinal probit regression by Newton steps (analytic gradient, its forward-difference Jacobian);
    ``w``: the rows' sampling weights (the weighted likelihood), None: 1."""
    n, k = X.shape
    wv = np.ones(n) if w is None else np.asarray(w, dtype=float)
    # lavaan's start: thresholds qnorm((1:nth)/(nth + 1)) (0 for a binary item), slopes 0
    tau = np.array([0.0]) if K == 2 else ndtri(np.arange(1, K) / K)
    theta = np.concatenate([tau, np.zeros(k)])

    def loglik(th):
        t = th[:K - 1]
        if np.any(np.diff(t) <= 0):
            return -np.inf
        return float(wv @ np.log(_probit_parts(codes, K, X, t, th[K - 1:])[2]))

    def grad(th):
        return wv @ _probit_scores(codes, K, X, th[:K - 1], th[K - 1:])

    ll = loglik(theta)
    for _ in range(200):
        g = grad(theta)
        S = _probit_scores(codes, K, X, theta[:K - 1], theta[K - 1:])
        H = -(S.T @ (S * wv[:, None]))  # BHHH far away; Newton (difference Jacobian of the gradient) close to the optimum
        if np.max(np.abs(g)) < 1e-3 * n:
            h = 1e-6
            H = np.column_stack([(grad(theta + h * e) - g) / h for e in np.eye(theta.size)])
            H = (H + H.T) / 2
        step = np.linalg.solve(H, -g)
        t = 1.0
        while t > 1e-10:
            new = theta + t * step
            ll_new = loglik(new)
            if ll_new >= ll - 1e-12 * abs(ll):
                break
            t /= 2
        theta, ll = new, ll_new
        if np.max(np.abs(step * t)) < 1e-11:
            break
    else:
        raise NotConvergedError(f"The probit regression of {name!r} on the covariates did not converge.")
    return theta[:K - 1], theta[K - 1:]


def _bvn_rect(a1, a2, b1, b2, r):
    return (bvn_cdf(a1, b1, r) - bvn_cdf(a1, b2, r) - bvn_cdf(a2, b1, r) + bvn_cdf(a2, b2, r))


def conditional_ordinal_stats(Y: np.ndarray, X: np.ndarray, names: list[str], xnames: list[str], *,
                              missing: str = "listwise", weights: np.ndarray | None = None,
                              cluster: np.ndarray | None = None) -> ConditionalOrdinalStats:
    """Thresholds, slopes, residual polychorics and Gamma of ordered items given covariates, as lavaan.

    Parameters
    ----------
    Y : array, n x p
        Complete rows of ordered items (integer category codes).
    X : array, n x k
        The covariates (continuous or 0/1, or any two codes for a binary covariate), complete rows.
    names, xnames : list of str
        Names of the columns of ``Y`` and ``X``.
    missing : {"listwise", "pairwise"}
        ``"pairwise"``: ``Y`` may hold missing values (NaN), handled as lavaan's ``muthen1984`` does: each
        item's probit regression on the rows where it is observed, each residual polychoric on the rows where
        both items are observed, and the casewise scores of a row where a variable is missing are 0 in Gamma
        (lavaan's ``na.rm = TRUE`` sums); a row with every item missing is ignored (lavaan's "empty cases"),
        ``nobs`` counts the others (lavaan's ``nobs``).
    weights : array of n floats, optional
        Sampling weights of the rows, normalised (lavaan's ``sampling.weights``; complete rows only): weighted
        probit regressions and residual polychorics, and Gamma with the weighted casewise scores in its meat
        and the weighted cross-products in its bread, times ``sum(w)`` (lavaan's ``nobs``), as
        :func:`egovsem.sem.ordinal.ordinal_stats`.
    cluster : array of n ints, optional
        Cluster codes ``0..C-1`` of the rows (complete rows only): the cluster-robust Gamma of lavaan 0.7
        (:func:`egovsem.sem.ordinal.cluster_gamma`); ``wls_v_diag`` keeps the unclustered Gamma's diagonal.

    Returns
    -------
    ConditionalOrdinalStats
        ``wls_obs`` / ``wls_names`` / ``gamma`` in lavaan's order (module docstring).

    Raises
    ------
    DataError
        Missing values (in ``X``; in ``Y`` unless ``missing="pairwise"``), shapes that do not agree, an item
        with a single category.
    """
    Y = np.asarray(Y, dtype=float)
    X = np.asarray(X, dtype=float)
    if Y.ndim != 2 or X.ndim != 2 or Y.shape[0] != X.shape[0]:
        raise DataError(f"The 'Y' and 'X' parameters must be 2-dimensional with the same rows. Got shapes "
                        f"{Y.shape} and {X.shape}.")
    if len(names) != Y.shape[1] or len(xnames) != X.shape[1]:
        raise DataError(f"The 'names' / 'xnames' parameters must name every column: {Y.shape[1]} / {X.shape[1]} "
                        f"column(s), {len(names)} / {len(xnames)} name(s).")
    if missing not in ("listwise", "pairwise"):
        raise DataError(f"The 'missing' parameter must be 'listwise' or 'pairwise'. Got {missing!r}.")
    for M, nm in ((Y, names), (X, xnames)):
        bad = ~np.isfinite(M)
        if M is Y and missing == "pairwise":
            bad = np.isinf(M)
        if bad.any():
            r, c = np.argwhere(bad)[0]
            raise DataError(f"Column {nm[c]!r} holds the value {M[r, c]!r} at row index {r} (0-based); the "
                            "first stage with covariates needs complete rows.")
    if weights is not None:
        wv = np.asarray(weights, dtype=float).reshape(-1)
        if missing != "listwise" or wv.size != Y.shape[0] or not (np.isfinite(wv).all() and (wv >= 0).all()):
            raise DataError("The 'weights' parameter must give a finite weight >= 0 to each of the "
                            f"{Y.shape[0]} rows, with missing='listwise'.")
    if missing == "pairwise":
        nonempty = ~np.isnan(Y).all(axis=1)
        Y, X = Y[nonempty], X[nonempty]
    n, p = Y.shape
    wv = np.ones(n) if weights is None else wv
    k = X.shape[1]
    codes = np.zeros((n, p), np.intp)
    K = []
    tau, beta = [], np.zeros((p, k))
    seen = ~np.isnan(Y)
    for i in range(p):
        lev, c = _categorize(Y[:, i], names[i])
        codes[:, i] = c
        K.append(lev.size)
        t, b = _fit_probit(c[seen[:, i]], lev.size, X[seen[:, i]], names[i], wv[seen[:, i]])
        tau.append(t)
        beta[i] = b
    nth = sum(Ki - 1 for Ki in K)
    th_start = np.cumsum([0] + [Ki - 1 for Ki in K])
    # score columns: thresholds (item by item), slopes (covariate by covariate, items within)
    n1 = nth + p * k
    SC1 = np.zeros((n, n1))
    blocks = []
    z1s, z2s = [], []
    for i in range(p):
        o = seen[:, i]  # a row where the item is missing has score 0 (lavaan's na.rm = TRUE sums)
        S = _probit_scores(codes[o, i], K[i], X[o], tau[i], beta[i])
        th_idx = np.arange(th_start[i], th_start[i + 1])
        sl_idx = nth + i + p * np.arange(k)
        SC1[np.ix_(o, th_idx)] = S[:, :K[i] - 1]
        SC1[np.ix_(o, sl_idx)] = S[:, K[i] - 1:]
        blocks.append(np.concatenate([th_idx, sl_idx]))
        z1, z2, _ = _probit_parts(np.where(o, codes[:, i], 0), K[i], X, tau[i], beta[i])
        z1s.append(z1)
        z2s.append(z2)

    from scipy.optimize import minimize_scalar  # here: scipy.optimize is slow to import, and only this needs it

    pairs = [(i, j) for j in range(p - 1) for i in range(j + 1, p)]
    corr = np.eye(p)
    SCC = np.zeros((n, len(pairs)))
    A21 = np.zeros((len(pairs), n1))
    for q, (i, j) in enumerate(pairs):
        m = seen[:, i] & seen[:, j]  # the rows where both items are observed (all rows without missing values)
        n_ij = int(m.sum())
        # (first, second) = (j, i) as lavaan's step 2
        a1, a2, b1, b2 = z1s[j][m], z2s[j][m], z1s[i][m], z2s[i][m]
        wm = wv[m]

        def negll(r, a1=a1, a2=a2, b1=b1, b2=b2, n_ij=n_ij, wm=wm):
            lik = _bvn_rect(a1, a2, b1, b2, np.full(n_ij, r))
            return -float(wm @ np.log(np.maximum(lik, _FLOOR)))

        opt = minimize_scalar(negll, bounds=(-0.995, 0.995), method="bounded",
                              options={"xatol": 1e-12, "maxiter": 500})
        r = float(opt.x)
        corr[i, j] = corr[j, i] = r
        rr = np.full(n_ij, r)
        lik = np.maximum(_bvn_rect(a1, a2, b1, b2, rr), _FLOOR)
        dens = [_phi2(u, v, rr)[0] for u, v in ((a1, b1), (a1, b2), (a2, b1), (a2, b2))]
        drho = (dens[0] - dens[1] - dens[2] + dens[3]) / lik
        SCC[m, q] = drho
        Xm = X[m]
        R = np.sqrt(1 - r * r)
        for (u1, u2, v1, v2, var) in ((a1, a2, b1, b2, j), (b1, b2, a1, a2, i)):
            # d log lik / d (upper, lower) bound of variable `var`
            cu1, cu2 = np.clip(u1, -1e3, 1e3), np.clip(u2, -1e3, 1e3)
            cv1, cv2 = np.clip(v1, -1e3, 1e3), np.clip(v2, -1e3, 1e3)
            g1 = _dnorm(cu1) * (ndtr((cv1 - r * cu1) / R) - ndtr((cv2 - r * cu1) / R)) / lik
            g2 = -_dnorm(cu2) * (ndtr((cv1 - r * cu2) / R) - ndtr((cv2 - r * cu2) / R)) / lik
            c = codes[m, var]
            Kv = K[var]
            th_sc = np.zeros((n_ij, Kv - 1))
            rows = np.arange(n_ij)
            up, lo = c < Kv - 1, c > 0
            th_sc[rows[up], c[up]] += g1[up]
            th_sc[rows[lo], c[lo] - 1] += g2[lo]
            sl_sc = -Xm * (g1 + g2)[:, None]
            A21[q, np.arange(th_start[var], th_start[var + 1])] = (wm * drho) @ th_sc
            A21[q, nth + var + p * np.arange(k)] = (wm * drho) @ sl_sc

    # (sampling weights: the meat has the weighted scores w_i s_i, the bread the weighted cross-products)
    SC1w, SCCw = SC1 * wv[:, None], SCC * wv[:, None]
    IF1 = np.zeros_like(SC1)
    for idx in blocks:
        blk = SC1w[:, idx]
        IF1[:, idx] = np.linalg.solve(SC1[:, idx].T @ blk, blk.T).T
    a22 = np.einsum("ij,ij->j", SCC, SCCw)
    IF2 = (SCCw - IF1 @ A21.T) / a22[None, :]
    IF = np.hstack([IF1, IF2])
    nobs_w = float(wv.sum())
    gamma = nobs_w * (IF.T @ IF)
    gamma_iid = None
    if cluster is not None:
        if missing != "listwise":
            raise DataError("The 'cluster' parameter needs missing='listwise'.")
        from .ordinal import cluster_gamma

        gamma_iid, gamma = gamma, cluster_gamma(IF, cluster, nobs_w)

    obs = np.concatenate([np.concatenate(tau), beta.T.ravel(), [corr[i, j] for i, j in pairs]])
    labels = [f"{names[i]}|t{m + 1}" for i in range(p) for m in range(K[i] - 1)]
    labels += [f"{names[i]}~{xnames[x]}" for x in range(k) for i in range(p)]
    labels += [f"{names[j]}~~{names[i]}" for i, j in pairs]
    return ConditionalOrdinalStats(names=tuple(names), xnames=tuple(xnames), nobs=n,
                                   nobs_w=None if weights is None else nobs_w, gamma_iid=gamma_iid,
                                   thresholds={names[i]: tau[i] for i in range(p)}, slopes=beta, corr=corr,
                                   wls_obs=obs, wls_names=tuple(labels), gamma=gamma)
