"""Multi-group WLSMV (and the theta parameterisation) for ordered indicators, as lavaan 0.6-14.

``fit_wlsmv_multigroup(model, data, ordered, group=..., group_equal=..., group_partial=...,
parameterization="delta")`` fits ``cfa(..., ordered = TRUE, estimator = "WLSMV", group = , group.equal = ,
group.partial = , parameterization = )``. With ``group=None`` it fits one group (used for the theta
parameterisation of a single-group model).

First stage: :func:`egovsem.sem.ordinal.ordinal_stats` in each group separately (thresholds, polychoric
correlations, Gamma_g, weights ``w_g = 1 / diag(Gamma_g)``). Every group must use every category of every
item (see :func:`_check_categories`).

Model of the latent responses ``y*`` in group g (intercepts of ``y*`` fixed to 0): ``Sigma*_g`` and ``mu*_g``
from the RAM matrices; the scale factors ``delta_j = 1 / sd(y*_j)``; the model's thresholds
``delta_j (tau_jk - mu*_j)`` and correlations ``delta_i delta_j Sigma*_ij``.

- ``parameterization="delta"``: the scale factors ``x ~*~ x`` are parameters (fixed to 1, or free in groups
  2..G when the thresholds are equal); the residual variances of ``y*`` are not parameters but follow from
  ``diag(Sigma*) = 1 / delta^2``.
- ``parameterization="theta"``: the residual variances ``x ~~ x`` are parameters (fixed to 1, or free in
  groups 2..G when the thresholds are equal); the scale factors follow.

lavaan's identification defaults (read from its parameter tables): with ``"thresholds"`` in ``group_equal``
the scale factors (delta) or residual variances (theta) of groups 2..G and the latent means of groups 2..G
(unless ``"means"`` is also equal) are freed; with ``"intercepts"`` the latent means of groups 2..G are freed
(intercepts of ordered items are fixed to 0 anyway); with ``"loadings"`` the latent variances that ``std_lv``
fixed are freed in groups 2..G; an equality with a row that is fixed in group 1 fixes the
row (``"residuals"`` in the theta parameterisation).

Continuous indicators may be mixed with the ordered ones (``ordered=`` a list), as in
:mod:`egovsem.sem.wls`: their intercepts and residual variances are parameters, their wls.obs slots hold
``-mean`` and the variance, and their covariances stay on the covariance scale.

Estimation: DWLS ``F = sum_g ((N_g - 1) / N) sum_i w_gi (s_gi - sigma_gi)^2`` (lavaan's: each group's DWLS
objective carries ``(N_g - 1) / N_g`` and is weighted by ``N_g / N``) by the engine's optimiser (Gauss-Newton)
with a central-difference Jacobian. Standard errors: lavaan's robust.sem sandwich
``A^-1 B A^-1 / (N - G)`` with ``A = sum_g c_g Delta_g' W_g Delta_g``, ``B = sum_g c_g Delta_g' W_g Gamma_g W_g
Delta_g`` (``c_g = N_g / N``). Test: ``chisq = N F = sum_g (N_g - 1) F_g``, scaled-shifted from ``U Gamma`` of
the stacked
groups. lavaan 0.6-14 reports no robust CFI/TLI/RMSEA for multi-group WLSMV (NA), nor do we.

Explicit constraints (``==``, ``<``, ``>`` on the labels, ``c(a1, a2)*x`` per group) as in one group
(:mod:`egovsem.sem.wls`): fitted by :func:`egovsem.sem.constraints.minimize_constrained`, the sandwich and
``U`` with lavaan's augmented inverse on the null space of the equalities and active bounds, npar less their
rank (the catML robust model keeps them: its df rises by their rank on the non-threshold parameters).
"""
from __future__ import annotations

import dataclasses
import re
import warnings

import numpy as np
import pandas as pd
from scipy import special

from .._errors import (
    ConvergenceWarning,
    DataError,
    EgovsemError,
    EgovsemWarning,
    EmptyCategoryError,
    IdentificationError,
    NotAvailableError,
    caller_stacklevel,
)
from .checks import NONCONVERGENCE_ADVICE
from .data import prepare_data
from .design import design_arrays
from .discrepancy import Discrepancy, minimize_groups, objective_groups
from .fit_indices import agfi, cfi, critical_n, incremental, rmsea, rmsea_block, rni, tli
from .fit_robust import scaled_shifted_traces
from .ordinal import OrdinalStats, ordinal_stats
from .ram import RAM
from .vcov import sandwich, scaled_inverse
from .wls import one_blas_thread, ordered_names, solve_lavaan_delta, warn_unsolved, wlsmv_partable

__all__ = ["fit_wlsmv_multigroup", "scaled_difference_test", "score_tests_wlsmv", "mg_ordinal_partable", "WLSMVMultiGroupResults",
           "ORDINAL_GROUP_EQUAL", "baseline_and_incremental_rows", "closing_rows", "standardize_group",
           "PARAMETERIZATIONS"]

ORDINAL_GROUP_EQUAL = ("thresholds", "loadings", "intercepts", "residuals", "residual.covariances", "means",
                       "lv.variances", "lv.covariances", "regressions")
PARAMETERIZATIONS = ("delta", "theta")


# ------------------------------------------------------------------------------ parameter table --

def _row_type(op: str, lhs: str, rhs: str, lv: set[str]) -> str | None:
    if op == "=~":
        return "loadings"
    if op == "|":
        return "thresholds"
    if op == "~":
        return "regressions"
    if op == "~1":
        return "means" if lhs in lv else "intercepts"
    if op == "~~":
        if lhs in lv:
            return "lv.variances" if lhs == rhs else "lv.covariances"
        return "residuals" if lhs == rhs else "residual.covariances"
    return None


def _partial_keys(group_partial) -> set[str]:
    """lavaan's group.partial strings as ``lhs op rhs`` keys without spaces (``x3~1``, ``x2|t2``)."""
    if group_partial is None:
        return set()
    items = [group_partial] if isinstance(group_partial, str) else list(group_partial)
    out = set()
    for it in items:
        for s in str(it).split(","):
            s = re.sub(r"\s+", "", s)
            if not s:
                continue
            m = re.fullmatch(r"([^=~|]+)(=~|~~|~|\|)([^=~|]*)", s)
            if m is None or (m.group(2) != "~" and not m.group(3)):
                raise EgovsemError(f"The 'group_partial' parameter: {it!r} is not a parameter such as 'f =~ x2', "
                                   "'x3 ~ 1' or 'x2 | t1'.")
            lhs, op, rhs = m.groups()
            if op == "~" and rhs == "1":
                op, rhs = "~1", ""
            out.add(lhs + op + rhs)
    return out


def mg_ordinal_partable(spec, ordered: list[str], nthresholds: dict[str, int], ngroups: int,
                        group_equal=(), group_partial=(), parameterization: str = "delta",
                        identification: str = "lavaan", group_rows: pd.DataFrame | None = None, *,
                        conditional_x: bool = False) -> pd.DataFrame:
    """lavaan's parameter table of a multi-group model with ordered indicators.

    The one-group table of :func:`egovsem.sem.wls.wlsmv_partable` repeated for each group, with lavaan's
    identification defaults and the ``group_equal`` constraints (rows constrained equal share their ``free``
    number; ``free`` numbered in row order).

    ``identification="wu.estabrook.2016"`` (with a ``std_lv`` model) writes instead the identification of
    ``semTools::measEq.syntax(ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016")`` in groups 2..G: with equal
    thresholds the intercepts of the latent responses are freed (fixed to 0 again, i.e. equal to group 1's,
    once "intercepts" are equal, when the latent means are freed instead); with equal loadings the latent
    variances are freed. Items named in ``group_partial`` keep their group-2 intercept free.

    ``group_rows``: the model's multi-group table (:func:`egovsem.sem.partable.specify` with ``ngroups``);
    its user rows give each group its label, fixed value or freed row of a ``c(...)`` modifier.
    ``conditional_x``: as :func:`egovsem.sem.wls.wlsmv_partable` (exogenous covariates conditioned on).
    """
    base = wlsmv_partable(spec, ordered, nthresholds, conditional_x=conditional_x)
    lv, ordset = set(spec.lv), set(ordered)
    cont = [v for v in spec.ov if v not in ordset]
    if conditional_x:  # the covariates are conditioned on: no scale rows
        from .wls_conditional import exogenous_covariates

        cont = [v for v in cont if v not in set(exogenous_covariates(spec))]
    if identification == "wu.estabrook.2016" and parameterization == "delta" and cont:
        # measEq.syntax writes "x ~*~ c(1, 1)*x" for continuous items too: rows fixed to 1 (no parameter)
        sc = base[base["op"] == "~*~"]
        extra = pd.DataFrame([{**sc.iloc[0].to_dict(), "lhs": v, "rhs": v, "free": 0, "ustart": 1.0, "label": ""}
                              for v in cont])
        base = pd.concat([base.loc[:sc.index[-1]], extra, base.loc[sc.index[-1] + 1:]], ignore_index=True)
        base["id"] = np.arange(1, len(base) + 1)
        base["plabel"] = [f".p{i}." for i in base["id"]]
    ge = set(group_equal or ())
    partial = _partial_keys(group_partial)
    parts = []
    for g in range(1, ngroups + 1):
        b = base.copy()
        b["group"] = g
        if group_rows is not None:
            _apply_group_rows(b, group_rows[group_rows["group"] == g])
        if g > 1:
            if "thresholds" in ge:
                if parameterization == "delta":
                    rel = (b["op"] == "~*~") & b["lhs"].isin(ordset)
                else:
                    rel = (b["op"] == "~~") & (b["lhs"] == b["rhs"]) & b["lhs"].isin(ordset)
                b.loc[rel, "free"] = 1
                b.loc[rel, "ustart"] = np.nan
            if "loadings" in ge and "lv.variances" not in ge:
                # std_lv: lavaan frees the latent variances of groups 2..G once the loadings are equal
                var = (b["op"] == "~~") & (b["lhs"] == b["rhs"]) & b["lhs"].isin(lv) & (b["free"] <= 0) & \
                    (b["user"] != 1)
                b.loc[var, "free"] = 1
                b.loc[var, "ustart"] = np.nan
            if ("thresholds" in ge or "intercepts" in ge) and "means" not in ge:
                rel = (b["op"] == "~1") & b["lhs"].isin(lv) & (b["user"] != 1)
                b.loc[rel, "free"] = 1
                b.loc[rel, "ustart"] = np.nan
            if identification == "wu.estabrook.2016" and "thresholds" in ge:
                ints = (b["op"] == "~1") & b["lhs"].isin(ordset)
                free_int = ints if "intercepts" not in ge else ints & (b["lhs"] + "~1").isin(partial)
                b.loc[ints, "free"] = 0
                b.loc[ints, "ustart"] = 0.0
                b.loc[free_int, "free"] = 1
                b.loc[free_int, "ustart"] = np.nan
                means = (b["op"] == "~1") & b["lhs"].isin(lv)
                b.loc[means, "free"] = 1 if ("intercepts" in ge and "means" not in ge) else 0
                b.loc[means, "ustart"] = np.nan if ("intercepts" in ge and "means" not in ge) else 0.0
                if "loadings" in ge and "lv.variances" not in ge:
                    var = (b["op"] == "~~") & (b["lhs"] == b["rhs"]) & b["lhs"].isin(lv)
                    b.loc[var, "free"] = 1
                    b.loc[var, "ustart"] = np.nan
        parts.append(b)
    pt = pd.concat(parts, ignore_index=True)
    have = set(pt["lhs"] + pt["op"] + pt["rhs"])
    unknown = sorted(partial - have)
    if unknown:
        raise EgovsemError(f"The 'group_partial' parameter: {unknown} is/are not parameters of the model (written "
                           "without spaces; thresholds are 'x2|t1', intercepts 'x3~1').")
    # equality keys; an equality with a row fixed in group 1 fixes the row
    fixed_g1: dict[str, float] = {}
    keys: list[tuple | None] = []
    for r in pt.itertuples():
        key = f"{r.lhs}{r.op}{r.rhs}"
        typ = _row_type(r.op, r.lhs, r.rhs, lv)
        # lavaan 0.6-14 also makes the intercepts of continuous items equal with "thresholds" (a continuous
        # item's -mean sits in the threshold slot of wls.obs; reference make_reference_wlsmv_pairwise_mg.R);
        # semTools' measEq.syntax (Wu-Estabrook) does not: they are equal from its "intercepts" step on
        th_int = identification == "lavaan" and "thresholds" in ge and typ == "intercepts" and r.lhs not in ordset
        eq = (typ in ge or th_int) and key not in partial
        if r.group == 1 and r.free <= 0:
            fixed_g1[key] = r.ustart
        if r.free <= 0:
            keys.append(None)
        elif eq and r.group > 1 and key in fixed_g1:
            keys.append(("fix", key))
        elif eq:
            keys.append(("eq", key))
        elif r.label:
            keys.append(("lab", r.label))
        else:
            keys.append(("row", r.Index))
    free = np.zeros(len(pt), dtype=int)
    numbers: dict[tuple, int] = {}
    for i, k in enumerate(keys):
        if k is None:
            continue
        if k[0] == "fix":
            pt.loc[i, "ustart"] = fixed_g1[k[1]]
            continue
        if k not in numbers:
            numbers[k] = len(numbers) + 1
        free[i] = numbers[k]
    pt["free"] = free
    pt["id"] = np.arange(1, len(pt) + 1)
    pt["plabel"] = [f".p{i}." for i in pt["id"]]
    return pt


def _apply_group_rows(b: pd.DataFrame, rows: pd.DataFrame) -> None:
    """Copy label, free/fixed and the fixed value of the user rows of one group's table into ``b``."""
    key = rows["lhs"] + "\r" + rows["op"] + "\r" + rows["rhs"].astype(str)
    by_key = {k: r for k, r in zip(key, rows.itertuples())}
    for i in b.index[b["user"] == 1]:
        r = by_key.get(f"{b.at[i, 'lhs']}\r{b.at[i, 'op']}\r{b.at[i, 'rhs']}")
        if r is None:
            continue
        b.at[i, "label"] = r.label if isinstance(r.label, str) else ""
        if r.free > 0 and b.at[i, "free"] <= 0:
            b.at[i, "free"], b.at[i, "ustart"] = 10**6 + int(i), np.nan
        elif r.free <= 0 and b.at[i, "free"] > 0:
            b.at[i, "free"], b.at[i, "ustart"] = 0, r.ustart


# ---------------------------------------------------------------------------------- the model --

@dataclasses.dataclass
class _GroupModel:
    """Thresholds, means and variances of continuous items, and correlations (covariances with continuous
    items) of one group's latent responses as functions of theta (batched), in lavaan's wls.obs order."""

    ram: RAM
    o: np.ndarray  # positions (in ov) of the ordered variables
    nn: np.ndarray  # positions of the continuous variables
    th_item: np.ndarray  # for each threshold of wls.obs: the item's position ...
    th_par: np.ndarray  # ... the theta index of tau ...
    slot_th: np.ndarray  # ... and its row in wls.obs
    slot_mean: np.ndarray  # rows holding -mean of a continuous variable (lavaan's slot for x ~ 1)
    scale_par: np.ndarray  # theta index of each variable's scale factor (-1: fixed at scale_val; 1 if continuous)
    scale_val: np.ndarray
    ci: np.ndarray
    cj: np.ndarray
    parameterization: str
    frozen: bool = False  # delta: the ordered items' residual variances are the table's values (not derived)

    @property
    def nslots(self) -> int:
        """Rows of wls.obs before the variances of continuous items (thresholds and -means)."""
        return self.slot_th.size + self.slot_mean.size

    @property
    def first_corr(self) -> int:
        """The first correlation (covariance) row of wls.obs."""
        return self.nslots + self.nn.size

    @classmethod
    def build(cls, pt: pd.DataFrame, ov, lv, q: int, parameterization: str, ordered=None, *,
              frozen: bool = False) -> _GroupModel:
        """``frozen`` (delta parameterisation): the ordered items' residual variances are rows of the table like
        the others (free or at their ``ustart``), not derived by the delta rule: at the derived values the model
        is the same, and its derivative is lavaan's Delta, which holds them fixed (modindices: lavaan's
        candidate rows of these variances, :func:`egovsem.sem.modindices_conditional.conditional_modindices`)."""
        ov = list(ov)
        ordset = set(ov if ordered is None else ordered)
        rows = pt[pt["op"].isin(["=~", "~", "~~", "~1"])].copy()
        if parameterization == "delta" and not frozen:
            zero = (rows["op"] == "~~") & (rows["lhs"] == rows["rhs"]) & rows["lhs"].isin(ordset)
            rows.loc[zero, "free"] = 0
            rows.loc[zero, "ustart"] = 0.0
        ram = RAM.from_partable(rows, tuple(ov), tuple(lv), q)
        ram.q = q
        th = pt[pt["op"] == "|"]
        th_item, th_par, slot_th, slot_mean = [], [], [], []
        row = 0
        for k, v in enumerate(ov):
            if v in ordset:
                for r in th[th["lhs"] == v].itertuples():
                    th_item.append(k)
                    th_par.append(int(r.free) - 1)
                    slot_th.append(row)
                    row += 1
            else:
                slot_mean.append(row)
                row += 1
        sc = pt[pt["op"] == "~*~"].set_index("lhs")
        scale_par = np.array([int(sc.loc[v, "free"]) - 1 if v in ordset else -1 for v in ov])
        scale_val = np.array([1.0 if v not in ordset or np.isnan(sc.loc[v, "ustart"]) else float(sc.loc[v, "ustart"])
                              for v in ov])
        cj, ci = np.triu_indices(len(ov), 1)
        ints = lambda x: np.asarray(x, dtype=int)  # noqa: E731
        return cls(ram, ints([k for k, v in enumerate(ov) if v in ordset]),
                   ints([k for k, v in enumerate(ov) if v not in ordset]), ints(th_item), ints(th_par),
                   ints(slot_th), ints(slot_mean), scale_par, scale_val, ci, cj, parameterization, frozen)

    def parts(self, theta: np.ndarray):
        """Sigma*, mu*, the scale factors (1 for continuous items) and (delta) the residual variances of the
        ordered items, batched over theta's rows."""
        A, S, m = self.ram.matrices(theta)
        n = A.shape[-1]
        p = self.ram.p
        o = self.o
        E = np.linalg.inv(np.eye(n) - A)
        G = E[..., :p, :]
        mu = (G @ m[..., None])[..., 0]
        if self.parameterization == "delta" and self.frozen:
            dl = np.where(self.scale_par >= 0, theta[..., np.maximum(self.scale_par, 0)], self.scale_val)
            Sig = G @ S @ np.swapaxes(G, -1, -2)
            resid = None
        elif self.parameterization == "delta":
            dl = np.where(self.scale_par >= 0, theta[..., np.maximum(self.scale_par, 0)], self.scale_val)
            C0 = G @ S @ np.swapaxes(G, -1, -2)
            Go = G[..., :, o]  # (p, n_o): how each residual of an ordered item reaches the variables
            # lavaan's delta rule: 1 / delta^2 less the explained variance with every ordered item's residual
            # variance 0 (egovsem.sem.wls_conditional._Reduced.parts)
            resid = 1.0 / dl[..., o] ** 2 - np.diagonal(C0, axis1=-2, axis2=-1)[..., o]
            Sig = C0 + (Go * resid[..., None, :]) @ np.swapaxes(Go, -1, -2)
        else:
            Sig = G @ S @ np.swapaxes(G, -1, -2)
            dl = np.ones(Sig.shape[:-1])
            dl[..., o] = 1.0 / np.sqrt(np.diagonal(Sig, axis1=-2, axis2=-1)[..., o])
            resid = None
        return Sig, mu, dl, resid

    def moments(self, theta: np.ndarray) -> np.ndarray:
        Sig, mu, dl, _ = self.parts(theta)
        slots = np.empty(Sig.shape[:-2] + (self.nslots,))
        slots[..., self.slot_th] = dl[..., self.th_item] * (theta[..., self.th_par] - mu[..., self.th_item])
        slots[..., self.slot_mean] = -mu[..., self.nn]
        var = Sig[..., self.nn, self.nn]
        corr = dl[..., self.ci] * dl[..., self.cj] * Sig[..., self.ci, self.cj]
        return np.concatenate([slots, var, corr], axis=-1)

    def jacobian(self, theta: np.ndarray, *, exact: bool = False) -> np.ndarray:
        """``Delta = d moments / d theta`` (rows as wls.obs), analytic: the RAM derivatives of ``Sigma*`` and
        ``mu*`` (:meth:`egovsem.sem.ram.RAM.jacobian`) with the chain rule through the scale factors and, in the
        delta parameterisation with ``exact``, through the residual variances lavaan's delta rule derives for
        the ordered items. Without ``exact`` those are held fixed, as lavaan's ``computeDelta`` holds them (the
        two differ only where an ordered item predicts another variable: :func:`egovsem.sem.wls.solve_lavaan_delta`)."""
        q, p = theta.size, self.ram.p
        o, nn = self.o, self.nn
        Sig, mu, dl, resid = self.parts(theta)
        ci, cj = self.ci, self.cj
        ddl = np.zeros((q, p))
        if self.parameterization == "delta":
            S0 = self.ram.S0.copy()
            S0[o, o] = resid
            dS, dmu = dataclasses.replace(self.ram, S0=S0).jacobian(theta)
            A = self.ram.matrices(theta)[0]
            Go = np.linalg.inv(np.eye(A.shape[0]) - A)[:p, o]
            free = np.flatnonzero(self.scale_par >= 0)
            target = np.zeros((q, p))
            np.add.at(target, (self.scale_par[free], free), -2.0 / dl[free] ** 2 / dl[free])
            np.add.at(ddl, (self.scale_par[free], free), 1.0)
            dres = target[:, o] - np.diagonal(dS, axis1=1, axis2=2)[:, o] if exact else np.zeros((q, o.size))
            d_off = dS[:, ci, cj] + dres @ (Go[ci] * Go[cj]).T
            d_var = dS[:, nn, nn] + dres @ (Go[nn] ** 2).T
        else:
            dS, dmu = self.ram.jacobian(theta)
            ddl[:, o] = -0.5 * dl[o] ** 3 * np.diagonal(dS, axis1=1, axis2=2)[:, o]
            d_off = dS[:, ci, cj]
            d_var = dS[:, nn, nn]
        it = self.th_item
        tau = theta[self.th_par]
        d_slots = np.zeros((q, self.nslots))
        d_slots[:, self.slot_th] = ddl[:, it] * (tau - mu[it]) - dl[it] * dmu[:, it]
        np.add.at(d_slots, (self.th_par, self.slot_th), dl[it])
        d_slots[:, self.slot_mean] = -dmu[:, nn]
        d_corr = (ddl[:, ci] * dl[cj] + dl[ci] * ddl[:, cj]) * Sig[ci, cj] + dl[ci] * dl[cj] * d_off
        return np.concatenate([d_slots, d_var, d_corr], axis=1).T

    def jacobian_numeric(self, theta: np.ndarray) -> np.ndarray:
        """:meth:`jacobian` by central differences (a check of the analytic one)."""
        q = theta.size
        h = 1e-6 * np.maximum(1.0, np.abs(theta))
        T = np.concatenate([theta + np.diag(h), theta - np.diag(h)])
        M = self.moments(T)
        return ((M[:q] - M[q:]) / (2 * h[:, None])).T


@dataclasses.dataclass
class _DWLSGroup(Discrepancy):
    gm: _GroupModel
    s: np.ndarray
    w: np.ndarray

    def residual(self, theta: np.ndarray) -> np.ndarray:
        return self.s - self.gm.moments(theta)

    def objective(self, theta: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            try:
                r = self.residual(theta)
            except np.linalg.LinAlgError:
                return np.inf
        v = float(np.sum(self.w * r * r))
        return v if np.isfinite(v) else np.inf

    def gradient_information(self, theta: np.ndarray, *, info: bool = True):
        D = self.gm.jacobian(theta, exact=True)
        WD = D * self.w[:, None]
        return -2.0 * (WD.T @ self.residual(theta)), (D.T @ WD if info else None)

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        return self.gradient_information(theta, info=False)[0]

    def information(self, theta: np.ndarray) -> np.ndarray:
        D = self.gm.jacobian(theta, exact=True)
        return D.T @ (D * self.w[:, None])


# ------------------------------------------------------------------------------------ results --

@dataclasses.dataclass
class WLSMVMultiGroupResults:
    """A multi-group (or theta-parameterised) WLSMV fit.

    Attributes
    ----------
    params : DataFrame
        lavaan's ``parameterEstimates(fit, standardized = TRUE)`` rows: lhs, op, rhs, group, label, free,
        est, se, z, pvalue, std.lv, std.all, std.nox; ``:=`` rows last (group 0, delta-method SEs).
    r2 : Series
        R-squared of the latent responses and the dependent latent variables in each group
        (``lavInspect(fit, "r2")``), indexed by (group label, variable).
    fit_measures : Series
        lavaan's ``fitMeasures(fit)`` names for WLSMV.
    group_labels : list
        The groups, in lavaan's order (first appearance in the data).
    partable : DataFrame
        The parameter table (``free``: the parameter's number, rows constrained equal share it).
    theta, vcov : ndarray
        Free parameters and their covariance matrix.
    ordinal : list of OrdinalStats
        Each group's first stage.
    converged : bool
    group_chisq : list of float
        Each group's test statistic ``(N_g - 1) F_g`` (lavaan's "Test statistic for each group").
    iterations, n_dropped : int
        The optimiser's iterations; the rows deleted listwise.
    """

    params: pd.DataFrame
    fit_measures: pd.Series
    group_labels: list
    partable: pd.DataFrame
    theta: np.ndarray
    vcov: np.ndarray
    ordinal: list[OrdinalStats]
    converged: bool
    parameterization: str
    nobs: list[int] = dataclasses.field(default_factory=list)
    delta: np.ndarray = dataclasses.field(repr=False, default_factory=lambda: np.zeros((0, 0)))
    info: np.ndarray = dataclasses.field(repr=False, default_factory=lambda: np.zeros((0, 0)))
    meat: np.ndarray = dataclasses.field(repr=False, default_factory=lambda: np.zeros((0, 0)))
    r2: pd.Series = dataclasses.field(default_factory=lambda: pd.Series(dtype=float, name="r2"))
    group_chisq: list[float] = dataclasses.field(default_factory=list)
    iterations: int = 0
    n_dropped: int = 0
    #: the model's explicit constraints (lhs, op, rhs, line, text), as ``ModelSpec.constraints``
    constraints: tuple = ()
    #: the explicit constraints as functions of ``theta`` (:class:`egovsem.sem.constraints.ConstraintSet`)
    constraint_set: object = dataclasses.field(repr=False, default=None)

    def to_dict(self) -> dict:
        """The fit as a JSON-ready dict (:func:`egovsem.sem.wls_mg_report.mg_to_dict`)."""
        from .wls_mg_report import mg_to_dict

        return mg_to_dict(self)

    def to_json(self, path=None, *, indent: int = 2) -> str:
        """The estimates, fit measures and R-squared as JSON (written to ``path`` if given); the keys of
        :meth:`egovsem.sem.results.Results.to_json` with ``parameterization``, ``groups``, ``group_nobs``."""
        import json

        text = json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)
        if path is not None:
            from ..safe_write import atomic_write_text

            atomic_write_text(path, text + "\n")
        return text

    def modindices(self, *, sort: bool = False, minimum_value: float = 0.0) -> pd.DataFrame:
        """lavaan's ``modindices(fit)`` (:mod:`egovsem.sem.modindices_conditional`, here without covariates):
        ``lhs op rhs [group] mi epc sepc.lv sepc.all sepc.nox``; with explicit constraints on lavaan's augmented
        inverse of the information."""
        from .modindices_conditional import filter_modindices, modindices_multigroup

        return filter_modindices(modindices_multigroup(self), sort, minimum_value)

    def summary(self) -> str:
        """lavaan-like text (:func:`egovsem.sem.wls_mg_report.mg_summary_text`)."""
        from .wls_mg_report import mg_summary_text

        return mg_summary_text(self)

    def __str__(self) -> str:
        return self.summary()


# ------------------------------------------------------------------------------------ the fit --

def _check_categories(parts: list[pd.DataFrame], ords: list[str], labels, group: str) -> None:
    """Refuse what lavaan 0.6-14 cannot fit: an item with one category, a category one group never uses."""
    pooled = pd.concat(parts)
    for v in ords:
        levels = sorted(pd.unique(pooled[v].dropna()).tolist())
        if len(levels) < 2:
            raise DataError(f"The ordered item {v!r} has a single observed category ({levels[0]!r}); it carries "
                            "no information for WLSMV (lavaan 0.6-14 stops too: \"ordered variable(s) has/have only "
                            "1 level\"): drop it from the model or from 'ordered'.")
        for g, (lab, d) in enumerate(zip(labels, parts), start=1):
            counts = d[v].value_counts()
            freq = [int(counts.get(c, 0)) for c in levels]
            missing = [c for c, f in zip(levels, freq) if f == 0]
            if missing:
                raise EmptyCategoryError(
                    f"The ordered item {v!r}: category/ies {missing} are empty in group {g} ({group}={lab!r}); "
                    f"frequencies are {freq} for categories {levels}. lavaan 0.6-14 stops here too (\"some "
                    "categories of variable are empty in group\"): thresholds cannot differ in number across "
                    "groups. Collapse the empty category with a neighbouring one in every group, or drop the item.",
                    item=v, group=group, group_label=lab, group_index=g, categories=levels, frequencies=freq)


def fit_wlsmv_multigroup(model, data: pd.DataFrame, ordered=True, *, group: str | None = None,
                         group_equal=(), group_partial=(), parameterization: str = "delta",
                         iter_max: int = 500, identification: str = "lavaan",
                         missing: str | None = None) -> WLSMVMultiGroupResults:
    """Fit ``model`` by WLSMV to ordered items in several groups (lavaan 0.6-14's multi-group WLSMV).

    Parameters
    ----------
    model : Model or str
        The model (a :class:`~egovsem.sem.model.Model` or its syntax).
    data : DataFrame
        Raw data; rows with a missing value on a model variable are deleted (listwise), in each group, unless
        ``missing="pairwise"``.
    ordered : True or list of str
        The ordered items; the model's other observed variables are continuous (free intercepts and
        residual variances, as lavaan; with ``identification="wu.estabrook.2016"`` as measEq.syntax writes
        them: free in every group, equal from the "intercepts" step on).
    group : str or None
        The grouping column (None: one group).
    group_equal : list of str
        lavaan's ``group.equal``: "thresholds", "loadings", "intercepts", "residuals", "means",
        "lv.variances", "lv.covariances", "residual.covariances", "regressions".
    group_partial : list of str
        Parameters freed from those constraints: ``"f =~ x2"``, ``"x2 | t1"``, ``"x3 ~ 1"``.
    parameterization : {"delta", "theta"}
        lavaan's ``parameterization``.
    iter_max : int
        Iteration limit of the optimiser.
    identification : {"lavaan", "wu.estabrook.2016"}
        lavaan's defaults, or the identification of Wu & Estabrook (2016) as ``semTools::measEq.syntax``
        writes it (give a ``std_lv`` model), see :func:`mg_ordinal_partable`.
    missing : {"listwise", "pairwise"} or None
        None: the model's option (``Model(..., missing=)``). ``"pairwise"``: lavaan's ``missing =
        "pairwise"``, group by group: each group's thresholds, means and variances from its available cases,
        its correlations from its pairwise-complete rows and its Gamma over all its rows
        (:func:`egovsem.sem.ordinal.ordinal_stats`); rows missing every model variable are dropped.

    Returns
    -------
    WLSMVMultiGroupResults

    Examples
    --------
    >>> from egovsem.sem.wls_mg import fit_wlsmv_multigroup
    >>> fit = fit_wlsmv_multigroup("f =~ x1 + x2 + x3", d, group="school",       # doctest: +SKIP
    ...                            group_equal=["thresholds", "loadings"])
    """
    from .model import Model

    if isinstance(model, str):
        model = Model(model, group=group)  # group: per-group modifiers c(...) are accepted
    from .._errors import check_option
    from .wls_conditional import exogenous_covariates

    miss = check_option("missing", model.opts.missing if missing is None else missing, ["listwise", "pairwise"],
                        casefold=True)
    identification = check_option("identification", identification, ["lavaan", "wu.estabrook.2016"])
    if exogenous_covariates(model.spec):  # lavaan's conditional.x (several groups, or the theta parameterisation)
        from .wls_conditional import refuse_design
        from .wls_mg_conditional import fit_wlsmv_multigroup_conditional

        refuse_design(model)
        return fit_wlsmv_multigroup_conditional(model, data, ordered, group=group, group_equal=group_equal,
                                                group_partial=group_partial, parameterization=parameterization,
                                                iter_max=iter_max, missing=miss, identification=identification)
    if parameterization not in PARAMETERIZATIONS:
        raise EgovsemError(f"The 'parameterization' parameter must be 'delta' or 'theta'. Got {parameterization!r}.")
    if isinstance(group_equal, str):
        group_equal = [g.strip() for g in group_equal.split(",") if g.strip()]
    for ge in group_equal or ():
        if ge not in ORDINAL_GROUP_EQUAL:
            raise EgovsemError(f"The 'group_equal' parameter: {ge!r} is not one of {list(ORDINAL_GROUP_EQUAL)}.")
    if group_equal and group is None:
        raise EgovsemError(f"group_equal={list(group_equal)!r} needs a grouping column: pass group=.")
    spec = model.spec
    ords = ordered_names(spec.ov, ordered, data)
    if "thresholds" in (group_equal or ()) and not ords:
        raise EgovsemError("group_equal=['thresholds'] needs ordered items, but 'ordered' names none of the "
                           "model's observed variables: pass ordered=True or a list of items.")
    if not ords:
        raise DataError("The 'ordered' parameter names none of the model's observed variables; WLSMV needs at "
                        "least one ordered item.")
    if group is None:
        labels, parts = [1], [data]
    else:
        from .multigroup import split_groups

        labels, parts = split_groups(data, group)
    n_all = sum(len(d) for d in parts)
    # listwise: complete rows; pairwise: every row that observes a model variable (as lavaan)
    parts = [d.dropna(subset=list(spec.ov), how="any" if miss == "listwise" else "all") for d in parts]
    _check_categories(parts, ords, labels, str(group))
    with one_blas_thread():
        res = _fit(model, spec, ords, labels, parts, group_equal, group_partial, parameterization, iter_max,
                   identification, miss)
    return dataclasses.replace(res, n_dropped=n_all - sum(len(d) for d in parts))


def _fit(model, spec, ords, labels, parts, group_equal, group_partial, par, iter_max,
         identification, miss="listwise") -> WLSMVMultiGroupResults:
    G = len(labels)
    opts = model.opts

    def in_group(g: int, e: DataError) -> DataError:
        lab = labels[g].item() if isinstance(labels[g], np.generic) else labels[g]
        return e if G == 1 else DataError(f"In group {lab!r} (group {g + 1} of {G}): {e}")

    stats = []
    for g, d in enumerate(parts):
        try:
            stats.append(prepare_data(d, spec.ov, missing=miss, continuous=False,
                                      sampling_weights=opts.sampling_weights, cluster=opts.cluster))
        except DataError as e:
            raise in_group(g, e) from None
    wts, codes = design_arrays(stats, opts)  # (None where no sampling weights / clusters are given)
    osts = []
    for g, (st, wt, cl) in enumerate(zip(stats, wts, codes)):
        try:
            osts.append(ordinal_stats(st.X, list(spec.ov), ords, missing=miss, weights=wt, cluster=cl))
        except DataError as e:
            raise in_group(g, e) from None
    nth = {v: len(osts[0].thresholds[v]) for v in ords}
    group_rows = None
    if G > 1:  # each group's c(...) modifiers (labels, fixed values) from the model's multi-group table
        from .model import spec_options
        from .partable import specify

        group_rows = specify(model.model, meanstructure=True, ngroups=G, **spec_options(model.opts)).partable
    pt = mg_ordinal_partable(spec, ords, nth, G, group_equal, group_partial, par, identification, group_rows)
    q = int(pt["free"].max())
    ov, lv = tuple(spec.ov), tuple(spec.lv)
    gms = [_GroupModel.build(pt[pt["group"] == g + 1].reset_index(drop=True), ov, lv, q, par, ords)
           for g in range(G)]
    Ns = np.array([o.n for o in osts], dtype=float)  # (the sums of the normalised weights, if any)
    N = float(Ns.sum())
    c = Ns / N
    ndat = int(sum(o.wls_obs.size for o in osts))
    df = ndat - q
    if df < 0:
        raise IdentificationError(f"The model is not identified: it has {q} free parameters but the ordinal data "
                                  f"give only {ndat} sample statistics (df = {df}).")
    cs = None
    if spec.constraints:  # explicit constraints (==, <, >) on the labels of this table, as in one group (wls.py)
        from .constraints import Constraint, ConstraintSet

        cs = ConstraintSet([Constraint(*c) for c in spec.constraints], pt, spec.defined)
    theta0 = _start(pt, osts, ov, lv, q, par)
    discs = [_DWLSGroup(gm, o.wls_obs, o.wls_v_diag) for gm, o in zip(gms, osts)]
    # lavaan's DWLS objective of group g is (N_g - 1) / N_g F_g, weighted by N_g / N: so its minimum and its
    # statistic chisq = 2 N fmin = sum_g (N_g - 1) F_g weigh each group by N_g - 1
    wobj = (Ns - 1.0) / N
    if cs is not None:
        from .constraints import minimize_constrained

        state = minimize_constrained(discs, wobj, theta0, cs, iter_max=iter_max)
    else:
        state = minimize_groups(discs, theta0, weights=wobj, iter_max=iter_max)
    if not state.converged:
        warnings.warn(f"the model did not converge after {state.iterations} iterations ({state.message}); "
                      f"estimates, standard errors and fit measures are not trustworthy; {NONCONVERGENCE_ADVICE}.",
                      ConvergenceWarning, stacklevel=caller_stacklevel())
    theta = state.theta
    if par == "delta" and ((pt["op"] == "~") & pt["rhs"].isin(set(ords))).any():
        # an ordered predictor: lavaan's estimates solve its estimating equations with its Delta
        theta, ok = solve_lavaan_delta(theta, lambda t: [(gm.jacobian(t), d.w, d.residual(t), wg)
                                                         for gm, d, wg in zip(gms, discs, wobj)],
                                       None if cs is None else cs.null_basis)
        state = dataclasses.replace(state, theta=theta, fmin=objective_groups(discs, wobj, theta),
                                    converged=state.converged and ok)
        if not ok:
            warn_unsolved()
    Ds = [gm.jacobian(theta) for gm in gms]
    A = sum(cg * D.T @ (D * o.wls_v_diag[:, None]) for cg, D, o in zip(c, Ds, osts))
    npar, eq_nonth = q, 0
    Ainv: np.ndarray | None
    if cs is not None:
        from .constraints import constrained_vcov

        # lavaan's augmented inverse of Delta' W Delta on the null space of the equalities and active bounds
        # (the bread of the sandwich and the inverse in U); npar less the rank of the equalities
        Ainv = constrained_vcov(A, cs.null_basis(theta), strict=state.converged)
        npar = q - cs.eq_rank(theta)
        df = ndat - npar
        th = set(pt.loc[pt["op"] == "|", "free"])
        eq_nonth = cs.eq_rank(theta, np.array(sorted({int(f) - 1 for f in pt["free"] if f > 0 and f not in th}),
                                              dtype=int))
    else:
        Ainv, _ = scaled_inverse(A)
    if Ainv is None:
        raise IdentificationError("The model is not identified: the DWLS information matrix Delta' W Delta is "
                                  "singular, so standard errors cannot be computed.")
    WDs = [D * o.wls_v_diag[:, None] for D, o in zip(Ds, osts)]
    Ks = [o.gamma @ WD for WD, o in zip(WDs, osts)]  # Gamma_g W_g Delta_g
    B = sum(cg * WD.T @ K for cg, WD, K in zip(c, WDs, Ks))
    vcov = sandwich(Ainv, B) / (N - G)
    traces = _ugamma_traces(osts, WDs, Ks, c, Ainv, B)
    sigmas = [gm.moments(theta) for gm in gms]
    fm = _fit_measures(theta, state.fmin, npar, df, N, G, osts, sigmas, c, traces, gms, Ns, Ainv, pt, wobj,
                       eq_nonth)
    params, r2 = _params(pt, theta, vcov, gms, spec, labels)
    return WLSMVMultiGroupResults(params=params, fit_measures=fm, group_labels=list(labels), partable=pt,
                                  theta=theta, vcov=vcov, ordinal=osts, converged=bool(state.converged),
                                  parameterization=par, nobs=[int(o.nobs) for o in osts],
                                  delta=np.vstack(Ds), info=A, meat=B, r2=r2, iterations=int(state.iterations),
                                  group_chisq=[float((n - 1.0) * d.objective(theta)) for n, d in zip(Ns, discs)],
                                  constraints=tuple(spec.constraints), constraint_set=cs)


def _ugamma_traces(osts, WDs, Ks, c, Ainv, B) -> tuple[float, float]:
    """``tr(U Gamma)`` and ``tr((U Gamma)^2)`` of the stacked groups (``W = blockdiag(c_g W_g)``, ``Gamma =
    blockdiag(Gamma_g / c_g)``, ``U = W - W Delta A^-1 Delta' W``) without forming the stacked matrices:
    with ``WG = blockdiag(W_g Gamma_g)``, ``U Gamma = WG - (W Delta A^-1)(Delta' W Gamma)`` and
    ``(Delta' W Gamma)(W Delta) = B``, so ``tr(U Gamma) = sum_g tr(W_g Gamma_g) - tr(A^-1 B)`` and
    ``tr((U Gamma)^2) = sum_g tr((W_g Gamma_g)^2) - 2 tr(A^-1 sum_g c_g K_g' W_g K_g) + tr((B A^-1)^2)`` with
    ``K_g = Gamma_g W_g Delta_g``."""
    t1 = t2 = 0.0
    cross = np.zeros_like(B)
    for cg, o, K in zip(c, osts, Ks):
        WG = o.wls_v_diag[:, None] * o.gamma
        t1 += float(np.trace(WG))
        t2 += float(np.sum(WG * WG.T))
        cross += cg * K.T @ (K * o.wls_v_diag[:, None])
    BA = B @ Ainv
    tr1 = t1 - float(np.trace(BA))
    tr2 = t2 - 2.0 * float(np.sum(Ainv * cross.T)) + float(np.sum(BA * BA.T))
    return tr1, tr2


def _blockdiag(mats):
    n = sum(m.shape[0] for m in mats)
    out = np.zeros((n, n))
    k = 0
    for m in mats:
        out[k:k + m.shape[0], k:k + m.shape[0]] = m
        k += m.shape[0]
    return out


def _start(pt, osts, ov, lv, q, par) -> np.ndarray:
    """Simple starts: loadings 1 (marker scale) or 0.7 (std.lv), latent variances 0.5 (1 under std.lv),
    covariances 0, thresholds the sample thresholds (group 1's for equal ones) rescaled to the start's
    latent-response SD, scale factors and residual variances 1, latent means 0."""
    theta = np.full(q, np.nan)
    lvset = set(lv)
    ovpos = {v: i for i, v in enumerate(ov)}
    load = pt[pt["op"] == "=~"]
    first = {(r.group, r.lhs): r.rhs for r in load.drop_duplicates(["group", "lhs"]).itertuples()}
    for r in pt[pt["free"] > 0].itertuples():
        k = int(r.free) - 1
        if not np.isnan(theta[k]):
            continue
        if r.op == "=~":
            # 0.7, with the sign of the item's sample correlation with the factor's first indicator (a
            # reverse-keyed item starts negative, as lavaan's fabin3 start does)
            m = first[(r.group, r.lhs)]
            sgn = 1.0
            if m != r.rhs and m in ovpos and r.rhs in ovpos:
                rc = float(osts[int(r.group) - 1].corr[ovpos[m], ovpos[r.rhs]])
                sgn = -1.0 if rc < 0 else 1.0
            theta[k] = 0.7 * sgn
        elif r.op == "~~" and r.lhs in lvset:
            theta[k] = 0.5 if r.lhs == r.rhs else 0.0
        elif r.op == "~~" and r.lhs == r.rhs and r.lhs in osts[int(r.group) - 1].variances:
            theta[k] = 0.5 * float(osts[int(r.group) - 1].variances[r.lhs])  # a continuous item
        elif r.op == "~~":
            theta[k] = 1.0 if r.lhs == r.rhs else 0.0
        elif r.op == "~1" and r.lhs in osts[int(r.group) - 1].means:
            theta[k] = float(osts[int(r.group) - 1].means[r.lhs])
        elif r.op == "~*~":
            theta[k] = 1.0
        elif r.op == "|":
            o = osts[int(r.group) - 1]
            kk = int(r.rhs[1:]) - 1
            t = float(o.thresholds[r.lhs][kk])
            theta[k] = t * (np.sqrt(1.5) if par == "theta" else 1.0)
        else:
            theta[k] = 0.0
    return np.nan_to_num(theta)


def standardize_group(ptg: pd.DataFrame, est_g: np.ndarray, ram, theta: np.ndarray, spec,
                      label) -> tuple[dict[str, np.ndarray], pd.Series]:
    """One group's standardised columns (``std.lv``, ``std.all``, ``std.nox`` of its rows ``ptg`` with estimates
    ``est_g``, by its ``ram``'s implied covariance; thresholds and scale rows as
    :func:`egovsem.sem.standardize.ordinal_standardized`) and its R² indexed by (``label``, variable)."""
    from .standardize import ordinal_standardized, r_squared, standardized_columns

    cols = standardized_columns(ptg, est_g, ram, theta, spec)
    C = ram.implied(theta)[3]
    ordinal_standardized(ptg, est_g, {v: float(np.sqrt(C[j, j])) for j, v in enumerate(spec.ov)}, cols)
    rg = r_squared(ram, theta, spec)
    rg.index = pd.MultiIndex.from_product([[label], rg.index])
    return cols, rg


def _params(pt, theta, vcov, gms, spec, labels) -> tuple[pd.DataFrame, pd.Series]:
    """lavaan's ``parameterEstimates(fit, standardized = TRUE)`` rows (``:=`` rows last) and
    ``lavInspect(fit, "r2")`` (indexed by group label and variable).

    Each group is standardised by its own implied covariance of the latent responses and latent variables
    (:func:`egovsem.sem.standardize.standardized_columns`, with the residual variances that the delta
    parameterisation derives filled in); thresholds and scale rows as
    :func:`egovsem.sem.standardize.ordinal_standardized`."""
    from .defined import defined_rows

    se_all = np.sqrt(np.clip(np.diag(vcov), 0, None))
    est = np.where(pt["free"] > 0, theta[np.maximum(pt["free"].to_numpy() - 1, 0)], pt["ustart"].fillna(0.0))
    se = np.where(pt["free"] > 0, se_all[np.maximum(pt["free"].to_numpy() - 1, 0)], 0.0)
    est = est.astype(float)
    ov = list(spec.ov)
    std = {k: np.full(len(pt), np.nan) for k in ("std.lv", "std.all", "std.nox")}
    r2 = []
    for g, gm in enumerate(gms):
        _Sig, _mu, dl, resid = gm.parts(theta)
        rows = (pt["group"] == g + 1).to_numpy()
        ram = gm.ram
        for pos, j in enumerate(gm.o):
            name = ov[j]
            if gm.parameterization == "delta":
                sel = rows & ((pt["op"] == "~~") & (pt["lhs"] == name) & (pt["rhs"] == name)).to_numpy()
                est[sel] = resid[pos]
            else:
                sel = rows & ((pt["op"] == "~*~") & (pt["lhs"] == name)).to_numpy()
                est[sel] = dl[j]
        if gm.parameterization == "delta":
            S0 = ram.S0.copy()
            S0[gm.o, gm.o] = resid
            ram = dataclasses.replace(ram, S0=S0)
        cols, rg = standardize_group(pt[rows], est[rows], ram, theta, spec, labels[g])
        for k, v in cols.items():
            std[k][rows] = v
        r2.append(rg)
    out = pt[["lhs", "op", "rhs", "group", "label", "free"]].copy()
    out["est"] = est
    out["se"] = se
    for k, v in std.items():
        out[k] = v
    if spec.defined:
        dr = defined_rows(spec.defined, pt, est, theta, vcov, std)
        dr["free"] = 0
        out = pd.concat([out, dr[out.columns]], ignore_index=True)
    se_o = out["se"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se_o > 0, out["est"].to_numpy(dtype=float) / se_o, np.nan)
    out["z"] = z
    out["pvalue"] = 2 * special.ndtr(-np.abs(z))
    cols_order = ["lhs", "op", "rhs", "group", "label", "free", "est", "se", "z", "pvalue", "std.lv", "std.all",
                  "std.nox"]
    return out[cols_order].reset_index(drop=True), pd.concat(r2).rename("r2")


def _fit_measures(theta, F, q, df, N, G, osts, sigmas, c, traces, gms, Ns, Ainv, pt, wobj,
                  eq_nonth: int = 0) -> pd.Series:
    Nf = N - G
    X2 = N * F  # F = sum_g (N_g - 1) / N F_g
    out: dict[str, float] = {"npar": q, "fmin": 0.5 * F, "chisq": X2, "df": df,
                             "pvalue": special.chdtrc(df, X2) if df > 0 else np.nan}
    # baseline: thresholds (means, variances) fit exactly, correlations (covariances) 0, in each group
    rows, ss = baseline_and_incremental_rows(X2, df, traces, N, wobj, [
        (gm.first_corr, o.wls_obs, o.wls_v_diag, o.gamma) for o, gm in zip(osts, gms)])
    out.update(rows)
    dfb = int(rows["baseline.df"])
    n_g = Nf / G
    rm = rmsea_block(X2, df, n_g)
    out.update({"rmsea": rm["rmsea"], "rmsea.ci.lower": rm["rmsea.ci.lower"], "rmsea.ci.upper": rm["rmsea.ci.upper"],
                "rmsea.ci.level": 0.90, "rmsea.pvalue": rm["rmsea.pvalue"], "rmsea.close.h0": 0.05,
                "rmsea.notclose.pvalue": rm["rmsea.notclose.pvalue"], "rmsea.notclose.h0": 0.08})
    out.update(rmsea_block(ss["stat"], df, n_g, suffix=".scaled"))
    rob = _catml(theta, osts, gms, Ainv, c, pt, df, dfb, eq_nonth)
    if rob is None:
        out.update({k: np.nan for k in ("rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust",
                                        "rmsea.pvalue.robust", "rmsea.notclose.pvalue.robust")})
    else:
        XX3, XX3b, c3, c3b, df3 = rob
        args = (XX3, df, XX3b, dfb, c3, c3b)
        out.update({"cfi.robust": cfi(*args), "tli.robust": tli(*args), "nnfi.robust": tli(*args),
                    "rni.robust": rni(*args)})
        rb = rmsea_block(XX3 / c3, df3, n_g, c=c3, suffix=".robust")
        rb["rmsea.robust"] = rmsea(XX3, df3, n_g, c3)
        out.update(rb)
    # residual-based measures: each group's, weighted by N_g / N
    from .fit_residual import gfi_dwls, residual_measures_dwls

    resid: dict[str, float] = {}
    gfi = 0.0
    nel = 0
    for cg, o, s_hat, gm in zip(c, osts, sigmas, gms):
        Sig, _mu, dl, _r = gm.parts(theta)
        R = Sig * np.outer(dl, dl)
        dm = _Layout(gm, o)
        rg = residual_measures_dwls(o.wls_obs, s_hat, R, dm)
        for k, v in rg.items():
            resid[k] = resid.get(k, 0.0) + cg * v
        gfi += cg * gfi_dwls(o.wls_obs, s_hat, o.wls_v_diag)
        nel += o.wls_obs.size
    out.update(resid)
    out.update(closing_rows(X2, df, Nf, gfi, nel, osts[0].wls_obs.size))
    return pd.Series(out, dtype=float, name="fit")


def baseline_and_incremental_rows(X2: float, df: int, traces: tuple[float, float], N: float, wobj: list,
                                  blocks: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]
                                  ) -> tuple[dict[str, float], dict[str, float]]:
    """The scaled test, the baseline rows and the incremental indices (standard and scaled) of a multi-group
    WLSMV fit, in lavaan's order, and the scaled-shifted test (``ss``). ``blocks``: per group the first
    correlation row (thresholds, means and variances before it fit the baseline exactly), ``wls_obs``, the
    diagonal weights and Gamma; ``wobj``: the groups' weights of the discrepancy."""
    ss = scaled_shifted_traces(traces[0], traces[1], X2, df)
    X2b = 0.0
    dfb = 0
    tb1 = tb2 = 0.0  # traces of the baseline's U Gamma: blockdiag(W_g Gamma_g) over the correlation rows
    for wg, (n1, obs, wdiag, gamma) in zip(wobj, blocks):
        rc = obs[n1:]
        X2b += wg * float(np.sum(wdiag[n1:] * rc * rc))
        dfb += rc.size
        UGb = wdiag[n1:, None] * gamma[n1:, n1:]
        tb1 += float(np.trace(UGb))
        tb2 += float(np.sum(UGb * UGb.T))
    X2b *= N
    ssb = scaled_shifted_traces(tb1, tb2, X2b, dfb)
    out = {"chisq.scaled": ss["stat"], "df.scaled": df, "pvalue.scaled": ss["pvalue"],
           "chisq.scaling.factor": ss["scaling"], "baseline.chisq": X2b, "baseline.df": dfb,
           "baseline.pvalue": special.chdtrc(dfb, X2b), "baseline.chisq.scaled": ssb["stat"],
           "baseline.df.scaled": dfb, "baseline.pvalue.scaled": ssb["pvalue"],
           "baseline.chisq.scaling.factor": ssb["scaling"]}
    inc = incremental(X2, df, X2b, dfb)
    inc_s = incremental(ss["stat"], df, ssb["stat"], dfb, suffix=".scaled")
    for names in (("cfi", "tli"), ("nnfi", "rfi", "nfi", "pnfi", "ifi", "rni")):
        out.update({k: inc[k] for k in names})
        out.update({k + ".scaled": inc_s[k + ".scaled"] for k in names})
        out.update({k + ".robust": np.nan for k in names if k in ("cfi", "tli", "nnfi", "rni")})
    return out, ss


def closing_rows(X2: float, df: int, Nf: float, gfi: float, nel: int, nobs_stats: int) -> dict[str, float]:
    """The last fitMeasures rows of a multi-group WLSMV fit: critical N, GFI family, MFI and WRMR."""
    return {"cn_05": critical_n(X2, df, Nf, 0.05), "cn_01": critical_n(X2, df, Nf, 0.01), "gfi": gfi,
            "agfi": agfi(gfi, nel, df), "pgfi": (df / nel) * gfi if nel > 0 else np.nan,
            "mfi": np.exp(-0.5 * (X2 - df) / Nf), "wrmr": np.sqrt(X2 / nobs_stats)}


def _catml(theta, osts, gms, Ainv, c, pt, df, dfb, eq_nonth: int = 0):
    """lavaan's robust (catML) statistic of a multi-group WLSMV fit: ``XX3 = sum_g N_g F_ML(R_g, Sigma_g)``
    with its scaling ``c3 = tr(M' V M Gamma_c) / df3`` over the stacked correlation rows
    (``M = I - Delta_c A^-1 Delta_c' W_c``, ``W_c = blockdiag(c_g w_g)``, ``V = blockdiag(c_g V_g)``,
    ``Gamma_c = blockdiag(Gamma_g / c_g)``); baseline ``-sum_g N_g log|R_g|``, ``c0 = tr(Gamma_c) / df0``.

    None where lavaan 0.6-14 reports NA: thresholds constrained across groups, or free latent means or
    scale factors (the identification of the threshold-invariant models)."""
    th = pt[pt["op"] == "|"]
    if th["free"].duplicated().any():
        return None
    if ((pt["op"].isin(["~1", "~*~"])) & (pt["free"] > 0)).any():
        return None
    XX3 = XX3b = 0.0
    Dc, Vs, Gs, ws = [], [], [], []
    trb = 0.0
    npc_all = 0
    for cg, o, gm in zip(c, osts, gms):
        n1 = gm.first_corr
        Sig, _mu, dl, _r = gm.parts(theta)
        S = Sig * np.outer(dl, dl)
        R = o.corr
        p = R.shape[0]
        if np.linalg.eigvalsh(R).min() < np.sqrt(np.finfo(float).eps) or np.linalg.eigvalsh(S).min() <= 0:
            return None
        P = np.linalg.inv(S)
        XX3 += o.n * (np.linalg.slogdet(S)[1] - np.linalg.slogdet(R)[1] + np.sum(R * P) - p)
        XX3b += -o.n * np.linalg.slogdet(R)[1]
        ci, cj = gm.ci, gm.cj
        Vs.append(cg * (P[np.ix_(ci, ci)] * P[np.ix_(cj, cj)] + P[np.ix_(ci, cj)] * P[np.ix_(cj, ci)]))
        Dc.append(gm.jacobian(theta)[n1:])
        Gs.append(o.gamma[n1:, n1:] / cg)
        ws.append(cg * o.wls_v_diag[n1:])
        trb += float(np.trace(o.gamma[n1:, n1:])) / cg
        npc_all += ci.size
    D = np.vstack(Dc)
    w = np.concatenate(ws)
    M = np.eye(D.shape[0]) - (D @ Ainv @ D.T) * w[None, :]
    ks = float(np.sum((M.T @ _blockdiag(Vs) @ M) * _blockdiag(Gs).T))
    nth = len(set(th["free"]))
    # the catML model keeps the explicit equalities (their rank on the non-threshold parameters raises df3)
    nfree_nonth = int(pt["free"].max()) - nth - eq_nonth
    df3 = npc_all - nfree_nonth
    c3 = ks / df3 if df3 > 0 else np.inf
    if df == 0:
        c3 = 1.0
    return XX3, XX3b, c3, trb / npc_all, df3


class _Layout:
    """The wls.obs layout :func:`residual_measures_dwls` reads."""

    def __init__(self, gm: _GroupModel, o: OrdinalStats):
        self.nslots = gm.nslots
        self.num_idx = gm.nn
        self.ci, self.cj = gm.ci, gm.cj
        self.th_rows = gm.slot_th


def scaled_difference_test(restricted: WLSMVMultiGroupResults, free: WLSMVMultiGroupResults, *,
                           A_method: str = "delta") -> dict[str, float]:
    """lavaan's ``lavTestLRT(free, restricted)`` for two nested WLSMV fits: the scaled-shifted difference test
    of Satorra (2000) (lavaan's ``method = "satorra.2000"``, the default after WLSMV).

    With ``Delta1``, ``Delta0`` the Jacobians of the two models (groups stacked) at their estimates, the
    constraints ``A`` span the orthogonal complement of ``C = Delta1^+ Delta0``; with ``P`` the information and
    ``B`` the meat of the less restricted model, ``U = P^-1 A' (A P^-1 A')^-1 A P^-1`` (computed as
    ``P^-1 - C (C' P C)^-1 C'``, the same matrix) and the traces of
    ``U B`` and ``(U B)^2`` give ``a = sqrt(m / tr2)``, ``b = m - a tr1`` and the statistic
    ``a (T0 - T1) + b`` on ``m = df0 - df1`` degrees of freedom.

    With explicit linear ``==`` constraints in either model (``a1 == a2``, ``b2 == 1.1*b1``), each model is
    taken in the space its equalities leave, ``Delta K`` with ``K`` an orthonormal basis of their null space
    (lavaan's ``eq.constraints.K``; ``P`` and ``B`` of the less restricted model become ``K' P K`` and
    ``K' B K``, its augmented inverse); with inequalities or nonlinear equalities lavaan 0.6-14's test stops
    ("a dimension is zero": it forms ``K`` for linear equalities only), and egovsem refuses them with that reason
    (:mod:`egovsem.sem.score_test_wlsmv_constrained`; references make_reference_score_lrt_wlsmv_mg.R,
    make_reference_score_wlsmv_nonlinear.R).

    ``A_method="exact"`` (lavaan's ``A.method = "exact"``): ``A`` is the Jacobian, at the free model's
    estimates, of the restricted model's constraints in the free model's parameters
    (:func:`egovsem.sem.score_test_wlsmv_constrained.exact_A`: the two models' rows matched by
    lhs/op/rhs/group; its ``group_equal`` and shared labels, its ``==`` lines and the values it fixes where the
    free model frees them), and ``U = P^-1 A' (A P^-1 A')^+ A P^-1`` on the null space of the free model's own
    equalities and active inequalities, without the constraints the free model already has (zero rows of
    ``A P^-1 A'``, as lavaan). It works where the default stops (nonlinear equalities, inequalities;
    make_reference_score_wlsmv_nonlinear.R, lrt_exact.csv) and for configural vs loadings vs thresholds,
    shared labels and fixed values, one group or several, delta or theta (make_reference_difftest_exact.R).

    Two models with the same df (``m = 0``; e.g. the thresholds step of Wu & Estabrook with 3-category
    items): as lavaan 0.6-14, ``chisq_diff`` is the unscaled ``T0 - T1``, ``df_diff`` 0, ``pvalue`` NaN, with
    an :class:`~egovsem._errors.EgovsemWarning` (lavaan: "some models have the same degrees of freedom";
    reference tests/reference/make_reference_invariance_ordinal_equal_df.R). ``m < 0`` raises.

    Returns
    -------
    dict
        ``chisq_diff``, ``df_diff``, ``pvalue``, and (when the statistic is scaled and shifted) lavaan's scaling
        ``a`` and shift ``b``.
    """
    from .._errors import check_option

    A_method = check_option("A_method", A_method, ["delta", "exact"])
    for name, fit in (("restricted", restricted), ("free", free)):
        if not all(hasattr(fit, k) for k in ("info", "meat", "delta", "constraints")):
            raise NotAvailableError(f"scaled_difference_test() needs two WLSMV fits of fit_wlsmv_multigroup(); the "
                                    f"{name!r} fit is a {type(fit).__name__} (a one-group delta WLSMV fit of cfa()/sem(): "
                                    "fit it with egovsem.sem.wls_mg.fit_wlsmv_multigroup(model, data, ordered, "
                                    "group=None) instead).")
    m = int(restricted.fit_measures["df"] - free.fit_measures["df"])
    dT = float(restricted.fit_measures["chisq"] - free.fit_measures["chisq"])
    if m < 0:
        raise EgovsemError(f"The models are not nested as given: the restricted model has {m} more degrees of "
                           "freedom than the free one (pass the more constrained model first).")
    if m == 0:
        # as lavaan 0.6-14 (lav_test_diff_Satorra2000 with m = 0, then lavTestLRT): the plain difference of the
        # two statistics on 0 df, no p-value, and a warning (e.g. the thresholds step of Wu-Estabrook with
        # 3-category items, a reparameterisation of the configural model)
        warnings.warn("The two models have the same degrees of freedom: the difference test has 0 df and no "
                      "p-value (chisq_diff is the unscaled difference of the statistics, as lavaan's lavTestLRT "
                      "gives with 'some models have the same degrees of freedom').", EgovsemWarning, stacklevel=2)
        return {"chisq_diff": dT, "df_diff": 0, "pvalue": float("nan")}
    from .score_test_wlsmv_constrained import exact_A, reduce_to_equalities

    if A_method == "exact":
        A, K1 = exact_A(restricted, free)
        Pinv = np.linalg.inv(K1.T @ free.info @ K1)
        Ar = A @ K1
        APA = Ar @ Pinv @ Ar.T
        # as lavaan: constraints the free model already satisfies (zero rows of A P^-1 A') drop out
        tol = np.sqrt(np.finfo(float).eps)
        keep = (np.abs(APA.sum(axis=0)) >= tol) | (np.abs(APA.sum(axis=1)) >= tol)
        if not keep.any():
            warnings.warn("The restricted model adds no constraint to the free one's parameters: the difference test "
                          "is the unscaled difference of the statistics (as lavaan's lavTestLRT with A.method = "
                          "'exact').", EgovsemWarning, stacklevel=2)
            return {"chisq_diff": dT, "df_diff": m, "pvalue": float(special.chdtrc(m, max(dT, 0.0)))}
        PA = Pinv @ Ar[keep].T
        U = PA @ np.linalg.pinv(APA[np.ix_(keep, keep)], rcond=tol, hermitian=True) @ PA.T
        return _scaled_shifted(U @ (K1.T @ free.meat @ K1), m, dT)
    # explicit equalities: each model in the space its equalities leave (lavaan's Delta K, K' P K, K' B K)
    K1, K0 = reduce_to_equalities(free), reduce_to_equalities(restricted)
    D1, D0 = free.delta @ K1, restricted.delta @ K0
    # theta1 directions reachable from the restricted model: the least-squares C of D1 C = D0 (D1 has full
    # column rank), by the equilibrated normal equations (a pseudo-inverse of the tall D1 costs an SVD)
    DtD = D1.T @ D1
    sc = 1.0 / np.sqrt(np.clip(np.diag(DtD), np.finfo(float).tiny, None))
    C = sc[:, None] * np.linalg.solve(DtD * np.outer(sc, sc), sc[:, None] * (D1.T @ D0))
    P = K1.T @ free.info @ K1
    Pinv = np.linalg.inv(P)
    CPC = C.T @ P @ C
    if np.linalg.matrix_rank(CPC) == C.shape[1]:
        # with the rows of A spanning the orthogonal complement of C's columns,
        # P^-1 A' (A P^-1 A')^-1 A P^-1 = P^-1 - C (C' P C)^-1 C' (no basis of the complement needed)
        U = Pinv - C @ np.linalg.solve(CPC, C.T)
    else:  # C without full column rank: the constraints A from an SVD
        u, sv, _vt = np.linalg.svd(C, full_matrices=True)
        rank = int(np.sum(sv > sv.max() * 1e-8)) if sv.size else 0
        A = u[:, rank:].T
        U = Pinv @ A.T @ np.linalg.solve(A @ Pinv @ A.T, A @ Pinv)
    return _scaled_shifted(U @ (K1.T @ free.meat @ K1), m, dT)


def _scaled_shifted(UB: np.ndarray, m: int, dT: float) -> dict[str, float]:
    """Satorra (2000)'s scaled-shifted difference ``a dT + b`` from ``U B`` (``a = sqrt(m / tr((UB)^2))``,
    ``b = m - a tr(UB)``) on ``m`` degrees of freedom."""
    tr1, tr2 = float(np.trace(UB)), float(np.sum(UB * UB.T))
    a = np.sqrt(m / tr2)
    b = m - a * tr1
    stat = a * dT + b
    return {"chisq_diff": float(stat), "df_diff": m, "pvalue": float(special.chdtrc(m, max(stat, 0.0))),
            "a": float(a), "b": float(b)}


def xspace_score_information(fit: WLSMVMultiGroupResults):
    """lavaan's parameter space ``x`` of a multi-group WLSMV fit (every later row of a shared parameter with its
    own parameter), with the gradient of the DWLS objective there.

    Returns
    -------
    cons, T, s, info, N
        ``cons``: (first row, later row) of each shared parameter, in lavaan's order; ``T`` (q + k, q): the map
        ``x = T theta``; ``s``: the gradient ``-sum_g c_g (N_g - 1) / N_g Delta_g' W_g (s_g - sigma_g)`` (lavaan's
        ``gradient.logl``) and ``info``: the unit information ``sum_g c_g Delta_g' W_g Delta_g``, both at
        ``T theta``; ``N`` the total sample size.
    """
    pt = fit.partable.reset_index(drop=True)
    free = pt["free"].to_numpy()
    first: dict[int, int] = {}
    cons = []
    for i, f in enumerate(free):
        if f <= 0:
            continue
        if f in first:
            cons.append((first[f], i))
        else:
            first[f] = i
    cons.sort()
    k = len(cons)
    q = fit.theta.size
    ptx = pt.copy()
    T = np.zeros((q + k, q))
    T[np.arange(q), np.arange(q)] = 1.0
    for c, (_i, j) in enumerate(cons):
        ptx.loc[j, "free"] = q + c + 1
        T[q + c, int(free[j]) - 1] = 1.0
    theta_x = T @ fit.theta
    osts = fit.ordinal
    ov, lv = tuple(osts[0].names), tuple(v for v in dict.fromkeys(pt.loc[pt["op"] == "=~", "lhs"]))
    lv = lv + tuple(v for v in dict.fromkeys(pt.loc[(pt["op"] == "~~") & ~pt["lhs"].isin(ov), "lhs"]) if v not in lv)
    G = len(osts)
    Ns = np.array([o.n for o in osts], dtype=float)
    c_g = Ns / Ns.sum()
    I = np.zeros((q + k, q + k))
    s = np.zeros(q + k)
    hook = getattr(fit, "group_model", None)  # a fit with covariates builds its own (wls_mg_conditional)
    for g in range(G):
        ptg = ptx[ptx["group"] == g + 1].reset_index(drop=True)
        if hook is not None:
            gmc, w = hook(ptg, q + k, g)
            D, r = gmc.jacobian(theta_x), osts[g].wls_obs - gmc.sigma(theta_x)
        else:
            gm = _GroupModel.build(ptg, ov, lv, q + k, fit.parameterization, osts[g].ordered)
            D, w, r = gm.jacobian(theta_x), osts[g].wls_v_diag, osts[g].wls_obs - gm.moments(theta_x)
        I += c_g[g] * D.T @ (D * w[:, None])
        # lavaan's DWLS objective of a group carries (N_g - 1) / N_g; its information does not
        s += -c_g[g] * (Ns[g] - 1.0) / Ns[g] * D.T @ (w * r)
    return cons, T, s, I, float(Ns.sum())


def score_tests_wlsmv(fit: WLSMVMultiGroupResults, *, release: list[int] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """lavaan's ``lavTestScore(fit)`` after a multi-group WLSMV fit: score tests for releasing the equality
    constraints (rows that share a ``free`` number; lavaan's ``.p2. == .p55.``).

    In the space where every later row of a constraint has its own parameter, with the unit information
    ``I = sum_g c_g Delta_g' W_g Delta_g`` and the gradient ``s = -sum_g c_g (N_g - 1) / N_g Delta_g' W_g (s_g - sigma_g)`` of
    lavaan's DWLS objective at the constrained estimates: the total test ``N s' I^+ s`` (all released, or
    those in ``release``), and one univariate test per constraint with only that one released. lavaan 0.6-14
    gives these "ordinary" (not robust) score tests after WLSMV, with a warning; so does this function. With
    explicit ``==`` constraints in the model: :func:`egovsem.sem.score_test_wlsmv_constrained.score_tests_constrained`.

    Returns
    -------
    (total, uni) : tuple of DataFrame
        As :func:`egovsem.sem.score_test.score_tests`.
    """
    if fit.constraints:  # explicit constraints: lavaan's bordered information (score_test_wlsmv_constrained)
        from .score_test_wlsmv_constrained import score_tests_constrained

        return score_tests_constrained(fit, release=release)
    pt = fit.partable.reset_index(drop=True)
    cons, T, s, I, N = xspace_score_information(fit)
    if not cons:
        raise EgovsemError("score_tests: the fit has no equality constraints to release (no group_equal and no "
                           "label shared by several rows).")
    k = len(cons)
    if release is not None:
        bad = [r for r in release if not isinstance(r, (int, np.integer)) or not 1 <= r <= k]
        if bad:
            raise EgovsemError(f"The 'release' parameter must list constraint numbers between 1 and {k}. "
                               f"Got {bad!r}.")
    q = fit.theta.size
    rel = np.arange(k) if release is None else np.asarray(release, dtype=int) - 1
    J = np.hstack([T, np.eye(q + k)[:, q + rel]])
    sj = J.T @ s
    x2 = float(N * sj @ np.linalg.pinv(J.T @ I @ J, rcond=1e-10, hermitian=True) @ sj)
    total = pd.DataFrame([{"test": "score", "X2": x2, "df": int(rel.size),
                           "p.value": float(special.chdtrc(rel.size, x2))}])
    rows = []
    for c, (i, j) in enumerate(cons):
        Jc = np.hstack([T, np.eye(q + k)[:, [q + c]]])
        sc = Jc.T @ s
        x2c = float(N * sc @ np.linalg.pinv(Jc.T @ I @ Jc, rcond=1e-10, hermitian=True) @ sc)
        r = pt.loc[j]
        par = f"{r['lhs']} {r['op']}" + (f" {r['rhs']}" if r["op"] != "~1" else "")
        rows.append({"lhs": pt.at[i, "plabel"], "op": "==", "rhs": pt.at[j, "plabel"], "X2": x2c, "df": 1,
                     "p.value": float(special.chdtrc(1, x2c)), "parameter": par, "group": int(r["group"])})
    return total, pd.DataFrame(rows)


# public names for egovsem.sem.wls_mg_conditional (multi-group WLSMV with covariates)
GroupModel = _GroupModel
check_categories = _check_categories
ugamma_traces = _ugamma_traces
