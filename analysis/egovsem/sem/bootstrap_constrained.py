"""The bootstrap of a complete-data ML fit with explicit constraints (``==``, ``<``, ``>``; lavaan's
``se = "bootstrap"`` with constraints in the model).

lavaan refits every resample with the model's constraints. The batched quasi-Newton fits of
:mod:`egovsem.sem.bootstrap` know no constraints, so here each resample is refitted on its own by the
constrained optimiser of the full fit (:func:`egovsem.sem.constraints.minimize_constrained`: linear
equalities eliminated, the rest by SLSQP), started at the full-sample estimate, with its fixed.x rows at the
resample's moments. The draws then go through the same summaries (SD with divisor B, percentile / BCa /
normal intervals, ``std.all`` and ``:=`` draws) as every other bootstrap. Resample ``b`` draws its rows from
``SeedSequence(seed, spawn_key=(b,))``, as in :mod:`egovsem.sem.bootstrap`: the same seed gives the same
numbers whatever the number of processes.
"""
from __future__ import annotations

import warnings
from types import SimpleNamespace
from typing import Any, cast

import numpy as np

from .._errors import EgovsemError
from ..parallel import child_seed
from ._draws import RowMaps, all_quantities
from .batch import BatchModel

__all__ = ["RefitPayload", "ConstrainedPayload", "constrained_chunk"]


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


class ConstrainedPayload(RefitPayload):
    """What a worker needs to refit resamples of a constrained ML fit."""

    def __init__(self, res, X: np.ndarray, entropy: int):
        super().__init__(res, X, entropy)
        self.spec = res.spec
        self.iter_max = int(res.opts.iter_max)
        self._cs = None

    @property
    def constraints(self):
        """The model's :class:`~egovsem.sem.constraints.ConstraintSet`, built once per process."""
        if self._cs is None:
            from .constraints import ConstraintSet

            self._cs = ConstraintSet.from_spec(self.spec)
        return self._cs

    def __getstate__(self) -> dict:
        # the compiled constraint expressions stay in the process that built them
        return {**self.__dict__, "_cs": None}


def _refit(payload: ConstrainedPayload, Xb: np.ndarray):
    """The constrained ML fit of the rows ``Xb``: ``(theta, fmin, converged, S, mean)``."""
    from .constraints import minimize_constrained
    from .estimate import fill_fixed_x, free_variances
    from .ml import MLDiscrepancy
    from .ram import RAM

    spec = payload.spec
    mean = Xb.mean(axis=0)
    D = Xb - mean
    S = D.T @ D / Xb.shape[0]
    pt = fill_fixed_x(spec, [cast(Any, SimpleNamespace(cov=S, mean=mean))])
    ram = RAM.from_partable(pt, spec.ov, spec.lv, q=spec.npar)
    try:
        disc = MLDiscrepancy(ram, S, mean, bool(spec.meanstructure), Xb.shape[0])
        st = minimize_constrained([disc], np.ones(1), payload.theta0, payload.constraints,
                                  iter_max=payload.iter_max, variances=free_variances(pt))
    except (EgovsemError, np.linalg.LinAlgError, ValueError):
        return payload.theta0, np.nan, False, S, mean
    ok = bool(st.converged and np.isfinite(st.fmin))
    return st.theta, (st.fmin if ok else np.nan), ok, S, mean


def constrained_chunk(payload: ConstrainedPayload, mode: str, start: int, stop: int) -> dict:
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
