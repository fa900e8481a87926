"""Stone-Geisser's Q-squared by blindfolding (cross-validated redundancy; Stone 1974, Geisser 1974; Hair et al.
2017, ch. 6), as ``fit.blindfolding(omission_distance=7)``.

For every endogenous construct, the data points of its indicators are numbered case by case, indicator by
indicator (point ``i * K + j`` for case ``i`` and the construct's ``j``-th of ``K`` indicators). In round ``d``
(``d = 0 .. D - 1``, ``D`` the omission distance) the points numbered ``d, d + D, d + 2D, ...`` are omitted and
replaced by the mean of the indicator's remaining values; the model is estimated on these data, and each omitted
value is predicted from the round's solution by the construct's predecessors (the cross-validated redundancy):

``x_hat = mean_j + sd_j * lambda_j * sum_k(b_k * score_k)``,

with ``mean_j`` and ``sd_j`` the mean and standard deviation (divisor N - 1) of the round's indicator column (the
standardisation the PLS algorithm uses), ``lambda_j`` its loading and ``b_k`` the paths into the construct from
the predecessors' scores ``score_k``. Over the D rounds, ``SSE`` sums the squared prediction errors of the omitted
points and ``SSO`` their squared deviations from ``mean_j``; ``Q2 = 1 - SSE / SSO`` (above 0: predictive
relevance). seminr has no blindfolding; PLSpredict (:mod:`.predict`) is the out-of-sample alternative Hair et al.
(2019) recommend.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._errors import EgovsemError, EgovsemWarning, caller_stacklevel
from .data import correlations
from .estimates import estimate
from .weights import check_mode_b

__all__ = ["blindfolding", "omitted_points"]


def omitted_points(n: int, k: int, distance: int, round_: int) -> np.ndarray:
    """The ``(n, k)`` mask of the points omitted in round ``round_`` (point ``i * k + j``, every ``distance``-th).

    >>> omitted_points(3, 2, 4, 1).astype(int).tolist()
    [[0, 1], [0, 0], [0, 1]]
    """
    num = np.arange(n)[:, None] * k + np.arange(k)[None, :]
    return num % distance == round_


def blindfolding(fit, omission_distance: int = 7) -> pd.DataFrame:
    """Q-squared of every endogenous construct by blindfolding (see the module docstring).

    Parameters
    ----------
    fit : PLSResults
        A fitted model without higher-order constructs or interaction terms.
    omission_distance : int
        D, from 2 to N - 1 (default 7; Hair et al. advise a D between 5 and 12 for which N / D is not an
        integer, and warn otherwise).

    Returns
    -------
    DataFrame
        Indexed by construct: ``SSO``, ``SSE`` and ``q2`` (``1 - SSE / SSO``).
    """
    if fit.first_stage is not None or fit.interactions:
        raise EgovsemError("blindfolding() is not available for models with higher-order constructs or interaction "
                           "terms (estimated in two stages); use fit.predict() (PLSpredict).")
    X = fit._data.X
    n = X.shape[0]
    D = omission_distance
    if isinstance(D, (bool, np.bool_)) or not isinstance(D, (int, np.integer)) or not 2 <= D < n:
        raise EgovsemError(f"The 'omission_distance' parameter must be an integer from 2 to N - 1 = {n - 1}. "
                           f"Got {omission_distance!r} instead.")
    D = int(D)
    if n % D == 0:
        warnings.warn(f"The omission distance {D} divides the number of observations ({n}); Hair et al. advise a "
                      "distance for which N / D is not an integer.", EgovsemWarning, stacklevel=caller_stacklevel())
    st = fit._st
    settings = fit._estimate_settings
    names = list(fit.spec.constructs)
    out = []
    for k, preds in enumerate(st.predecessors):
        if not preds.size:
            continue
        items = st.blocks[k]
        sse = sso = 0.0
        for d in range(D):
            om = omitted_points(n, items.size, D, d)
            if not om.any():
                continue
            Xd = X.copy()
            for j, col in enumerate(items):
                if om[:, j].all():
                    raise EgovsemError(f"blindfolding: round {d} omits every value of {fit.spec.indicators[col]!r}; "
                                       "choose a larger omission_distance.")
                Xd[om[:, j], col] = X[~om[:, j], col].mean()
            R = correlations(Xd)
            check_mode_b(R, st)
            est = estimate(R, st, n, **settings)
            mu, sd = Xd.mean(axis=0), Xd.std(axis=0, ddof=1)
            S = ((Xd - mu) / sd) @ est.W
            eta = S[:, preds] @ est.B[preds, k]
            for j, col in enumerate(items):
                rows = om[:, j]
                pred = mu[col] + sd[col] * est.L[col, k] * eta[rows]
                sse += float(np.sum((X[rows, col] - pred) ** 2))
                sso += float(np.sum((X[rows, col] - mu[col]) ** 2))
        out.append((names[k], sso, sse, 1.0 - sse / sso))
    df = pd.DataFrame(out, columns=["construct", "SSO", "SSE", "q2"]).set_index("construct")
    df.attrs["omission_distance"] = D
    return df
