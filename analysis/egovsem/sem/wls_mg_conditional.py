"""Multi-group WLSMV with exogenous observed covariates (lavaan 0.6-14's ``conditional.x`` with ``group =``).

``fit_wlsmv_multigroup_conditional(model, data, ordered, group=..., group_equal=..., group_partial=...,
parameterization=...)`` fits ``cfa(..., ordered = TRUE, estimator = "WLSMV", group = , group.equal = ,
group.partial = , parameterization = )`` for a model whose ordered items (or latent variables) are regressed
on observed covariates, e.g. a MIMIC ``A =~ A1 + ... + A5; A ~ age + education`` in two groups:

1. In each group: rows with a missing item or covariate deleted (lavaan's listwise default; a
   :class:`~egovsem._errors.MissingDataWarning` names the rows; with ``missing="pairwise"`` only the rows with
   a missing covariate, and the first stage pairwise), every category of every item used (else
   :class:`~egovsem._errors.EmptyCategoryError`, as :mod:`egovsem.sem.wls_mg`), and the first stage of
   :func:`egovsem.sem.ordinal_conditional.conditional_ordinal_stats` (thresholds, slopes, residual
   polychorics, Gamma_g; weights ``w_g = 1 / diag(Gamma_g)``).
2. The parameter table of :func:`egovsem.sem.wls_mg.mg_ordinal_partable` (lavaan's identification defaults
   and ``group_equal`` / ``group_partial``), with the covariates' rows fixed at each group's sample values.
3. Each group's reduced form given the covariates (lavaan's ``computeTH`` / ``computePI`` /
   ``computeSigmaHat`` with ``delta``): thresholds ``delta_j (tau_jk - mu*_j)`` (``mu*``: the latent
   responses' intercepts at x = 0, so the latent means of groups 2..G enter), slopes ``delta_j Pi_jx`` and
   residual correlations ``delta_i delta_j Sigma*_ij`` (Sigma*: the covariance given the covariates; delta
   parameterisation: ``diag(Sigma*) = 1 / delta^2``, theta: ``delta = 1 / sqrt(diag(Sigma*))``).
4. DWLS, SEs and the scaled-shifted test as :mod:`egovsem.sem.wls_mg` (``F = sum_g (N_g - 1) / N F_g``,
   ``vcov = A^-1 B A^-1 / (N - G)``); baseline: thresholds and slopes free, residual correlations 0 in each
   group; robust CFI/TLI/RMSEA NA (lavaan computes none with conditional.x); the residual-based measures of
   :func:`egovsem.sem.wls_conditional.conditional_residuals` weighted by ``N_g / N``.

Continuous indicators mixed with ordered ones (``ordered=`` a list; one group or several, delta or theta):
lavaan's OLS first stage for the continuous ones; their slot in the thresholds holds ``-intercept``, their
slopes are not scaled, their residual variances follow the slopes and their residual covariances are not
scaled (:class:`ConditionalGroupModel`); rmr / srmr / crmr as lavaan's raw, cor.bentler and cor.bollen
residuals.

Explicit constraints (``==``, ``<``, ``>``, nonlinear ``==``) are fitted by
:func:`egovsem.sem.constraints.minimize_constrained`, with lavaan's augmented inverse of ``Delta' W Delta`` in
the sandwich and in U and ``npar`` less the rank of the equalities, as without covariates.

The result is a :class:`~egovsem.sem.wls_mg.WLSMVMultiGroupResults` (its ``ordinal`` holds each group's
:class:`~egovsem.sem.ordinal_conditional.ConditionalOrdinalStats`). ``std.all`` uses each group's total
variances (covariates included), as lavaan.
"""
from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from .._errors import (
    ConvergenceWarning,
    EgovsemError,
    IdentificationError,
    MissingDataWarning,
    caller_stacklevel,
)
from .checks import NONCONVERGENCE_ADVICE
from .constraints import Constraint, ConstraintSet, constrained_vcov, minimize_constrained
from .design import part_design
from .discrepancy import minimize_groups
from .fit_indices import rmsea_block
from .fit_residual import gfi_dwls
from .ordinal_conditional import ConditionalOrdinalStats, conditional_ordinal_stats
from .ram import RAM
from .vcov import sandwich, scaled_inverse
from .wls import one_blas_thread
from .wls_conditional import (
    ConditionalDWLS,
    check_conditional,
    conditional_residuals,
    covariate_moments,
    drop_missing_covariates,
    exogenous_covariates,
    ordered_items,
)
from .wls_mg import (
    ORDINAL_GROUP_EQUAL,
    PARAMETERIZATIONS,
    GroupModel,
    WLSMVMultiGroupResults,
    baseline_and_incremental_rows,
    check_categories,
    closing_rows,
    mg_ordinal_partable,
    standardize_group,
    ugamma_traces,
)

__all__ = ["fit_wlsmv_multigroup_conditional", "ConditionalGroupModel", "ConditionalMultiGroupResults"]


@dataclasses.dataclass
class ConditionalMultiGroupResults(WLSMVMultiGroupResults):
    """A multi-group WLSMV fit with exogenous covariates: :class:`~egovsem.sem.wls_mg.WLSMVMultiGroupResults`
    (its ``ordinal``: each group's :class:`~egovsem.sem.ordinal_conditional.ConditionalOrdinalStats`) with
    lavaan's modification indices."""

    def modindices(self, *, sort: bool = False, minimum_value: float = 0.0) -> pd.DataFrame:
        """lavaan's ``modindices(fit)`` (:mod:`egovsem.sem.modindices_conditional`): ``lhs op rhs group mi epc
        sepc.lv sepc.all sepc.nox``."""
        from .modindices_conditional import filter_modindices, modindices_multigroup

        # with explicit constraints: on the null space of their Jacobian at the estimates (equalities and active
        # inequalities), as lavaan (tests/reference/make_reference_constraints_wlsmv_conditional_mi.R)
        return filter_modindices(modindices_multigroup(self), sort, minimum_value)

    def group_model(self, ptg: pd.DataFrame, q: int, g: int) -> tuple[ConditionalGroupModel, np.ndarray]:
        """Group ``g``'s reduced form for the rows ``ptg`` (``q`` parameters) and its DWLS weights (used by
        :func:`egovsem.sem.wls_mg.score_tests_wlsmv`)."""
        st: Any = self.ordinal[g]
        cm = ConditionalGroupModel.build(ptg, list(st.names), list(st.xnames), self.latent_names, q,
                                         self.parameterization, list(st.ordered))
        return cm, st.wls_v_diag

    def inspect(self, what: str = "est") -> Any:
        """lavaan's ``lavInspect(fit, what)`` for the model matrices ``"est"``, ``"free"``, ``"se"``, ``"start"``
        (aliases ``"estimates"``, ``"std.err"``, ``"starting.values"``; :mod:`egovsem.sem.inspect_conditional`:
        per group lambda, theta, psi, beta, nu, alpha, tau, delta, gamma, cov.x, mean.x; ``"start"``: lavaan's
        start values), ``"ngroups"``, ``"group.label"``, ``"nobs"`` (per group), ``"converged"`` and
        ``"iterations"``."""
        from .inspect_conditional import MATRIX_WHATS, conditional_model_matrices

        key = what.strip().lower() if isinstance(what, str) else what
        if key in MATRIX_WHATS:
            return conditional_model_matrices(self, key)
        values = {"ngroups": lambda: len(self.group_labels), "group.label": lambda: list(self.group_labels),
                  "nobs": lambda: [int(n) for n in self.nobs] if len(self.nobs) > 1 else int(self.nobs[0]),
                  "converged": lambda: bool(self.converged),
                  "iterations": lambda: int(self.iterations)}
        if key not in values:
            raise ValueError(f"The 'what' parameter must be one of {sorted([*values, *MATRIX_WHATS])} after "
                             f"multi-group WLSMV with exogenous covariates. Got {what!r} instead.")
        return values[key]()

    def summary(self) -> str:
        """lavaan-like text (:func:`egovsem.sem.wls_mg_report.mg_summary_text`) naming the covariates."""
        st: Any = self.ordinal[0]
        text = super().summary()
        return text.replace("\n\n  Number of model parameters",
                            f"\n  Exogenous covariates (conditional.x): {', '.join(st.xnames)}\n\n"
                            "  Number of model parameters", 1)

    @property
    def latent_names(self) -> list[str]:
        """The latent variables, in the table's order."""
        st: Any = self.ordinal[0]
        obs = set(st.names) | set(st.xnames)
        pt = self.partable
        return [v for v in dict.fromkeys(pt.loc[pt["op"].isin(["=~", "~~", "~1", "~"]), "lhs"]) if v not in obs]


@dataclasses.dataclass
class ConditionalGroupModel:
    """One group's reduced form given the covariates, in lavaan's wls.obs order (thresholds, slopes covariate
    by covariate, residual correlations), as a function of theta (batched over its leading axes)."""

    gm: GroupModel  # the latent responses' model, the covariates carried as variables with no variance
    xs: np.ndarray  # positions of the covariates in the RAM names

    @classmethod
    def build(cls, ptg: pd.DataFrame, items, xs, lv, q: int, parameterization: str,
              ordered=None, *, frozen: bool = False) -> ConditionalGroupModel:
        """``ordered``: the ordered items (None: all ``items``; the others are continuous); ``frozen``: as
        :meth:`egovsem.sem.wls_mg.GroupModel.build`."""
        rows = ptg.copy()
        xrow = rows["lhs"].isin(set(xs)) & rows["op"].isin(["~~", "~1"])
        rows.loc[xrow, "ustart"] = 0.0  # conditioned on: no variance, x = 0 in the intercepts
        gm = GroupModel.build(rows, tuple(items), tuple(lv) + tuple(xs), q, parameterization,
                              list(items if ordered is None else ordered), frozen=frozen)
        pos = {v: i for i, v in enumerate(gm.ram.names)}
        return cls(gm, np.array([pos[x] for x in xs], dtype=int))

    @property
    def first_corr(self) -> int:
        """The first residual-correlation row of wls.obs (after the thresholds and -intercepts, the slopes and
        the residual variances of the continuous items)."""
        return self.gm.nslots + self.gm.ram.p * self.xs.size + self.gm.nn.size

    def residual_variances(self, s: np.ndarray, sigma: np.ndarray, theta: np.ndarray) -> tuple:
        """What :func:`egovsem.sem.wls_conditional.conditional_residuals` needs of the items: the residual rows'
        pairs, the sample and implied residual variances (an ordered item's 1, or in the delta
        parameterisation where an ordered item predicts it, lavaan's implied variance) and the residuals of
        the continuous items' variances (raw, and divided by the sample variance)."""
        gm = self.gm
        rows = self.first_corr - gm.nn.size + np.arange(gm.nn.size)
        sv, hv = np.ones(gm.ram.p), np.ones(gm.ram.p)
        Sig, _mu, dl, _r = gm.parts(theta)
        hv[gm.o] = dl[gm.o] ** 2 * np.diag(Sig)[gm.o]
        sv[gm.nn], hv[gm.nn] = s[rows], sigma[rows]
        dres = s[rows] - sigma[rows]
        return gm.ci, gm.cj, sv, hv, dres, dres / s[rows]

    def sigma(self, theta: np.ndarray) -> np.ndarray:
        gm = self.gm
        with np.errstate(invalid="ignore", divide="ignore"):  # a trial step outside the model: non-finite
            Sig, mu, dl, _ = gm.parts(theta)
        A = gm.ram.matrices(theta)[0]
        E = np.linalg.inv(np.eye(A.shape[-1]) - A)
        Pi = E[..., :gm.ram.p, :][..., self.xs] * dl[..., :, None]
        it = gm.th_item
        th = np.empty(Sig.shape[:-2] + (gm.nslots,))
        th[..., gm.slot_th] = dl[..., it] * (theta[..., gm.th_par] - mu[..., it])
        th[..., gm.slot_mean] = -mu[..., gm.nn]  # a continuous item: -intercept (lavaan's slot)
        slopes = np.swapaxes(Pi, -1, -2).reshape(Pi.shape[:-2] + (-1,))
        var = Sig[..., gm.nn, gm.nn]
        corr = dl[..., gm.ci] * dl[..., gm.cj] * Sig[..., gm.ci, gm.cj]
        return np.concatenate([th, slopes, var, corr], axis=-1)

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        """Central-difference ``d sigma / d theta`` (all columns in one batched evaluation)."""
        q = theta.size
        h = 1e-6 * np.maximum(1.0, np.abs(theta))
        M = self.sigma(np.concatenate([theta + np.diag(h), theta - np.diag(h)]))
        return ((M[:q] - M[q:]) / (2 * h[:, None])).T


def _listwise_groups(parts, labels, group: str | None, cols: list[str], xs: list[str]) -> list[pd.DataFrame]:
    """Each group's complete rows (lavaan's listwise deletion, per group); one warning names, per group, the
    rows removed and the covariates with missing values."""
    out, notes, n_drop, n_all = [], [], 0, 0
    for lab, d in zip(labels, parts):
        d = d[cols]
        keep = d.notna().all(axis=1).to_numpy()
        n_all += len(d)
        if not keep.all():
            rows = list(d.index[~keep])
            n_drop += len(rows)
            xmiss = [f"{x!r} ({int(d[x].isna().sum())})" for x in xs if d[x].isna().any()]
            shown = ", ".join(map(repr, rows[:10])) + (f" and {len(rows) - 10} more" if len(rows) > 10 else "")
            where = "" if group is None else f"group {group}={lab!r}: "
            notes.append(f"{where}{len(rows)} of {len(d)} rows (rows {shown})"
                         + (f"; missing covariate(s) {', '.join(xmiss)}" if xmiss else ""))
        out.append(d[keep])
    if n_drop:
        warnings.warn(f"listwise deletion: {n_drop} of {n_all} rows have a missing value on a model variable and "
                      f"were removed, as lavaan removes them (a missing covariate too): {'; '.join(notes)}.",
                      MissingDataWarning, stacklevel=caller_stacklevel())
    return out


def fit_wlsmv_multigroup_conditional(model, data: pd.DataFrame, ordered=True, *, group: str | None,
                                     group_equal=(), group_partial=(), parameterization: str = "delta",
                                     iter_max: int = 500, missing: str | None = None,
                                     identification: str = "lavaan") -> ConditionalMultiGroupResults:
    """Fit ``model`` by WLSMV in several groups with its exogenous covariates conditioned on (module doc).

    Parameters
    ----------
    model : Model or str
        The model (a :class:`~egovsem.sem.model.Model` or its syntax), with exogenous observed covariates.
    data : DataFrame
        Raw data with the grouping column.
    ordered : True or list of str
        The ordered items (every observed variable but the covariates).
    group : str or None
        The grouping column (None: one group, e.g. for the theta parameterisation of a single-group model).
    group_equal, group_partial, parameterization, iter_max, identification
        As :func:`egovsem.sem.wls_mg.fit_wlsmv_multigroup` (``"wu.estabrook.2016"``: the identification of
        ``semTools::measEq.syntax``, the latent variances and means becoming residual variances and
        intercepts of the regressed latent variables).
    missing : {"listwise", "pairwise"} or None
        None: the model's option. ``"pairwise"``: in each group the rows with a missing covariate are deleted
        (with a warning, as lavaan's fixed.x = TRUE) and the first stage is pairwise
        (:func:`egovsem.sem.ordinal_conditional.conditional_ordinal_stats`); otherwise complete rows.

    Returns
    -------
    ConditionalMultiGroupResults

    Examples
    --------
    lavaan: ``cfa("A =~ A1 + A2 + A3 + A4 + A5; A ~ age + education", data = bfi, ordered = TRUE,
    estimator = "WLSMV", group = "gender")`` (tests/reference/make_reference_wlsmv_mg_conditional.R).
    """
    from .model import Model
    from .multigroup import split_groups

    if isinstance(model, str):
        model = Model(model, group=group)
    if parameterization not in PARAMETERIZATIONS:
        raise EgovsemError(f"The 'parameterization' parameter must be 'delta' or 'theta'. Got {parameterization!r}.")
    if isinstance(group_equal, str):
        group_equal = [g.strip() for g in group_equal.split(",") if g.strip()]
    for ge in group_equal or ():
        if ge not in ORDINAL_GROUP_EQUAL:
            raise EgovsemError(f"The 'group_equal' parameter: {ge!r} is not one of {list(ORDINAL_GROUP_EQUAL)}.")
    if group_equal and group is None:
        raise EgovsemError(f"group_equal={list(group_equal)!r} needs a grouping column: pass group=.")
    miss = "pairwise" if (model.opts.missing if missing is None else missing) == "pairwise" else "listwise"
    spec = model.spec
    xs = exogenous_covariates(spec)
    items = check_conditional(model, data, ordered, xs)
    ords = ordered_items(model.spec, ordered, xs)
    labels, parts = ([1], [data]) if group is None else split_groups(data, group)
    labels = [lab.item() if isinstance(lab, np.generic) else lab for lab in labels]  # messages show 2, not np.int64(2)
    n_all = sum(len(d) for d in parts)
    if miss == "pairwise":  # the rows with a missing covariate deleted (lavaan's fixed.x), the items pairwise
        parts = [drop_missing_covariates(d[items + xs], items, xs,
                                         where="" if group is None else f"group {group}={lab!r}: ")
                 for lab, d in zip(labels, parts)]
    else:
        parts = _listwise_groups(parts, labels, group, items + xs, xs)
    check_categories(parts, ords, labels, str(group))
    with one_blas_thread():
        res = _fit(model, spec, items, xs, labels, parts, group_equal, group_partial, parameterization, iter_max,
                   miss, ords, identification, data=data)
    return dataclasses.replace(res, n_dropped=n_all - sum(len(d) for d in parts))


def _fit(model, spec, items, xs, labels, parts, group_equal, group_partial, par,
         iter_max, miss: str = "listwise", ords=None, identification: str = "lavaan",
         data: pd.DataFrame | None = None) -> ConditionalMultiGroupResults:
    from .model import spec_options
    from .partable import specify

    G = len(labels)
    ords = list(items) if ords is None else list(ords)
    wts, codes = (part_design(data, parts, model.opts) if data is not None
                  else ([None] * G, [None] * G))  # (sampling weights, cluster codes)
    osts = [conditional_ordinal_stats(d[items].to_numpy(float), d[xs].to_numpy(float), items, xs, missing=miss,
                                      ordered=ords, weights=wt, cluster=cl) for d, wt, cl in zip(parts, wts, codes)]
    nth = {v: len(osts[0].thresholds[v]) for v in ords}
    group_rows = specify(model.model, meanstructure=True, ngroups=G, **spec_options(model.opts)).partable
    pt = mg_ordinal_partable(spec, ords, nth, G, group_equal, group_partial, par, identification, group_rows,
                             conditional_x=True)
    q = int(pt["free"].max())
    lv = tuple(spec.lv)
    cms = [ConditionalGroupModel.build(pt[pt["group"] == g + 1].reset_index(drop=True), items, xs, lv, q, par,
                                       ords) for g in range(G)]
    Ns = np.array([o.n for o in osts], dtype=float)  # (the sums of the normalised weights, if any)
    N = float(Ns.sum())
    c = Ns / N
    ws = [o.wls_v_diag for o in osts]
    ndat = int(sum(o.wls_obs.size for o in osts))
    # explicit constraints (==, <, >) on the labels of this table, as egovsem.sem.wls_mg without covariates
    cs = ConstraintSet([Constraint(*c) for c in spec.constraints], pt, spec.defined) if spec.constraints else None
    df = ndat - q + (cs.rank_linear + cs.n_nonlinear_eq if cs is not None else 0)
    if df < 0:
        raise IdentificationError(f"The model is not identified: it has {q} free parameters but the ordinal data "
                                  f"give only {ndat} sample statistics (df = {df}).")
    theta0 = _start(pt, osts, items, q, par)
    discs = [ConditionalDWLS(cm, o.wls_obs, w) for cm, o, w in zip(cms, osts, ws)]
    wobj = (Ns - 1.0) / N  # as egovsem.sem.wls_mg: lavaan's (N_g - 1) / N_g F_g weighted by N_g / N
    if cs is not None:
        state = minimize_constrained(discs, wobj, theta0, cs, iter_max=iter_max)
    else:
        state = minimize_groups(discs, theta0, weights=wobj, iter_max=iter_max)
    if not state.converged:
        warnings.warn(f"the model did not converge after {state.iterations} iterations ({state.message}); "
                      f"estimates, standard errors and fit measures are not trustworthy; {NONCONVERGENCE_ADVICE}.",
                      ConvergenceWarning, stacklevel=caller_stacklevel())
    theta = state.theta
    Ds = [cm.jacobian(theta) for cm in cms]
    WDs = [D * w[:, None] for D, w in zip(Ds, ws)]
    A = sum(cg * D.T @ WD for cg, D, WD in zip(c, Ds, WDs))
    npar = q
    Ainv: np.ndarray | None
    if cs is not None:  # lavaan's augmented inverse on the null space of the equalities and active bounds
        Ainv = constrained_vcov(A, cs.null_basis(theta), strict=state.converged)
        npar = q - cs.eq_rank(theta)
        df = ndat - npar
    else:
        Ainv, _ = scaled_inverse(A)
    if Ainv is None:
        raise IdentificationError("The model is not identified: the DWLS information matrix Delta' W Delta is "
                                  "singular, so standard errors cannot be computed.")
    Ks = [o.gamma @ WD for WD, o in zip(WDs, osts)]
    B = sum(cg * WD.T @ K for cg, WD, K in zip(c, WDs, Ks))
    vcov = sandwich(Ainv, B) / (N - G)
    traces = ugamma_traces([_Weights(o.gamma, w) for o, w in zip(osts, ws)], WDs, Ks, c, Ainv, B)
    sigmas = [cm.sigma(theta) for cm in cms]
    fm = _fit_measures(state.fmin, npar, df, N, G, osts, ws, sigmas, c, traces, cms, wobj, theta)
    params, r2 = _params(pt, theta, vcov, cms, spec, labels, parts, items, xs, wts)
    return ConditionalMultiGroupResults(params=params, fit_measures=fm, group_labels=list(labels), partable=pt,
                                        theta=theta, vcov=vcov, ordinal=osts, converged=bool(state.converged),  # type: ignore[arg-type]
                                        parameterization=par, nobs=[int(o.nobs) for o in osts], delta=np.vstack(Ds), info=A,
                                        meat=B, r2=r2, iterations=int(state.iterations),
                                        group_chisq=[float((n - 1.0) * d.objective(theta)) for n, d in zip(Ns, discs)],
                                        constraints=tuple(spec.constraints), constraint_set=cs)


@dataclasses.dataclass
class _Weights:
    """What :func:`egovsem.sem.wls_mg.ugamma_traces` reads of a group's first stage."""

    gamma: np.ndarray
    wls_v_diag: np.ndarray


def _start(pt: pd.DataFrame, osts: list[ConditionalOrdinalStats], items, q: int, par: str) -> np.ndarray:
    """Simple starts: loadings 0.7 with the sign of the item's residual correlation with its factor's first
    indicator, latent variances 0.5 (1 under std.lv), slopes and covariances 0, thresholds group 1's sample
    thresholds (rescaled in the theta parameterisation), scale factors and residual variances 1, means 0."""
    theta = np.full(q, np.nan)
    first: dict[str, str] = {}
    for r in pt[(pt["op"] == "=~") & (pt["group"] == 1)].itertuples():
        first.setdefault(r.lhs, r.rhs)
    pos = {v: i for i, v in enumerate(items)}
    for r in pt[pt["free"] > 0].itertuples():
        k = int(r.free) - 1
        if not np.isnan(theta[k]):
            continue
        o = osts[int(r.group) - 1]
        if r.op == "=~":
            m = first[r.lhs]
            rho = o.corr[pos[m], pos[r.rhs]] if m != r.rhs else 1.0
            theta[k] = 0.7 * (1.0 if rho >= 0 else -1.0)
        elif r.op == "~~" and r.lhs == r.rhs and r.lhs in o.variances:  # a continuous item: half its variance
            theta[k] = 0.5 * o.variances[r.lhs]
        elif r.op == "~1" and r.lhs in o.intercepts:
            theta[k] = o.intercepts[r.lhs]
        elif r.op == "~~" and r.lhs == r.rhs:
            theta[k] = 1.0 if r.lhs in pos else 0.5
        elif r.op == "~*~":
            theta[k] = 1.0
        elif r.op == "|":
            t = float(o.thresholds[r.lhs][int(r.rhs[1:]) - 1])
            theta[k] = t * (np.sqrt(1.5) if par == "theta" else 1.0)
        else:
            theta[k] = 0.0
    return np.nan_to_num(theta)


def _fit_measures(F, q, df, N, G, osts, ws, sigmas, c, traces, cms, wobj, theta) -> pd.Series:
    """lavaan's fitMeasures rows (as :mod:`egovsem.sem.wls_mg`, the baseline and residuals of conditional.x)."""
    Nf = N - G
    X2 = N * F
    out: dict[str, float] = {"npar": q, "fmin": 0.5 * F, "chisq": X2, "df": df,
                             "pvalue": special.chdtrc(df, X2) if df > 0 else np.nan}
    # thresholds and slopes fit the baseline exactly, residual correlations 0
    rows, ss = baseline_and_incremental_rows(X2, df, traces, N, wobj, [
        (cm.first_corr, o.wls_obs, w, o.gamma) for o, w, cm in zip(osts, ws, cms)])
    out.update(rows)
    n_g = Nf / G
    out.update(rmsea_block(X2, df, n_g))
    out.update({"rmsea.ci.level": 0.90, "rmsea.close.h0": 0.05, "rmsea.notclose.h0": 0.08})
    out.update(rmsea_block(ss["stat"], df, n_g, suffix=".scaled"))
    out.update({k: np.nan for k in ("rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust",
                                    "rmsea.pvalue.robust", "rmsea.notclose.pvalue.robust")})
    resid: dict[str, float] = {}
    gfi, nel = 0.0, 0
    for cg, o, w, s_hat, cm in zip(c, osts, ws, sigmas, cms):
        rg = conditional_residuals(o.wls_obs, s_hat, cm.gm.slot_th.size, cm.first_corr, cm.gm.ram.p + cm.xs.size,
                                   th_idx=cm.gm.slot_th, var=cm.residual_variances(o.wls_obs, s_hat, theta))
        for k, v in rg.items():
            resid[k] = resid.get(k, 0.0) + cg * v
        gfi += cg * gfi_dwls(o.wls_obs, s_hat, w)
        nel += o.wls_obs.size
    out.update(resid)
    out.update(closing_rows(X2, df, Nf, gfi, nel, osts[0].wls_obs.size))
    return pd.Series(out, dtype=float, name="fit")


def _params(pt, theta, vcov, cms, spec, labels, parts, items, xs, wts=None) -> tuple[pd.DataFrame, pd.Series]:
    """lavaan's ``parameterEstimates(fit, standardized = TRUE)`` rows and ``lavInspect(fit, "r2")``: the
    covariates' rows hold each group's sample moments (variances with divisor N_g - 1... as lavaan's fixed.x
    rows), standardised by each group's total covariance (covariates included)."""

    se_all = np.sqrt(np.clip(np.diag(vcov), 0, None))
    freei = pt["free"].to_numpy()
    est = np.where(freei > 0, theta[np.maximum(freei - 1, 0)], pt["ustart"].fillna(0.0)).astype(float)
    se = np.where(freei > 0, se_all[np.maximum(freei - 1, 0)], 0.0)
    ov = list(spec.ov)
    std = {k: np.full(len(pt), np.nan) for k in ("std.lv", "std.all", "std.nox")}
    r2 = []
    xset = set(xs)
    for g, cm in enumerate(cms):
        gm = cm.gm
        _Sig, _mu, dl, resid = gm.parts(theta)
        rows = (pt["group"] == g + 1).to_numpy()
        X = parts[g][xs].to_numpy(float)
        Sxx, mx = covariate_moments(X, None if wts is None else wts[g])
        for m, j in enumerate(gm.o):  # the ordered items (resid: in their order; dl: all items)
            v = items[j]
            if gm.parameterization == "delta":
                sel = rows & ((pt["op"] == "~~") & (pt["lhs"] == v) & (pt["rhs"] == v)).to_numpy()
                est[sel] = resid[m]
            else:
                sel = rows & ((pt["op"] == "~*~") & (pt["lhs"] == v)).to_numpy()
                est[sel] = dl[j]
        for i in np.flatnonzero(rows & pt["lhs"].isin(xset).to_numpy()):
            r = pt.iloc[i]
            a = xs.index(r["lhs"])
            est[i] = mx[a] if r["op"] == "~1" else Sxx[a, xs.index(r["rhs"])]
        ptg = pt[rows]
        tot = ptg[ptg["op"].isin(["=~", "~", "~~", "~1"])].copy()
        tot["free"] = np.where(tot["free"] > 0, tot["free"], 0)
        fixed = (tot["free"] == 0).to_numpy()
        tot.loc[fixed, "ustart"] = est[rows][ptg["op"].isin(["=~", "~", "~~", "~1"]).to_numpy()][fixed]
        ram = RAM.from_partable(tot, tuple(ov), tuple(spec.lv), theta.size)
        cols, rg = standardize_group(ptg, est[rows], ram, theta, spec, labels[g])
        for k, v in cols.items():
            std[k][rows] = v
        r2.append(rg)
    out = pt[["lhs", "op", "rhs", "group", "label", "free"]].copy()
    out["est"] = est
    out["se"] = se
    for k, v in std.items():
        out[k] = v
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, est / se, np.nan)
    out["z"] = z
    out["pvalue"] = 2 * special.ndtr(-np.abs(z))
    cols_order = ["lhs", "op", "rhs", "group", "label", "free", "est", "se", "z", "pvalue", "std.lv", "std.all",
                  "std.nox"]
    return out[cols_order].reset_index(drop=True), pd.concat(r2).rename("r2")
