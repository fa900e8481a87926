"""The first stage of WLSMV with exogenous observed covariates (lavaan's ``conditional.x = TRUE``).

``conditional_ordinal_stats(Y, X, names, xnames)`` computes, as lavaan 0.6-14 does when ordered items are
regressed on observed covariates (``lav_samplestats_step1`` / ``step2`` / ``muthen1984`` with ``eXo``; single
group; complete rows, or with ``missing="pairwise"`` the items' missing
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

Continuous variables among the items (``ordered=``): an OLS regression on the covariates
instead of the probit (intercept, slopes, residual variance with divisor N; lavaan's ``lav_uvreg_fit``; with
``missing="pairwise"`` on the rows observing the variable, a pair's correlation on the rows observing both), the
residual Pearson correlation of two of them, the residual polyserial correlation with an ordered one (lavaan's
``lav_bvmix_cor_twostep_fit`` with each row's bounds ``tau - x' beta``), their scores in Gamma with lavaan's
``H`` turning a correlation into a covariance (``rho sd_i sd_j``), and ``-intercept`` in the variable's
threshold slot, as lavaan.

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
from .ordinal import pearson_ml as _pearson_ml
from .ordinal import phi2 as _phi2
from .ordinal import polyserial_rows

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
    ordered: tuple[str, ...] = ()  # the ordered variables (all of ``names`` unless some are continuous)
    intercepts: dict = field(repr=False, default_factory=dict)  # the continuous variables' OLS intercepts
    variances: dict = field(repr=False, default_factory=dict)  # ... and residual variances (divisor N)
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
                              missing: str = "listwise", ordered: list[str] | None = None,
                              weights: np.ndarray | None = None, cluster: np.ndarray | None = None
                              ) -> ConditionalOrdinalStats:
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
    ordered : list of str or None
        The ordered columns (None: all). The others are continuous: regressed on the
        covariates by OLS (intercept, slopes, residual variance with divisor N, lavaan's ``lav_uvreg_fit``);
        ``wls_obs`` then holds -intercept in the variable's threshold slot, its residual variance after the
        slopes, and its residual covariances (Pearson with another continuous variable, polyserial times its
        SD with an ordered one), as lavaan.
    weights : array of n floats, optional
        Sampling weights of the rows, normalised (lavaan's ``sampling.weights``; complete rows): weighted
        probit and least-squares regressions, weighted residual polychoric, polyserial and Pearson
        correlations, and Gamma with the weighted casewise
        scores in its meat and the weighted cross-products in its bread, times ``sum(w)`` (lavaan's ``nobs``),
        as :func:`egovsem.sem.ordinal.ordinal_stats`.
    cluster : array of n ints, optional
        Cluster codes ``0..C-1`` of the rows (complete rows): the cluster-robust Gamma of lavaan 0.7
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
    is_ord = [True] * len(names) if ordered is None else [v in set(ordered) for v in names]
    if weights is not None:
        wv = np.asarray(weights, dtype=float).reshape(-1)
        if missing != "listwise" or wv.size != Y.shape[0] or not (np.isfinite(wv).all() and (wv >= 0).all()):
            raise DataError("The 'weights' parameter must give a finite weight >= 0 to each of the "
                            f"{Y.shape[0]} rows, with missing='listwise'.")
    if cluster is not None and missing != "listwise":
        raise DataError("The 'cluster' parameter needs missing='listwise'.")
    if missing == "pairwise":
        nonempty = ~np.isnan(Y).all(axis=1)
        Y, X = Y[nonempty], X[nonempty]
    n, p = Y.shape
    wv = np.ones(n) if weights is None else wv  # the rows' weights (1 without sampling weights)
    k = X.shape[1]
    codes = np.zeros((n, p), np.intp)
    K = []
    tau, beta = [], np.zeros((p, k))
    seen = ~np.isnan(Y)
    X1 = np.hstack([np.ones((n, 1)), X])
    resid, rvar = np.zeros((n, p)), np.ones(p)
    for i in range(p):
        if not is_ord[i]:  # OLS on the rows observing it: intercept, slopes, residual variance (divisor N_i)
            o = seen[:, i]
            sw = np.sqrt(wv[o])  # (weighted least squares with sampling weights)
            coef = np.linalg.lstsq(X1[o] * sw[:, None], Y[o, i] * sw, rcond=None)[0]
            resid[:, i] = np.where(o, Y[:, i] - X1 @ coef, 0.0)  # 0 where missing: scores 0 (lavaan's NA)
            rvar[i] = float((wv * resid[:, i]) @ resid[:, i]) / float(wv[o].sum())
            K.append(2)  # one slot: -intercept
            tau.append(np.array([-coef[0]]))
            beta[i] = coef[1:]
            continue
        lev, c = _categorize(Y[:, i], names[i])
        codes[:, i] = c
        K.append(lev.size)
        t, b = _fit_probit(c[seen[:, i]], lev.size, X[seen[:, i]], names[i], wv[seen[:, i]])
        tau.append(t)
        beta[i] = b
    nth = sum(Ki - 1 for Ki in K)
    th_start = np.cumsum([0] + [Ki - 1 for Ki in K])
    num = [i for i in range(p) if not is_ord[i]]
    var_slot = {v: nth + p * k + m for m, v in enumerate(num)}
    # score columns: thresholds (item by item), slopes (covariate by covariate, items within), residual
    # variances of the continuous variables
    n1 = nth + p * k + len(num)
    SC1 = np.zeros((n, n1))
    blocks = []
    z1s: list = []
    z2s: list = []
    for i in range(p):
        if not is_ord[i]:
            e, v2 = resid[:, i], rvar[i]
            sl_idx = nth + i + p * np.arange(k)
            SC1[:, th_start[i]] = e / v2
            SC1[:, sl_idx] = X * (e / v2)[:, None]
            SC1[:, var_slot[i]] = np.where(seen[:, i], -1.0 / (2 * v2) + e * e / (2 * v2 * v2), 0.0)
            blocks.append(np.concatenate([[th_start[i]], sl_idx, [var_slot[i]]]))
            z1s.append(None)
            z2s.append(None)
            continue
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
    H21, H22 = np.zeros((len(pairs), n1)), np.ones(len(pairs))
    for q, (i, j) in enumerate(pairs):
        if not (is_ord[i] and is_ord[j]):  # a continuous variable in the pair: Pearson or polyserial
            _mixed_pair(q, i, j, is_ord, resid, rvar, codes, K, tau, beta, X, th_start, nth, p, var_slot,
                        corr, SCC, A21, H21, H22, seen, wv)
            continue
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
    if num:  # correlations -> covariances with a continuous variable (lavaan's H); -intercept in its slot
        IF2 = IF1 @ H21.T + IF2 * H22[None, :]
        IF1[:, th_start[num]] *= -1.0
    IF = np.hstack([IF1, IF2])
    nobs_w = float(wv.sum())
    gamma = nobs_w * (IF.T @ IF)
    gamma_iid = None
    if cluster is not None:
        from .ordinal import cluster_gamma

        gamma_iid, gamma = gamma, cluster_gamma(IF, cluster, nobs_w)

    sds = np.sqrt(rvar)
    obs = np.concatenate([np.concatenate(tau), beta.T.ravel(), rvar[num],
                          [corr[i, j] * sds[i] * sds[j] for i, j in pairs]])
    labels = [f"{names[i]}|t{m + 1}" if is_ord[i] else f"{names[i]}~1" for i in range(p) for m in range(K[i] - 1)]
    labels += [f"{names[i]}~{xnames[x]}" for x in range(k) for i in range(p)]
    labels += [f"{names[i]}~~{names[i]}" for i in num]
    labels += [f"{names[j]}~~{names[i]}" for i, j in pairs]
    return ConditionalOrdinalStats(names=tuple(names), xnames=tuple(xnames), nobs=n,
                                   thresholds={names[i]: tau[i] for i in range(p) if is_ord[i]}, slopes=beta,
                                   corr=corr, wls_obs=obs, wls_names=tuple(labels), gamma=gamma,
                                   ordered=tuple(v for v, o in zip(names, is_ord) if o),
                                   intercepts={names[i]: -float(tau[i][0]) for i in num},
                                   variances={names[i]: float(rvar[i]) for i in num},
                                   nobs_w=None if weights is None else nobs_w, gamma_iid=gamma_iid)


def _mixed_pair(q, i, j, is_ord, resid, rvar, codes, K, tau, beta, X, th_start, nth, p, var_slot,
                corr, SCC, A21, H21, H22, seen, wv=None) -> None:
    """One pair with a continuous variable (complete rows): its residual correlation (Pearson of the OLS
    residuals, or polyserial with an ordered variable's row bounds ``tau - x' beta``), the casewise scores of
    the correlation (column ``q`` of ``SCC``), their cross-products with the scores of the two variables'
    first-stage parameters (``A21``) and lavaan's ``H`` (row ``q`` of ``H21``, ``H22``: the correlation as a
    covariance, ``rho sd_i sd_j``). ``seen``: the observed cells; the pair's rows are those observing both
    (lavaan's pairwise; the other rows score 0). ``wv``: the rows' sampling weights (weighted likelihoods and
    cross-products), None: 1."""
    k = X.shape[1]
    n = X.shape[0]
    wv = np.ones(n) if wv is None else wv

    def at(v, d_mean):
        """Cross-products of the correlation's scores with the variable's mean-type scores (intercept / its
        bounds, and the slopes through ``x``)."""
        A21[q, nth + v + p * np.arange(k)] = (wv * SCC[:, q]) @ (X * d_mean[:, None])

    both = seen[:, i] & seen[:, j]
    if not is_ord[i] and not is_ord[j]:
        r1, r2, v1, v2 = resid[:, i] * both, resid[:, j] * both, rvar[i], rvar[j]
        s1, s2 = np.sqrt(v1), np.sqrt(v2)
        if both.all():
            rho = float(wv @ (r1 * r2)) / (wv.sum() * s1 * s2)
        else:  # lavaan: the ML correlation of the pair's rows, the univariate estimates held fixed
            rho = _pearson_ml(r1[both] / s1, r2[both] / s2, float(np.log(s1 * s2)), wv[both])
        Rr = 1 - rho * rho
        dmu1 = (r1 / v1 - rho * r2 / (s1 * s2)) / Rr
        dmu2 = (r2 / v2 - rho * r1 / (s1 * s2)) / Rr
        dv1 = -(0.5 / v1 - (r1 * r1 / (v1 * v1) - rho * r1 * r2 / (v1 * s1 * s2)) / (2 * Rr))
        dv2 = -(0.5 / v2 - (r2 * r2 / (v2 * v2) - rho * r1 * r2 / (v2 * s1 * s2)) / (2 * Rr))
        z = r1 * r1 / v1 - 2 * rho * r1 * r2 / (s1 * s2) + r2 * r2 / v2
        SCC[:, q] = both * (rho / Rr + (r1 * r2 / (s1 * s2 * Rr) - z * rho / (Rr * Rr)))
        dv1, dv2 = dv1 * both, dv2 * both
        for v, dm, dv, so in ((i, dmu1, dv1, s2), (j, dmu2, dv2, s1)):
            A21[q, th_start[v]] = (wv * SCC[:, q]) @ dm
            at(v, dm)
            A21[q, var_slot[v]] = (wv * SCC[:, q]) @ dv
            H21[q, var_slot[v]] = so * rho / (2 * np.sqrt(rvar[v]))
        H22[q] = s1 * s2
        corr[i, j] = corr[j, i] = rho
        return
    u, o = (i, j) if not is_ord[i] else (j, i)  # u continuous, o ordered
    sd = np.sqrt(rvar[u])
    Z = resid[:, u] / sd
    c = np.where(both, codes[:, o], 0)
    tt = np.clip(np.concatenate([[-np.inf], tau[o], [np.inf]]), -100.0, 100.0)  # lavaan's +-100 for +-inf
    eta = X @ beta[o]
    z1, z2 = tt[c + 1] - eta, tt[c] - eta
    # lavaan's start: cor(Z, y2, pairwise) * sd(y2, na.rm) * sqrt((N - 1) / N) / sum(dnorm(tau)), halved
    # when above 0.9 (N: all rows)
    y2 = codes[seen[:, o], o].astype(float)
    sd2 = np.sqrt(y2.var(ddof=1) * (n - 1) / n)
    start = np.corrcoef(Z[both], c[both].astype(float))[0, 1] * sd2 / float(_dnorm(tau[o]).sum())
    start = start / 2 if abs(start) > 0.9 else start
    rho = float(polyserial_rows(Z[:, None], np.array([sd]), z1[:, None], z2[:, None],
                                start=np.array([np.clip(start, -0.9, 0.9)]), obs=both[:, None], w=wv)[0])
    R = np.sqrt(1 - rho * rho)
    t1, t2 = (z1 - rho * Z) / R, (z2 - rho * Z) / R
    d1, d2 = _dnorm(t1), _dnorm(t2)
    py = np.maximum(ndtr(t1) - ndtr(t2), np.finfo(float).eps)
    SCC[:, q] = both * ((d1 * (z1 * rho - Z) - d2 * (z2 * rho - Z)) / py) / R ** 3
    dmu = (Z + (rho / R) * (d1 - d2) / py) / sd
    dvar = ((Z * Z - 1) + (rho * Z / R) * (d1 - d2) / py) / (2 * rvar[u])
    A21[q, th_start[u]] = (wv * SCC[:, q]) @ dmu
    at(u, dmu)
    A21[q, var_slot[u]] = (wv * SCC[:, q]) @ dvar
    w = wv * SCC[:, q] / (R * py)
    kk = K[o]
    a_up = np.bincount(c, weights=w * d1, minlength=kk)
    a_lo = np.bincount(c, weights=w * d2, minlength=kk)
    A21[q, th_start[o]:th_start[o] + kk - 1] = a_up[:kk - 1] - a_lo[1:kk]
    at(o, -(d1 - d2) / (R * py))
    H21[q, var_slot[u]] = rho / (2 * sd)
    H22[q] = sd
    corr[i, j] = corr[j, i] = rho
