"""Monte Carlo power analysis: simulate from a population model, fit the analysis model, count rejections.

What lavaan users do with a loop over ``simulateData()`` + ``sem()`` (70 ms a replication for a small
model), done as one batched computation: for each sample size every replication's data are drawn (from its
own ``SeedSequence(seed, spawn_key=(i_n, r))``; replication ``r`` at the ``i_n``-th sample size is
exactly ``simulate_data(population, n, seed=SeedSequence(seed, spawn_key=(i_n, r)))``), reduced to its
moments, and all replications are fitted together (:mod:`egovsem.sem.batch`), warm-started at the true
values. Standard errors are lavaan's default for complete-data ML (expected information, divisor N);
``:=`` parameters get delta-method SEs.

For every free parameter and ``:=`` parameter and every N the table gives: ``power`` (share of converged
replications with a two-sided Wald p-value below ``alpha``), ``mean_est``, ``bias`` (``mean_est`` minus
the true value), ``coverage`` (share of 95% Wald intervals that contain the true value) and ``converged``
(share of replications that converged). The true values are those of the analysis model fitted to the
population moments (the population values themselves when the analysis model is correctly specified).
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from .._errors import EgovsemError, EgovsemWarning
from ..parallel import child_seed, chunk_bounds, resolve_entropy, run_chunks
from . import ml
from ._draws import RowMaps
from .batch import BatchModel, safe_inverse
from .data import SampleStats
from .estimate import fill_fixed_x
from .model import start_values
from .partable import specify
from .ram import RAM
from .simulate import population_moments

__all__ = ["power_analysis", "PowerResults"]

# replications per task: a constant, so that the partition into batched fits depends on reps alone (a batch
# rounds differently from the same replications fitted in another grouping); never derive it from n_jobs
CHUNK = 250
MIN_REPS = 2  # fewer replications give a power of 0 or 1 only
WARN_REPS = 100  # below this the Monte Carlo SE of a power exceeds .04 (at .80)
JSON_KEYS = ["lhs", "op", "rhs", "n", "power", "mean_est", "bias", "coverage", "converged"]


@dataclass
class PowerResults:
    """What :func:`power_analysis` returns.

    Attributes
    ----------
    table : DataFrame
        One row per parameter and N: ``lhs op rhs n power mean_est bias coverage converged`` and also
        ``true`` (the population value), ``se_mean`` (mean SE), ``sd_est`` (SD of the estimates) and
        ``inadmissible`` (share of converged replications with an inadmissible solution).
    reps : int
    seed : int
        Root entropy (rerun with it for the same numbers).
    alpha : float
    settings : dict
        Everything that reproduces the run: seed, reps, alpha, target, n, std_lv, the population and
        analysis model texts and their SHA-256, the egovsem version (written to the JSON file).
    """

    table: pd.DataFrame
    reps: int
    seed: int
    alpha: float
    target: float = 0.80
    draws: dict | None = None
    settings: dict | None = None

    def min_n(self, target: float | None = None) -> pd.DataFrame:
        """Smallest N of the grid whose power reaches ``target`` (default .80), per parameter (NaN: none)."""
        target = self.target if target is None else target
        rows = []
        for (lhs, op, rhs), g in self.table.groupby(["lhs", "op", "rhs"], sort=False):
            ok = g[g["power"] >= target]
            rows.append({"lhs": lhs, "op": op, "rhs": rhs,
                         "min_n": int(ok["n"].min()) if len(ok) else np.nan,
                         "power_at_max_n": float(g.loc[g["n"].idxmax(), "power"])})
        return pd.DataFrame(rows)

    def paths(self) -> pd.DataFrame:
        """The rows of the regression paths (``~``) and defined effects (``:=``)."""
        return self.table[self.table["op"].isin(["~", ":="])]

    def to_dict(self) -> dict[str, Any]:
        """``{"settings": {...}, "power": [{"lhs", "op", "rhs", "n", "power", "mean_est", "bias", "coverage",
        "converged"}, ...]}``; ``settings`` (seed, reps, alpha, target, n, std_lv, population, model, their
        sha256, version) is enough to rerun :func:`power_analysis` and get the same numbers."""
        def clean(v):
            if isinstance(v, (np.integer,)):
                return int(v)
            if isinstance(v, (float, np.floating)):
                return float(v) if np.isfinite(v) else None
            return v

        out: dict[str, Any] = {}
        if self.settings is not None:
            out["settings"] = {k: clean(v) for k, v in self.settings.items()}
        out["power"] = [{k: clean(r[k]) for k in JSON_KEYS} for r in self.table.to_dict(orient="records")]
        return out

    def to_json(self, path: str | Path | None = None) -> str:
        import json

        from ..safe_write import atomic_write_text

        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False)
        if path is not None:
            atomic_write_text(path, text + "\n")
        return text

    def plot(self, path: str | Path | None = None, *, which: str = "paths"):
        """Power curves (power against N) of the paths and defined effects (``which="all"``: every parameter),
        with the ``target`` line; saved as PNG when ``path`` is given. Returns the matplotlib Figure."""
        import matplotlib

        if path is not None:
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        tab = self.paths() if which == "paths" else self.table
        if tab.empty:
            tab = self.table
        fig, ax = plt.subplots(figsize=(7.5, 4.2))
        for (lhs, op, rhs), g in tab.groupby(["lhs", "op", "rhs"], sort=False):
            label = f"{lhs} := {rhs}" if op == ":=" else f"{lhs} {op} {rhs}"
            ax.plot(g["n"], g["power"], marker="o", label=label)
        ax.axhline(self.target, color="grey", linestyle="--", linewidth=1)
        ax.set_xlabel("N")
        ax.set_ylabel(f"power (alpha = {self.alpha:g})")
        ax.set_ylim(0, 1.02)
        ax.set_title(f"Monte Carlo power, {self.reps} replications per N")
        ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
        fig.tight_layout()
        if path is not None:
            from ..safe_write import atomic_path

            with atomic_path(path) as tmp:
                fig.savefig(tmp, dpi=150, format=Path(path).suffix.lstrip(".").lower() or "png")
            plt.close(fig)
        return fig

    def __str__(self) -> str:
        cols = ["lhs", "op", "rhs", "n", "power", "mean_est", "bias", "coverage", "converged"]
        return self.table[cols].to_string(index=False, float_format=lambda x: f"{x:.3f}")


class _Payload:
    def __init__(self, bm, maps, L, mu, cols, theta_true, entropy, ns, level):
        self.bm, self.maps, self.L, self.mu, self.cols = bm, maps, L, mu, cols
        self.theta_true, self.entropy, self.ns, self.level = theta_true, entropy, ns, level
        self.h0inv = None


def _moments(X: np.ndarray):
    xbar = X.mean(axis=1)
    D = X - xbar[:, None, :]
    S = np.swapaxes(D, 1, 2) @ D / X.shape[1]
    return S, xbar


def _power_chunk(pl: _Payload, i_n: int, start: int, stop: int) -> dict:
    n = pl.ns[i_n]
    p_pop = pl.L.shape[0]
    X = np.empty((stop - start, n, len(pl.cols)))
    for r, rep in enumerate(range(start, stop)):
        rng = child_seed(pl.entropy, i_n, rep)
        Z = pl.mu + rng.standard_normal((n, p_pop)) @ pl.L.T  # as simulate_data
        X[r] = Z[:, pl.cols]
    S, xbar = _moments(X)
    fit = pl.bm.fit(S, xbar, pl.theta_true, h0inv=pl.h0inv)
    B, q = fit.theta.shape
    ok = fit.converged.copy()
    theta = np.where(ok[:, None], fit.theta, pl.theta_true)
    info = pl.bm.information(theta, S, xbar)
    V = safe_inverse(n * info)
    se_theta = np.sqrt(np.clip(np.diagonal(V, axis1=1, axis2=2), 0, None))
    A, Sm, m = pl.bm.matrices(theta, S, xbar)
    rows = pl.maps.rows(A, Sm, m)
    free = pl.maps.free
    sel = free > 0
    est = rows[:, sel]
    se = se_theta[:, free[sel] - 1]
    if pl.maps.defined:
        d0 = pl.maps.defined_values(rows)
        J = np.zeros((B, d0.shape[1], q))
        for k in range(q):
            mask = free == k + 1
            h = 1e-6 * np.maximum(1.0, np.abs(theta[:, k]))
            up, dn = rows.copy(), rows.copy()
            up[:, mask] += h[:, None]
            dn[:, mask] -= h[:, None]
            J[:, :, k] = (pl.maps.defined_values(up) - pl.maps.defined_values(dn)) / (2 * h[:, None])
        vd = np.einsum("bdk,bkl,bdl->bd", J, V, J)
        est = np.hstack([est, d0])
        se = np.hstack([se, np.sqrt(np.clip(vd, 0, None))])
    adm = np.zeros(B, dtype=bool)
    if ok.any():
        adm[ok] = pl.bm.admissible(fit.theta[ok], S[ok], xbar[ok])
    return {"est": est, "se": se, "converged": ok, "admissible": adm}


def _check_ns(ns) -> list[int]:
    if isinstance(ns, (int, np.integer)):
        ns = [ns]
    try:
        out = [int(v) for v in ns]
    except (TypeError, ValueError):
        raise EgovsemError(f"The 'n' parameter must be a list of positive integers. Got {ns!r} instead.") from None
    if not out or any(v < 2 or v != float(w) for v, w in zip(out, ns)) or isinstance(ns, str):
        raise EgovsemError(f"The 'n' parameter must be a list of integers of at least 2. Got {ns!r} instead.")
    if len(set(out)) != len(out):
        raise EgovsemError(f"The 'n' parameter has repeated sample sizes: {ns!r}.")
    return out


def power_analysis(
    population: str,
    model: str,
    n: Sequence[int] | int,
    *,
    reps: int = 1000,
    seed: int | None = None,
    alpha: float = 0.05,
    target: float = 0.80,
    std_lv: bool = False,
    n_jobs: int | None = None,
    scheduler: Any = None,
    progress: bool | None = None,
    keep_draws: bool = False,
) -> PowerResults:
    """Monte Carlo power of every parameter of ``model`` for data from ``population``, at each N of ``n``.

    Parameters
    ----------
    population : str
        Population model in lavaan syntax with fixed values, as :func:`egovsem.simulate_data` reads it
        (unwritten variances make each variable's variance one, lavaan's ``standardized = TRUE``).
    model : str
        The analysis model (lavaan syntax; ``:=`` parameters are reported too).
    n : list of int
        Sample sizes.
    reps : int
        Replications per sample size.
    seed : int, optional
        Root seed (None: fresh, recorded in ``PowerResults.seed``).
    alpha : float
        Significance level of the two-sided Wald tests.
    target : float
        Power that :meth:`PowerResults.min_n` looks for.
    std_lv : bool
        Identify the analysis model's latent variables by unit variance.
    n_jobs, scheduler, progress
        Local processes (default: all cores), a dask.distributed scheduler address, a progress bar.
    keep_draws : bool
        Keep every replication's estimates and SEs in ``PowerResults.draws`` (``{n: {"est", "se",
        "converged", "labels"}}``).

    Returns
    -------
    PowerResults

    Examples
    --------
    lavaan: a loop of ``simulateData(pop, sample.nobs = 200)`` and ``sem(model, data)``.

    >>> from egovsem.sem.power import power_analysis
    >>> pop = "f =~ 0.7*y1 + 0.7*y2 + 0.7*y3\\ny4 ~ 0.3*f"
    >>> res = power_analysis(pop, "f =~ y1 + y2 + y3\\ny4 ~ f", [100, 200], reps=200, seed=1, n_jobs=1)
    >>> tab = res.paths()
    >>> bool(tab["power"].is_monotonic_increasing)
    True
    """
    ns = _check_ns(n)
    if isinstance(reps, (bool, np.bool_)) or not isinstance(reps, (int, np.integer)) or reps < 1:
        raise EgovsemError(f"The 'reps' parameter must be a positive integer. Got {reps!r} instead.")
    if reps < MIN_REPS:
        raise EgovsemError(f"The 'reps' parameter must be at least {MIN_REPS}: with {reps} replication(s) every "
                           f"power is 0 or 1. Got {reps!r} instead; 1000 is usual.")
    if reps < WARN_REPS:
        warnings.warn(f"reps={reps}: the Monte Carlo standard error of a power near .80 is "
                      f"{mc_se(0.8, reps):.3f} (up to {mc_se(0.5, reps):.3f} near .50); use {WARN_REPS} or more "
                      "replications (1000 is usual) before reporting a power.", EgovsemWarning, stacklevel=2)
    for name, v in (("alpha", alpha), ("target", target)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float)) or not 0 < v < 1:
            raise EgovsemError(f"The '{name}' parameter must be a number between 0 and 1. Got {v!r} instead.")
    entropy = resolve_entropy(seed)
    Sigma, mu, names = population_moments(population)
    spec = specify(model, std_lv=bool(std_lv))
    too_small = [v for v in ns if v <= len(spec.ov)]
    if too_small:
        raise EgovsemError(
            f"The 'n' parameter has sample size(s) {too_small} not larger than the {len(spec.ov)} observed "
            f"variables of the analysis model; each N must exceed it (the sample covariance matrix would be "
            f"singular)."
        )
    absent = [v for v in spec.ov if v not in names]
    if absent:
        raise EgovsemError(
            f"The analysis model uses variable(s) {absent} that the population model does not define "
            f"(population variables: {names})."
        )
    cols = np.array([names.index(v) for v in spec.ov], dtype=int)
    Sp, mp = Sigma[np.ix_(cols, cols)], mu[cols]
    stats = SampleStats(tuple(spec.ov), np.zeros((0, len(cols))), Sp, mp, 10 ** 6, 10 ** 6, 0, pd.RangeIndex(0))
    pt = fill_fixed_x(spec, [stats])
    ram = RAM.from_partable(pt, spec.ov, spec.lv)
    bm = BatchModel(ram, pt, meanstructure=spec.meanstructure)
    bm.spec = spec
    theta0 = start_values(spec, pt, ram, stats)
    tfit = bm.fit(Sp[None], mp[None], theta0, xtol=1e-12)
    if not tfit.converged[0]:
        raise EgovsemError("The analysis model could not be fitted to the population moments (no true values); "
                           "check that it is identified and that its variables match the population model.")
    # polish with the engine's Fisher scoring (quadratic near an exact fit) for true values to roundoff
    polished = ml.fisher_scoring(ram, tfit.theta[0], Sp, mp, meanstructure=spec.meanstructure, tol=1e-20,
                                 iter_max=200)
    # keep the candidate with the smaller gradient: at an exact fit F is zero up to roundoff (about 1e-16), so
    # F cannot rank two solutions 1e-9 apart, while the gradient is linear in the distance to the optimum.
    # The batch fit converged with max |gradient| < 1e-6, so the true values are within
    # 1e-6 * sum_j |H^-1_kj| of the optimum whatever the rounding (H: the Hessian, twice the information)
    cands = [tfit.theta[0]] + ([polished.theta] if np.isfinite(polished.fmin) else [])
    gmax = [float(np.max(np.abs(ml.gradient(ram, th, Sp, mp, spec.meanstructure)), initial=0.0)) for th in cands]
    theta_true = cands[int(np.argmin(gmax))]
    maps = RowMaps(pt, ram.names, tuple(spec.defined))
    A, Sm, m = bm.matrices(theta_true[None], Sp[None], mp[None])
    true_rows = maps.rows(A, Sm, m)
    free = maps.free
    truth = true_rows[0, free > 0]
    labels = pt.loc[free > 0, ["lhs", "op", "rhs"]].to_numpy().tolist()
    if spec.defined:
        truth = np.r_[truth, maps.defined_values(true_rows)[0]]
        labels += [[name, ":=", expr] for name, expr, _ in spec.defined]
    L = np.linalg.cholesky(Sigma + 1e-14 * np.eye(len(names)))
    payload = _Payload(bm, maps, L, mu, cols, theta_true, entropy, ns, 0.95)
    payload.h0inv = bm.initial_inverse_hessian(theta_true, Sp, mp) if bm.q else None
    tasks = [(i, lo, hi) for i in range(len(ns)) for lo, hi in chunk_bounds(int(reps), CHUNK)]
    parts = run_chunks(_power_chunk, payload, tasks, n_jobs=n_jobs, scheduler=scheduler, progress=progress,
                       desc="power", weights=[hi - lo for _, lo, hi in tasks])
    crit = special.ndtri(1 - alpha / 2)
    z95 = special.ndtri(0.975)
    out = []
    draws: dict | None = {} if keep_draws else None
    for i, nn in enumerate(ns):
        ps = [p for t, p in zip(tasks, parts) if t[0] == i]
        est = np.concatenate([p["est"] for p in ps])
        se = np.concatenate([p["se"] for p in ps])
        ok = np.concatenate([p["converged"] for p in ps])
        adm = np.concatenate([p["admissible"] for p in ps])
        if draws is not None:
            draws[nn] = {"est": est, "se": se, "converged": ok, "labels": labels}
        e, s = est[ok], se[ok]
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.abs(e / s)
            cover = (np.abs(e - truth) <= z95 * s)
        for k, (lhs, op, rhs) in enumerate(labels):
            good = ok.sum() > 0
            out.append({
                "lhs": lhs, "op": op, "rhs": rhs, "n": nn,
                "power": float(np.mean(z[:, k] > crit)) if good else np.nan,
                "mean_est": float(e[:, k].mean()) if good else np.nan,
                "bias": float(e[:, k].mean() - truth[k]) if good else np.nan,
                "coverage": float(cover[:, k].mean()) if good else np.nan,
                "converged": float(ok.mean()),
                "true": float(truth[k]),
                "se_mean": float(s[:, k].mean()) if good else np.nan,
                "sd_est": float(e[:, k].std(ddof=1)) if ok.sum() > 1 else np.nan,
                "inadmissible": float(np.mean(~adm[ok])) if good else np.nan,
            })
    settings = _settings(population, model, ns, reps, entropy, alpha, target, std_lv)
    return PowerResults(pd.DataFrame(out), int(reps), entropy, float(alpha), float(target), draws, settings)


def mc_se(power: float, reps: int) -> float:
    """Monte Carlo standard error of a power estimate from ``reps`` replications, ``sqrt(p (1 - p) / R)``.

    >>> round(mc_se(0.8, 100), 3)
    0.04
    """
    return float(np.sqrt(power * (1 - power) / reps))


def _settings(population, model, ns, reps, entropy, alpha, target, std_lv) -> dict[str, Any]:
    import hashlib

    from .. import __version__

    def sha(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    return {"seed": int(entropy), "reps": int(reps), "alpha": float(alpha), "target": float(target),
            "n": [int(v) for v in ns], "std_lv": bool(std_lv), "population": population,
            "population_sha256": sha(population), "model": model, "model_sha256": sha(model),
            "egovsem": __version__}
