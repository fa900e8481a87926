"""Nonparametric bootstrap of a whole model (lavaan's ``se = "bootstrap"``) and the Bollen-Stine test.

For complete-data ML the sample moments are sufficient: a resample is a vector of counts ``k`` (how often
each row was drawn), its mean is ``k' X / N`` and its covariance ``k' (x_i x_i') / N - mean mean'``, so the
moments of all ``B`` resamples come from one matrix product of the ``B x N`` count matrix with the ``N x
p(p+1)/2`` per-row outer products. The ``B`` fits then run as one batched quasi-Newton optimisation
(:mod:`egovsem.sem.batch`) warm-started at the full-sample estimate.

What lavaan 0.6-14 does, and egovsem with it (checked in tests/test_bootstrap.py):

* resample ``b`` draws N row indices with replacement; a resample whose fit fails or does not converge is
  dropped and counted ("failed"); a converged but inadmissible solution (negative variance, non-positive
  definite latent or residual covariance matrix) is kept and counted ("inadmissible");
* ``se`` of a free parameter is the standard deviation of its draws with divisor ``B`` (lavaan's
  ``cov(COEF) * (B - 1) / B``); ``se`` of a ``:=`` parameter uses divisor ``B - 1`` (``cov(BOOT.def)``);
* ``z = est / se``; confidence intervals: ``"perc"`` (the default of ``parameterEstimates``: order
  statistics with the boot package's normal interpolation), ``"bca"`` (bias-corrected and accelerated)
  and ``"norm"`` (``est - bias +- z se``, bias evaluated at the mean of the free-parameter draws). lavaan
  estimates the BCa acceleration by regressing the draws on the resample counts; egovsem uses the
  jackknife (Efron 1987), which needs no ``B > N`` and gives the same acceleration up to Monte Carlo error;
* Bollen-Stine: the data are transformed to fit the model exactly (``(x - xbar) S^-1/2 Sigma^1/2 + mu``),
  resampled, refitted; the p-value is the share of bootstrap chi-squares larger than the observed one.

Several groups, and FIML with explicit constraints, are :mod:`egovsem.sem.bootstrap_groups`'s: resampled
within each group as lavaan does.

A fit with ``sampling_weights=`` or ``cluster=`` (one group, complete data) is resampled as lavaan 0.6-14's
``bootstrapLavaan`` does (tests/test_bootstrap_weighted.py): rows, never clusters (a single-level fit's
clusters do not enter its estimates), each drawn row carrying its sampling weight, so a resample's moments
are the weighted moments of its rows (counts times weights). lavaan's ``se = "bootstrap"`` with either is
refused by lavaan, and by egovsem's ``sem()``; ``bootstrap(fit)`` is the equivalent of ``bootstrapLavaan``.

Randomness: resample ``b`` draws from ``SeedSequence(seed, spawn_key=(b,))`` (:mod:`egovsem.parallel`),
the resamples are fitted in fixed chunks of ``CHUNK`` (a function of B alone) with BLAS on one thread, so
the numbers are bit-identical whatever the number of processes or a dask cluster.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from .._bca import acceleration
from .._errors import ConvergenceWarning, EgovsemError, HeywoodWarning, NotAvailableError, check_option
from ..parallel import child_seed, chunk_bounds, resolve_entropy, run_chunks
from ._draws import RowMaps, all_quantities
from .batch import BatchModel
from .bootstrap_groups import GroupRefitPayload, group_refit_chunk
from .bootstrap_refit import MomentRefitPayload, RefitPayload, moment_refit_chunk, refit_moments
from .fiml_batch import FimlBatch
from .fiml_batch import supports as fiml_batch_supports
from .options import CI_TYPES, check_bootstrap_options
from .results import Results

__all__ = ["bootstrap", "bootstrap_results", "resample_indices", "bollen_stine", "check_bootstrap_options",
           "CI_TYPES", "bootstrap_params", "bootstrap_intervals", "bootstrap_standardized", "boot_draws",
           "draw_matrix", "jackknife_draws", "bootstrap_summary_text", "interval_bounds", "acceleration"]

# resamples per task: a constant, so that the partition into batched fits depends on B alone (a batch rounds
# differently from the same resamples fitted in another grouping); never derive it from n_jobs or the cluster
CHUNK = 250
FIML_CHUNK = 50  # FIML resamples per task (one batched FIML fit, egovsem.sem.fiml_batch); a constant, as CHUNK


# --------------------------------------------------------------------------------------------------
# options
def check_fit(res) -> None:
    """Refuse a fit the bootstrap cannot refit (named by its options)."""
    if not isinstance(res, Results):
        raise EgovsemError(f"The 'fit' parameter must be an egovsem Results. Got {type(res).__name__} instead.")
    opts = res.opts
    # lavaan's bootstrapLavaan refits any ML fit, robust ones too (MLR: the estimates are ML's; the robust
    # test of the fit stays, as lavaan's se = "bootstrap" with test = "yuan.bentler.mplus")
    if opts.discrepancy not in ("ML", "FIML") or opts.se not in ("standard", "bootstrap", "robust.huber.white",
                                                                  "robust.sem", "robust.cluster"):
        raise NotAvailableError(
            "the bootstrap is available for ML (and MLM, MLR) with missing='listwise', 'pairwise' or 'fiml'; "
            f"this fit used estimator={res.estimator!r}, missing={res.missing!r}."
        )
    if opts.sampling_weights is not None or opts.cluster is not None:
        check_design_fit(res)


def check_design_fit(res) -> None:
    """Refuse a fit with ``sampling_weights=`` or ``cluster=`` that this bootstrap does not resample as lavaan.

    lavaan 0.6-14's ``bootstrapLavaan`` resamples rows (never clusters: a single-level fit's clusters do not
    enter its estimates) and carries each drawn row's sampling weight with it; egovsem does that for one
    group, complete data (``missing="listwise"``; clusters without weights also ``"fiml"``) and no explicit
    constraints.
    """
    opts = res.opts
    which = "sampling_weights" if opts.sampling_weights is not None else "cluster"
    named = f"{which}={getattr(opts, which)!r}"
    if res.ngroups > 1 and opts.sampling_weights is not None:
        raise NotAvailableError(
            f"the bootstrap of a multi-group fit with {named} is not available: lavaan 0.6-14's bootstrapLavaan "
            "resamples the weights with the rows of the last group only (every other group keeps its rows' "
            "weights in their original order), which is no bootstrap of the design; use the design's robust "
            "standard errors of the fit.")
    fiml_ok = opts.sampling_weights is None and res.missing == "fiml"  # clusters alone: rows with their holes
    for bad, what in ((res.ngroups > 1, f"group= ({res.ngroups} groups)"),
                      (res.missing != "listwise" and not fiml_ok, f"missing={res.missing!r}"),
                      (bool(res.spec.constraints), "explicit constraints")):
        if bad:
            raise NotAvailableError(f"the bootstrap of a fit with {named} and {what} is not available yet "
                                    "(one group, complete data, no constraints is); use the design's robust "
                                    "standard errors of the fit.")


# --------------------------------------------------------------------------------------------------
# resamples
def resample_indices(n: int, b: int, seed: int) -> np.ndarray:
    """Row indices (0-based) of resample ``b`` for ``n`` rows: what ``bootstrap(..., seed=seed)`` draws.

    >>> resample_indices(5, 0, 1).tolist() == resample_indices(5, 0, 1).tolist()
    True
    """
    return child_seed(seed, b).integers(0, n, size=n)


def _moments(Xc: np.ndarray, weights: np.ndarray, center: np.ndarray):
    """Means and covariances (divisor = sum of weights) for rows of weights summing to one."""
    p = Xc.shape[1]
    iu = np.triu_indices(p)
    outer = Xc[:, iu[0]] * Xc[:, iu[1]]
    mean = weights @ Xc
    m2 = weights @ outer
    S = np.empty((weights.shape[0], p, p))
    vals = m2 - mean[:, iu[0]] * mean[:, iu[1]]
    S[:, iu[0], iu[1]] = vals
    S[:, iu[1], iu[0]] = vals
    return S, mean + center


class _Payload:
    """What every worker needs (pickled once per worker). ``w``: the rows' sampling weights (None: equal); a
    resample carries its rows' weights (lavaan's bootstrapLavaan) and its moments are the weighted ones."""

    constraints = None  # a fit with explicit constraints is MomentRefitPayload's

    def __init__(self, res, X: np.ndarray, entropy: int, w: np.ndarray | None = None):
        self.bm = BatchModel.from_results(res)
        self.spec, self.iter_max = res.spec, int(res.opts.iter_max)
        self.w = None if w is None else np.asarray(w, dtype=float)
        self.maps = RowMaps(res.partable, res.ram.names, tuple(res.spec.defined))
        self.center = X.mean(axis=0)
        self.Xc = X - self.center
        self.n = X.shape[0]
        self.theta0 = np.asarray(res.theta, dtype=float)
        self.entropy = entropy
        # the full-sample Hessian, once (every chunk starts its quasi-Newton iteration from it)
        S, xbar = self.full_moments()
        self.h0inv = self.bm.initial_inverse_hessian(self.theta0, S[0], xbar[0]) if self.bm.q else None

    def weigh(self, counts: np.ndarray) -> np.ndarray:
        """Rows of resample weights summing to one: how often each row was drawn times its sampling weight."""
        W = counts if self.w is None else counts * self.w
        return W / W.sum(axis=1, keepdims=True)

    def full_moments(self) -> tuple[np.ndarray, np.ndarray]:
        """The full sample's (weighted) covariance (1, p, p) and mean (1, p)."""
        return _moments(self.Xc, self.weigh(np.ones((1, self.n))), self.center)


def _chunk(payload: _Payload, mode: str, start: int, stop: int) -> dict:
    n = payload.n
    if mode == "jackknife":
        W = np.ones((stop - start, n))
        W[np.arange(stop - start), np.arange(start, stop)] = 0.0
    else:
        W = np.zeros((stop - start, n))
        for r, b in enumerate(range(start, stop)):
            W[r] = np.bincount(child_seed(payload.entropy, b).integers(0, n, size=n), minlength=n)
    W = payload.weigh(W)
    S, xbar = _moments(payload.Xc, W, payload.center)
    fit = payload.bm.fit(S, xbar, payload.theta0, h0inv=payload.h0inv)
    out = {"theta": fit.theta, "fmin": fit.fmin, "converged": fit.converged}
    if mode != "test":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a resample's convergence is recorded in "converged"
            for j in np.flatnonzero(~fit.converged):  # not converged in the batch: the engine's own optimiser
                th, f, done = refit_moments(payload, S[j], xbar[j], n)
                if done:
                    fit.theta[j], fit.fmin[j], fit.converged[j] = th, f, True
        ok = np.isfinite(fit.fmin)
        adm = np.zeros(stop - start, dtype=bool)
        if ok.any():
            adm[ok] = payload.bm.admissible(fit.theta[ok], S[ok], xbar[ok])
        out["admissible"] = adm
        out.update(all_quantities(payload.bm, payload.maps, fit.theta, S, xbar))
    return out


class _FimlPayload(RefitPayload):
    """What a worker needs to refit resamples by FIML (rows with missing values keep them): the batched
    FIML problem (:mod:`egovsem.sem.fiml_batch`) with the full-sample inverse Hessian, when the fit qualifies."""

    def __init__(self, res, X: np.ndarray, entropy: int):
        super().__init__(res, X, entropy)
        self.ram = res.ram
        self.S0, self.m0 = res.stats.cov, res.stats.mean
        self.batch = FimlBatch(self.bm, X) if fiml_batch_supports(res) else None
        self.h0inv = self.batch.initial_inverse_hessian(self.theta0) if self.batch is not None else None

    def quantities_at(self, theta: np.ndarray) -> dict:
        """Row values, ``std.all`` and ``:=`` values of estimates ``theta`` (B, q) at the full-sample moments
        (the ``norm`` interval's bias)."""
        B = theta.shape[0]
        return all_quantities(self.bm, self.maps, theta, np.broadcast_to(self.S0, (B,) + self.S0.shape),
                              np.broadcast_to(self.m0, (B,) + self.m0.shape))


def _fiml_refit(payload: _FimlPayload, idx: np.ndarray):
    """One resample (rows ``idx``) refitted by the engine's FIML from the full-sample estimate."""
    from .fiml import RowData, fiml_scoring

    return fiml_scoring(payload.ram, payload.theta0, RowData.from_array(payload.X[idx]), iter_max=500)


def _fiml_chunk(payload: _FimlPayload, mode: str, start: int, stop: int) -> dict:
    n = payload.n
    resamples: list[np.ndarray] = [
        np.delete(np.arange(n), b) if mode == "jackknife" else np.asarray(child_seed(payload.entropy, b).integers(0, n, size=n))
        for b in range(start, stop)]
    if payload.batch is not None and payload.h0inv is not None:
        counts = np.array([np.bincount(idx, minlength=n) for idx in resamples], dtype=float)
        fit = payload.batch.fit(counts, payload.theta0, payload.h0inv)
        theta, fmin, conv = fit.theta, fit.fmin, fit.converged
        for r in np.flatnonzero(~conv):  # not converged in the batch: the engine's own FIML iteration
            st = _fiml_refit(payload, resamples[r])
            theta[r], fmin[r], conv[r] = st.theta, st.fmin, st.converged
        fmin = np.where(conv, fmin, np.nan)
    else:
        states = [_fiml_refit(payload, idx) for idx in resamples]
        theta = np.array([st.theta for st in states])
        fmin = np.array([st.fmin if st.converged else np.nan for st in states])
        conv = np.array([st.converged for st in states])
    k = theta.shape[0]
    S = np.broadcast_to(payload.S0, (k,) + payload.S0.shape)
    xbar = np.broadcast_to(payload.m0, (k,) + payload.m0.shape)
    xi = np.unique(np.r_[payload.bm.exo_cov[0], payload.bm.exo_cov[1], payload.bm.exo_mean]).astype(int)
    if xi.size:  # the fixed.x cells of each draw: its resample's covariate moments (complete columns)
        S, xbar = S.copy(), xbar.copy()
        for j, rows_j in enumerate(resamples):
            Xx = payload.X[rows_j][:, xi]
            mx = Xx.mean(axis=0)
            S[j][np.ix_(xi, xi)] = (Xx - mx).T @ (Xx - mx) / Xx.shape[0]
            xbar[j, xi] = mx
    out = {"theta": theta, "fmin": fmin, "converged": conv}
    if mode != "test":
        out["admissible"] = payload.bm.admissible(theta, S, xbar)
        out.update(all_quantities(payload.bm, payload.maps, theta, S, xbar))
    return out


def _run(payload: _Payload | _FimlPayload | MomentRefitPayload | GroupRefitPayload, mode: str, total: int, *,
         n_jobs, scheduler, progress, desc) -> dict:
    bounds = chunk_bounds(total, CHUNK if isinstance(payload, _Payload) else FIML_CHUNK)
    fn = (_chunk if isinstance(payload, _Payload) else _fiml_chunk if isinstance(payload, _FimlPayload)
          else group_refit_chunk if isinstance(payload, GroupRefitPayload) else moment_refit_chunk)
    parts = run_chunks(fn, payload,
                       [(mode, lo, hi) for lo, hi in bounds], n_jobs=n_jobs,
                       scheduler=scheduler, progress=progress, desc=desc, weights=[hi - lo for lo, hi in bounds])
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


# --------------------------------------------------------------------------------------------------
# confidence intervals (boot package's order statistics, as lavaan's parameterEstimates)
def _norm_inter(t: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Quantiles ``alpha`` of the draws ``t`` by interpolation on the normal scale (boot::norm.inter)."""
    t = np.sort(t[np.isfinite(t)])
    R = t.size
    alpha = np.atleast_1d(np.asarray(alpha, dtype=float))
    if R == 0:
        return np.full(alpha.shape, np.nan)
    rk = (R + 1) * alpha
    k = np.trunc(rk).astype(int)
    out = np.empty(alpha.shape)
    for c in range(alpha.size):
        if not np.isfinite(rk[c]):
            out[c] = np.nan
        elif k[c] == rk[c] and 1 <= k[c] <= R:
            out[c] = t[k[c] - 1]
        elif k[c] <= 0:
            out[c] = t[0]
        elif k[c] >= R:
            out[c] = t[R - 1]
        else:
            z1 = special.ndtri(alpha[c])
            z2 = special.ndtri(k[c] / (R + 1))
            z3 = special.ndtri((k[c] + 1) / (R + 1))
            tk, tk1 = t[k[c] - 1], t[k[c]]
            out[c] = tk + (z1 - z2) / (z3 - z2) * (tk1 - tk)
    return out


def interval_bounds(kind: str, draws: np.ndarray, est: np.ndarray, se: np.ndarray, level: float, *,
               acc: np.ndarray | None = None, bias: np.ndarray | None = None) -> np.ndarray:
    """(k, 2) intervals of one type for the columns of ``draws`` (B, k)."""
    k = draws.shape[1]
    ci = np.column_stack([est, est]).astype(float)
    lo_hi = np.array([(1 - level) / 2, (1 + level) / 2])
    if kind == "norm":
        z = special.ndtri(lo_hi)
        b = np.zeros(k) if bias is None else bias
        return (est - b)[:, None] + se[:, None] * z[None, :]
    zalpha = special.ndtri(lo_hi)
    for c in range(k):
        t = draws[:, c]
        t = t[np.isfinite(t)]
        if t.size < 2 or np.var(t) == 0:
            continue
        if kind == "perc":
            ci[c] = _norm_inter(t, lo_hi)
        else:  # bca
            w = special.ndtri(np.mean(t < est[c]))
            a = 0.0 if acc is None else acc[c]
            adj = special.ndtr(w + (w + zalpha) / (1 - a * (w + zalpha)))
            ci[c] = _norm_inter(t, adj)
    return ci


# --------------------------------------------------------------------------------------------------
# what a fit with a bootstrap part reports (Results selects these when it has one)
def jackknife_draws(payload: _Payload | _FimlPayload | MomentRefitPayload | GroupRefitPayload, *,
                    n_jobs: int | None = None) -> dict:
    """Leave-one-out refits of the bootstrapped fit (for the BCa acceleration)."""
    return _run(payload, "jackknife", payload.n, n_jobs=n_jobs, scheduler=None, progress=False, desc="jackknife")


def boot_draws(res: Results) -> pd.DataFrame:
    """The free-parameter draws of the successful resamples (lavaan's ``lavInspect(fit, "boot")``)."""
    pt = res.partable
    names = []
    for k in range(res.theta.size):
        r = pt[pt["free"] == k + 1].iloc[0]
        g = int(r["group"]) if "group" in pt else 1
        names.append(f"{r['lhs']}{r['op']}{r['rhs']}" + (f".g{g}" if g > 1 else ""))  # lavaan's coef() names
    d = _part(res).draws
    return pd.DataFrame(d["theta"][d["ok"]], columns=names)


def _part(res: Results):
    bp = res.bootstrap_part
    if bp is None:
        raise NotAvailableError("this fit has no bootstrap draws; use se='bootstrap' or bootstrap(fit).")
    return bp


def draw_matrix(res: Results, which: str) -> np.ndarray:
    """The draws of every parameter-table row and ``:=`` parameter: ``"est"`` or ``"std.all"``."""
    d = _part(res).draws
    ok = d["ok"]
    if which == "est":
        return np.hstack([d["rows"][ok], d["def"][ok]])
    return np.hstack([d["std"][ok], d["def_std"][ok]])


def _acc(res: Results, which: str) -> np.ndarray:
    jk = _part(res).jackknife
    ok = jk["converged"]
    key = ("rows", "def") if which == "est" else ("std", "def_std")
    vals = np.hstack([jk[key[0]][ok], jk[key[1]][ok]])
    return acceleration(vals)


def bootstrap_intervals(res: Results, ci: str | None = None, *, level: float | None = None,
                        which: str = "est") -> np.ndarray:
    """Bootstrap intervals (rows of ``params``, 2 columns) of type ``ci`` for ``"est"`` or ``"std.all"``."""
    bp = _part(res)
    info, d, payload = bp.info, bp.draws, bp.payload
    ci = check_option("ci", ci or info["ci"], CI_TYPES, casefold=True)
    level = info["level"] if level is None else level
    check_bootstrap_options(2, None, ci, level)
    draws = draw_matrix(res, which)
    base = res.wald_params
    est = base["est" if which == "est" else "std.all"].to_numpy(dtype=float)
    se = np.nanstd(draws, axis=0, ddof=0)
    nrow = d["rows"].shape[1]
    se[nrow:] = np.nanstd(draws[:, nrow:], axis=0, ddof=1) if draws.shape[0] > 1 else np.nan
    fixed = np.r_[res.partable["free"].to_numpy() == 0, np.zeros(draws.shape[1] - nrow, bool)]
    bias = None
    if ci == "norm":
        # lavaan: the bias at the mean of the free-parameter draws, mapped through the model
        ok = d["ok"]
        mean_theta = np.nanmean(d["theta"][ok], axis=0)[None]
        if isinstance(payload, (GroupRefitPayload, _FimlPayload)):
            q = payload.quantities_at(mean_theta)
        else:
            S, xbar = payload.full_moments()
            q = all_quantities(payload.bm, payload.maps, mean_theta, S, xbar)
        at_mean = np.hstack([q["rows"], q["def"]] if which == "est" else [q["std"], q["def_std"]])[0]
        bias = at_mean - est
    acc = _acc(res, which) if ci == "bca" else None
    out = interval_bounds(ci, draws, est, se, level, acc=acc, bias=bias)
    if which == "est":  # lavaan: fixed rows (including fixed.x) keep ci = est
        out[fixed] = est[fixed, None]
    return out


def bootstrap_params(res: Results) -> pd.DataFrame:
    """``params`` of a bootstrapped fit: SEs from the draws (divisor B for free parameters through the vcov
    part, B - 1 for ``:=`` rows, as lavaan) and bootstrap intervals."""
    df = res.wald_params.copy()
    nrow = _part(res).draws["rows"].shape[1]
    draws = draw_matrix(res, "est")
    if draws.shape[1] > nrow:
        sd_def = np.nanstd(draws[:, nrow:], axis=0, ddof=1) if draws.shape[0] > 1 else np.nan
        df.loc[df.index[nrow:], "se"] = sd_def
    z_ok = df["se"] > np.sqrt(np.finfo(float).eps)
    df["z"] = np.where(z_ok, df["est"] / df["se"].where(z_ok, 1.0), np.nan)
    df["pvalue"] = np.where(z_ok, 2 * special.ndtr(-np.abs(df["z"])), np.nan)
    ci = bootstrap_intervals(res)
    df["ci.lower"], df["ci.upper"] = ci[:, 0], ci[:, 1]
    return df


def bootstrap_standardized(res: Results) -> pd.DataFrame:
    """``std.all`` with bootstrap standard errors and intervals (lavaan's ``standardizedSolution`` columns
    ``lhs op rhs est.std se z pvalue ci.lower ci.upper``), each resample standardised on its own."""
    base = res.wald_params
    draws = draw_matrix(res, "std.all")
    est = base["std.all"].to_numpy(dtype=float)
    se = np.nanstd(draws, axis=0, ddof=1) if draws.shape[0] > 1 else np.full(est.shape, np.nan)
    fixed = np.r_[res.partable["free"].to_numpy() == 0, np.zeros(draws.shape[1] - res.partable.shape[0], bool)]
    se = np.where(fixed & (np.nanstd(draws, axis=0) < 1e-12), 0.0, se)
    ci = bootstrap_intervals(res, which="std.all")
    out = base[["lhs", "op", "rhs", "group", "label"]].copy()
    out["est.std"] = est
    out["se"] = se
    z_ok = out["se"] > np.sqrt(np.finfo(float).eps)
    out["z"] = np.where(z_ok, out["est.std"] / out["se"].where(z_ok, 1.0), np.nan)
    out["pvalue"] = np.where(z_ok, 2 * special.ndtr(-np.abs(out["z"])), np.nan)
    out["ci.lower"], out["ci.upper"] = ci[:, 0], ci[:, 1]
    return out


def bootstrap_summary_text(res: Results, base: str) -> str:
    """The summary ``base`` with the bootstrap's standard-error line and its account of the resamples."""
    i = _part(res).info
    names = {"perc": "percentile", "bca": "BCa", "norm": "normal"}
    text = (f"\nBootstrap: {i['B']} resamples (seed {i['seed']}), {i['successful']} successful, "
            f"{i['failed']} failed (dropped), {i['inadmissible']} inadmissible (kept); standard errors are "
            f"the SDs of the draws; {names[i['ci']]} {i['level']:.0%} intervals.")
    if i.get("bollen_stine"):
        bs = i["bollen_stine"]
        text += (f"\nBollen-Stine bootstrap p-value of the chi-square test: {bs['pvalue']:.3f} "
                 f"({bs['larger']} of {bs['successful']} resampled chi-squares larger).")
    # the header line of the engine's summary names the information-based SEs; these are the bootstrap's
    lines = base.splitlines()
    for k, line in enumerate(lines):
        if line.strip().startswith("Standard errors:"):
            lines[k] = f"  Standard errors: bootstrap ({i['successful']} successful resamples)"
            break
    return "\n".join(lines) + text


# --------------------------------------------------------------------------------------------------
def bootstrap(
    fit: Results,
    B: int = 1000,
    *,
    seed: int | None = None,
    ci: str = "perc",
    level: float = 0.95,
    bollen_stine: bool = False,
    n_jobs: int | None = None,
    scheduler: Any = None,
    progress: bool | None = None,
) -> Results:
    """Nonparametric bootstrap of a fitted model: SEs and CIs for every parameter and ``:=`` parameter.

    Parameters
    ----------
    fit : Results
        An ML fit (``egovsem.sem(...)``; MLM and MLR fits too, their robust test kept): complete data,
        ``missing="fiml"`` or ``"pairwise"``, one group or several (resampled within each group), explicit
        constraints kept in every refit; with ``sampling_weights=`` or ``cluster=`` (one group, complete
        data) rows are resampled with their weights, as lavaan's ``bootstrapLavaan``.
    B : int
        Number of resamples.
    seed : int, optional
        Root seed (None: a fresh one, recorded in ``bootstrap_info["seed"]``).
    ci : {'perc', 'bca', 'norm'}
        Interval type of :attr:`params` (lavaan's ``boot.ci.type``; others via :meth:`intervals`).
    level : float
        Confidence level.
    bollen_stine : bool
        Also run ``B`` Bollen-Stine resamples and report the bootstrap p-value of the chi-square test.
    n_jobs : int, optional
        Local processes (default: all cores).
    scheduler : str or distributed.Client, optional
        Run on a dask.distributed cluster (``"tcp://host:port"``).
    progress : bool, optional
        Progress bar (default: when standard error is a terminal).

    Returns
    -------
    Results
        The fit with a bootstrap part: the vcov part replaced by the covariance of the draws, ``params`` with
        bootstrap SEs and intervals, ``bootstrap_info``, ``boot`` (the draws), ``intervals()``, ``standardized``.

    Examples
    --------
    lavaan: ``sem(model, PoliticalDemocracy, se = "bootstrap", bootstrap = 200)``.

    >>> import egovsem
    >>> from egovsem.datasets import load
    >>> from egovsem.sem.bootstrap import bootstrap
    >>> fit = egovsem.sem("ind60 =~ x1 + x2 + x3; dem60 =~ y1 + y2 + y3 + y4; dem60 ~ a*ind60",
    ...                   load("PoliticalDemocracy"))
    >>> bt = bootstrap(fit, 200, seed=1, n_jobs=1)
    >>> bt.bootstrap_info["successful"]
    200
    >>> row = bt.params.query("op == '~'").iloc[0]
    >>> bool(row["ci.lower"] < row["est"] < row["ci.upper"])
    True
    """
    check_fit(fit)
    ci = check_bootstrap_options(B, seed, ci, level)
    if not isinstance(bollen_stine, (bool, np.bool_)):
        raise EgovsemError(f"The 'bollen_stine' parameter must be True or False. Got {bollen_stine!r} instead.")
    entropy = resolve_entropy(seed)
    X = np.asarray(fit.stats.X, dtype=float)
    payload: _Payload | _FimlPayload | MomentRefitPayload | GroupRefitPayload
    if bollen_stine and (fit.opts.sampling_weights is not None or fit.opts.cluster is not None):
        raise NotAvailableError("the Bollen-Stine bootstrap of a fit with sampling_weights= or cluster= is not "
                                "available yet.")
    if bollen_stine and fit.missing != "listwise":
        raise NotAvailableError(f"the Bollen-Stine bootstrap with missing={fit.missing!r} is not available: "
                                "lavaan 0.6-14 refuses it too ('bollen.stine/yuan bootstrap not available for "
                                "missing data'); use complete data (missing='listwise').")
    if fit.ngroups > 1 or (fit.spec.constraints and fit.missing == "fiml"):
        payload = GroupRefitPayload(fit, entropy)
    elif fit.spec.constraints or fit.missing == "pairwise":
        payload = MomentRefitPayload(fit, X, entropy)
    elif fit.missing == "fiml":
        payload = _FimlPayload(fit, X, entropy)
    else:
        payload = _Payload(fit, X, entropy, w=fit.stats.w if fit.opts.sampling_weights is not None else None)
    draws = _run(payload, "boot", int(B), n_jobs=n_jobs, scheduler=scheduler, progress=progress, desc="bootstrap")
    ok = draws["converged"]
    draws["ok"] = ok
    failed = int((~ok).sum())
    inadm = int((ok & ~draws["admissible"]).sum())
    info: dict[str, Any] = {"B": int(B), "successful": int(ok.sum()), "failed": failed, "inadmissible": inadm,
                            "seed": entropy, "ci": ci, "level": float(level), "bollen_stine": None,
                            "n_jobs": n_jobs}
    if failed:
        warnings.warn(f"{failed} of {B} bootstrap resamples failed or did not converge; they are dropped "
                      "(bootstrap_info['failed']).", ConvergenceWarning, stacklevel=2)
    if inadm:
        warnings.warn(f"{inadm} of {B} bootstrap resamples gave inadmissible solutions (negative variance or "
                      "non-positive-definite covariance matrix); they are kept, as lavaan keeps them "
                      "(bootstrap_info['inadmissible']).", HeywoodWarning, stacklevel=2)
    if ok.sum() < 2:
        raise EgovsemError(f"Only {int(ok.sum())} of {B} bootstrap resamples converged; no bootstrap SEs.")
    if bollen_stine:
        info["bollen_stine"] = _bollen_stine(fit, int(B), entropy, n_jobs=n_jobs, scheduler=scheduler,
                                             progress=progress)
    return fit.with_bootstrap(draws, info, payload)


def bootstrap_results(res: Results, B: int = 1000, seed: int | None = None, ci: str = "perc",
                      **kwargs) -> Results:
    """The hook of ``sem(..., se="bootstrap", bootstrap=B, seed=S)``: :func:`bootstrap` of a fit."""
    return bootstrap(res, B, seed=seed, ci=ci, **kwargs)


def _sym_sqrt(M: np.ndarray, inverse: bool = False) -> np.ndarray:
    ev, V = np.linalg.eigh(M)
    d = ev ** (-0.5 if inverse else 0.5)
    return (V * d) @ V.T


def _bollen_stine(fit: Results, B: int, entropy: int, *, n_jobs, scheduler, progress) -> dict:
    # each group's rows transformed to fit the model exactly: (x - xbar) S^-1/2 Sigma^1/2 (+ mu), lavaan's
    # lav_bootstrap_internal for type = "bollen.stine" (complete data)
    G = fit.ngroups
    rams = fit.rams if G > 1 else [fit.ram]
    Z = []
    for st, ram in zip(fit.group_stats, rams):
        Sigma, mu, *_ = ram.implied(fit.theta)
        X = np.asarray(st.X, dtype=float)
        Zg = (X - X.mean(axis=0)) @ _sym_sqrt(st.cov, inverse=True) @ _sym_sqrt(np.asarray(Sigma))
        Z.append(Zg + np.asarray(mu) if fit.spec.meanstructure else Zg)
    # a different stream from the ordinary bootstrap: spawn key (B + b) would overlap; use entropy + 1
    bs_entropy = (entropy + 1) % (2 ** 128)
    payload: _Payload | GroupRefitPayload
    if G > 1 or fit.spec.constraints:
        payload = GroupRefitPayload(fit, bs_entropy, data=Z)
    else:
        payload = _Payload(fit, Z[0], entropy)
        payload.entropy = bs_entropy
    out = _run(payload, "test", B, n_jobs=n_jobs, scheduler=scheduler, progress=progress, desc="Bollen-Stine")
    ok = out["converged"]
    T = fit.nobs * out["fmin"][ok]
    chisq = float(fit.fit_measures["chisq"])
    larger = int((T > chisq).sum())
    return {"pvalue": larger / max(T.size, 1), "larger": larger, "successful": int(ok.sum()),
            "failed": int((~ok).sum()), "chisq": chisq}


def bollen_stine(fit: Results, B: int = 1000, *, seed: int | None = None, n_jobs: int | None = None,
                 scheduler: Any = None, progress: bool | None = None) -> dict:
    """Bollen-Stine bootstrap p-value of the chi-square test (lavaan's ``test = "bollen.stine"``).

    Returns a dict ``pvalue, larger, successful, failed, chisq`` (``larger``: resampled chi-squares above
    the observed ``chisq``).
    """
    check_fit(fit)
    check_bootstrap_options(B, seed)
    if fit.opts.sampling_weights is not None or fit.opts.cluster is not None:
        raise NotAvailableError("the Bollen-Stine bootstrap of a fit with sampling_weights= or cluster= is not "
                                "available yet.")
    if fit.missing != "listwise":
        raise NotAvailableError(f"the Bollen-Stine bootstrap with missing={fit.missing!r} is not available: "
                                "lavaan 0.6-14 refuses it too ('bollen.stine/yuan bootstrap not available for "
                                "missing data'); use complete data (missing='listwise').")
    return _bollen_stine(fit, int(B), resolve_entropy(seed), n_jobs=n_jobs, scheduler=scheduler,
                         progress=progress)
