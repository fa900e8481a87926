"""Modification indices after WLSMV with exogenous covariates (lavaan 0.6-14's ``modindices()`` on a
``conditional.x`` fit, one group or several).

The candidates are lavaan's: the model's fixed rows that are not the covariates' (markers, the fixed
residual variances and scale factors of the items, intercepts, latent means), then the rows of lavaan's
"full" table with ``strict.exo = TRUE`` that the model lacks (``lav_partable_full``: loadings on the items
not in regressions, (co)variances among the indicators and among the latent variables, regressions of the
non-covariates on the variables in regressions, intercepts, and with several groups the scale rows), group by
group. Each candidate gets a parameter of its own; its column of ``Delta_g`` (the derivative of group g's
reduced form, :class:`egovsem.sem.wls_mg_conditional.ConditionalGroupModel`) is taken by central differences
at the estimates. With the DWLS information ``I = sum_g (N_g / N) Delta_g' W_g Delta_g`` and the gradient of
lavaan's objective ``sum_g (N_g / N) (N_g - 1) / (2 N_g) F_g``, ``score_k = -(N_g / N) (N_g - 1) / N_g
Delta_gk' W_g (s_g - sigma_g)``:

``V_k = I_kk - I_km I_mm^-1 I_mk``,  ``mi = N score^2 / V``,  ``epc = -score / V``;

candidates with ``V < eps^(1/3)`` (not identified once freed) are dropped, as lavaan drops them. In the theta
parameterisation the scale factors are not parameters of the model; lavaan's column for a scale row is the
direct derivative ``sigma / delta_j`` of the rows of item j (its derivative holding the rest fixed), and so is
ours. ``sepc.*`` standardise the EPC by each group's total covariance (covariates included), as the
parameters are; scale rows have ``sepc.all = sign(epc)``. Continuous items mixed with ordered ones get no
scale rows, and their reduced-form rows are those of :class:`egovsem.sem.wls_mg_conditional.ConditionalGroupModel`.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from .modindices import model_inverse, standardized_epc
from .ram import RAM
from .wls_mg_conditional import ConditionalGroupModel

__all__ = ["conditional_modindices", "modindices_single", "modindices_multigroup", "filter_modindices", "score_view"]


def _key(lhs: str, op: str, rhs: str) -> tuple:
    return ("~~",) + tuple(sorted((lhs, rhs))) if op == "~~" else (lhs, op, rhs)


def _full_rows(items: list[str], xs: list[str], lv: list[str], pt_g: pd.DataFrame, ngroups: int,
               ordered: list[str] | None = None) -> list[tuple]:
    """lavaan's ``lav_partable_full(strict.exo = TRUE)`` rows of one group (order as lavaan)."""
    regs = pt_g[pt_g["op"] == "~"]
    eqs = list(dict.fromkeys(list(regs["lhs"]) + list(regs["rhs"])))
    eqs_y = [v for v in eqs if v not in set(xs)]
    ind = set(pt_g.loc[pt_g["op"] == "=~", "rhs"])
    rows: list[tuple] = [(f, "=~", x) for f in lv for x in items if x not in set(eqs_y)]
    ovi = [v for v in items if v in ind]
    rows += [(ovi[j], "~~", ovi[i]) for j in range(len(ovi)) for i in range(j, len(ovi))]
    rows += [(lv[j], "~~", lv[i]) for j in range(len(lv)) for i in range(j, len(lv))]
    rows += [(y, "~", x) for y in eqs_y for x in eqs if x != y and not (y in ind and x in set(lv))]
    rows += [(v, "~1", "") for v in items + lv]
    if ngroups > 1:
        rows += [(v, "~*~", v) for v in items if ordered is None or v in set(ordered)]
    return rows


def conditional_modindices(pt: pd.DataFrame, theta: np.ndarray, params: pd.DataFrame, stats: list, *,
                           items: list[str], xs: list[str], lv: list[str], parameterization: str,
                           multi: bool, info_model: np.ndarray | None = None,
                           constraint_basis: np.ndarray | None = None,
                           ordered: list[str] | None = None) -> pd.DataFrame:
    """lavaan's ``modindices()`` (module docstring) of a conditional.x WLSMV fit given as its multi-group
    parameter table ``pt`` (:func:`egovsem.sem.wls_mg.mg_ordinal_partable` with ``conditional_x``), the
    estimates ``theta``, the parameter rows ``params`` (aligned with ``pt``: the covariates' moments, the
    derived residual variances) and each group's first stage ``stats``. With explicit constraints,
    ``constraint_basis`` (the null space of their Jacobian at ``theta``, in the order of ``theta``) makes the
    model's inverse information lavaan's augmented one (:func:`egovsem.sem.modindices.model_inverse`);
    ``ordered``: the ordered items (None: all; the others continuous).

    Returns
    -------
    DataFrame
        ``lhs op rhs [group] mi epc sepc.lv sepc.all sepc.nox`` (``group`` when ``multi``), lavaan's order.
    """
    ords = set(items if ordered is None else ordered)
    # an ordered predictor in the delta parameterisation: lavaan's Delta holds the derived residual variances
    # fixed, and lists the predictor's own (a "dummy" latent's variance) as a candidate: the model with these
    # variances as ordinary rows at their estimates ("frozen") has both
    frozen = parameterization == "delta" and bool(((pt["op"] == "~") & pt["rhs"].isin(ords)).any())
    G = len(stats)
    q = theta.size
    xset = set(xs)
    ext = pt.copy().reset_index(drop=True)
    values: list[float] = []
    cand: list[tuple[int, int, tuple]] = []  # (group, theta index, row)
    est = params["est"].to_numpy(dtype=float)
    present: dict[int, set] = {g: set() for g in range(1, G + 1)}
    for i, r in enumerate(ext.itertuples()):
        present[int(r.group)].add(_key(r.lhs, r.op, r.rhs))
        if r.free == 0 and r.lhs not in xset and r.op in ("=~", "~", "~~", "~1", "~*~"):
            ext.at[i, "free"] = q + len(values) + 1
            values.append(float(est[i]))
            cand.append((int(r.group), q + len(values) - 1, (r.lhs, r.op, r.rhs)))
    new = []
    for g in range(1, G + 1):
        for lhs, op, rhs in _full_rows(items, xs, lv, pt[pt["group"] == g], G, ordered):
            if _key(lhs, op, rhs) in present[g]:
                continue
            present[g].add(_key(lhs, op, rhs))
            new.append(dict(lhs=lhs, op=op, rhs=rhs, group=g, free=q + len(values) + 1, ustart=np.nan, label="",
                            user=10, exo=0))
            values.append(0.0)
            cand.append((g, q + len(values) - 1, (lhs, op, rhs)))
    if new:
        ext = pd.concat([ext, pd.DataFrame(new)], ignore_index=True)
    qe = q + len(values)
    theta_e = np.concatenate([theta, np.asarray(values, dtype=float)])
    Ns = np.array([s.nobs for s in stats], dtype=float)
    N = float(Ns.sum())
    c = Ns / N
    info = np.zeros((qe, qe))
    score = np.zeros(qe)
    for g in range(G):
        eg = ext[ext["group"] == g + 1].reset_index(drop=True)
        sc_rows = (eg["op"] == "~*~") & (eg["free"] > q)
        sc_idx = eg.loc[sc_rows, ["lhs", "free"]].to_numpy()
        if parameterization == "theta":  # not parameters of the theta model: lavaan's column below
            eg.loc[sc_rows, "free"] = 0
        cm = ConditionalGroupModel.build(eg, items, xs, lv, qe, parameterization, ordered, frozen=frozen)
        D = cm.jacobian(theta_e)
        sig = cm.sigma(theta_e)
        if parameterization == "theta":
            dl = cm.gm.parts(theta_e)[2]
            for v, f in sc_idx:
                D[:, int(f) - 1] = _scale_column(cm, items.index(v), len(xs), sig, dl)
        w = stats[g].wls_v_diag
        info += c[g] * D.T @ (D * w[:, None])
        score += -c[g] * (Ns[g] - 1.0) / Ns[g] * D.T @ (w * (stats[g].wls_obs - sig))
    m = np.arange(q)
    e = np.array([k for _g, k, _r in cand], dtype=int)
    Iem = info[np.ix_(e, m)]
    Imm = info[np.ix_(m, m)] if info_model is None else info_model
    V = info[e, e] - np.einsum("km,km->k", Iem, (model_inverse(Imm, constraint_basis) @ Iem.T).T)
    sc = score[e]
    keep = V >= np.finfo(float).eps ** (1 / 3)
    with np.errstate(divide="ignore", invalid="ignore"):
        mi = N * sc**2 / V
        epc = -sc / V
    rows_out: dict[int, tuple] = {}
    spec = SimpleNamespace(lv=tuple(lv), ov_x=tuple(xs))
    for g in range(1, G + 1):
        idx = [j for j, (gg, _k, _r) in enumerate(cand) if gg == g]
        ram, C = _total_ram(pt, params, g, items, xs, lv)
        std = standardized_epc(ram, np.zeros(0), spec, C, [cand[j][2] for j in idx], epc[idx])
        for j, (lhs, op, rhs, ep, s_lv, s_all, s_nox) in zip(idx, std):
            if op == "~*~":
                s_lv, s_all, s_nox = ep, float(np.sign(ep)), float(np.sign(ep))
            rows_out[j] = (lhs, op, rhs) + ((g,) if multi else ()) + (mi[j], ep, s_lv, s_all, s_nox)
    # lavaan's order: the table's fixed rows (all groups), then the additions group by group
    out = [rows_out[j] for j in range(len(cand)) if keep[j]]
    cols = ["lhs", "op", "rhs"] + (["group"] if multi else []) + ["mi", "epc", "sepc.lv", "sepc.all", "sepc.nox"]
    return pd.DataFrame(out, columns=cols)


def _scale_column(cm: ConditionalGroupModel, j: int, k: int, sig: np.ndarray, dl: np.ndarray) -> np.ndarray:
    """lavaan's Delta column of the scale factor of item ``j`` in the theta parameterisation (``computeDelta``
    with the ``delta`` matrix: ``derivative.th`` and ``derivative.pi`` give ``tau - mu*`` and the unscaled
    slopes on item j's rows; ``derivative.sigma(delta = FALSE)`` is 0 on the correlations)."""
    gm = cm.gm
    p = gm.ram.p
    th = np.zeros(gm.nslots, dtype=bool)
    th[gm.slot_th[gm.th_item == j]] = True
    rows = np.concatenate([th, np.tile(np.arange(p) == j, k), np.zeros(gm.nn.size + gm.ci.size, dtype=bool)])
    return np.where(rows, sig / dl[j], 0.0)


def _total_ram(pt, params, g, items, xs, lv) -> tuple[RAM, np.ndarray]:
    """Group g's model with every row at its estimate and the covariates' sample moments (a RAM with no free
    parameters) and its total implied covariance."""
    rows = (pt["group"] == g).to_numpy() & pt["op"].isin(["=~", "~", "~~", "~1"]).to_numpy()
    tot = pt[rows].copy()
    tot["free"] = 0
    tot["ustart"] = params["est"].to_numpy(dtype=float)[rows]
    ram = RAM.from_partable(tot, tuple(items) + tuple(xs), tuple(lv), 0)
    return ram, ram.implied(np.zeros(0))[3]


def filter_modindices(mi: pd.DataFrame, sort, minimum_value) -> pd.DataFrame:
    """``modindices(sort., minimum.value)`` as lavaan: rows with mi >= minimum_value, sorted on request."""
    from .._errors import EgovsemError

    if isinstance(minimum_value, bool) or not isinstance(minimum_value, (int, float, np.integer, np.floating)):
        raise EgovsemError(f"The 'minimum_value' parameter must be a number. Got {minimum_value!r} instead.")
    if not isinstance(sort, (bool, np.bool_)):
        raise EgovsemError(f"The 'sort' parameter must be True or False. Got {sort!r} instead.")
    mi = mi[mi["mi"] >= minimum_value]
    if sort:
        mi = mi.sort_values("mi", ascending=False)
    return mi.reset_index(drop=True)


def _ordered(stats) -> list[str] | None:
    """The ordered items of one group's first stage (None: all of them, as in a fit without covariates)."""
    ords = getattr(stats, "ordered", None)
    return None if ords is None else list(ords)


def modindices_multigroup(fit) -> pd.DataFrame:
    """:func:`conditional_modindices` of a multi-group (or theta) WLSMV fit
    (:class:`egovsem.sem.wls_mg.WLSMVMultiGroupResults`, and with covariates
    :class:`egovsem.sem.wls_mg_conditional.ConditionalMultiGroupResults`); with explicit constraints on the
    null space of their Jacobian (equalities and active inequalities) at the estimates."""
    st = fit.ordinal
    cs = getattr(fit, "constraint_set", None)
    Z = cs.null_basis(fit.theta) if fit.constraints and cs is not None else None
    pt = fit.partable
    lv = list(dict.fromkeys(pt.loc[pt["op"] == "=~", "lhs"])) if not hasattr(fit, "latent_names") else fit.latent_names
    return conditional_modindices(pt, fit.theta, fit.params, st, items=list(st[0].names),
                                  xs=list(getattr(st[0], "xnames", ())), lv=lv,
                                  parameterization=fit.parameterization, multi=len(st) > 1, info_model=fit.info,
                                  constraint_basis=Z, ordered=_ordered(st[0]))


def _single_table(fit) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray | None]:
    """A single-group conditional.x fit on the multi-group table of one group: the table, its parameters
    ``theta``, each row's estimate and the fit's constraint basis moved to the table's parameter order."""
    from .wls_mg import mg_ordinal_partable

    st = fit.stats
    items = list(st.names)
    nth = {v: len(st.thresholds[v]) for v in items}
    pt = mg_ordinal_partable(fit.spec, items, nth, 1, conditional_x=True)
    p = fit.params.assign(rhs=fit.params["rhs"].fillna(""))
    est_of = {(r.lhs, r.op, r.rhs): float(r.est) for r in p.itertuples()}
    est = np.array([est_of[(r.lhs, r.op, "" if not isinstance(r.rhs, str) else r.rhs)] for r in pt.itertuples()])
    theta = np.zeros(int(pt["free"].max()))
    free = pt["free"].to_numpy()
    theta[free[free > 0] - 1] = est[free > 0]
    Z = fit.constraint_basis
    if Z is not None:  # the fit's constraint basis, its rows moved to this table's parameter order
        pos_of = {(r.lhs, r.op, r.rhs): int(k) for r, k in zip(p.itertuples(), fit.free_rows)}
        order = np.full(theta.size, -1)
        for r, f in zip(pt.itertuples(), free):
            if f > 0:
                order[f - 1] = pos_of[(r.lhs, r.op, "" if not isinstance(r.rhs, str) else r.rhs)]
        if (order < 0).any() or theta.size != fit.theta.size:
            raise ValueError("modindices: the conditional.x table and the fit's parameters do not correspond")
        Z = Z[order]
    return pt, theta, est, Z


def modindices_single(fit) -> pd.DataFrame:
    """:func:`conditional_modindices` of a single-group conditional.x fit
    (:class:`egovsem.sem.conditional_results.ConditionalFit`): its estimates on the multi-group table of
    one group."""
    st = fit.stats
    pt, theta, est, Z = _single_table(fit)
    return conditional_modindices(pt, theta, pd.DataFrame({"est": est}), [st], items=list(st.names),
                                  xs=list(st.xnames), lv=list(fit.spec.lv), parameterization="delta", multi=False,
                                  constraint_basis=Z)


def score_view(fit) -> SimpleNamespace:
    """A single-group conditional.x fit as :func:`egovsem.sem.wls_mg.score_tests_wlsmv` reads a multi-group one
    (table, ``theta``, first stage, the group model and the explicit constraints on this table's ``theta``)."""
    from .constraints import Constraint, ConstraintSet

    st = fit.stats
    pt, theta, _est, _Z = _single_table(fit)
    items, xs, lv = list(st.names), list(st.xnames), list(fit.spec.lv)
    cons = tuple(fit.spec.constraints)
    cs = ConstraintSet([Constraint(*c) for c in cons], pt, fit.spec.defined) if cons else None

    def group_model(ptg: pd.DataFrame, q: int, g: int):
        return ConditionalGroupModel.build(ptg, items, xs, lv, q, "delta"), st.wls_v_diag

    return SimpleNamespace(partable=pt, theta=theta, ordinal=[st], parameterization="delta", constraints=cons,
                           constraint_set=cs, group_model=group_model)
