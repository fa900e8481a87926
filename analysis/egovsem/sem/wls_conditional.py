"""The second stage of WLSMV with exogenous observed covariates (lavaan 0.6-14's ``conditional.x = TRUE``).

``fit_wlsmv_conditional(model, data, ordered)`` fits a model whose ordered items (and latent variables)
are regressed on observed covariates, e.g. a MIMIC model ``A =~ A1 + ... + A5; A ~ age + gender``, as
lavaan's ``cfa(..., ordered = TRUE, estimator = "WLSMV")`` does (single group, complete rows, delta
parameterisation):

1. First stage (:func:`egovsem.sem.ordinal_conditional.conditional_ordinal_stats`): each item's probit
   regression on the covariates (thresholds, slopes), the residual polychorics, Gamma; ``w = 1 / diag(Gamma)``.
2. The model's reduced form given the covariates, in the order of wls.obs: the thresholds ``tau``, the slopes
   ``Pi`` (the total effects of each covariate on each latent response, ``Lambda (I - B)^-1 Gamma_x`` for a
   MIMIC; from the RAM matrices ``(I - A)^-1`` in general), and the correlations of the latent responses given
   the covariates (the implied covariance with the covariates' variances left out). Delta parameterisation:
   the residual variances of the items are fixed at ``1 - explained variance`` so that the latent responses
   have unit variance *given the covariates* (lavaan's ``~~`` rows of the items).
3. DWLS by the engine's optimiser (:func:`egovsem.sem.discrepancy.minimize_groups`) with a central-difference
   Jacobian ``Delta``; SEs lavaan's ``robust.sem``: ``A^-1 Delta' W Gamma W Delta A^-1 / (N - 1)``,
   ``A = Delta' W Delta``.
4. Test: ``chisq = (N - 1) F``, the scaled-shifted statistic from ``U Gamma`` (``U = W - W Delta A^-1 Delta'
   W``); baseline: the thresholds and slopes free, the residual correlations 0. CFI/TLI/RMSEA standard and
   scaled; the robust versions are NA as in lavaan (it does not compute them with conditional.x).
5. The covariates' variances, covariance and means are fixed at their sample values (divisor N - 1, as
   lavaan's ``fixed.x`` rows show them). ``std.all`` uses the total variances (covariates included).

Rows with a missing item or covariate are deleted listwise, as lavaan deletes them (with a warning naming
each covariate with missing values and its count). With ``missing="pairwise"`` only the rows
with a missing covariate are deleted (with a warning, as lavaan's fixed.x = TRUE); the first stage is then
pairwise (:func:`egovsem.sem.ordinal_conditional.conditional_ordinal_stats` with ``missing="pairwise"``).
Explicit constraints (``==``, ``<``, ``>``) are fitted by the constrained optimiser, with lavaan's augmented
inverse in the sandwich and in U.

Several groups (``group=``) and the theta parameterisation: :mod:`egovsem.sem.wls_mg_conditional`;
modification indices: :mod:`egovsem.sem.modindices_conditional`.

Continuous indicators mixed with ordered ones are fitted by :mod:`egovsem.sem.wls_mg_conditional` (one
group): lavaan's OLS first stage for the continuous ones (:func:`egovsem.sem.ordinal_conditional.conditional_ordinal_stats`).

An exogenous covariate that ``ordered`` names is conditioned on as a numeric covariate, with a warning, as
lavaan 0.6-14 does ("exogenous variable(s) declared as ordered in data"). An observed variable that is
predicted and predicts (``x4 ~ agec; f ~ x4``) is not a covariate (lavaan's ov.x holds only ``agec``): it is an
endogenous variable of the first stage like an indicator, continuous (OLS) or ordered (probit), fitted by
:mod:`egovsem.sem.wls_mg_conditional` when continuous
(tests/reference/make_reference_wlsmv_conditional_x2.R).
"""
from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from .._errors import (
    DataError,
    DataWarning,
    EgovsemError,
    IdentificationError,
    MissingDataWarning,
    NotAvailableError,
    caller_stacklevel,
)
from .conditional_results import ConditionalFit
from .constraints import Constraint, ConstraintSet, constrained_vcov, minimize_constrained
from .design import part_design
from .discrepancy import Discrepancy, minimize_groups
from .fit_baseline import baseline_dwls
from .fit_indices import RMSEA_NAMES, agfi, critical_n, incremental, rmsea_block
from .fit_residual import gfi_dwls
from .fit_robust import scaled_shifted
from .ordinal_conditional import ConditionalOrdinalStats, conditional_ordinal_stats
from .ram import RAM
from .results import PARAM_COLUMNS
from .vcov import sandwich, scaled_inverse

__all__ = ["ConditionalFit", "ConditionalDWLS", "fit_wlsmv_conditional", "exogenous_covariates", "check_conditional",
           "conditional_residuals", "ordered_items"]


def exogenous_covariates(spec) -> list[str]:
    """The observed variables of ``spec`` that only predict (lavaan's ``ov.x``), in first-use order."""
    pt = spec.partable
    endo, ovs = set(spec.endogenous), set(spec.ov)
    return list(dict.fromkeys(r for r in pt.loc[pt["op"] == "~", "rhs"] if r in ovs and r not in endo))


def covariate_moments(X: np.ndarray, w: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The covariates' covariance matrix and means: ``cov(X)`` (divisor N - 1), or with sampling weights
    lavaan's ``cov.wt(X, wt, method = "ML")``."""
    if w is None:
        return np.atleast_2d(np.cov(X, rowvar=False)), X.mean(axis=0)
    xbar = w @ X / w.sum()
    return np.atleast_2d(((X - xbar) * w[:, None]).T @ (X - xbar) / w.sum()), xbar


def refuse_design(model) -> None:
    """A survey design with exogenous covariates (lavaan's conditional.x) and ``missing="pairwise"``: the
    weighted (or clustered) pairwise first stage with covariates is not implemented yet, so the combination is
    refused rather than fitted without the design (complete rows work: one group or several, delta or theta)."""
    opts = model.opts
    if (opts.sampling_weights is None and opts.cluster is None) or opts.missing != "pairwise":
        return
    if opts.cluster is None:
        # lavaan 0.6-14 stops in lav_start ("subscript out of bounds" in lavsamplestats@cov.x): with weights and
        # missing != "listwise" its covariate moments come from an unrestricted model it does not fit here
        raise EgovsemError(f"sampling_weights={opts.sampling_weights!r} with missing='pairwise' and exogenous "
                           f"covariates {exogenous_covariates(model.spec)} (lavaan's conditional.x) is not possible: "
                           "lavaan 0.6-14 stops with an error (\"subscript out of bounds\": it has no weighted "
                           "covariate moments under pairwise deletion); use missing='listwise'.")
    raise NotAvailableError(f"cluster={opts.cluster!r} with missing='pairwise' and exogenous covariates "
                            f"{exogenous_covariates(model.spec)} (lavaan's conditional.x) and estimator='WLSMV' is "
                            "not available yet (with complete rows it works: missing='listwise').")


@dataclasses.dataclass
class _Reduced:
    """The model's reduced form given the covariates, as a function of theta (see the module docstring)."""

    ram: RAM
    items: np.ndarray  # positions of the items in the RAM names
    xs: np.ndarray  # positions of the covariates
    th_par: np.ndarray  # theta index of each threshold (wls.obs order)
    ci: np.ndarray
    cj: np.ndarray

    def parts(self, theta: np.ndarray):
        """Return ``sigma`` (wls.obs order), the filled S matrix, E = (I - A)^-1 and A."""
        A, S, _m = self.ram.matrices(theta)
        n = A.shape[0]
        E = np.linalg.inv(np.eye(n) - A)
        C0 = E @ S @ E.T
        o = self.items
        # lavaan's delta rule (as its LISREL setResidualElements): 1 - the explained variance with every ordered
        # item's residual variance 0, so an ordered item that predicts another leaves that one's latent
        # response without unit variance (the same as a unit-variance solve where no ordered item reaches another)
        diag = 1.0 - np.diag(C0)[o]
        S = S.copy()
        S[o, o] = diag
        C = E @ S @ E.T
        Pi = E[np.ix_(o, self.xs)]
        Co = C[np.ix_(o, o)]
        sigma = np.concatenate([theta[self.th_par], Pi.T.ravel(), Co[self.ci, self.cj]])
        return sigma, S, E, A

    def sigma(self, theta: np.ndarray) -> np.ndarray:
        return self.parts(theta)[0]

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        """Central-difference ``d sigma / d theta``."""
        q = theta.size
        cols = []
        for k in range(q):
            h = 1e-6 * max(1.0, abs(theta[k]))
            e = np.zeros(q)
            e[k] = h
            cols.append((self.sigma(theta + e) - self.sigma(theta - e)) / (2 * h))
        return np.column_stack(cols)


@dataclasses.dataclass
class ConditionalDWLS(Discrepancy):
    """DWLS of one group's reduced form: ``model`` has ``sigma(theta)`` and ``jacobian(theta)``."""

    model: Any
    s: np.ndarray
    w: np.ndarray

    def objective(self, theta: np.ndarray) -> float:
        try:
            r = self.s - self.model.sigma(theta)
        except np.linalg.LinAlgError:
            return np.inf
        return float(np.sum(self.w * r * r)) if np.all(np.isfinite(r)) else np.inf

    def gradient_information(self, theta: np.ndarray, *, info: bool = True):
        D = self.model.jacobian(theta)
        WD = D * self.w[:, None]
        g = -2.0 * (WD.T @ (self.s - self.model.sigma(theta)))
        return g, (D.T @ WD if info else None)

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        return self.gradient_information(theta, info=False)[0]

    def information(self, theta: np.ndarray) -> np.ndarray:
        D = self.model.jacobian(theta)
        return D.T @ (D * self.w[:, None])


def check_conditional(model, data: pd.DataFrame, ordered, xs: list[str]) -> list[str]:
    """Refuse what the conditional.x second stage cannot fit (a bad covariate, fixed_x=False, no ordered item);
    warn of a covariate declared ordered (lavaan keeps it numeric); return the items (the model's observed
    variables but ``xs``)."""
    spec = model.spec
    items = [v for v in spec.ov if v not in set(xs)]
    if not model.opts.fixed_x:
        raise NotAvailableError(f"fixed_x=False with the exogenous observed covariates {xs} and ordered "
                                "indicators is not available (lavaan: 'fixed.x = FALSE is not supported when "
                                "conditional.x = TRUE').")
    ordset = set(spec.ov) if ordered is True else {str(o) for o in ([ordered] if isinstance(ordered, str)
                                                                    else ordered)}
    bad_x = [x for x in xs if x in ordset and ordered is not True]
    if bad_x:  # lavaan 0.6-14 warns and keeps them numeric covariates (ov.x), as if not declared ordered
        warnings.warn(f"The 'ordered' parameter declares the exogenous covariate(s) {bad_x} ordered; they are "
                      "conditioned on as numeric covariates, as lavaan does (lavaan: 'exogenous variable(s) "
                      f"declared as ordered in data: {', '.join(bad_x)}').", DataWarning,
                      stacklevel=caller_stacklevel())
    if not [v for v in items if v in ordset]:
        raise DataError("The 'ordered' parameter names none of the model's indicators; WLSMV with exogenous "
                        "covariates needs at least one ordered item.")
    for c in list(items) + list(xs):
        if c not in data.columns:
            raise DataError(f"The model variable {c!r} is not a column of 'data'.")
    for x in xs:
        col = pd.to_numeric(data[x], errors="coerce")
        badrow = data.index[(col.isna() & data[x].notna()).to_numpy()]
        if len(badrow):
            r = badrow[0]
            raise DataError(f"The covariate {x!r} has a non-numeric value ({data.at[r, x]!r}) at row {r!r}; a "
                            "covariate must be numeric (give a categorical covariate as 0/1 dummy columns).")
        if col.notna().sum() == 0:
            raise DataError(f"The covariate {x!r} is missing on every row of 'data'.")
        if col.nunique() < 2:
            raise DataError(f"The covariate {x!r} takes a single value ({col.iloc[0]!r}) on every row; a "
                            "covariate needs at least two distinct values.")
    return items


def ordered_items(spec, ordered, xs: list[str]) -> list[str]:
    """The ordered indicators (the model's observed variables but the covariates ``xs`` that ``ordered``
    names; ``True``: all of them); the others are continuous."""
    if ordered is True:
        return [v for v in spec.ov if v not in set(xs)]
    ordset = {str(o) for o in ([ordered] if isinstance(ordered, str) else ordered)}
    return [v for v in spec.ov if v not in set(xs) and v in ordset]


def _listwise(d: pd.DataFrame, items: list[str], xs: list[str]) -> pd.DataFrame:
    """The complete rows of ``d`` (lavaan's listwise deletion, which with conditional.x removes a row missing a
    covariate as silently as one missing an item); a warning names each covariate with missing values and its
    count."""
    keep = d.notna().all(axis=1)
    n_drop = int((~keep).sum())
    if n_drop:
        xmiss = [f"{x!r} ({int(d[x].isna().sum())} rows)" for x in xs if d[x].isna().any()]
        on_x = (f"; the covariate(s) {', '.join(xmiss)} have missing values, and lavaan deletes those rows "
                "too" if xmiss else "")
        warnings.warn(f"listwise deletion: {n_drop} of {len(d)} rows have a missing value on a model variable "
                      f"and were removed{on_x}; {int(keep.sum())} rows are analysed.", MissingDataWarning,
                      stacklevel=caller_stacklevel())
    return d[keep]


def drop_missing_covariates(d: pd.DataFrame, items: list[str], xs: list[str], where: str = "") -> pd.DataFrame:
    """The rows of ``d`` with every covariate observed (``missing="pairwise"``: lavaan deletes a row with a missing
    covariate, with a warning, and keeps the rows with missing items for the pairwise first stage). A row
    missing every item is kept (lavaan's covariate means and covariances count it) with a warning naming it:
    the first stage ignores it (lavaan: "some cases are empty and will be ignored"; not in N). ``where``
    starts the warnings (a group's name)."""
    keep = d[xs].notna().all(axis=1)
    n_drop = int((~keep).sum())
    if n_drop:
        xmiss = ", ".join(f"{x!r} ({int(d[x].isna().sum())} rows)" for x in xs if d[x].isna().any())
        warnings.warn(f"{where}{n_drop} of {len(d)} rows were deleted because of missing values on the exogenous "
                      f"covariate(s) {xmiss}, while fixed_x=True (as lavaan deletes them); {int(keep.sum())} rows "
                      "are analysed, the items pairwise.", MissingDataWarning, stacklevel=caller_stacklevel())
    d = d[keep]
    empty = d[items].isna().all(axis=1)
    if empty.any():
        rows = list(d.index[empty])
        shown = ", ".join(map(repr, rows[:10])) + (f" and {len(rows) - 10} more" if len(rows) > 10 else "")
        warnings.warn(f"{where}{len(rows)} row(s) have every item missing and are ignored by the first stage, "
                      f"as lavaan ignores empty cases (rows {shown}); lavaan's covariate means and covariances "
                      "still count them, and so does egovsem.", MissingDataWarning, stacklevel=caller_stacklevel())
    return d


def _constraint_set(spec, pt: pd.DataFrame, q: int) -> ConstraintSet:
    """The explicit constraints on theta (the table's free parameters, then the thresholds, which carry no
    labels)."""
    q0 = int(pt["free"].max()) if (pt["free"] > 0).any() else 0
    th = pd.DataFrame({"label": [""] * (q - q0), "free": np.arange(q0 + 1, q + 1), "ustart": np.nan})
    full = pd.concat([pt[["label", "free", "ustart"]], th], ignore_index=True)
    return ConstraintSet([Constraint(*c) for c in spec.constraints], full, spec.defined)


def _partable(spec, items: list[str], xs: list[str]) -> pd.DataFrame:
    """The SEM rows with free numbers for theta: the items' residual variances and the covariates' rows fixed
    (at 0 in the RAM: they are filled by the delta constraint, the covariates are conditioned on)."""
    pt = spec.partable[spec.partable["op"].isin(["=~", "~", "~~"])].copy()
    itemset, xset = set(items), set(xs)
    fix = ((pt["op"] == "~~") & (pt["lhs"] == pt["rhs"]) & pt["lhs"].isin(itemset)) | (
        (pt["op"] == "~~") & pt["lhs"].isin(xset) & pt["rhs"].isin(xset))
    user_fix = fix & (pt["user"] == 1) & (pt["free"] > 0) & pt["lhs"].isin(itemset)
    if user_fix.any():
        r = pt[user_fix].iloc[0]
        raise NotAvailableError(f"model syntax, line {r['line']}: the residual variance of the ordered item "
                                f"{r['lhs']!r} is fixed by the delta parameterisation.")
    pt.loc[fix, "free"] = 0
    pt.loc[fix, "ustart"] = 0.0
    old = pt["free"].to_numpy().astype(int)
    mapping: dict[int, int] = {}
    new = np.zeros(len(pt), dtype=int)
    for i, f in enumerate(old):
        if f > 0:
            new[i] = mapping.setdefault(f, len(mapping) + 1)
    pt["free"] = new
    return pt.reset_index(drop=True)


def _start(spec, pt: pd.DataFrame, q: int, st: ConditionalOrdinalStats, Sxx: np.ndarray, xs) -> np.ndarray:
    """Simple starts from the total covariance of the latent responses and covariates implied by the first
    stage (residual polychorics plus the slopes' part)."""
    from types import SimpleNamespace

    from .start import start_theta

    Pi = st.slopes
    Cyy = st.corr + Pi @ Sxx @ Pi.T
    Cyx = Pi @ Sxx
    cov = np.block([[Cyy, Cyx], [Cyx.T, Sxx]])
    order = list(st.names) + list(xs)
    idx = [order.index(v) for v in spec.ov]
    cov = cov[np.ix_(idx, idx)]
    pts = pt.copy()
    item_var = (pts["op"] == "~~") & (pts["lhs"] == pts["rhs"]) & pts["lhs"].isin(set(st.names))
    pts.loc[item_var, "ustart"] = 1.0
    return start_theta(spec, pts, q, SimpleNamespace(cov=cov, mean=np.zeros(len(spec.ov))))


def fit_wlsmv_conditional(model, data: pd.DataFrame, ordered) -> ConditionalFit:
    """Fit ``model`` by WLSMV with its exogenous observed covariates conditioned on (module docstring).

    Parameters
    ----------
    model : Model
        The model (its syntax and options).
    data : DataFrame
        Raw data; rows with a missing item or covariate are deleted (lavaan's listwise default), with a
        warning; with the model's ``missing="pairwise"`` only the rows with a missing covariate.
    ordered : True or list of str
        The ordered items (``True``: every observed variable but the covariates).

    Returns
    -------
    ConditionalFit
        ``params`` as lavaan's ``parameterEstimates(fit, standardized = TRUE)``, ``fit_measures``, ``r2``,
        ``summary()``, ``to_json()``, ``inspect()`` (:mod:`egovsem.sem.conditional_results`).

    Examples
    --------
    lavaan: ``cfa("A =~ A1 + A2 + A3 + A4 + A5; A ~ age + gender", data = bfi, ordered = TRUE,
    estimator = "WLSMV")`` gives chisq = 153.652, chisq.scaled = 240.534 on 13 df.
    """
    spec = model.spec
    xs = exogenous_covariates(spec)
    if not xs:
        raise DataError("fit_wlsmv_conditional needs a model with exogenous observed covariates.")
    refuse_design(model)
    if model.opts.group is not None:  # several groups: egovsem.sem.wls_mg_conditional
        from .wls_mg_conditional import fit_wlsmv_multigroup_conditional

        return fit_wlsmv_multigroup_conditional(model, data, ordered, group=model.opts.group,  # type: ignore
                                                group_equal=model.opts.group_equal,
                                                group_partial=model.opts.group_partial,
                                                parameterization=model.opts.parameterization)
    items = check_conditional(model, data, ordered, xs)
    if len(ordered_items(spec, ordered, xs)) < len(items):  # continuous items too: egovsem.sem.wls_mg_conditional
        from .wls_mg_conditional import fit_wlsmv_multigroup_conditional

        return fit_wlsmv_multigroup_conditional(model, data, ordered_items(spec, ordered, xs),  # type: ignore
                                                group=None, parameterization=model.opts.parameterization)
    miss = "pairwise" if model.opts.missing == "pairwise" else "listwise"
    d = (drop_missing_covariates if miss == "pairwise" else _listwise)(data[items + xs], items, xs)
    Y = d[items].to_numpy(float)
    X = d[xs].to_numpy(float)
    (wt,), (codes,) = part_design(data, [d], model.opts)  # (sampling weights, cluster codes; None: not given)
    st = conditional_ordinal_stats(Y, X, items, xs, missing=miss, weights=wt, cluster=codes)
    N = st.n
    s, Gamma = st.wls_obs, st.gamma
    w = st.wls_v_diag
    pt = _partable(spec, items, xs)
    q0 = int(pt["free"].max()) if (pt["free"] > 0).any() else 0
    ram = RAM.from_partable(pt, tuple(spec.ov), tuple(spec.lv), q=None)
    nth = sum(len(st.thresholds[v]) for v in items)
    th_par = np.arange(q0, q0 + nth)
    ram.q = q0 + nth
    pos = {v: i for i, v in enumerate(ram.names)}
    p = len(items)
    cj, ci = np.triu_indices(p, 1)
    red = _Reduced(ram, np.array([pos[v] for v in items]), np.array([pos[x] for x in xs]), th_par, ci, cj)
    q = q0 + nth
    cs = _constraint_set(spec, pt, q) if spec.constraints else None
    df = s.size - q + (cs.rank_linear + cs.n_nonlinear_eq if cs is not None else 0)
    if df < 0:
        raise IdentificationError(f"The model is not identified: {q} free parameters, {s.size} sample statistics.")
    Sxx, xbar = covariate_moments(X, wt)
    theta0 = np.concatenate([_start(spec, pt, q0, st, Sxx, xs), s[:nth]])
    disc = ConditionalDWLS(red, s, w)
    if cs is not None:
        state = minimize_constrained([disc], np.ones(1), theta0, cs, iter_max=min(model.opts.iter_max, 500))
    else:
        state = minimize_groups([disc], theta0, iter_max=min(model.opts.iter_max, 500))
    theta = state.theta
    D = red.jacobian(theta)
    WD = D * w[:, None]
    A = D.T @ WD
    Ainv, _ = scaled_inverse(A)
    npar = q
    Z = None
    if cs is not None:
        # lavaan's augmented inverse on the null space of the equalities and active bounds (as without
        # covariates, egovsem.sem.wls)
        Z = cs.null_basis(theta)
        Ainv = constrained_vcov(A, Z, strict=state.converged)
        npar = q - cs.eq_rank(theta)
        df = s.size - npar
    if Ainv is None:
        raise IdentificationError("The model is not identified: the DWLS information matrix is singular.")
    vcov = sandwich(Ainv, WD.T @ Gamma @ WD) / (N - 1)
    sigma, S, E, Amat = red.parts(theta)
    F = float(np.sum(w * (s - sigma) ** 2))
    params, free_rows = _params(spec, pt, ram, theta, vcov, S, E, st, items, xs, xbar, Sxx)
    U = np.diag(w) - WD @ Ainv @ WD.T
    fm = _fit_measures(F, N, df, npar, s, sigma, w, Gamma, U, nth + p * len(xs), st, red, theta)
    return ConditionalFit(params=params, fit_measures=fm, stats=st, theta=theta, vcov=vcov,
                          converged=state.converged, iterations=state.iterations, free_rows=free_rows, model=model,
                          ntotal=len(data), n_dropped=len(data) - st.nobs, constraint_basis=Z)


def _params(spec, pt, ram, theta, vcov, S, E, st, items, xs, xbar, Sxx) -> tuple[pd.DataFrame, np.ndarray]:
    """parameterEstimates rows: estimates, SEs, z, p, std.lv, std.all, std.nox (lavaan's row order)."""
    names = ram.names
    pos = {v: i for i, v in enumerate(names)}
    xpos = [pos[x] for x in xs]
    S_tot = S.copy()
    S_tot[np.ix_(xpos, xpos)] = Sxx
    C = E @ S_tot @ E.T  # total covariance of all variables
    sd = np.sqrt(np.diag(C))
    xset = set(xs)
    lvset = set(spec.lv)
    se_all = np.sqrt(np.clip(np.diag(vcov), 0, None))
    A, _S, _m = ram.matrices(theta)
    rows = []

    def add(lhs, op, rhs, est, se, slv, sall, snox, free=-1, label=""):
        z = est / se if se > 0 else np.nan
        pv = 2 * special.ndtr(-abs(z)) if np.isfinite(z) else np.nan
        rows.append(dict(lhs=lhs, op=op, rhs=rhs, est=est, se=se, z=z, pvalue=pv, std_lv=slv, std_all=sall,
                         std_nox=snox, free=free, label=label))

    def sdv(v, kind):
        """The SD a variable is scaled by: std.lv scales latents only, std.nox leaves covariates unscaled."""
        if kind == "lv":
            return sd[pos[v]] if v in lvset else 1.0
        if kind == "nox" and v in xset:
            return 1.0
        return sd[pos[v]]

    for r in pt.itertuples():
        k = int(r.free) - 1
        se = se_all[k] if k >= 0 else 0.0
        if r.op == "=~":
            est = A[pos[r.rhs], pos[r.lhs]]
            num, den = [r.lhs], [r.rhs]
        elif r.op == "~":
            est = A[pos[r.lhs], pos[r.rhs]]
            num, den = [r.rhs], [r.lhs]
        else:
            i, j = pos[r.lhs], pos[r.rhs]
            est = S_tot[i, j]
            if r.lhs in xset and r.rhs in xset:
                est = Sxx[xs.index(r.lhs), xs.index(r.rhs)]
            num, den = [], [r.lhs, r.rhs]

        def f(kind: str, num=num, den=den) -> float:
            return float(np.prod([sdv(v, kind) for v in num]) / np.prod([sdv(v, kind) for v in den]))

        add(r.lhs, r.op, r.rhs, est, se, est * f("lv"), est * f("all"), est * f("nox"), k, str(r.label or ""))
    # thresholds after the user's rows in lavaan's table: put them after the regressions
    th_rows = []
    kk = int(pt["free"].max()) if (pt["free"] > 0).any() else 0
    for v in items:
        for m in range(len(st.thresholds[v])):
            est = theta[kk]
            se = se_all[kk]
            kk += 1
            z = est / se
            th_rows.append(dict(lhs=v, op="|", rhs=f"t{m + 1}", est=est, se=se, z=z,
                                pvalue=2 * special.ndtr(-abs(z)), std_lv=est, std_all=est / sd[pos[v]],
                                std_nox=est / sd[pos[v]], free=kk - 1))
    nuser = int((pt["user"] == 1).sum())
    out = rows[:nuser] + th_rows + rows[nuser:]
    for v in items:
        out.append(dict(lhs=v, op="~*~", rhs=v, est=1.0, se=0.0, z=np.nan, pvalue=np.nan, std_lv=1.0, std_all=1.0,
                        std_nox=1.0))
    means = xbar
    for v in items:
        out.append(dict(lhs=v, op="~1", rhs="", est=0.0, se=0.0, z=np.nan, pvalue=np.nan, std_lv=0.0, std_all=0.0,
                        std_nox=0.0))
    for x, mx in zip(xs, means):
        out.append(dict(lhs=x, op="~1", rhs="", est=mx, se=0.0, z=np.nan, pvalue=np.nan, std_lv=mx,
                        std_all=mx / sd[pos[x]], std_nox=mx))
    for v in spec.lv:
        out.append(dict(lhs=v, op="~1", rhs="", est=0.0, se=0.0, z=np.nan, pvalue=np.nan, std_lv=0.0, std_all=0.0,
                        std_nox=0.0))
    df = pd.DataFrame(out).rename(columns={"std_lv": "std.lv", "std_all": "std.all", "std_nox": "std.nox"})
    free = df.pop("free").fillna(-1).to_numpy(int)
    df["label"] = df["label"].fillna("")
    df["group"] = 1
    q = special.ndtri(0.975)
    df["ci.lower"] = df["est"] - q * df["se"]
    df["ci.upper"] = df["est"] + q * df["se"]
    return df[PARAM_COLUMNS], free


def _fit_measures(F, N, df, npar, s, sigma, w, Gamma, U, n1, st, red, theta) -> pd.Series:
    """lavaan's fitMeasures rows after WLSMV with conditional.x (sample size N - 1 in the RMSEA, CN, MFI)."""
    X2 = (N - 1) * F
    Nt = N - 1
    ss = scaled_shifted(U @ Gamma, X2, df)
    X2b, dfb, UGb = baseline_dwls(s, w, Gamma, n1, N)
    ssb = scaled_shifted(UGb, X2b, dfb)
    fm: dict[str, float] = {"npar": npar, "fmin": 0.5 * F * Nt / N, "chisq": X2, "df": df,
                            "pvalue": float(special.chdtrc(df, X2)), "chisq.scaled": ss["stat"], "df.scaled": df,
                            "pvalue.scaled": ss["pvalue"], "chisq.scaling.factor": ss["scaling"],
                            "baseline.chisq": X2b, "baseline.df": dfb,
                            "baseline.pvalue": float(special.chdtrc(dfb, X2b)),
                            "baseline.chisq.scaled": ssb["stat"], "baseline.df.scaled": dfb,
                            "baseline.pvalue.scaled": ssb["pvalue"],
                            "baseline.chisq.scaling.factor": ssb["scaling"]}
    inc = incremental(X2, df, X2b, dfb)
    inc_s = incremental(ss["stat"], df, ssb["stat"], dfb, suffix=".scaled")
    for names in (("cfi", "tli"), ("nnfi", "rfi", "nfi", "pnfi", "ifi", "rni")):
        fm.update({k: inc[k] for k in names})
        fm.update({k + ".scaled": inc_s[k + ".scaled"] for k in names})
        # lavaan computes no robust CFI / TLI / RMSEA with conditional.x
        fm.update({k + ".robust": np.nan for k in names if k in ("cfi", "tli", "nnfi", "rni")})
    fm.update(rmsea_block(X2, df, Nt))
    fm.update({"rmsea.ci.level": 0.90, "rmsea.close.h0": 0.05, "rmsea.notclose.h0": 0.08})
    fm.update(rmsea_block(ss["stat"], df, Nt, suffix=".scaled"))
    fm.update({("rmsea" if k == "rmsea" else k) + ".robust": np.nan for k in RMSEA_NAMES})
    _sig, S_f, E_f, _A = red.parts(theta)
    o = red.items
    hv = np.diag(E_f @ S_f @ E_f.T)[o]  # 1 but where an ordered item predicts another (lavaan's delta rule)
    none = np.zeros(0)
    fm.update(conditional_residuals(s, sigma, red.th_par.size, n1, red.items.size + red.xs.size,
                                    var=(red.ci, red.cj, np.ones(o.size), hv, none, none)))
    nel = s.size
    gfi = gfi_dwls(s, sigma, w)
    fm.update({"cn_05": critical_n(X2, df, Nt, 0.05), "cn_01": critical_n(X2, df, Nt, 0.01), "gfi": gfi,
               "agfi": agfi(gfi, nel, df), "pgfi": (df / nel) * gfi, "mfi": float(np.exp(-0.5 * (X2 - df) / Nt)),
               "wrmr": float(np.sqrt(X2 / nel))})
    return pd.Series(fm, dtype=float, name="fit")


def conditional_residuals(s: np.ndarray, sigma: np.ndarray, nth: int, n1: int, ndiag: int, *,
                          th_idx: np.ndarray | None = None, var: tuple | None = None) -> dict[str, float]:
    """lavaan's residual-based measures (rmr, srmr, crmr and their ``_nomean`` versions) of one group after
    WLSMV with conditional.x: the residual correlations (rows ``n1:`` of wls.obs; lavaan's summary counts the
    ``ndiag`` diagonal cells of the items and the covariates) and, in the versions with means, the ``nth``
    thresholds (rows ``th_idx``, default the first ``nth``); not the slopes.

    ``var``: with continuous items, ``(ci, cj, s_var, h_var, dres, dres_std)``: the pairs of the residual rows,
    each item's sample and implied residual variance (1 for an ordered item) and the residuals of the
    continuous items' variances, raw and divided by the sample variance. rmr uses the raw residuals; srmr
    divides each by ``sqrt(s_ii s_jj)`` (lavaan's cor.bentler); crmr compares the sample and implied
    correlations (lavaan's cor.bollen, no diagonal)."""
    e = s[n1:] - sigma[n1:]
    th_idx = np.arange(nth) if th_idx is None else th_idx
    e_th = s[th_idx] - sigma[th_idx]
    ss_t = float(e_th @ e_th)
    cnt_c = e.size + ndiag
    if var is None:
        ss_raw = ss_std = float(e @ e)
        ss_cor = ss_raw
    else:
        ci, cj, sv, hv, dres, dres_std = var
        ss_raw = float(e @ e) + float(dres @ dres)
        ss_std = float(np.sum((e / np.sqrt(sv[ci] * sv[cj])) ** 2)) + float(dres_std @ dres_std)
        ss_cor = float(np.sum((s[n1:] / np.sqrt(sv[ci] * sv[cj]) - sigma[n1:] / np.sqrt(hv[ci] * hv[cj])) ** 2))
    return {"rmr": float(np.sqrt((ss_raw + ss_t) / (cnt_c + nth))), "rmr_nomean": float(np.sqrt(ss_raw / cnt_c)),
            "srmr": float(np.sqrt(ss_std / cnt_c)), "srmr_bentler": float(np.sqrt((ss_std + ss_t) / (cnt_c + nth))),
            "srmr_bentler_nomean": float(np.sqrt(ss_std / cnt_c)),
            "crmr": float(np.sqrt((ss_cor + ss_t) / (e.size + nth))), "crmr_nomean": float(np.sqrt(ss_cor / e.size)),
            "srmr_mplus": np.nan, "srmr_mplus_nomean": np.nan}
