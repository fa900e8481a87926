"""Simulate data from a population model written in lavaan syntax (as lavaan's ``simulateData``).

Every value in the population model is written as a fixed value (``0.7*x1``); a loading or path that is
not written is zero. Variances that are not written are set, as lavaan's ``standardized = TRUE`` does,
so that every variable (observed and latent) has variance one; with ``standardized=False`` they are one,
as in lavaan's default. Randomness comes from ``numpy.random.SeedSequence(seed)``: the same seed gives the
same data in any process.

>>> df = simulate_data("f =~ 0.8*y1 + 0.7*y2 + 0.6*y3", 50000, seed=1)
>>> round(float(df.corr().loc["y1", "y2"]), 2)  # 0.8 * 0.7
0.56
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .._errors import EgovsemError
from .partable import specify
from .ram import RAM

__all__ = ["simulate_data", "population_moments"]


def population_moments(model: str, *, standardized: bool = True, meanstructure: bool | None = None):
    """Return ``(Sigma, mu, names)`` implied by a population model with fixed values."""
    spec = specify(model, fixed_x=False, auto_cov_y=False, auto_fix_first=False, meanstructure=meanstructure)
    pt = spec.partable.copy()
    user_var = set()
    for r in pt.itertuples():
        if r.op == "~~" and r.lhs == r.rhs and r.user == 1:
            user_var.add(r.lhs)
    # a term written without a value (x1 instead of 0.7*x1) in a population model is an error
    loose = pt[(pt["user"] == 1) & (pt["free"] > 0) & (pt["op"] != "~1")]
    if len(loose):
        r = loose.iloc[0]
        raise EgovsemError(
            f"population model, line {r['line']}: {r['lhs']} {r['op']} {r['rhs']} has no value; write it as "
            f"a fixed value, e.g. 0.5*{r['rhs']}"
        )
    # defaults: all auto rows fixed; variances to be solved, covariances 0, means 0
    pt.loc[pt["user"] == 0, "ustart"] = 0.0
    pt["free"] = 0
    pt["ustart"] = pt["ustart"].fillna(0.0)
    ram = RAM.from_partable(pt, spec.ov, spec.lv)
    pos = {v: i for i, v in enumerate(ram.names)}
    todo = [pos[v] for v in ram.names if v not in user_var]
    S = ram.S0.copy()
    for i in todo:
        S[i, i] = 1.0
    if standardized:
        E = np.linalg.inv(np.eye(len(ram.names)) - ram.A0)
        for _ in range(len(ram.names) + 2):
            # explained variance of i is C_ii - S_ii (recursive models: E_ii = 1); set S_ii = 1 - explained
            C = E @ S @ E.T
            new = np.array([1.0 - (C[i, i] - S[i, i]) for i in todo])
            done = np.allclose(new, np.diag(S)[todo], atol=1e-15)
            for i, v in zip(todo, new):
                S[i, i] = v
            if done:
                break
        bad = [ram.names[i] for i in todo if S[i, i] < 0]
        if bad:
            raise EgovsemError(
                f"population model: the paths into {bad} explain more than all of their variance "
                "(residual variance would be negative); lower the coefficients."
            )
    E = np.linalg.inv(np.eye(len(ram.names)) - ram.A0)
    C = E @ S @ E.T
    mu = (E @ ram.m0)[: ram.p]
    return C[: ram.p, : ram.p], mu, list(spec.ov)


def simulate_data(
    model: str,
    n: int,
    *,
    seed: int | np.random.SeedSequence | None = None,
    standardized: bool = True,
) -> pd.DataFrame:
    """Draw ``n`` rows of multivariate normal data from the population ``model``.

    Parameters
    ----------
    model : str
        lavaan syntax with fixed values (``f =~ 0.8*y1 + 0.7*y2``; ``y ~ 0.3*x``).
    n : int
        Number of rows.
    seed : int or SeedSequence
        Seed; the same seed gives the same data in any process.
    standardized : bool
        Unwritten variances make each variable's variance one (lavaan's ``standardized = TRUE``).
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise EgovsemError(f"The 'n' parameter must be a positive integer. Got {n!r} instead.")
    Sigma, mu, names = population_moments(model, standardized=standardized)
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    rng = np.random.default_rng(ss)
    L = np.linalg.cholesky(Sigma + 1e-14 * np.eye(len(names)))
    X = mu + rng.standard_normal((int(n), len(names))) @ L.T
    return pd.DataFrame(X, columns=names)
