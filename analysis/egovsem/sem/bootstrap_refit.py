"""Bootstrap resamples refitted one by one from their moments: ML with explicit constraints (``==``, ``<``,
``>``) and ML with ``missing="pairwise"`` (lavaan's ``se = "bootstrap"`` for both).

lavaan refits every resample with the model's constraints, and with pairwise deletion recomputes each
resample's available-case moments. The batched quasi-Newton fits of :mod:`egovsem.sem.bootstrap` know
neither, so here each resample is refitted on its own: its moments (complete rows, or lavaan's pairwise
covariance ``cov(use = "pairwise") * (N - 1) / N`` and available-case means), its fixed.x rows at those
moments, then the constrained optimiser of the full fit (:func:`egovsem.sem.constraints.minimize_constrained`:
linear equalities eliminated, the rest by SLSQP) or the plain one, started at the full-sample estimate. The
draws then go through the same summaries (SD with divisor B, percentile / BCa / normal intervals, ``std.all``
and ``:=`` draws) as every other bootstrap. Resample ``b`` draws its rows from ``SeedSequence(seed,
spawn_key=(b,))``, as in :mod:`egovsem.sem.bootstrap`: the same seed gives the same numbers whatever the
number of processes.
"""
from __future__ import annotations

import warnings
from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pandas as pd

from .._errors import EgovsemError
from ..parallel import child_seed
from ._draws import RowMaps, all_quantities
from .batch import BatchModel

__all__ = ["ConstraintsOnce", "RefitPayload", "MomentRefitPayload", "moment_refit_chunk", "pairwise_moments",
           "refit_moments"]


def pairwise_moments(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """lavaan's pairwise moments of rows ``X`` (n, p) with NaN holes: ``cov(X, use = "pairwise") * (n - 1) /
    n`` (NaN where a pair is observed together on fewer than 2 rows) and the available-case means."""
    n = X.shape[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a column never observed in this resample
        mean = np.nanmean(X, axis=0)
    return pd.DataFrame(X).cov(ddof=1).to_numpy() * (n - 1) / n, mean


class RefitPayload:
    """What a worker needs to refit resamples one by one (FIML, constraints): the batched model (for the
    draws' summaries), the rows, the full-sample estimate and the root seed."""

    def __init__(self, res, X: np.ndarray, entropy: int):
        self.bm = BatchModel.from_results(res)
        self.maps = RowMaps(res.partable, res.ram.names, tuple(res.spec.defined))
        self.X = X
        self.n = X.shape[0]
        self.theta0 = np.asarray(res.theta, dtype=float)
        self.entropy = entropy


class ConstraintsOnce:
    """A payload's explicit constraints, compiled once per process (``spec`` and ``_cs`` set by the payload)."""

    spec: Any
    _cs: Any = None

    @property
    def constraints(self):
        """The model's :class:`~egovsem.sem.constraints.ConstraintSet` (None without constraints), built once
        per process."""
        if self._cs is None and self.spec.constraints:
            from .constraints import ConstraintSet

            self._cs = ConstraintSet.from_spec(self.spec)
        return self._cs

    def __getstate__(self) -> dict:
        # the compiled constraint expressions stay in the process that built them
        return {**self.__dict__, "_cs": None}


class MomentRefitPayload(ConstraintsOnce, RefitPayload):
    """What a worker needs to refit resamples of an ML fit with constraints or pairwise moments."""

    def __init__(self, res, X: np.ndarray, entropy: int):
        super().__init__(res, X, entropy)
        self.spec = res.spec
        self.pairwise = res.missing == "pairwise"
        self.iter_max = int(res.opts.iter_max)
        self._cs = None


def _refit(payload: MomentRefitPayload, Xb: np.ndarray):
    """The ML fit of the rows ``Xb`` (under the constraints; pairwise moments): ``(theta, fmin, converged, S,
    mean)``."""
    n = Xb.shape[0]
    if payload.pairwise:
        S, mean = pairwise_moments(Xb)
    else:
        mean = Xb.mean(axis=0)
        D = Xb - mean
        S = D.T @ D / n
    if not np.isfinite(S).all():  # a pair never observed together in this resample
        return payload.theta0, np.nan, False, np.nan_to_num(S), np.nan_to_num(mean)
    th, f, ok = refit_moments(payload, S, mean, n)
    return th, f, ok, S, mean


def refit_moments(payload: Any, S: np.ndarray, mean: np.ndarray, n: float) -> tuple[np.ndarray, float, bool]:
    """The ML fit at moments ``S``, ``mean`` of ``n`` rows by the engine's optimiser (under the payload's
    constraints), started at the full-sample estimate: ``(theta, fmin, converged)``. ``payload`` has ``spec``,
    ``theta0``, ``iter_max`` and ``constraints``."""
    from .constraints import minimize_constrained
    from .discrepancy import minimize_groups
    from .estimate import fill_fixed_x, free_variances
    from .ml import MLDiscrepancy
    from .ram import RAM

    spec = payload.spec
    pt = fill_fixed_x(spec, [cast(Any, SimpleNamespace(cov=S, mean=mean))])
    ram = RAM.from_partable(pt, spec.ov, spec.lv, q=spec.npar)
    try:
        disc = MLDiscrepancy(ram, S, mean, bool(spec.meanstructure), n)
        cs = payload.constraints
        if cs is None:
            st = minimize_groups([disc], payload.theta0, iter_max=payload.iter_max, variances=free_variances(pt))
        else:
            st = minimize_constrained([disc], np.ones(1), payload.theta0, cs, iter_max=payload.iter_max,
                                      variances=free_variances(pt))
    except (EgovsemError, np.linalg.LinAlgError, ValueError):
        return payload.theta0, np.nan, False
    ok = bool(st.converged and np.isfinite(st.fmin))
    return st.theta, (st.fmin if ok else np.nan), ok


def moment_refit_chunk(payload: MomentRefitPayload, mode: str, start: int, stop: int) -> dict:
    """Resamples (``mode`` "boot") or leave-one-out fits ("jackknife") ``start .. stop - 1``."""
    n = payload.n
    thetas, fmins, conv, Ss, means = [], [], [], [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a resample's convergence is recorded in "converged"
        for b in range(start, stop):
            idx = (np.delete(np.arange(n), b) if mode == "jackknife"
                   else child_seed(payload.entropy, b).integers(0, n, size=n))
            th, f, ok, S, m = _refit(payload, payload.X[idx])
            thetas.append(th)
            fmins.append(f)
            conv.append(ok)
            Ss.append(S)
            means.append(m)
    theta, S_all, m_all = np.array(thetas), np.array(Ss), np.array(means)
    out = {"theta": theta, "fmin": np.array(fmins), "converged": np.array(conv)}
    if mode != "test":
        out["admissible"] = payload.bm.admissible(theta, S_all, m_all)
        out.update(all_quantities(payload.bm, payload.maps, theta, S_all, m_all))
    return out
