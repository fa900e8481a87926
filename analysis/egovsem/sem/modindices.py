"""Modification indices and expected parameter changes (lavaan's ``modindices()``).

For a parameter fixed in the model (or absent from it, i.e. fixed at 0), with the per-observation
expected information ``I`` of the model extended by that parameter and the score ``s`` (derivative of the
average log-likelihood) at the estimates:

``V = I22 - I21 I11^-1 I12``,  ``mi = N s^2 / V``,  ``epc = s / V``,

and ``sepc.lv``, ``sepc.all``, ``sepc.nox`` rescale ``epc`` as the standardised solution does.

After WLSMV (DWLS, delta parameterisation) lavaan 0.6-14's ``modindices()`` uses the same formulas with the
DWLS pieces: the information ``Delta' W Delta`` (``W = 1 / diag(Gamma)``, no factor N) and, as the score, the
gradient of its objective ``fmin = (N - 1) / (2 N) F`` with ``F = (s - sigma)' W (s - sigma)``, so that
``mi = N ((N - 1) / (2 N))^2 g^2 / V`` and ``epc = -(N - 1) / (2 N) g / V`` with ``g = -2 Delta_e' W (s - sigma)``
the gradient of ``F`` for the candidate parameter (its Delta column ``Delta_e`` keeps the latent responses'
variances at 1, as the model's own columns do). Candidates whose freeing leaves the model unidentified
(marker loadings, latent means, intercepts of ordered items, their residual variances in the delta
parameterisation) have ``V`` = 0 and are dropped, as lavaan drops them.

With explicit constraints (``a == b``, ``d == c^2``, ``a > 0.8``) lavaan 0.6-14 takes ``I11^-1`` from the fit's
augmented (bordered) information, the upper-left block of ``ginv([[I11 + H'H, H'], [H, 0]])`` with ``H`` the
Jacobian of the equalities and the active inequalities at the estimates (inactive ones dropped): that block is
``Z (Z' I11 Z)^-1 Z'`` with ``Z`` a basis of the null space of ``H`` (the fit's ``constraint_basis``), and so it
is here, in every branch (ML, MLR and FIML in one group or several, WLSMV). The candidates' scores are those of
the constrained estimates; nothing else changes.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["modification_indices", "candidate_rows", "dwls_cell_columns", "model_inverse"]


def model_inverse(info: np.ndarray, Z: np.ndarray | None) -> np.ndarray:
    """The inverse of the model's information ``info`` that lavaan's ``modindices()`` uses: ``info^-1``, or with
    explicit constraints (``Z`` the basis of the null space of the equalities and active inequalities) the
    augmented inverse ``Z (Z' info Z)^-1 Z'``."""
    if Z is None:
        return np.linalg.inv(info)
    from .._errors import IdentificationError

    try:
        inner = np.linalg.inv(Z.T @ info @ Z)
    except np.linalg.LinAlgError:
        raise IdentificationError("modification indices: the information matrix projected on the constraints is "
                                  "singular (lavaan: could not compute modification indices; information matrix "
                                  "is singular).") from None
    return Z @ inner @ Z.T


def candidate_rows(res) -> list[tuple[str, str, str]]:
    """The parameters lavaan's ``modindices()`` scores: every fixed row of the model (markers, fixed
    variances, fixed covariates) plus every row of lavaan's "full" table that the model lacks.

    The full table (``lav_partable_full``): loadings of each latent variable on each observed variable that
    is not a fixed covariate nor in a regression; (co)variances among the non-covariate observed variables,
    among the fixed covariates, and among the latent variables; regressions among all variables in
    regressions (not an indicator on its own factor); intercepts with a mean structure. Rows whose
    conditional information is numerically zero (not identified once freed) are dropped afterwards.
    """
    spec = res.spec
    pt = res.partable
    ov, lv, ov_x = list(spec.ov), list(spec.lv), list(spec.ov_x)
    ov_nox = [v for v in ov if v not in ov_x]
    regs = pt[pt["op"] == "~"]
    eqs = list(dict.fromkeys(list(regs["lhs"]) + list(regs["rhs"])))
    indicators = set(pt.loc[pt["op"] == "=~", "rhs"])

    def k(lhs, op, rhs):
        return ("~~",) + tuple(sorted((lhs, rhs))) if op == "~~" else (lhs, op, rhs)

    present = {k(r.lhs, r.op, r.rhs) for r in pt.itertuples()}
    out: list[tuple[str, str, str]] = []
    seen: set = set()
    # fixed rows of the model first (lavaan's lav_object_extended frees them)
    for r in pt.itertuples():
        if r.free == 0 and r.exo == 0:
            out.append((r.lhs, r.op, r.rhs))
            seen.add(k(r.lhs, r.op, r.rhs))
    full: list[tuple[str, str, str]] = []
    full += [(f, "=~", x) for f in lv for x in ov_nox if x not in eqs]
    # lavaan 0.6-14: residual (co)variances only among indicators of latent variables
    ind = [v for v in ov_nox if v in indicators]
    # lavaan's order and names: x1 ~~ x2, x1 ~~ x3, ..., x2 ~~ x3, ... (the earlier variable on the left)
    full += [(ind[j], "~~", ind[i]) for j in range(len(ind)) for i in range(j, len(ind))]
    full += [(ov_x[j], "~~", ov_x[i]) for j in range(len(ov_x)) for i in range(j, len(ov_x))]
    full += [(lv[j], "~~", lv[i]) for j in range(len(lv)) for i in range(j, len(lv))]
    full += [(y, "~", x) for y in eqs for x in eqs if x != y and not (y in indicators and x in lv)]
    if spec.meanstructure:
        full += [(v, "~1", "") for v in ov + lv]
    xset = set(ov_x)
    for row in full:
        kk = k(*row)
        if row[0] in xset and row[2] in xset:
            # covariate-only rows: with fixed.x their score is identically zero (lavaan prints mi ~ 1e-31)
            continue
        if kk in present or kk in seen:
            continue
        seen.add(kk)
        out.append(row)
    return out


def _group_views(res):
    """One view per group: (group number, view with spec/partable/stats/rows/ram/missing, RAM, N_g)."""
    from types import SimpleNamespace

    rows = res.sample.rows
    out = []
    for g, (ram, st) in enumerate(zip(res.rams, res.group_stats), start=1):
        pt = res.partable if res.ngroups == 1 else res.partable[res.partable["group"] == g]
        out.append((g, SimpleNamespace(spec=res.spec, partable=pt, stats=st, missing=res.missing, ram=ram,
                                       rows=None if rows is None else rows[g - 1]), ram, st.nobs))
    return out


def modification_indices(res, rows: list[tuple[str, str, str]] | None = None) -> pd.DataFrame:
    """Return a DataFrame ``lhs op rhs [group] mi epc sepc.lv sepc.all sepc.nox`` (a ``group`` column for
    multi-group models), in lavaan's order.

    With several groups the information is the sum over groups (``sum_g N_g I_g``) and a candidate of group g
    enters through that group's moments, as lavaan's modindices() on a multi-group fit.
    """
    theta, spec = res.theta, res.spec
    if res.ordinal is not None:
        return _modification_indices_dwls(res, rows)
    views = _group_views(res)
    multi = len(views) > 1
    per = []
    I11_tot = 0.0
    for g, view, ram, Ng in views:
        rws = candidate_rows(view) if rows is None else rows
        I11, I12, I22, score, C = group_blocks(res, view, ram, theta, rws)
        I11_tot = I11_tot + Ng * I11
        per.append((g, ram, Ng, rws, I12, I22, score, C))
    N = sum(v[3] for v in views)
    I11_inv = model_inverse(np.asarray(I11_tot), res.vcov_part.constraint_basis)
    out = []
    for g, ram, Ng, rws, I12, I22, score, C in per:
        if not rws:
            continue
        V = Ng * I22 - Ng**2 * np.einsum("qk,qk->k", I12, I11_inv @ I12)
        # lavaan drops parameters whose conditional information (per observation) is below eps^(1/3)
        keep = V / N >= np.finfo(float).eps ** (1 / 3)
        with np.errstate(divide="ignore", invalid="ignore"):
            mi = (Ng * score) ** 2 / V
            epc = Ng * score / V
        for k, row in enumerate(_standardized_epc(ram, theta, spec, C, rws, epc)):
            if keep[k]:
                out.append(row[:3] + ((g,) if multi else ()) + (mi[k],) + row[3:])
    cols = ["lhs", "op", "rhs"] + (["group"] if multi else []) + ["mi", "epc", "sepc.lv", "sepc.all", "sepc.nox"]
    return pd.DataFrame(out, columns=cols)


def _modification_indices_dwls(res, rows: list[tuple[str, str, str]] | None) -> pd.DataFrame:
    """Modification indices of a single-group WLSMV fit (see the module docstring)."""
    ex = res.extra
    dm, theta = ex["delta_model"], res.theta
    ost = ex["ordinal"]
    s, w, N = ost.wls_obs, ost.wls_v_diag, ost.n  # (the sum of the sampling weights, if any)
    cand = candidate_rows(res) if rows is None else rows
    cand = [r for r in cand if r[1] in ("=~", "~", "~~", "~1")]
    scales: list[tuple[str, str, str]] = []
    if rows is None:  # the items' scale factors (lavaan's fixed ``x ~*~ x`` rows) follow the model's fixed rows
        pt = res.partable
        nfix = sum(1 for r in pt.itertuples() if r.free == 0 and r.exo == 0 and r.op in ("=~", "~", "~~", "~1"))
        scales = [(res.spec.ov[k], "~*~", res.spec.ov[k]) for k in dm.ord_idx]
        cand_all = cand[:nfix] + scales + cand[nfix:]
    else:
        cand_all = cand
    ram = dm._fill(theta)[0]
    De = dwls_cell_columns(res, cand)
    if scales:
        nth = res.partable.loc[res.partable["op"] == "|", "lhs"].value_counts()
        cols = _scale_columns(dm, ex["wls_est"], [int(nth[res.spec.ov[k]]) for k in dm.ord_idx])
        De = np.insert(De, [nfix] * len(scales), cols, axis=1)
    Dm = ex["delta"]
    WDm = Dm * w[:, None]
    Iem = De.T @ WDm
    Iee = np.einsum("ik,ik->k", De * w[:, None], De)
    V = Iee - np.einsum("kq,kq->k", Iem, (model_inverse(Dm.T @ WDm, res.vcov_part.constraint_basis) @ Iem.T).T)
    score = (N - 1) / (2.0 * N) * (-2.0) * (De.T @ (w * (s - ex["wls_est"])))
    keep = V >= np.finfo(float).eps ** (1 / 3)
    with np.errstate(divide="ignore", invalid="ignore"):
        mi = N * score**2 / V
        epc = -score / V
    C = ram.implied(theta)[3]
    ks = [k for k, r in enumerate(cand_all) if r[1] != "~*~"]
    std = dict(zip(ks, _standardized_epc(ram, theta, res.spec, C, cand, epc[ks])))
    out = []
    for k, r in enumerate(cand_all):
        if not keep[k]:
            continue
        # a scale factor: sepc.lv is the EPC, sepc.all and sepc.nox its sign (lavaan's standardisation of ~*~)
        row = std[k] if k in std else r + (epc[k], epc[k], float(np.sign(epc[k])), float(np.sign(epc[k])))
        out.append(row[:3] + (mi[k],) + row[3:])
    return pd.DataFrame(out, columns=["lhs", "op", "rhs", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox"])


def dwls_cell_columns(res, rows: list[tuple[str, str, str]]) -> np.ndarray:
    """Delta columns (rows of wls.obs) of a single-group WLSMV fit (delta parameterisation) for the RAM cells of
    ``rows`` (``=~ ~ ~~ ~1``) each moved on its own, free in the model or not; the ordered items' derived
    residual variances held at their values, as in the model's own columns (lavaan's Delta,
    :meth:`egovsem.sem.wls.DeltaModel.jacobian`). The residual variance of an ordered item that predicts another
    variable (a "dummy" latent's variance in lavaan's LISREL form) then has a column of its own."""
    ex = res.extra
    dm, theta = ex["delta_model"], res.theta
    ram = dm._fill(theta)[0]
    dS, dmu = ram.extra_jacobian(theta, [ram.row_position(*r) for r in rows])
    nn = dm.num_idx
    n1 = dm.nslots
    De = np.zeros((ex["ordinal"].wls_obs.size, len(rows)))
    De[dm.mean_rows] = -dmu[:, dm.mean_var].T
    De[n1:n1 + nn.size] = dS[:, nn, nn].T
    De[n1 + nn.size:] = dS[:, dm.ci, dm.cj].T
    return De


def _scale_columns(dm, sigma: np.ndarray, nthresholds: list[int]) -> np.ndarray:
    """Delta columns (rows of wls.obs, one per ordered item) of the items' scale factors ``delta_j`` at 1 (delta
    parameterisation): the thresholds of item j and its correlations are ``delta_j`` times their unscaled
    values, so the column is ``sigma`` on item j's rows and 0 elsewhere (``nthresholds``: each ordered item's
    number of thresholds, in the order of ``dm.ord_idx``)."""
    out = np.zeros((sigma.size, dm.ord_idx.size))
    th_item = np.repeat(dm.ord_idx, nthresholds)  # the item (position in ov) of each threshold row
    off = dm.nslots + dm.num_idx.size
    for c, k in enumerate(dm.ord_idx):
        rows = np.concatenate([dm.th_rows[th_item == k], off + np.flatnonzero((dm.ci == k) | (dm.cj == k))])
        out[rows, c] = sigma[rows]
    return out


def group_blocks(res, view, ram, theta, rows, *, full: bool = False):
    """One group's information blocks for candidate ``rows`` (cells added to its RAM): ``I11`` (model),
    ``I12`` (model x candidates), ``I22`` (the candidates' diagonal, or with ``full`` the whole block), the
    candidates' scores (per observation) and the implied covariance ``C`` of all variables."""
    cells = [ram.row_position(*r) for r in rows]
    Sigma, mu, _E, C, _Em = ram.implied(theta)
    d1S, d1m = ram.jacobian(theta)
    if cells:
        d2S, d2m = ram.extra_jacobian(theta, cells)
    else:
        d2S, d2m = np.zeros((0, ram.p, ram.p)), np.zeros((0, ram.p))
    if res.missing == "fiml":
        I11, I12, I22, score = _fiml_blocks(view, theta, d2S, d2m, full=full)
    else:
        I11, I12, I22, score = _complete_blocks(view, theta, np.linalg.inv(Sigma), mu, d1S, d1m, d2S, d2m,
                                                full=full)
    return I11, I12, I22, score, C


def _standardized_epc(ram, theta, spec, C, rows, epc):
    """(lhs, op, rhs, epc, sepc.lv, sepc.all, sepc.nox) for each candidate row."""
    A, S, m = ram.matrices(theta)
    sd = np.sqrt(np.diag(C))
    pos = {v: i for i, v in enumerate(ram.names)}
    latent, ov_x = set(spec.lv), set(spec.ov_x)
    out = []
    for k, (lhs, op, rhs) in enumerate(rows):
        e = epc[k]
        a, b = pos[lhs], pos.get(rhs, pos[lhs])
        if op == "=~":
            s_all = e * sd[a] / sd[b]
            s_lv = e * sd[a]
            s_nox = s_all
        elif op == "~":
            s_all = e * sd[b] / sd[a]
            s_lv = e * (sd[b] if rhs in latent else 1.0) / (sd[a] if lhs in latent else 1.0)
            s_nox = e * (1.0 if rhs in ov_x else sd[b]) / sd[a]
        elif op == "~1":
            s_all = e / sd[a]
            s_lv = e / sd[a] if lhs in latent else e
            s_nox = e if lhs in ov_x else s_all
        elif lhs == rhs:
            # lavaan standardises the current variance estimate, not the EPC (cov.std = TRUE), with the EPC's
            # sign: sign(epc) * |est| / var
            est_v = S[a, a] if lhs not in ov_x else np.nan
            v = np.sign(e) * abs(est_v if np.isfinite(est_v) else e)
            s_all = v / C[a, a]
            s_lv = s_all if lhs in latent else v
            s_nox = s_all
        else:
            # residual SDs; abs() as lavaan does for Heywood cases
            ra, rb = np.sqrt(abs(S[a, a])), np.sqrt(abs(S[b, b]))
            s_all = e / (ra * rb)
            s_lv = e / ((ra if lhs in latent else 1.0) * (rb if rhs in latent else 1.0))
            s_nox = e / ((1.0 if lhs in ov_x else ra) * (1.0 if rhs in ov_x else rb))
        out.append((lhs, op, rhs, e, s_lv, s_all, s_nox))
    return out


def _complete_blocks(res, theta, W, mu, d1S, d1m, d2S, d2m, *, full: bool = False):
    """Per-observation expected information blocks and scores, complete data; with the covariates' own
    moments (x-x block) zeroed, as lavaan does under fixed.x. ``I22`` is the diagonal of the candidates'
    block, or (``full``) the whole block."""
    spec, st = res.spec, res.stats
    ms = spec.meanstructure
    xi = [spec.ov.index(v) for v in spec.ov_x]
    p = len(spec.ov)
    ki, kj = np.tril_indices(p)
    from .fit_residual import vech_weight

    Vw = vech_weight(W, ki, kj)
    if xi:
        xx = np.isin(ki, xi) & np.isin(kj, xi)
        Vw[xx, :] = 0.0
        Vw[:, xx] = 0.0
    D1 = d1S[:, ki, kj]
    D2 = d2S[:, ki, kj]
    I11 = D1 @ Vw @ D1.T
    I12 = D1 @ Vw @ D2.T
    I22 = D2 @ Vw @ D2.T if full else np.einsum("ka,ab,kb->k", D2, Vw, D2)
    if ms:
        Wm = W.copy()
        if xi:
            Wm[xi, :] = 0.0
            Wm[:, xi] = 0.0
        I11 = I11 + d1m @ Wm @ d1m.T
        I12 = I12 + d1m @ Wm @ d2m.T
        I22 = I22 + (d2m @ Wm @ d2m.T if full else np.einsum("ki,ij,kj->k", d2m, Wm, d2m))
    WF = W - W @ st.cov @ W
    g2 = np.einsum("kij,ij->k", d2S, WF)
    if ms:
        dd = W @ (st.mean - mu)
        g2 -= np.einsum("kij,i,j->k", d2S, dd, dd)
        g2 -= 2.0 * d2m @ dd
    return I11, I12, I22, -0.5 * g2


def _fiml_blocks(res, theta, d2S, d2m, *, full: bool = False):
    """FIML: the expected information under MAR at the model-implied moments (lavaan's default
    information for modindices with missing = "ml") and the casewise-likelihood scores, per observation."""
    from .casewise import casewise, expected_information_phi, saturated_scores, vech_indices
    from .fiml import delta_phi

    rows = res.rows
    if rows is None:
        raise ValueError("modification indices of a FIML fit need its casewise rows")
    N = rows.total
    Sigma, mu, *_ = res.ram.implied(theta)
    cw = casewise(rows.X0, rows.M, Sigma, mu, rows.w)
    if cw is None:
        raise ValueError("the implied covariance matrix is not positive definite at the estimates")
    Iphi = expected_information_phi(cw) / N
    gphi = saturated_scores(cw).sum(axis=0) / N
    vi, vj = vech_indices(Sigma.shape[0])
    D1 = delta_phi(res.ram, theta)
    D2 = np.concatenate([d2m, d2S[:, vi, vj]], axis=1)
    I22 = D2 @ Iphi @ D2.T if full else np.einsum("ka,ab,kb->k", D2, Iphi, D2)
    return D1 @ Iphi @ D1.T, D1 @ Iphi @ D2.T, I22, D2 @ gphi


group_views = _group_views  # public name for other modules
standardized_epc = _standardized_epc  # public name for egovsem.sem.modindices_conditional
