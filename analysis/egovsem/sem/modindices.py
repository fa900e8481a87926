"""Modification indices and expected parameter changes (lavaan's ``modindices()``).

For a parameter fixed in the model (or absent from it, i.e. fixed at 0), with the per-observation
expected information ``I`` of the model extended by that parameter and the score ``s`` (derivative of the
average log-likelihood) at the estimates:

``V = I22 - I21 I11^-1 I12``,  ``mi = N s^2 / V``,  ``epc = s / V``,

and ``sepc.lv``, ``sepc.all``, ``sepc.nox`` rescale ``epc`` as the standardised solution does.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import ml

__all__ = ["modification_indices", "candidate_rows"]


def candidate_rows(res) -> list[tuple[str, str, str]]:
    """The parameters lavaan's ``modindices()`` considers by default and that the model does not free.

    Loadings of every latent variable on every observed indicator (of any factor); covariances among the
    residuals of indicators and of other non-exogenous observed variables; covariances among latent
    variables; regressions are not listed (lavaan lists ``~`` only for models with regressions among
    latent variables, where they are equivalent to the covariances).
    """
    spec = res.spec
    pt = res.partable
    have = set()
    for r in pt.itertuples():
        if r.free > 0 or r.exo == 1:
            if r.op == "~~":
                have.add(("~~",) + tuple(sorted((r.lhs, r.rhs))))
            else:
                have.add((r.lhs, r.op, r.rhs))
    fixed_rows = {(r.lhs, r.op, r.rhs) for r in pt.itertuples() if r.free == 0 and r.exo == 0}
    indicators = [v for v in spec.ov if any((r.op == "=~" and r.rhs == v) for r in pt.itertuples())]
    out: list[tuple[str, str, str]] = []
    for f in spec.lv:
        for x in indicators:
            if (f, "=~", x) not in have:
                out.append((f, "=~", x))
    ovs = [v for v in spec.ov if v not in spec.ov_x]
    for i, a in enumerate(ovs):
        for b in ovs[i + 1:]:
            if ("~~",) + tuple(sorted((a, b))) not in have:
                out.append((a, "~~", b))
    lvs = list(spec.lv)
    for i, a in enumerate(lvs):
        for b in lvs[i + 1:]:
            if ("~~",) + tuple(sorted((a, b))) not in have:
                out.append((a, "~~", b))
    del fixed_rows
    return out


def modification_indices(res, rows: list[tuple[str, str, str]] | None = None) -> pd.DataFrame:
    """Return a DataFrame ``lhs op rhs mi epc sepc.lv sepc.all sepc.nox``, sorted as given."""
    if rows is None:
        rows = candidate_rows(res)
    ram, theta, st, spec = res.ram, res.theta, res.stats, res.spec
    N = st.nobs
    if not rows:
        return pd.DataFrame(columns=["lhs", "op", "rhs", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox"])
    cells = [ram.row_position(*r) for r in rows]
    Sigma, mu, E, C, Em = ram.implied(theta)
    W = np.linalg.inv(Sigma)
    d1S, d1m = ram.jacobian(theta)
    d2S, d2m = ram.extra_jacobian(theta, cells)
    ms = spec.meanstructure
    I11 = ml.information_from(W, d1S, d1m, ms)
    M2 = np.einsum("ij,kjl->kil", W, d2S) @ W
    I12 = 0.5 * np.einsum("kij,lji->lk", M2, d1S)  # (q, k)
    I22 = 0.5 * np.einsum("kij,kji->k", M2, d2S)
    if ms:
        I12 += d1m @ W @ d2m.T
        I22 += np.einsum("ki,ij,kj->k", d2m, W, d2m)
    WF = W - W @ st.cov @ W
    g2 = np.einsum("kij,ij->k", d2S, WF)
    if ms:
        dd = W @ (st.mean - mu)
        g2 -= np.einsum("kij,i,j->k", d2S, dd, dd)
        g2 -= 2.0 * d2m @ dd
    score = -0.5 * g2
    V = I22 - np.einsum("qk,qk->k", I12, np.linalg.solve(I11, I12))
    with np.errstate(divide="ignore", invalid="ignore"):
        mi = N * score**2 / V
        epc = score / V
    A, S, m = ram.matrices(theta)
    sd = np.sqrt(np.diag(C))
    pos = {v: i for i, v in enumerate(ram.names)}
    latent, ov_x = set(spec.lv), set(spec.ov_x)
    out = []
    for k, (lhs, op, rhs) in enumerate(rows):
        e = epc[k]
        a, b = pos[lhs], pos[rhs]
        if op == "=~":
            s_all = e * sd[a] / sd[b]
            s_lv = e * sd[a]
            s_nox = s_all
        elif op == "~":
            s_all = e * sd[b] / sd[a]
            s_lv = e * (sd[b] if rhs in latent else 1.0) / (sd[a] if lhs in latent else 1.0)
            s_nox = e * (1.0 if rhs in ov_x else sd[b]) / sd[a]
        else:
            ra, rb = np.sqrt(S[a, a]), np.sqrt(S[b, b])
            s_all = e / (ra * rb)
            s_lv = e / ((ra if lhs in latent else 1.0) * (rb if rhs in latent else 1.0))
            s_nox = e / ((1.0 if lhs in ov_x else ra) * (1.0 if rhs in ov_x else rb))
        out.append((lhs, op, rhs, mi[k], e, s_lv, s_all, s_nox))
    return pd.DataFrame(out, columns=["lhs", "op", "rhs", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox"])
