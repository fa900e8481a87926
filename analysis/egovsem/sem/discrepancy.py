"""The discrepancy protocol every estimator implements, and the one function that minimises it over groups.

lavaan's design: an estimator is a discrepancy function between the sample statistics of each group and
the moments the model implies for that group; a single group is ``G = 1``. A discrepancy of one group
provides

* ``objective(theta)``: ``F_g`` (``inf`` where the implied moments are not admissible);
* ``gradient(theta)``: ``dF_g / dtheta``;
* ``information(theta)``: the expected information per observation (lavaan's ``information =
  "expected"``), scaled so that ``2 * information`` is the Fisher-scoring metric of ``F_g`` (the expected
  Hessian of ``F_g``);
* ``scores(theta)``: casewise scores ``d l_i / d theta`` (n, q) where they are defined (ML and FIML with
  the raw rows); :class:`NotImplementedError` otherwise; likewise ``observed_information(theta)`` (the
  total observed information, lavaan's default for FIML and MLR).

The implementations live in the modules named for them: :class:`egovsem.sem.ml.MLDiscrepancy` (complete
data, per-group sample moments), :class:`egovsem.sem.fiml.FIMLDiscrepancy` (casewise likelihood over the
rows' missing-data patterns) and :class:`egovsem.sem.wls.DWLSDiscrepancy` (WLSMV's diagonal weights).

Several groups: ``F = sum_g w_g F_g`` with ``w_g = N_g / N`` (lavaan's multi-group objective), gradient and
metric summed the same way; :func:`minimize_groups` hands that to the one optimiser,
:func:`egovsem.sem.optimize.minimize`.

>>> import numpy as np
>>> class Quadratic(Discrepancy):
...     def __init__(self, c): self.c = np.asarray(c, dtype=float)
...     def objective(self, theta): return float(np.sum((theta - self.c) ** 2))
...     def gradient(self, theta): return 2.0 * (theta - self.c)
...     def information(self, theta): return np.eye(theta.size)
>>> st = minimize_groups([Quadratic([1.0, 2.0]), Quadratic([3.0, 2.0])], np.zeros(2), weights=[0.5, 0.5])
>>> st.converged, np.round(st.theta, 6).tolist(), st.iterations
(True, [2.0, 2.0], 2)
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

from .optimize import FitState, minimize

__all__ = ["Discrepancy", "group_weights", "minimize_groups", "objective_groups", "gradient_metric_groups"]


class Discrepancy(ABC):
    """The discrepancy of one group (see the module docstring)."""

    @abstractmethod
    def objective(self, theta: np.ndarray) -> float:
        """``F_g(theta)``; ``inf`` outside the admissible region."""

    @abstractmethod
    def gradient(self, theta: np.ndarray) -> np.ndarray:
        """``dF_g / dtheta`` (q,)."""

    @abstractmethod
    def information(self, theta: np.ndarray) -> np.ndarray:
        """Expected information per observation (q, q); ``2 *`` it is the scoring metric of ``F_g``."""

    def gradient_information(self, theta: np.ndarray, *, info: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        """The gradient and (with ``info``) the expected information at ``theta``; implementations share
        the implied moments between the two."""
        return self.gradient(theta), (self.information(theta) if info else None)

    def scores(self, theta: np.ndarray) -> np.ndarray:
        """Casewise scores (n, q), where the discrepancy has rows."""
        raise NotImplementedError(f"{type(self).__name__} has no casewise scores.")

    def observed_information(self, theta: np.ndarray) -> np.ndarray:
        """Total observed information (minus the Hessian of the log-likelihood), where defined (ML and FIML
        with their rows: lavaan's default for FIML and MLR)."""
        raise NotImplementedError(f"{type(self).__name__} has no observed information.")


def group_weights(nobs: Sequence[float]) -> np.ndarray:
    """lavaan's group weights ``N_g / N``."""
    n = np.asarray(nobs, dtype=float)
    return n / n.sum()


def objective_groups(discs: Sequence[Discrepancy], weights: np.ndarray, theta: np.ndarray) -> float:
    """``F = sum_g w_g F_g``."""
    return float(sum(wg * d.objective(theta) for wg, d in zip(weights, discs)))


def gradient_metric_groups(
    discs: Sequence[Discrepancy], weights: np.ndarray, theta: np.ndarray, *, metric: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """``sum_g w_g dF_g`` and the scoring metric ``sum_g w_g 2 I_g``."""
    g = np.zeros_like(theta)
    H = np.zeros((theta.size, theta.size)) if metric else None
    for wg, d in zip(weights, discs):
        gg, info = d.gradient_information(theta, info=metric)
        g += wg * gg
        if H is not None and info is not None:
            H += wg * 2.0 * info
    return g, H


def minimize_groups(
    discs: Sequence[Discrepancy],
    theta0: np.ndarray,
    *,
    weights: Sequence[float] | np.ndarray | None = None,
    iter_max: int = 10000,
    tol: float = 1e-10,
    variances: np.ndarray | None = None,
) -> FitState:
    """Minimise ``sum_g w_g F_g`` over the groups' discrepancies from ``theta0``.

    Parameters
    ----------
    discs : sequence of Discrepancy
        One discrepancy per group (one for a single-group model).
    theta0 : ndarray
        Starting values.
    weights : sequence of float, optional
        ``w_g``; default 1 for one group (lavaan's ``N_g / N``: :func:`group_weights`).
    iter_max, tol, variances
        See :func:`egovsem.sem.optimize.minimize`.

    Returns
    -------
    FitState
        ``theta``, ``fmin`` (the weighted sum at ``theta``), ``converged``, ``iterations``, ``message``.
    """
    w = np.ones(len(discs)) if weights is None else np.asarray(weights, dtype=float)
    if w.size != len(discs):
        raise ValueError(f"{len(discs)} discrepancies but {w.size} weights")

    def f(theta: np.ndarray) -> float:
        return objective_groups(discs, w, theta)

    def grad_metric(theta: np.ndarray, metric: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        return gradient_metric_groups(discs, w, theta, metric=metric)

    return minimize(f, grad_metric, theta0, iter_max=iter_max, tol=tol, variances=variances)
