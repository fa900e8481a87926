"""Nonparametric bootstrap of a PLS path model: paths, loadings, weights, indirect and total effects, HTMT.

Each resample draws N rows with replacement and re-estimates the whole model (under ``missing="mean"`` the
raw rows are resampled and their missing values replaced by the means of the resample, as seminr's
``bootstrap_model`` re-runs ``estimate_pls`` on each resample of the raw data). A resample that cannot be
estimated (a constant indicator, a singular mode-B block, a non-positive rho_A under PLSc) or whose PLS
algorithm does not converge is dropped and counted in ``bootstrap_info["failed"]`` (seminr drops its failed
resamples too).

* standard error: the standard deviation of the draws, divisor B - 1 (R's ``sd``, as seminr);
* ``"perc"`` intervals: the ``(1 - level)/2`` and ``(1 + level)/2`` quantiles of the draws, R's default
  quantile (type 7, linear interpolation), as seminr's ``confidence_interval``;
* ``"bca"`` intervals (Efron 1987): bias correction ``z0 = Phi^-1(share of draws below the estimate)`` and the
  acceleration from a leave-one-out jackknife (:func:`egovsem._bca.acceleration`, shared with the CB-SEM
  bootstrap); the adjusted quantiles of the draws (type 7).

Randomness: resample ``b`` draws from ``SeedSequence(seed, spawn_key=(b,))`` (:mod:`egovsem.parallel`);
resamples are estimated in chunks of a fixed size (a function of B alone) with BLAS on one thread, so the same
seed gives bit-identical numbers whatever ``n_jobs``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import special

from .._bca import acceleration
from .._errors import EgovsemError
from ..parallel import child_seed, chunk_bounds, run_chunks
from .data import check_constant, correlations, replace_missing
from .estimates import Estimates, estimate, total_effects
from .reliability import htmt_pairs
from .specify import PLSSpec
from .weights import Structure, check_mode_b, structure

__all__ = ["CI_TYPES", "CHUNK", "Layout", "layout", "statistics", "resample_indices", "run_bootstrap",
           "run_jackknife", "percentile_intervals", "bca_intervals", "acceleration"]

CI_TYPES = ["perc", "bca"]
# resamples per task: a constant, so that the partition (and so every number) depends on B alone
CHUNK = 100


@dataclass(frozen=True)
class Layout:
    """Which quantities a statistic vector holds, in order: ``keys[i] = (kind, lhs, op, rhs)``.

    kinds: ``path`` (``Y ~ X``), ``loading`` (``F =~ x``), ``weight`` (``F <~ x``), ``indirect`` and ``total``
    (``Y ~ X`` effects), ``htmt`` (``F1 ~~ F2``).
    """

    keys: tuple[tuple[str, str, str, str], ...]
    index: dict[str, np.ndarray] = field(default_factory=dict)


def layout(spec: PLSSpec, st: Structure) -> Layout:
    """The statistic layout of ``spec``: paths, loadings, weights, indirect and total effects, HTMT pairs."""
    keys: list[tuple[str, str, str, str]] = []
    for s, t in spec.paths:
        keys.append(("path", t, "~", s))
    for c in spec.constructs:
        keys.extend(("loading", c, "=~", x) for x in spec.blocks[c])
    for c in spec.constructs:
        keys.extend(("weight", c, "<~", x) for x in spec.blocks[c])
    reach, ind = _reachability(st.adjacency)
    names = spec.constructs
    K = len(names)
    for kind, M in (("indirect", ind), ("total", reach)):
        keys.extend((kind, names[j], "~", names[i]) for i in range(K) for j in range(K) if M[i, j])
    keys.extend(("htmt", names[i], "~~", names[j]) for i in range(K) for j in range(i + 1, K))
    kinds = np.array([k[0] for k in keys])
    return Layout(tuple(keys), {k: np.flatnonzero(kinds == k) for k in dict.fromkeys(kinds)})


def _reachability(P: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(any route i -> j, a route of two or more paths i -> j) of the adjacency matrix ``P``."""
    K = P.shape[0]
    A = P > 0
    reach = A.copy()
    two = np.zeros_like(A)
    step = A.copy()
    for _ in range(K):
        step = (step.astype(int) @ A.astype(int)) > 0
        two |= step
        reach |= step
    return reach, two


def statistics(est: Estimates, R: np.ndarray, st: Structure, lay: Layout) -> np.ndarray:
    """The statistic vector of one solution, in ``lay`` order."""
    cpos = {c: k for k, c in enumerate(st.spec.constructs)}
    ipos = {x: i for i, x in enumerate(st.spec.indicators)}
    T = total_effects(est.B)
    out = np.empty(len(lay.keys))
    for n, (kind, lhs, _op, rhs) in enumerate(lay.keys):
        if kind == "path":
            out[n] = est.B[cpos[rhs], cpos[lhs]]
        elif kind == "loading":
            out[n] = est.L[ipos[rhs], cpos[lhs]]
        elif kind == "weight":
            out[n] = est.W[ipos[rhs], cpos[lhs]]
        elif kind == "total":
            out[n] = T[cpos[rhs], cpos[lhs]]
        elif kind == "indirect":
            out[n] = T[cpos[rhs], cpos[lhs]] - est.B[cpos[rhs], cpos[lhs]]
    h = lay.index.get("htmt")
    if h is not None and h.size:
        out[h] = htmt_pairs(R, st)
    return out


@dataclass(frozen=True)
class _Payload:
    """What every worker needs."""

    raw: np.ndarray          # rows to resample (NaN = missing under missing="mean")
    missing: str
    spec: PLSSpec
    settings: dict[str, Any]
    entropy: int
    lay: Layout


def resample_indices(n: int, b: int, seed: int) -> np.ndarray:
    """Row indices (0-based) of resample ``b`` of ``n`` rows with root seed ``seed``.

    >>> resample_indices(4, 0, 1).tolist() == resample_indices(4, 0, 1).tolist()
    True
    """
    return child_seed(seed, b).integers(0, n, size=n)


def _one(p: _Payload, st: Structure, rows: np.ndarray) -> np.ndarray:
    X = p.raw[rows]
    if p.missing == "mean":
        X = replace_missing(X)
    try:
        with np.errstate(all="ignore"):
            check_constant(X, p.spec)
            R = correlations(X)
            check_mode_b(R, st)
            est = estimate(R, st, X.shape[0], **p.settings)
            if not est.weights.converged:
                return np.full(len(p.lay.keys), np.nan)
            return statistics(est, R, st, p.lay)
    except (EgovsemError, np.linalg.LinAlgError, FloatingPointError):
        return np.full(len(p.lay.keys), np.nan)


def _chunk(p: _Payload, mode: str, lo: int, hi: int) -> np.ndarray:
    st = structure(p.spec)
    n = p.raw.shape[0]
    out = np.empty((hi - lo, len(p.lay.keys)))
    for r, b in enumerate(range(lo, hi)):
        if mode == "boot":
            rows = resample_indices(n, b, p.entropy)
        else:  # jackknife: leave row b out
            rows = np.r_[0:b, b + 1:n]
        out[r] = _one(p, st, rows)
    return out


def _run(p: _Payload, mode: str, total: int, n_jobs: int | None, progress: bool | None) -> np.ndarray:
    bounds = chunk_bounds(total, CHUNK)
    parts = run_chunks(_chunk, p, [(mode, lo, hi) for lo, hi in bounds], n_jobs=n_jobs, progress=progress,
                       desc="PLS bootstrap" if mode == "boot" else "jackknife",
                       weights=[hi - lo for lo, hi in bounds])
    return np.vstack(parts)


def run_bootstrap(raw: np.ndarray, missing: str, spec: PLSSpec, settings: dict[str, Any], entropy: int,
                  lay: Layout, B: int, *, n_jobs: int | None = 1, progress: bool | None = None) -> np.ndarray:
    """``B`` resampled statistic vectors (rows; NaN rows for failed resamples)."""
    return _run(_Payload(raw, missing, spec, dict(settings), int(entropy), lay), "boot", int(B), n_jobs, progress)


def run_jackknife(raw: np.ndarray, missing: str, spec: PLSSpec, settings: dict[str, Any], lay: Layout, *,
                  n_jobs: int | None = 1) -> np.ndarray:
    """The leave-one-out statistic vectors (one row per analysed row)."""
    return _run(_Payload(raw, missing, spec, dict(settings), 0, lay), "jack", raw.shape[0], n_jobs, False)


def percentile_intervals(draws: np.ndarray, level: float) -> np.ndarray:
    """(k, 2) percentile intervals of the columns of ``draws`` (failed rows already removed)."""
    q = [(1 - level) / 2, (1 + level) / 2]
    return np.quantile(draws, q, axis=0).T


def bca_intervals(draws: np.ndarray, est: np.ndarray, acc: np.ndarray, level: float) -> np.ndarray:
    """(k, 2) BCa intervals; NaN where every draw is on one side of the estimate."""
    z = special.ndtri(np.array([(1 - level) / 2, (1 + level) / 2]))
    out = np.full((draws.shape[1], 2), np.nan)
    for c in range(draws.shape[1]):
        t = draws[:, c]
        if np.ptp(t) == 0:
            out[c] = est[c]
            continue
        z0 = special.ndtri(np.mean(t < est[c]))
        if not np.isfinite(z0):
            continue
        adj = special.ndtr(z0 + (z0 + z) / (1 - acc[c] * (z0 + z)))
        out[c] = np.quantile(t, adj)
    return out
