"""The one estimation path of ML and FIML, for any number of groups (a single group is G = 1).

``estimate(model, spec, parts)`` takes the rows of each group and does, once for every fit:

1. the groups' sample statistics (:func:`egovsem.sem.data.prepare_data`; under FIML with fixed.x the rows
   missing a covariate are removed, as lavaan does);
2. the fixed.x rows of the parameter table set to each group's sample (co)variances and means
   (:func:`fill_fixed_x`);
3. the sample moments and degrees of freedom (:func:`count_moments`, refused when negative);
4. lavaan's start values, one discrepancy per group (:class:`~egovsem.sem.ml.MLDiscrepancy` or
   :class:`~egovsem.sem.fiml.FIMLDiscrepancy`) and :func:`~egovsem.sem.discrepancy.minimize_groups` with
   lavaan's weights ``N_g / N``;
5. the information (expected ``sum_g N_g I_g``, or observed: FIML and MLR), its inverse and, for
   ``se = "robust.huber.white"``, the sandwich with the score cross-products (:mod:`egovsem.sem.vcov`);
6. under FIML, the unrestricted log-likelihood per group (``chisq = N fmin = 2 (logl_h1 - logl)``).

The callers (:meth:`egovsem.sem.model.Model.fit`, :func:`egovsem.sem.multigroup.fit_multigroup`) build
their results object from the returned :class:`Estimate`.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._errors import ConvergenceWarning, IdentificationError, MissingDataWarning, caller_stacklevel
from .checks import NONCONVERGENCE_ADVICE
from .data import SampleStats, prepare_data
from .discrepancy import Discrepancy, group_weights, minimize_groups
from .fiml import FIMLDiscrepancy, RowData, h1_logl, h1_observed_information
from .ls import ls_cov_scale
from .ml import MLDiscrepancy
from .optimize import FitState
from .options import GAMMA_TESTS
from .partable import ModelSpec
from .ram import RAM
from .start import start_theta_groups
from .vcov import invert_information, sandwich, score_crossproducts

__all__ = ["Estimate", "estimate", "standardize_ov", "fill_fixed_x", "count_moments", "drop_missing_covariates", "free_variances",
           "moment_hessian"]


@dataclass
class Estimate:
    """What the estimation path returns (one entry per group in the lists)."""

    partable: pd.DataFrame
    rams: list[RAM]
    stats: list[SampleStats]
    weights: np.ndarray
    discrepancies: list[Discrepancy]
    state: FitState
    ndat: int
    df: int
    vcov: np.ndarray
    A: np.ndarray
    information: str
    fmin: float
    rows: list[RowData] | None = None
    B0: np.ndarray | None = None
    logl: float | None = None
    logl_h1_g: list[float] = field(default_factory=list)
    start: np.ndarray | None = None
    A_test: np.ndarray | None = None  # observed information of the "h1" kind for the Yuan-Bentler trace
    npar: int | None = None  # free parameters less the rank of the explicit equality constraints (None: q)
    UG: np.ndarray | None = None  # U Gamma of the Satorra-Bentler family (model), complete data
    UGb: np.ndarray | None = None  # ... and of the baseline
    Z: np.ndarray | None = None  # null-space basis of the explicit constraints at the solution (None: none)

    @property
    def nobs(self) -> int:
        return int(sum(st.nobs for st in self.stats))

    def extra(self) -> dict[str, Any]:
        """The design by-products for :meth:`egovsem.sem.results.Results.from_fit`."""
        out: dict[str, Any] = {} if self.A_test is None else {"A_test": self.A_test}
        if self.UG is not None:
            out.update(UG=self.UG, UGb=self.UGb)
        if self.Z is not None:
            out["constraint_basis"] = self.Z
        return out


def drop_missing_covariates(data: pd.DataFrame, ov_x: Sequence[str], *, stacklevel: int = 4,
                            missing: str = "fiml") -> pd.DataFrame:
    """FIML or pairwise ML with fixed.x covariates: rows missing a covariate are removed (lavaan's missing =
    "ml" and "pairwise" do so), reported."""
    cols = [c for c in ov_x if c in data.columns]
    if not cols:
        return data
    bad = data[cols].isna().any(axis=1)
    if bad.any():
        warnings.warn(
            f"missing={missing!r} with fixed.x: {int(bad.sum())} rows with a missing value on the covariate(s) "
            f"{cols} were removed (as lavaan does; pass fixed_x=False to keep them and model the covariates).",
            MissingDataWarning, stacklevel=caller_stacklevel(),
        )
        return data.loc[~bad]
    return data


def standardize_ov(data: pd.DataFrame, names: Sequence[str], *, listwise: bool = True,
                   rows_of: Sequence[str] | None = None) -> pd.DataFrame:
    """lavaan's ``std.ov``: the observed variables ``names`` centred and divided by their standard deviation
    (denominator N - 1, R's ``scale()``), computed on the rows that are analysed: the complete ones under
    listwise deletion, otherwise those with at least one observed value (each column on its observed cells),
    judged on the columns ``rows_of`` (default ``names``; WLSMV passes every model variable, as only its
    continuous ones are standardised). Rows that are dropped later keep their values; columns that are not
    numeric are left to the data checks."""
    cols = [c for c in names if c in data.columns]
    if not cols:
        return data
    judge = [c for c in (names if rows_of is None else rows_of) if c in data.columns]
    try:
        X = data[cols].apply(pd.to_numeric, errors="raise").astype(float)
        J = data[judge].apply(pd.to_numeric, errors="coerce").astype(float)
    except (TypeError, ValueError):
        return data  # prepare_data names the column and the text cells
    rows = J.notna().all(axis=1) if listwise else J.notna().any(axis=1)
    use = X[rows]
    sd = use.std(ddof=1)
    sd = sd.where(sd > 0, 1.0)
    out = data.copy()
    out[cols] = X  # as floats (integer-coded columns, e.g. an age in years, take the z-scores)
    out.loc[rows, cols] = ((use - use.mean()) / sd).to_numpy()
    return out


def fill_fixed_x(spec: ModelSpec, stats: Sequence[SampleStats], *, unbiased: bool = False) -> pd.DataFrame:
    """The parameter table with the fixed.x rows (``exo == 1``) set to their group's sample (co)variances
    and means (``unbiased``: the covariances with divisor N - 1, those GLS and ULS are fitted to)."""
    pt = spec.partable.copy()
    pos = {v: i for i, v in enumerate(spec.ov)}
    grp = pt["group"].to_numpy() if "group" in pt else np.ones(len(pt), dtype=int)
    for i, g in zip(pt.index[pt["exo"] == 1], grp[(pt["exo"] == 1).to_numpy()]):
        st = stats[int(g) - 1]
        lhs, op, rhs = pt.at[i, "lhs"], pt.at[i, "op"], pt.at[i, "rhs"]
        if op == "~~":
            pt.at[i, "ustart"] = st.cov[pos[lhs], pos[rhs]] * (ls_cov_scale(st.nobs, st.w is not None)
                                                               if unbiased else 1.0)
        elif op == "~1":
            pt.at[i, "ustart"] = st.mean[pos[lhs]]
    return pt


def count_moments(p: int, nx: int, *, meanstructure: bool, ngroups: int = 1) -> int:
    """Sample moments the model is fitted to: ``p (p + 1) / 2`` (co)variances and ``p`` means per group,
    less those of the ``nx`` fixed.x covariates (lavaan's ``ndat``)."""
    per_group = p * (p + 1) // 2 + (p if meanstructure else 0) - nx * (nx + 1) // 2 - (nx if meanstructure else 0)
    return ngroups * per_group


def free_variances(pt: pd.DataFrame) -> np.ndarray:
    """Positions in theta (``free - 1``) of the free variances (``x ~~ x``), once each (equal across groups)."""
    free = pt["free"].to_numpy()
    mask = ((pt["op"] == "~~") & (pt["lhs"] == pt["rhs"])).to_numpy() & (free > 0)
    return np.unique(free[mask].astype(int) - 1)


def estimate(model, spec: ModelSpec, parts: Sequence[pd.DataFrame], *, stacklevel: int = 3) -> Estimate:
    """Fit ``spec`` with ``model``'s options (ML or FIML, any SE but bootstrap) to the groups' rows ``parts``.

    Parameters
    ----------
    model : Model
        Its ``opts`` (discrepancy, missing, se, information, iter_max).
    spec : ModelSpec
        The specification (with ``ngroups = len(parts)``).
    parts : sequence of DataFrame
        The rows of each group (one for a single-group model).
    stacklevel : int
        Where the convergence warning points (the caller of ``fit``).
    """
    opts = model.opts
    fiml = opts.discrepancy == "FIML"
    if (fiml or opts.missing == "pairwise") and spec.ov_x:
        parts = [drop_missing_covariates(part, spec.ov_x, stacklevel=stacklevel + 2,
                                         missing="fiml" if fiml else "pairwise") for part in parts]
    if opts.std_ov:
        parts = [standardize_ov(part, spec.ov, listwise=not fiml) for part in parts]
    stats = [prepare_data(part, spec.ov, missing=opts.missing, sampling_weights=opts.sampling_weights,
                          cluster=opts.cluster) for part in parts]
    if opts.sampling_weights is not None or opts.cluster is not None:
        stats = _design_stats(stats, opts)
    G = len(stats)
    pt = fill_fixed_x(spec, stats, unbiased=opts.discrepancy in ("GLS", "ULS"))
    q = spec.npar
    grp = pt["group"].to_numpy()
    rams = [RAM.from_partable(pt[grp == g], spec.ov, spec.lv, q=q) for g in range(1, G + 1)]
    ndat = count_moments(len(spec.ov), len(spec.ov_x), meanstructure=spec.meanstructure, ngroups=G)
    cs = None
    if spec.constraints:
        from .constraints import ConstraintSet

        cs = ConstraintSet.from_spec(spec)
    df = ndat - q + (cs.rank_linear + cs.n_nonlinear_eq if cs is not None else 0)
    if df < 0:
        raise IdentificationError(
            f"The model is not identified: it has {q} free parameters but the data give only {ndat} "
            f"sample moments (df = {df}). Fix or constrain {-df} parameter(s)."
        )
    theta0, _ = start_theta_groups(spec, pt, stats, q)
    N = sum(st.nobs_w for st in stats)
    w = group_weights([st.nobs_w for st in stats])
    # pairwise ML is fitted to the available-case moments: no casewise quantities from rows with holes
    pairwise = opts.missing == "pairwise"
    rows = [RowData.from_array(st.X, st.w, st.cluster) for st in stats] if opts.casewise and not pairwise else None
    mu_fixed = [None if spec.meanstructure else st.mean for st in stats]
    discs: list[Discrepancy]
    if fiml:
        assert rows is not None
        discs = [FIMLDiscrepancy(r, rw, mu_fixed=mf) for r, rw, mf in zip(rams, rows, mu_fixed)]
    elif opts.discrepancy in ("GLS", "ULS"):
        from .ls import GLSDiscrepancy, ULSDiscrepancy

        cls = GLSDiscrepancy if opts.discrepancy == "GLS" else ULSDiscrepancy
        # lavaan's sample covariance of these estimators has divisor N - 1 (sample.cov.rescale), the weighted
        # one with sampling weights divisor N (egovsem.sem.ls.ls_cov_scale)
        discs = [cls(r, st.cov * ls_cov_scale(st.nobs, st.w is not None), st.mean, spec.meanstructure, st.nobs_w)
                 for r, st in zip(rams, stats)]
    else:
        discs = [MLDiscrepancy(r, st.cov, st.mean, spec.meanstructure, st.nobs_w, rows[k] if rows else None)
                 for k, (r, st) in enumerate(zip(rams, stats))]
    theta_start = theta0
    if opts.discrepancy in ("GLS", "ULS"):
        # the least-squares discrepancies do not keep Sigma positive definite: from lavaan's start values the
        # optimiser can wander off to a degenerate solution (a two-group GLS CFA of HolzingerSwineford1939
        # does); it starts from the ML solution instead, when that converges
        ml = [MLDiscrepancy(r, st.cov, st.mean, spec.meanstructure, st.nobs_w) for r, st in zip(rams, stats)]
        pre = minimize_groups(ml, theta0, weights=w, iter_max=opts.iter_max, variances=free_variances(pt))
        if pre.converged:
            theta_start = pre.theta
    if cs is not None:
        from .constraints import minimize_constrained

        state = minimize_constrained(discs, w, theta_start, cs, iter_max=opts.iter_max,
                                     variances=free_variances(pt))
    else:
        state = minimize_groups(discs, theta_start, weights=w, iter_max=opts.iter_max,
                                variances=free_variances(pt))
    if not state.converged:
        warnings.warn(
            f"the model did not converge after {state.iterations} iterations ({state.message}); "
            f"estimates, standard errors and fit measures are not trustworthy; {NONCONVERGENCE_ADVICE}.",
            ConvergenceWarning, stacklevel=caller_stacklevel(),
        )
    theta = state.theta
    B0 = None
    # (pairwise moments: the Yuan-Bentler test is computed from Gamma, without casewise scores; with cluster=
    # lavaan's meat is that of the complete rows, egovsem.sem.pairwise_cluster)
    pw_cluster = pairwise and opts.cluster is not None
    if pw_cluster:
        from .pairwise_cluster import pairwise_cluster_meat

        B0 = _total([pairwise_cluster_meat(r, theta, st.X, np.asarray(st.cluster)) for r, st in zip(rams, stats)])
    elif opts.se == "robust.huber.white" or opts.information == "first.order" or (
            opts.test.startswith("yuan") and not pairwise):
        # the scores do not depend on vcov: the robust test statistic needs B0 even where vcov is not finite
        # (a non-converged fit with a singular information matrix)
        B0 = score_crossproducts([d.scores(theta) for d in discs], [st.cluster for st in stats])
    if opts.information == "observed" and pairwise:
        # lavaan's observed information of pairwise ML: the Hessian of its objective at the pairwise moments
        A = _total([st.nobs_w / 2.0 * moment_hessian(d, theta) for d, st in zip(discs, stats)])
    elif opts.information == "observed" and opts.discrepancy == "GLS":
        # lavaan's observed information of GLS: the Hessian of its objective (half egovsem's F) at the
        # estimates, on its sample size N - G of this estimator
        Nls = sum(st.nobs_w for st in stats) - G
        A = _total([wg * Nls / 2.0 * moment_hessian(d, theta) for d, wg in zip(discs, w)])
    elif opts.information == "observed":
        # lavaan's default for FIML and for MLR: observed information (Hessian), summed over groups
        A = _total([d.observed_information(theta) for d in discs])
    elif opts.information == "first.order":
        # lavaan's information = "first.order": the cross-product of the casewise scores
        assert B0 is not None
        A = B0
    elif opts.discrepancy in ("GLS", "ULS"):
        # lavaan 0.6-14's standard errors of GLS and ULS: the discrepancy's own weight, Delta' W Delta (GLS:
        # W from S^-1; ULS: the identity), on lavaan's sample size of these estimators N - G
        Nls = sum(st.nobs_w for st in stats) - G
        A = _total([wg * Nls * d.information(theta) for d, wg in zip(discs, w)])
    else:
        A = _total([st.nobs_w * d.information(theta) for d, st in zip(discs, stats)])
    npar = None
    Z = None  # basis of the null space of the constraints (equalities and active bounds) at the solution
    if cs is not None:
        from .constraints import constrained_vcov

        # lavaan's augmented information: the inverse on the null space of the equalities and active bounds;
        # the robust sandwiches below use it as their bread, and the traces of the scaled tests the Jacobian
        # projected on that null space (Z' Delta): Delta' Z (Z' E Z)^-1 Z' Delta is the augmented E^-1 there
        Z = cs.null_basis(theta)
        vcov = constrained_vcov(A, Z, strict=state.converged)
        npar = q - cs.eq_rank(theta)
        df = ndat - npar
    else:
        vcov = invert_information(A, pt, strict=state.converged, stacklevel=stacklevel + 1)
    if opts.se == "robust.huber.white" and np.isfinite(vcov).all():
        assert B0 is not None
        vcov = sandwich(vcov, B0)
    UG = UGb = None
    gamma_test = opts.test in GAMMA_TESTS or (opts.test == "yuan.bentler" and not fiml)
    if opts.se == "robust.sem" or gamma_test:
        from .robust_sem import baseline_ugamma, check_gamma_model, group_parts, robust_sem_meat, ugamma

        check_gamma_model(spec, stats)
        xi = [spec.ov.index(v) for v in spec.ov_x]
        gparts = group_parts(discs, theta, stats, spec.meanstructure, opts.information, xi)
        if opts.discrepancy == "ULS":
            # lavaan's robust ULS: the weight of the sandwich and of the traces is ULS's own, W = I
            gparts = [{**g, "V": np.eye(g["V"].shape[0])} for g in gparts]
        if opts.se == "robust.sem" and np.isfinite(vcov).all():
            # (ULS: lavaan's meat is on N - G, as its bread: each group's N_g (N - G) / N; lavaan's vcov of ULSM
            # in one group is (Delta' Delta)^-1 Delta' Gamma Delta (Delta' Delta)^-1 / (N - 1); egovsem had N / (N -
            # 1)^2, SEs 0.17 % too large, within the SE tolerance; make_reference_design_estimators.R checks it)
            Nt = sum(g["n"] for g in gparts)
            mparts = [{**g, "n": g["n"] * (Nt - G) / Nt} for g in gparts] if opts.discrepancy == "ULS" else gparts
            vcov = sandwich(vcov, robust_sem_meat(mparts))
        if gamma_test:
            # the information of the traces: the SEs' unless lavaan sets "observed.information for ALL test
            # statistics to h1" (MLMV with cluster=: expected information in the SEs, the h1 observed one in
            # the traces)
            tinfo = "observed" if opts.test_information == "h1" else opts.information
            if tinfo != opts.information:
                gparts = group_parts(discs, theta, stats, spec.meanstructure, tinfo, xi)
            if Z is not None:
                gparts = [{**g, "D": Z.T @ g["D"]} for g in gparts]
            UG = ugamma(gparts)
            UGb = baseline_ugamma(gparts, stats, spec.meanstructure, tinfo, rows,
                                  unit_weights=opts.discrepancy == "ULS", xi=xi)
    out = Estimate(partable=pt, rams=rams, stats=stats, weights=w, discrepancies=discs, state=state, ndat=ndat,
                   df=df, vcov=vcov, A=A, information=opts.information, fmin=state.fmin, rows=rows, B0=B0,
                   start=theta0, npar=npar, UG=UG, UGb=UGb, Z=Z)
    if opts.test_information == "h1" and pw_cluster:
        from .pairwise_cluster import pairwise_cluster_test_information

        out.A_test = _total([pairwise_cluster_test_information(r, theta, st.cov, st.mean, st.nobs)
                             for r, st in zip(rams, stats)])
    elif opts.test_information == "h1" and rows is not None:
        out.A_test = _total([h1_observed_information(r, theta, rw, mu_fixed=mf)
                             for r, rw, mf in zip(rams, rows, mu_fixed)])
    if fiml:
        # FIML discrepancy relative to the unrestricted model: chisq = N * fmin = 2 (logl_h1 - logl)
        assert rows is not None
        out.logl_h1_g = [h1_logl(rw, st.cov, st.mean) for rw, st in zip(rows, stats)]
        out.logl = -N / 2 * state.fmin
        out.fmin = state.fmin + 2.0 / N * _total(out.logl_h1_g)
    return out


def moment_hessian(disc: Discrepancy, theta: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """The Hessian of the discrepancy ``disc`` (a function of the sample moments) at ``theta``: central
    differences of its analytic gradient, symmetrised. ``N / 2`` times it is the observed information of ML
    fitted to moments (complete data: the casewise Hessian; pairwise: lavaan's observed information)."""
    q = theta.size
    H = np.empty((q, q))
    for k in range(q):
        e = np.zeros(q)
        e[k] = h * max(1.0, abs(theta[k]))
        H[:, k] = (disc.gradient(theta + e) - disc.gradient(theta - e)) / (2 * e[k])
    return (H + H.T) / 2.0


def _design_stats(stats: list[SampleStats], opts) -> list[SampleStats]:
    """The groups' statistics with their normalised sampling weights (weighted moments) and cluster codes."""
    from dataclasses import replace

    from .design import cluster_codes, normalise_weights, weighted_stats

    G = len(stats)
    codes = [None if st.cluster is None else
             cluster_codes(np.asarray(st.cluster), str(opts.cluster), g + 1 if G > 1 else None)
             for g, st in enumerate(stats)]
    if opts.sampling_weights is None:
        return [replace(st, cluster=c) for st, c in zip(stats, codes)]
    raw = [np.asarray(st.w, dtype=float) for st in stats]
    ws = normalise_weights(raw, opts.sampling_weights_normalization)
    return [weighted_stats(st, wg, c, fiml=opts.discrepancy == "FIML") for st, wg, c in zip(stats, ws, codes)]


def _total(terms: list) -> Any:
    """``sum(terms)`` as the groups' loops always summed (from 0, in group order)."""
    return sum(terms[1:], 0 + terms[0])
