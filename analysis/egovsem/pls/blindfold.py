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

Each round re-estimates the whole model on the round's data, with the fit's settings (:attr:`PLSResults.call`), so
an omitted point is kept out of every step that uses it:

* interaction terms ``X:M``: their indicators (the product of the stage-1 scores under ``interaction="two_stage"``,
  products or their residuals otherwise) are made again from the round's data (stage 1 included), so a product
  never carries an omitted value of ``X``'s or ``M``'s items;
* higher-order constructs, two-stage approach: stage 1 and stage 2 are both run on the round's data, and the Q2
  of the stage-2 model's endogenous constructs is reported. An endogenous higher-order construct is refused: its
  indicators are the stage-1 scores of its dimensions, estimates made from the same data, so there are no data
  points to omit (the repeated-indicators approach, ``higher_order="repeated_indicators"``, has them);
* repeated indicators: an item and its copy under the higher-order construct are one data point, omitted together.

The predictions use the round's scores and paths as reported (for an interaction construct seminr's rescaled
score and path, whose product is the standardised one's).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._errors import EgovsemError, EgovsemWarning, NotAvailableError, caller_stacklevel

__all__ = ["blindfolding", "omitted_points"]


def omitted_points(n: int, k: int, distance: int, round_: int) -> np.ndarray:
    """The ``(n, k)`` mask of the points omitted in round ``round_`` (point ``i * k + j``, every ``distance``-th).

    >>> omitted_points(3, 2, 4, 1).astype(int).tolist()
    [[0, 1], [0, 0], [0, 1]]
    """
    num = np.arange(n)[:, None] * k + np.arange(k)[None, :]
    return num % distance == round_


def _raw_items(fit) -> tuple[pd.DataFrame, dict[str, str]]:
    """The analysed data of the model's own items (no repeated copies, products or stage-1 scores), and the
    column of each indicator of the final model that is one of them."""
    src = fit.first_stage if fit.first_stage is not None else fit
    made = set(src.item_names)
    for name in src.interactions:
        made |= set(src.spec.blocks[name])
    cols = [x for x in src.spec.indicators if x not in made]
    pos = {x: i for i, x in enumerate(src.spec.indicators)}
    frame = pd.DataFrame(src._data.X[:, [pos[x] for x in cols]], columns=cols)
    owner = {x: fit.item_names.get(x, x) for x in fit.spec.indicators}
    return frame, {x: c for x, c in owner.items() if c in frame.columns}


def blindfolding(fit, omission_distance: int = 7) -> pd.DataFrame:
    """Q-squared of every endogenous construct by blindfolding (see the module docstring).

    Parameters
    ----------
    fit : PLSResults
        A fit made by :func:`egovsem.pls` (interaction terms and higher-order constructs included, but for an
        endogenous higher-order construct of the two-stage approach).
    omission_distance : int
        D, from 2 to N - 1 (default 7; Hair et al. advise a D between 5 and 12 for which N / D is not an
        integer, and warn otherwise).

    Returns
    -------
    DataFrame
        Indexed by construct: ``SSO``, ``SSE`` and ``q2`` (``1 - SSE / SSO``).
    """
    from .fit import pls

    if fit.call is None:
        raise EgovsemError("blindfolding() re-estimates the model and needs a fit made by egovsem.pls().")
    names = list(fit.spec.constructs)
    st = fit._st
    endogenous = [k for k, preds in enumerate(st.predecessors) if preds.size]
    if fit.first_stage is not None:
        hoc = [names[k] for k in endogenous if names[k] in fit.higher_order]
        if hoc:
            raise NotAvailableError(
                f"blindfolding() of the endogenous higher-order construct {hoc[0]!r} (two-stage approach) is not "
                f"available: its indicators are the stage-1 scores of {', '.join(fit.higher_order[hoc[0]])}, "
                "estimated from the same data, so no data point of it can be omitted. Fit with "
                "higher_order='repeated_indicators', whose Q2 omits the items themselves.")
    frame, column = _raw_items(fit)
    X = frame.to_numpy()
    n = X.shape[0]
    D = omission_distance
    if isinstance(D, (bool, np.bool_)) or not isinstance(D, (int, np.integer)) or not 2 <= D < n:
        raise EgovsemError(f"The 'omission_distance' parameter must be an integer from 2 to N - 1 = {n - 1}. "
                           f"Got {omission_distance!r} instead.")
    D = int(D)
    if n % D == 0:
        warnings.warn(f"The omission distance {D} divides the number of observations ({n}); Hair et al. advise a "
                      "distance for which N / D is not an integer.", EgovsemWarning, stacklevel=caller_stacklevel())
    call = dict(fit.call)
    model = call.pop("model")
    raw = {c: j for j, c in enumerate(frame.columns)}
    pos = {x: i for i, x in enumerate(fit.spec.indicators)}
    out = []
    for k in endogenous:
        items = [fit.spec.indicators[i] for i in st.blocks[k]]
        cols = [raw[column[x]] for x in items]
        sse = sso = 0.0
        for d in range(D):
            om = omitted_points(n, len(items), D, d)
            if not om.any():
                continue
            Xd = X.copy()
            for j, col in enumerate(cols):
                if om[:, j].all():
                    raise EgovsemError(f"blindfolding: round {d} omits every value of {column[items[j]]!r}; "
                                       "choose a larger omission_distance.")
                Xd[om[:, j], col] = X[~om[:, j], col].mean()
            r = pls(model, pd.DataFrame(Xd, columns=frame.columns), **call)
            Xr = r._data.X
            mu, sd = Xr.mean(axis=0), Xr.std(axis=0, ddof=1)
            preds = r._st.predecessors[k]
            eta = r.scores.to_numpy()[:, preds] @ r.estimates.B[preds, k]
            for j, x in enumerate(items):
                rows, c = om[:, j], pos[x]
                pred = mu[c] + sd[c] * r.estimates.L[c, k] * eta[rows]
                sse += float(np.sum((X[rows, cols[j]] - pred) ** 2))
                sso += float(np.sum((X[rows, cols[j]] - mu[c]) ** 2))
        out.append((names[k], sso, sse, 1.0 - sse / sso))
    df = pd.DataFrame(out, columns=["construct", "SSO", "SSE", "q2"]).set_index("construct")
    df.attrs["omission_distance"] = D
    return df
