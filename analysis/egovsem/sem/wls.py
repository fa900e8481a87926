"""WLSMV for ordered indicators: the DWLS second stage, robust standard errors and the scaled-shifted test.

``fit_wlsmv(model, data, ordered)`` fits a model to ordinal items as lavaan 0.6-14's ``cfa(..., ordered =
..., estimator = "WLSMV")`` does (single group, complete rows, delta parameterisation):

1. First stage (:mod:`egovsem.sem.ordinal`): thresholds, polychoric (polyserial, Pearson) correlations, NACOV ``Gamma``,
   and the DWLS weights ``w = 1 / diag(Gamma)``, in lavaan's order ``wls.obs``.
2. Parameter table as lavaan extends it for ordered items: thresholds ``x | t1, x | t2, ...`` (free, after
   the user's rows), the residual variances ``x ~~ x`` of ordered items fixed (their value is ``1 - explained
   variance``, so that the latent responses have unit variance: the delta parameterisation), the scale
   rows ``x ~*~ x`` fixed to 1, intercepts ``x ~1`` and latent means fixed to 0.
3. DWLS: minimise ``F = sum_i w_i (s_i - sigma_i(theta))^2`` with ``s`` = wls.obs and ``sigma`` = model
   thresholds and implied correlations in the same order (:class:`DWLSDiscrepancy`), by the engine's one
   optimiser (:func:`egovsem.sem.discrepancy.minimize_groups`: Fisher scoring in a trust region, which is
   Gauss-Newton here) with the analytic Jacobian ``Delta`` (thresholds are parameters themselves; the
   correlation rows come from the RAM derivatives of the implied covariance of the latent responses, with
   the dependence of the fixed residual variances on the other parameters carried by the chain rule).
4. Standard errors (lavaan's ``se = "robust.sem"``): ``vcov = A^-1 Delta' W Gamma W Delta A^-1 / (N - 1)``, with
   ``A = Delta' W Delta`` (N - 1: lavaan's denominator for all estimators but ML/PML/FML).
5. Test (lavaan's ``test = "scaled.shifted"``): ``chisq = (N - 1) F`` (lavaan's DWLS objective is
   ``fmin = 0.5 (N - 1) / N F`` and its statistic ``2 N fmin``);
   with ``U = W - W Delta A^-1 Delta' W``, ``a = sqrt(df / tr((U Gamma)^2))``, ``b = df - a tr(U Gamma)``:
   ``chisq.scaled = a chisq + b``, ``chisq.scaling.factor = 1/a``. Fit measures: see
   :mod:`egovsem.sem.fitmeasures`.

Continuous indicators may be mixed with ordered ones (``ordered=`` a list): as lavaan, they keep a free
intercept and a free residual variance, their slot in wls.obs holds ``-mean`` (``x~1``), their variances follow
the thresholds, and the covariances with them are on the covariance scale.

Survey designs: ``sampling_weights=`` makes the first stage weighted (thresholds, polychoric / polyserial /
Pearson correlations and Gamma, :func:`egovsem.sem.ordinal.ordinal_stats`; N = the sum of the normalised
weights), as lavaan 0.6-14; ``cluster=`` makes Gamma cluster-robust (the DWLS weights and the estimates do not
change; SEs and the scaled-shifted test do), as lavaan 0.7 (lavaan 0.6-14 accepts ``cluster=`` with ordered
data and ignores it).

Exogenous observed covariates (lavaan's conditional.x) are handed to
:func:`egovsem.sem.wls_conditional.fit_wlsmv_conditional` (it returns a
:class:`~egovsem.sem.wls_conditional.ConditionalFit`, a results object with summary, JSON, inspect and modindices;
every indicator ordered; several groups and the theta parameterisation: :mod:`egovsem.sem.wls_mg_conditional`).

An ordered variable as a predictor (``y ~ x`` with x ordered): lavaan sets every ordered residual variance by its
delta rule (1 less the explained variance with all of them 0, so Var(y*) != 1 there) and holds these derived
variances fixed in its Delta; its estimates solve ``Delta' W (s - sigma) = 0`` with that Delta
(:func:`solve_lavaan_delta`), and egovsem's do too, with lavaan's Delta for SEs and the test.

Not available (refused with a message, never approximated): user intercepts or thresholds in the syntax,
missing="fiml". Multiple groups and the theta
parameterisation: :mod:`egovsem.sem.wls_mg`.
"""
from __future__ import annotations

import dataclasses
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd

from .._errors import (
    ConvergenceWarning,
    DataError,
    IdentificationError,
    NotAvailableError,
    NotConvergedError,
    caller_stacklevel,
)
from .checks import NONCONVERGENCE_ADVICE
from .data import prepare_data
from .design import design_arrays
from .discrepancy import Discrepancy, minimize_groups
from .ordinal import OrdinalStats, ordinal_stats
from .ram import RAM
from .results import Results
from .vcov import sandwich, scaled_inverse

__all__ = ["fit_wlsmv", "wlsmv_partable", "wlsmv_summary_text", "wlsmv_summary_html", "DWLSDiscrepancy",
           "DeltaModel"]

_PT_COLS = ["id", "lhs", "op", "rhs", "user", "group", "free", "ustart", "start", "exo", "label", "plabel", "line"]


# ------------------------------------------------------------------------------------------ data --

def _ordered_names(ov: tuple[str, ...], ordered, data: pd.DataFrame) -> list[str]:
    """The model's observed variables that are declared ordered (lavaan: ``ordered = TRUE`` means all)."""
    if ordered is True:
        return list(ov)
    if isinstance(ordered, str):
        ordered = [ordered]
    try:
        names = [str(o) for o in ordered]
    except TypeError:
        raise DataError(f"The 'ordered' parameter must be True or a list of column names. Got {ordered!r}.") from None
    absent = [o for o in names if o not in data.columns]
    if absent:
        raise DataError(f"The 'ordered' parameter names column(s) {absent} that are not in 'data'.")
    return [v for v in ov if v in set(names)]


def standardize_continuous(spec, data: pd.DataFrame, ordered, *, missing: str = "listwise",
                           group: str | None = None) -> pd.DataFrame:
    """lavaan's ``std.ov = TRUE`` with ordered indicators: only the continuous observed variables (continuous
    indicators and the exogenous covariates) are standardised (R's ``scale()``, divisor N - 1), in each group,
    on the rows analysed (listwise: complete on every model variable; pairwise: those observing any); the
    ordered items keep their categories. With every indicator ordered and no covariate it changes nothing."""
    from .estimate import standardize_ov
    from .wls_conditional import exogenous_covariates

    if ordered is True:
        cont = exogenous_covariates(spec)
    else:
        ords = set(_ordered_names(spec.ov, ordered, data))
        cont = [v for v in spec.ov if v not in ords]
    if not cont or not isinstance(data, pd.DataFrame):
        return data
    listwise, judge = missing != "pairwise", list(spec.ov)
    if group is None or group not in data.columns:
        return standardize_ov(data, cont, listwise=listwise, rows_of=judge)
    parts = [standardize_ov(part, cont, listwise=listwise, rows_of=judge)
             for _, part in data.groupby(group, sort=False, dropna=False)]
    return pd.concat(parts).loc[data.index]


# ------------------------------------------------------------------------------ parameter table --

def wlsmv_partable(spec, ordered: list[str], nthresholds: dict[str, int], *,
                   conditional_x: bool = False) -> pd.DataFrame:
    """lavaan's parameter table of a model with ordered indicators (delta parameterisation).

    Rows in lavaan's order: the user's rows, the thresholds ``x | t<k>``, the automatic (co)variances, the
    scale rows ``x ~*~ x``, then the intercepts and latent means; ``free`` renumbered in row order (rows
    that share a label share the number), as ``parTable(fit)`` shows. ``conditional_x``: the model's
    exogenous observed covariates are conditioned on (lavaan's conditional.x; their ``~~`` and ``~1`` rows
    fixed, with no value: :mod:`egovsem.sem.wls_mg_conditional` fills in each group's sample values).
    """
    pt = spec.partable
    ordset = set(ordered)
    user_int = pt[(pt["op"] == "~1") & (pt["user"] == 1)]
    if len(user_int):
        r = user_int.iloc[0]
        raise NotAvailableError(f"model syntax, line {r['line']}: intercepts or means ('{r['lhs']} ~ 1') with "
                                "ordered indicators are not available yet (lavaan fixes them to 0).")
    endo, ovs = set(spec.endogenous), set(spec.ov)
    ov_x = list(dict.fromkeys(r for r in pt.loc[pt["op"] == "~", "rhs"] if r in ovs and r not in endo))
    if ov_x and not conditional_x:  # fit_wlsmv hands these to egovsem.sem.wls_conditional before the table
        raise NotAvailableError(f"exogenous observed covariates {ov_x} with ordered indicators: use "
                                "egovsem.sem.wls_conditional.fit_wlsmv_conditional (lavaan's conditional.x).")
    base = pt[pt["op"] != "~1"].copy()
    is_ord_var = (base["op"] == "~~") & (base["lhs"] == base["rhs"]) & base["lhs"].isin(ordset)
    base.loc[is_ord_var, "free"] = 0
    base.loc[is_ord_var, "ustart"] = 1.0
    user = base[base["user"] == 1]
    auto = base[base["user"] != 1]

    def block(items):
        df = pd.DataFrame(items, columns=["lhs", "op", "rhs", "free", "ustart"])
        for c, v in (("user", 0), ("group", 1), ("start", np.nan), ("exo", 0), ("label", ""), ("line", 0)):
            df[c] = v
        return df

    th = block([(v, "|", f"t{k}", 1, np.nan) for v in spec.ov if v in ordset for k in range(1, nthresholds[v] + 1)])
    scale = block([(v, "~*~", v, 0, 1.0) for v in spec.ov if v in ordset])
    # intercepts: fixed 0 for ordered items and latent means, free for continuous indicators (unique ids)
    means = block([(v, "~1", "", 0 if v in ordset or v in set(spec.lv) else 10**6 + k, 0.0 if v in ordset
                    or v in set(spec.lv) else np.nan) for k, v in enumerate(list(spec.ov) + list(spec.lv))])
    if ov_x:  # conditional.x: the covariates' means are fixed (and not parameters)
        means.loc[means["lhs"].isin(set(ov_x)), "free"] = 0
    out = pd.concat([user, th, auto, scale, means], ignore_index=True)
    # free numbering in row order; rows sharing an old number (a label) share the new one
    old = out["free"].to_numpy().astype(int)
    is_th = (out["op"] == "|").to_numpy()
    new = np.zeros(len(out), dtype=int)
    mapping: dict[int, int] = {}
    k = 0
    for i, f in enumerate(old):
        if f <= 0:
            continue
        if not is_th[i] and f in mapping:
            new[i] = mapping[f]
            continue
        k += 1
        new[i] = k
        if not is_th[i]:
            mapping[f] = k
    out["free"] = new
    out["id"] = np.arange(1, len(out) + 1)
    out["plabel"] = [f".p{i}." for i in out["id"]]
    out["user"] = out["user"].astype(int)
    out["exo"] = out["exo"].astype(int)
    out["label"] = out["label"].fillna("")
    return out[_PT_COLS]


# ---------------------------------------------------------------------------------- the model --

@dataclasses.dataclass
class DeltaModel:
    """Thresholds and implied correlations of the latent responses as functions of theta (delta param.)."""

    ram: RAM  # residual variances of ordered items held at 0 in S0 (set by ``_fill``)
    ord_idx: np.ndarray  # positions (in ov) of the ordered variables
    num_idx: np.ndarray  # positions of the continuous variables
    th_rows: np.ndarray  # rows of wls.obs holding thresholds ...
    th_par: np.ndarray  # ... and the theta index (0-based) of each
    mean_rows: np.ndarray  # rows holding -mean of a continuous variable (lavaan's ``x~1`` slot) ...
    mean_var: np.ndarray  # ... and that variable's position
    ci: np.ndarray  # (row, col) of each correlation / covariance, in wls.obs order
    cj: np.ndarray
    q: int
    ordered_predictor: bool = False  # an ordered item predicts another variable (``y ~ x``, x ordered)

    @property
    def nslots(self) -> int:
        """Rows of wls.obs before the variances and covariances (thresholds and -means)."""
        return self.th_rows.size + self.mean_rows.size

    @classmethod
    def from_partable(cls, pt: pd.DataFrame, ov, lv, ordered) -> DeltaModel:
        sem_rows = pt[pt["op"].isin(["=~", "~", "~~", "~1"])].copy()
        ordset = set(ordered)
        zero = (sem_rows["op"] == "~~") & (sem_rows["lhs"] == sem_rows["rhs"]) & sem_rows["lhs"].isin(ordset)
        sem_rows.loc[zero, "ustart"] = 0.0
        ram = RAM.from_partable(sem_rows, tuple(ov), tuple(lv))
        q = int(pt["free"].max()) if (pt["free"] > 0).any() else 0
        ram.q = q
        th_free: dict[str, list[int]] = {}
        for r in pt[pt["op"] == "|"].itertuples():
            th_free.setdefault(r.lhs, []).append(int(r.free) - 1)
        th_rows, th_par, mean_rows, mean_var = [], [], [], []
        row = 0
        for k, v in enumerate(ov):
            if v in ordset:
                th_rows += list(range(row, row + len(th_free[v])))
                th_par += th_free[v]
                row += len(th_free[v])
            else:
                mean_rows.append(row)
                mean_var.append(k)
                row += 1
        p = len(ov)
        cj, ci = np.triu_indices(p, 1)  # lower triangle column by column: (i, j), i > j, sorted by j then i
        ints = lambda x: np.asarray(x, dtype=int)  # noqa: E731
        return cls(ram, ints([k for k, v in enumerate(ov) if v in ordset]),
                   ints([k for k, v in enumerate(ov) if v not in ordset]), ints(th_rows), ints(th_par),
                   ints(mean_rows), ints(mean_var), ci, cj, q,
                   bool(((pt["op"] == "~") & pt["rhs"].isin(ordset)).any()))

    def _fill(self, theta):
        """The RAM with the residual variances of the ordered items set by lavaan's delta rule (its LISREL
        ``setResidualElements``): 1 less the explained variance with every ordered item's residual variance 0.
        The latent responses have unit variances but where an ordered item predicts another variable (then the
        outcome's variance also holds the predictor's residual variance, as in lavaan)."""
        A, S, _m = self.ram.matrices(theta)
        n = A.shape[0]
        E = np.linalg.inv(np.eye(n) - A)
        G = E[: self.ram.p]
        C0 = G @ S @ G.T
        o = self.ord_idx
        M = G[np.ix_(o, o)] ** 2
        diag = 1.0 - np.diag(C0)[o]
        S0 = self.ram.S0.copy()
        S0[o, o] = diag
        return dataclasses.replace(self.ram, S0=S0), diag, G, M

    def moments(self, theta):
        """``sigma`` (wls.obs order), the implied covariance matrix (unit diagonal for ordered items), the
        filled RAM and the residual variances of the ordered items."""
        ram, diag, G, _M = self._fill(theta)
        Sigma, mu = ram.implied(theta)[:2]
        slots = np.empty(self.nslots)
        slots[self.th_rows] = theta[self.th_par]
        slots[self.mean_rows] = -mu[self.mean_var]
        nn = self.num_idx
        return np.concatenate([slots, Sigma[nn, nn], Sigma[self.ci, self.cj]]), Sigma, ram, diag

    def jacobian(self, theta, *, exact: bool = False) -> np.ndarray:
        """``Delta`` (rows as wls.obs): lavaan's (``exact=False``: the derivative with the derived residual
        variances of the ordered items held at their values, as lavaan's ``computeDelta`` takes them: fixed
        elements of its model matrices), or the derivative of ``sigma`` itself (``exact=True``: those variances
        follow theta, the chain rule). The two differ only where an ordered item predicts another variable;
        there lavaan's estimates solve ``Delta' W (s - sigma) = 0`` with its Delta (:func:`solve_lavaan_delta`)."""
        ram, _diag, G, M = self._fill(theta)
        dS, dmu = ram.jacobian(theta)
        o, nn = self.ord_idx, self.num_idx
        # the derived residual variances: 1 - the explained variance (their derivative only when exact)
        dth = -dS[:, o, o] if exact else np.zeros((self.q, o.size))  # (q, n_ord)
        Go = G[:, o]
        d_var = dS[:, nn, nn] + dth @ (Go[nn] * Go[nn]).T
        d_off = dS[:, self.ci, self.cj] + dth @ (Go[self.ci] * Go[self.cj]).T
        n1 = self.nslots
        D = np.zeros((n1 + nn.size + self.ci.size, self.q))
        D[self.th_rows, self.th_par] = 1.0
        D[self.mean_rows] = -dmu[:, self.mean_var].T
        D[n1:n1 + nn.size] = d_var.T
        D[n1 + nn.size:] = d_off.T
        return D


@dataclasses.dataclass
class DWLSDiscrepancy(Discrepancy):
    """The DWLS discrepancy of WLSMV (one group): ``F = sum_i w_i (s_i - sigma_i(theta))^2`` with ``s`` =
    wls.obs, ``w = 1 / diag(Gamma)`` and ``sigma`` the model's thresholds and correlations
    (:class:`DeltaModel`). Its gradient is ``-2 Delta' W (s - sigma)`` and its expected information
    ``Delta' W Delta`` (lavaan's for DWLS), so the scoring step is Gauss-Newton's."""

    dm: DeltaModel
    s: np.ndarray
    w: np.ndarray

    def residual(self, theta: np.ndarray) -> np.ndarray:
        return self.s - self.dm.moments(theta)[0]

    def objective(self, theta: np.ndarray) -> float:
        try:
            r = self.residual(theta)
        except np.linalg.LinAlgError:
            return np.inf
        return float(np.sum(self.w * r * r))

    def gradient_information(self, theta: np.ndarray, *, info: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        D = self.dm.jacobian(theta, exact=True)
        WD = D * self.w[:, None]
        g = -2.0 * (WD.T @ self.residual(theta))
        return g, (D.T @ WD if info else None)

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        return self.gradient_information(theta, info=False)[0]

    def information(self, theta: np.ndarray) -> np.ndarray:
        D = self.dm.jacobian(theta, exact=True)
        return D.T @ (D * self.w[:, None])


def solve_lavaan_delta(theta: np.ndarray, parts, basis=None, *, tol: float = 1e-10, iter_max: int = 200):
    """lavaan's estimates where an ordered item predicts another variable (delta parameterisation): from the
    minimum of the DWLS function, Gauss-Newton steps with lavaan's Delta (the derived residual variances held
    fixed, :meth:`DeltaModel.jacobian`) to the root of ``sum_g Delta_g' W_g (s_g - sigma_g(theta)) = 0``,
    where lavaan's optimiser stops (its gradient is built from that Delta, so it is not the gradient of the
    DWLS function there). ``parts(theta)`` returns per group ``(Delta, w, residual, weight)``; ``basis``
    (``theta -> Z``): steps in the null space of the equality constraints. Returns the estimates and whether
    the steps converged (the largest step below ``tol``)."""
    theta = np.asarray(theta, dtype=float).copy()
    for _ in range(iter_max):
        A = 0.0
        g = 0.0
        for D, w, r, c in parts(theta):
            WD = D * w[:, None]
            A = A + c * (D.T @ WD)
            g = g + c * (WD.T @ r)
        if basis is not None:
            Z = basis(theta)
            step = Z @ np.linalg.lstsq(Z.T @ A @ Z, Z.T @ g, rcond=None)[0]
        else:
            step = np.linalg.lstsq(A, g, rcond=None)[0]
        theta = theta + step
        if not np.all(np.isfinite(theta)):
            return theta, False
        if np.max(np.abs(step)) < tol:
            return theta, True
    return theta, False


def warn_unsolved() -> None:
    """Warn that :func:`solve_lavaan_delta` did not converge (the fit is then marked not converged)."""
    warnings.warn("the estimating equations of lavaan's delta parameterisation with an ordered predictor were not "
                  f"solved from the DWLS minimum; estimates are not trustworthy; {NONCONVERGENCE_ADVICE}.",
                  ConvergenceWarning, stacklevel=caller_stacklevel())


def _start(model, pt, dm: DeltaModel, ost: OrdinalStats):
    """Start values: lavaan-like simple starts with the polychoric matrix in place of the covariances."""
    from .start import start_theta

    ov = model.spec.ov
    sd = np.array([np.sqrt(ost.variances.get(v, 1.0)) for v in ov])
    st = SimpleNamespace(cov=ost.corr * np.outer(sd, sd), mean=np.array([ost.means.get(v, 0.0) for v in ov]))
    theta = start_theta(model.spec, pt[pt["op"] != "|"], dm.ram.q, st)
    theta[dm.th_par] = ost.wls_obs[dm.th_rows]
    return theta


# ------------------------------------------------------------------------------------ the fit --

def _one_blas_thread():
    """Limit BLAS to one thread: the matrices here are small (a few hundred rows), and a multi-threaded
    OpenBLAS on a busy machine made one 161 x 161 solve take 0.2 s instead of 0.5 ms."""
    try:
        from threadpoolctl import threadpool_limits

        return threadpool_limits(1, user_api="blas")
    except Exception:  # pragma: no cover - threadpoolctl absent: run as configured
        import contextlib

        return contextlib.nullcontext()


def fit_wlsmv(model, data: pd.DataFrame, ordered) -> Results:
    """Fit ``model`` (a :class:`~egovsem.sem.model.Model`) by WLSMV with the ``ordered`` items.

    Parameters
    ----------
    model : Model
        The model (its syntax and options: ``std_lv``, ``iter_max``).
    data : DataFrame
        Raw data; rows with a missing value on a model variable are deleted (lavaan's listwise default).
    ordered : True or list of str
        The ordered items (``True``: every observed variable of the model, lavaan's ``ordered = TRUE``).

    Returns
    -------
    Results
        With an ordinal part: ``params`` (lavaan's ``parameterEstimates(fit, standardized = TRUE)`` rows,
        thresholds as ``x | t1``) and ``fit_measures`` (lavaan's ``fitMeasures(fit)`` names for WLSMV).

    Examples
    --------
    lavaan: ``cfa(HS.model, data = hs_ordinal, ordered = TRUE, estimator = "WLSMV")`` gives chisq = 51.537,
    chisq.scaled = 74.152 on 24 df.

    >>> from egovsem.datasets import load
    >>> from egovsem.sem.model import Model
    >>> d = load("hs_ordinal")
    >>> m = Model("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9")
    >>> fit = fit_wlsmv(m, d, ordered=True)
    >>> round(float(fit.fit_measures["chisq"]), 3), round(float(fit.fit_measures["chisq.scaled"]), 3)
    (51.537, 74.152)
    """
    from .wls_conditional import exogenous_covariates, fit_wlsmv_conditional, refuse_design

    if exogenous_covariates(model.spec):  # lavaan's conditional.x: the second stage on the reduced form
        refuse_design(model)
        if model.opts.discrepancy != "DWLS":
            model = model.with_options(estimator="WLSMV", ordered=ordered)
        # missing='pairwise': the pairwise first stage of egovsem.sem.ordinal_conditional (one group here,
        # several groups and theta in egovsem.sem.wls_mg_conditional)
        with _one_blas_thread():
            return fit_wlsmv_conditional(model, data, ordered)  # type: ignore[return-value]
    with _one_blas_thread():
        res = _fit_wlsmv(model, data, ordered)
        _ = res.fit_measures  # computed here, under the same BLAS limit
    from .checks import warn_heywood

    warn_heywood(res)
    return res


def _fit_wlsmv(model, data, ordered) -> Results:
    if model.opts.discrepancy != "DWLS":
        # a model given with other options (fit_wlsmv(Model(syntax), data, ordered)): resolved again as WLSMV,
        # so the refusals of egovsem.sem.options apply (missing, groups, bootstrap)
        model = model.with_options(estimator="WLSMV", ordered=ordered)
    spec = model.spec
    ords = _ordered_names(spec.ov, ordered, data)
    if not ords:
        raise DataError("The 'ordered' parameter names none of the model's observed variables; WLSMV needs at "
                        "least one ordered item.")
    miss = model.opts.missing if model.opts.missing == "pairwise" else "listwise"
    opts = model.opts
    stats = prepare_data(data, spec.ov, missing=miss, continuous=False, sampling_weights=opts.sampling_weights,
                         cluster=opts.cluster)
    (wt,), (codes,) = design_arrays([stats], opts)
    if wt is not None or codes is not None:
        stats = dataclasses.replace(stats, w=wt, cluster=codes)  # N is the sum of the normalised weights
    ost = ordinal_stats(stats.X, list(spec.ov), ords, missing=miss, weights=wt, cluster=codes)
    if model.opts.estimator == "ULSMV":
        # lavaan's ULSMV: unit weights (WLS.V = I) in the second stage, the test, the baseline and the GFI
        ost = dataclasses.replace(ost, wls_v_diag=np.ones_like(ost.wls_v_diag))
    nth = {v: len(ost.thresholds[v]) for v in ords}
    pt = wlsmv_partable(spec, ords, nth)
    dm = DeltaModel.from_partable(pt, spec.ov, spec.lv, ords)
    s, w, Gamma, N = ost.wls_obs, ost.wls_v_diag, ost.gamma, ost.n
    ndat, npar = s.size, dm.q
    df = ndat - npar
    if df < 0:
        raise IdentificationError(f"The model is not identified: it has {npar} free parameters but the ordinal data "
                                  f"give only {ndat} sample statistics (df = {df}).")
    cs = None
    if spec.constraints:  # explicit constraints (==, <, >) on the labels of this table (thresholds included)
        from .constraints import Constraint, ConstraintSet

        cs = ConstraintSet([Constraint(*c) for c in spec.constraints], pt, spec.defined)
        df += cs.rank_linear + cs.n_nonlinear_eq
    theta0 = _start(model, pt, dm, ost)
    disc = DWLSDiscrepancy(dm, s, w)
    if cs is not None:
        from .constraints import minimize_constrained

        state = minimize_constrained([disc], np.ones(1), theta0, cs, iter_max=min(model.opts.iter_max, 500))
    else:
        state = minimize_groups([disc], theta0, iter_max=min(model.opts.iter_max, 500))
    if not state.converged:
        warnings.warn(f"the model did not converge after {state.iterations} iterations ({state.message}); "
                      f"estimates, standard errors and fit measures are not trustworthy; {NONCONVERGENCE_ADVICE}.",
                      ConvergenceWarning, stacklevel=caller_stacklevel())
    theta = state.theta
    if dm.ordered_predictor:  # lavaan's estimates solve its own estimating equations there (see the function)
        basis = None if cs is None else cs.null_basis
        theta, ok = solve_lavaan_delta(theta, lambda t: [(dm.jacobian(t), w, s - dm.moments(t)[0], 1.0)], basis)
        state = dataclasses.replace(state, theta=theta, fmin=disc.objective(theta), converged=state.converged and ok)
        if not ok:
            warn_unsolved()
    D = dm.jacobian(theta)
    WD = D * w[:, None]
    A = D.T @ WD
    Ainv, _null = scaled_inverse(A)
    npar_eff = Z = None
    if cs is not None:
        from .constraints import constrained_vcov

        # lavaan's augmented inverse of Delta' W Delta (on the null space of the equalities and the active
        # bounds): the bread of the robust.sem sandwich and the inverse in U of the scaled-shifted test
        Z = cs.null_basis(theta)
        Ainv = constrained_vcov(A, Z, strict=state.converged)
        npar_eff = npar - cs.eq_rank(theta)
        df = ndat - npar_eff
    if Ainv is None and not state.converged:
        # away from the optimum a singular information says nothing about identification
        raise NotConvergedError(f"The model did not converge after {state.iterations} iterations and the DWLS "
                                "information matrix is singular where the optimiser stopped, so standard errors "
                                f"cannot be computed; {NONCONVERGENCE_ADVICE}.")
    if Ainv is None:
        raise IdentificationError("The model is not identified: the DWLS information matrix Delta' W Delta is "
                                  "singular, so standard errors cannot be computed. Fix a loading or a variance "
                                  "to set each latent variable's scale.")
    B = WD.T @ Gamma @ WD
    vcov = sandwich(Ainv, B) / (N - 1)  # lavaan divides by N - ngroups for every estimator but ML/PML/FML
    sigma, Sigma, ram_filled, resid_var = dm.moments(theta)
    extra = dict(ordinal=ost, delta=D, A=A, A_inv=Ainv, wls_est=sigma, information="expected",
                 F=state.fmin, ordered=tuple(ords), resid_var=resid_var, delta_model=dm)
    if Z is not None:
        extra["constraint_basis"] = Z
    return Results.from_fit(model=model, spec=spec, partable=pt, ram=ram_filled, stats=stats, theta=theta, vcov=vcov,
                            fmin=state.fmin, converged=state.converged, iterations=state.iterations, ndat=ndat, df=df,
                            message=state.message, extra=extra, start=theta0, npar=npar_eff)


def wlsmv_summary_text(res) -> str:
    """lavaan-like text of a WLSMV fit: the shared report (its fit part has lavaan's "Standard" and "Scaled"
    columns: the scaled-shifted test, its scaling factor and shift parameter, scaled and robust CFI/TLI/RMSEA;
    its parameter part the Thresholds and, with free scale factors, the "Scales y*" sections), without the
    likelihood lines, with the SE type of WLSMV. Also the text of a multi-group WLSMV fit
    (:meth:`egovsem.sem.wls_mg.WLSMVMultiGroupResults.summary`)."""
    from .report import summary_text

    lines = summary_text(_SummaryView(res)).split("\n")
    out: list[str] = []
    no_likelihood = ("  Loglikelihood", "  Akaike", "  Bayesian")  # not defined for DWLS
    for line in lines:
        if line.startswith(no_likelihood):
            continue
        if line.startswith("  Standard errors:"):
            line = "  Standard errors: robust.sem (DWLS sandwich with Gamma), expected information"
        out.append(line)
    return "\n".join(out)


def wlsmv_summary_html(res: Results) -> str:
    """The Jupyter view of a WLSMV fit (likelihood measures absent)."""
    from .report import summary_html

    return summary_html(_SummaryView(res))


class _SummaryView:
    """The results as the shared text report expects them (likelihood measures absent after WLSMV: NaN)."""

    def __init__(self, res):
        self._res = res
        names = ["cfi", "tli", "logl", "unrestricted.logl", "aic", "bic", "rmsea", "rmsea.ci.lower",
                 "rmsea.ci.upper", "rmsea.pvalue", "srmr"]
        fm = res.fit_measures
        self.fit_measures = fm.reindex(list(fm.index) + [k for k in names if k not in fm.index])

    def __getattr__(self, name):
        return getattr(self._res, name)


ordered_names = _ordered_names  # public names for other modules (egovsem.sem.wls_mg)
one_blas_thread = _one_blas_thread
