"""Two-level SEM by maximum likelihood (lavaan 0.6-14's ``sem(model, data, cluster = )`` with ``level:`` blocks).

The model has a within (``level: 1``) and a between (``level: 2``) part. Every observed variable of level 1
is split into a within and a between component; a variable that appears only at level 1 is *within-only*
(its between part is zero), one that appears only at level 2 is *between-only* (constant inside a cluster,
e.g. a cluster characteristic w). For cluster j with n_j members and the level-1 variables y_ij:

    y_ij = mu_y + b_j + e_ij,   Cov(e) = Sigma_W (level-1 model),  Cov(b, z) from the level-2 model,

so the cluster's density factors into the within deviations (n_j - 1 degrees of freedom, covariance
Sigma_W) and the cluster mean with the between-only values, ``(z_j, ybar_j)`` with covariance
``V_j = [[S_zz, S_zy], [S_yz, Sigma_B,yy + Sigma_W / n_j]]``. Clusters of equal size share V_j, so the
objective is summed over the cluster-size patterns (sufficient statistics: the pooled within covariance and,
per size, the mean and covariance of the cluster means), as lavaan does:

    -2 logL = sum_n ns_n [log|V_n| + tr(V_n^-1 M_n) + p log n] + (N - J) [log|Sigma_W| + tr(Sigma_W^-1 S_PW)]
              + (N p + J p_z) log(2 pi)

with ``M_n = C_n + (m_n - mu)(m_n - mu)'``. The level-1 intercepts of variables that exist at both levels
are fixed to 0 (their mean lives at level 2). With ``fixed.x`` the covariances and means of exogenous
covariates are fixed at their sample values (level 1: the total moments, divisor N; level 2: the moments
of the cluster values, divisor J) and the log-likelihood reported is conditional on them (the covariates'
saturated log-likelihood is subtracted, as lavaan's ``logl``).

The standard errors come from the observed information (the Hessian of the log-likelihood, lavaan's
default for two-level models). The saturated (H1) model, which lavaan fits by EM, is fitted by the same EM
steps and stopping rule (a log-likelihood increase below 1e-4), so the chi-square, SRMR and ICC are lavaan's;
``h1_exact=True`` polishes it to the exact maximum instead.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .._errors import DataError, DataWarning, EgovsemError, MissingDataWarning, ModelSyntaxError, caller_stacklevel
from .partable import ModelSpec, specify
from .ram import RAM
from .start import partable_start
from .twolevel_fiml import FimlData, fiml_data, objective_fiml

__all__ = ["has_levels", "split_levels", "TwoLevelFit", "sem_twolevel", "fit_from_sem", "write_fit_json"]

_LEVEL_RE = re.compile(r"^\s*level\s*:\s*([A-Za-z0-9_]+)\s*;?\s*(.*)$")
_LOG2PI = float(np.log(2.0 * np.pi))


def has_levels(model: str) -> bool:
    """Whether the model text has ``level:`` lines."""
    return isinstance(model, str) and any(_LEVEL_RE.match(ln.split("#")[0]) for ln in model.splitlines())


def split_levels(model: str) -> tuple[str, str]:
    """The text of the ``level: 1`` and ``level: 2`` blocks (``within`` / ``between`` are accepted too)."""
    blocks: dict[int, list[str]] = {}
    cur: int | None = None
    for lineno, line in enumerate(model.splitlines(), start=1):
        m = _LEVEL_RE.match(line.split("#")[0])
        if m:
            tok = m.group(1).lower()
            lev = {"1": 1, "within": 1, "2": 2, "between": 2}.get(tok)
            if lev is None:
                raise ModelSyntaxError(f"model syntax, line {lineno}: level '{m.group(1)}' is not supported; "
                                       "a two-level model has 'level: 1' (within) and 'level: 2' (between).")
            if lev in blocks:
                raise ModelSyntaxError(f"model syntax, line {lineno}: 'level: {m.group(1)}' appears twice.")
            cur = lev
            blocks[cur] = [m.group(2)] if m.group(2).strip() else []
            continue
        if cur is None:
            if line.split("#")[0].strip():
                raise ModelSyntaxError(f"model syntax, line {lineno}: statement before the first 'level:' line: "
                                       f"{line.strip()!r}; a two-level model puts every statement in a level block.")
            continue
        blocks[cur].append(line)
    if set(blocks) != {1, 2}:
        raise ModelSyntaxError("model syntax: a two-level model needs both a 'level: 1' and a 'level: 2' block "
                               f"(found: {', '.join(f'level: {k}' for k in sorted(blocks)) or 'none'}).")
    for k in (1, 2):
        if not "\n".join(blocks[k]).strip():
            raise ModelSyntaxError(f"model syntax: the 'level: {k}' block is empty.")
    return "\n".join(blocks[1]), "\n".join(blocks[2])


# --------------------------------------------------------------------------------------------- data --
@dataclass
class ClusterStats:
    """Sufficient statistics of clustered data for the cluster-size-pattern likelihood."""

    y: tuple[str, ...]  # level-1 variables (within-only and split), level-1 model order
    z: tuple[str, ...]  # between-only variables
    N: int
    J: int
    sizes: np.ndarray  # distinct cluster sizes
    ns: np.ndarray  # number of clusters of each size
    mean_d: list[np.ndarray]  # per size: mean of (z_j, ybar_j)
    cov_d: list[np.ndarray]  # per size: covariance (divisor ns) of (z_j, ybar_j)
    S_PW: np.ndarray  # pooled within covariance of y, divisor N - J
    S_total: np.ndarray  # total covariance of y, divisor N
    mean_total: np.ndarray
    Y2: np.ndarray  # cluster means of y (J x p)
    Z: np.ndarray  # cluster values of z (J x p_z)
    nj: np.ndarray  # cluster size of each cluster
    labels: np.ndarray  # cluster identifiers
    Y1Y1: np.ndarray  # raw cross-products of y (for the EM steps of the saturated model)
    n_obs_y: int = 0  # FIML: number of observed y cells
    fd: FimlData | None = None  # FIML: the rows arranged for the batched casewise likelihood


def cluster_stats(data: pd.DataFrame, y: tuple[str, ...], z: tuple[str, ...], cluster: str, *,
                  fiml: bool = False, x: tuple[str, ...] = ()) -> ClusterStats:
    """Check the data and compute the statistics. Without ``fiml`` rows with a missing value are deleted
    listwise (lavaan's default; a warning names them). With ``fiml`` rows with a missing fixed covariate
    (``x``) are deleted with a warning (as lavaan), missing level-1 cells are kept for the casewise likelihood
    and the summary statistics (used for starting values) come from the complete rows."""
    if cluster not in data.columns:
        raise DataError(f"cluster = {cluster!r}: no such column in the data.")
    cols = list(y) + list(z)
    miss = [c for c in cols if c not in data.columns]
    if miss:
        raise DataError(f"the model's variables {miss} are not columns of the data.")
    d = data[cols + [cluster]]
    rowno = np.arange(1, len(d) + 1)  # data row numbers (1-based) of the rows kept
    if d[cluster].isna().any():
        rows = [int(r) + 1 for r in np.flatnonzero(d[cluster].isna().to_numpy())[:10]]
        raise DataError(f"cluster = {cluster!r}: missing cluster identifiers in data rows {rows}.")
    for c in cols:
        if not pd.api.types.is_numeric_dtype(d[c]):
            raise DataError(f"column {c!r} is not numeric (dtype {d[c].dtype}).")
    if fiml:
        xs = [c for c in cols if c in x]
        if xs and d[xs].isna().to_numpy().any():  # lavaan: deleted with a warning (fixed.x = TRUE)
            bad = d[xs].isna().any(axis=1).to_numpy()
            rows = [int(r) + 1 for r in np.flatnonzero(bad)[:10]]
            warnings.warn(f"missing = 'ml': {int(bad.sum())} rows were deleted due to missing values in the fixed "
                          f"covariates {[c for c in xs if d[c].isna().any()]} (fixed_x = True), as lavaan does "
                          f"(data rows {rows}{' ...' if bad.sum() > 10 else ''}).", MissingDataWarning,
                          stacklevel=caller_stacklevel())
            d, rowno = d[~bad], rowno[~bad]
        strict = [c for c in cols if c in z and c not in x]
        if strict and d[strict].isna().to_numpy().any():
            bad = d[strict].isna().any(axis=1).to_numpy()
            rows = [int(r) for r in rowno[bad][:10]]
            raise DataError(f"missing = 'ml': the between-level variables {strict} must be complete in a two-level "
                            f"model; {int(bad.sum())} rows have missing values there (data rows {rows}).")
        allna = d[list(y)].isna().all(axis=1).to_numpy()
        if allna.any():
            d, rowno = d[~allna], rowno[~allna]
    if not fiml and d[cols].isna().to_numpy().any():  # lavaan's default, missing = "listwise"
        bad = d[cols].isna().any(axis=1).to_numpy()
        rows = [int(r) for r in rowno[bad][:10]]
        warnings.warn(f"listwise deletion: {int(bad.sum())} of {len(d)} rows have a missing value on a model variable "
                      f"and were removed (data rows {rows}{' ...' if bad.sum() > 10 else ''}); "
                      f"{int((~bad).sum())} rows are analysed (use missing='ml' to keep them).", MissingDataWarning,
                      stacklevel=caller_stacklevel())
        d, rowno = d[~bad], rowno[~bad]
    codes, labels = pd.factorize(d[cluster], sort=False)
    J = len(labels)
    if J < 2:
        raise DataError(f"cluster = {cluster!r} has {J} cluster ({labels[0]}): a two-level model needs "
                        "several clusters to estimate the between-level covariances.")
    N = len(d)
    nj = np.bincount(codes, minlength=J)
    if (nj == 1).any():  # lavaan uses them (between-level information only) and says nothing; egovsem tells
        single = np.flatnonzero(nj == 1)
        rows = [int(r) for r in rowno[np.isin(codes, single[:10])][:10]]
        names = [labels[k].item() if hasattr(labels[k], "item") else labels[k] for k in single[:10]]
        warnings.warn(f"cluster = {cluster!r}: {single.size} of {J} clusters have a single member (clusters "
                      f"{names}{' ...' if single.size > 10 else ''}, data rows {rows}); "
                      "they carry no within-cluster information and are used, as lavaan uses them, for the "
                      "between level only.", DataWarning, stacklevel=caller_stacklevel())
    Y = d[list(y)].to_numpy(dtype=float)
    Y2 = np.zeros((J, len(y)))
    np.add.at(Y2, codes, Y)
    Y2 /= nj[:, None]
    Zall = d[list(z)].to_numpy(dtype=float)
    Z = np.zeros((J, len(z)))
    if z:
        Z[codes] = Zall  # last value; checked constant below
        dev = np.abs(Zall - Z[codes]) > 1e-8 * np.maximum(1.0, np.abs(Zall))
        if dev.any():
            col = int(np.flatnonzero(dev.any(axis=0))[0])
            bad_cl = np.unique(codes[dev[:, col]])
            rows = [int(r) for r in rowno[np.isin(codes, bad_cl[:3])][:12]]
            raise DataError(
                f"level-2 variable {z[col]!r} varies within cluster {labels[bad_cl[0]]} of {cluster!r} "
                f"({len(bad_cl)} cluster(s) in all; data rows {rows}): a between-level variable must be "
                "constant inside each cluster. Put it at level 1 or use its cluster value.")
    R = Y - Y2[codes]
    S_PW = R.T @ R / (N - J) if N > J else np.full((len(y), len(y)), np.nan)
    mean_total = Y.mean(axis=0)
    S_total = np.cov(Y.T, bias=True).reshape(len(y), len(y))
    D = np.hstack([Z, Y2])
    sizes = np.unique(nj)
    ns = np.array([(nj == s).sum() for s in sizes])
    mean_d, cov_d = [], []
    for s in sizes:
        Ds = D[nj == s]
        m = Ds.mean(axis=0)
        mean_d.append(m)
        cov_d.append((Ds - m).T @ (Ds - m) / Ds.shape[0])
    out = ClusterStats(tuple(y), tuple(z), N, J, sizes, ns, mean_d, cov_d, S_PW, S_total, mean_total, Y2, Z,
                       nj, np.asarray(labels), Y.T @ Y)
    if fiml and np.isnan(Y).any():
        comp = d[~d[list(y)].isna().any(axis=1).to_numpy()]
        base = cluster_stats(comp, y, z, cluster)  # starting values from the complete rows
        Ymean = np.nanmean(Y, axis=0)
        # lavaan: cov(Y, use = "pairwise.complete.obs") * (N - 1) / N (pandas ignores ddof with missing values)
        Yc = pd.DataFrame(Y).cov().to_numpy() * (N - 1) / N
        Y2n = pd.DataFrame(Y).groupby(codes).mean().to_numpy()  # cluster means of the observed cells
        base.S_total, base.mean_total = Yc, Ymean
        base.n_obs_y = int((~np.isnan(Y)).sum())
        base.fd = fiml_data(Y, codes, Z)
        base.N, base.J, base.nj, base.Z, base.Y2, base.labels = N, J, nj, Z, Y2n, np.asarray(labels)
        return base
    return out


# ------------------------------------------------------------------------------------ likelihood --
@dataclass
class Layout:
    """Where the level-1 and level-2 variables sit in the stacked (z, y) vector."""

    ov1: tuple[str, ...]
    ov2: tuple[str, ...]
    z: tuple[str, ...]
    both: tuple[str, ...]
    within: tuple[str, ...]
    i2_z: np.ndarray = field(init=False)  # positions in ov2 of z
    i2_b: np.ndarray = field(init=False)  # positions in ov2 of both
    i1_b: np.ndarray = field(init=False)  # positions in ov1 of both

    def __post_init__(self) -> None:
        self.i2_z = np.array([self.ov2.index(v) for v in self.z], dtype=int)
        self.i2_b = np.array([self.ov2.index(v) for v in self.both], dtype=int)
        self.i1_b = np.array([self.ov1.index(v) for v in self.both], dtype=int)


def _logdet_inv(M: np.ndarray) -> tuple[float, np.ndarray]:
    C = np.linalg.cholesky(M)  # LinAlgError unless positive definite
    Ci = np.linalg.inv(C)
    return float(2.0 * np.sum(np.log(np.diag(C)))), Ci.T @ Ci


def _between_blocks(L: Layout, m1: np.ndarray, S2: np.ndarray, m2: np.ndarray):
    """The level-2 pieces both likelihoods use: Cov(z, z), Cov(z, b) and Cov(b, b) laid out on the level-1
    variables (zero where a variable has no between part), and the level-1 means plus their between means."""
    p1, pz = len(L.ov1), len(L.z)
    Szz = S2[np.ix_(L.i2_z, L.i2_z)]
    Szy = np.zeros((pz, p1))
    Szy[:, L.i1_b] = S2[np.ix_(L.i2_z, L.i2_b)]
    Byy = np.zeros((p1, p1))
    Byy[np.ix_(L.i1_b, L.i1_b)] = S2[np.ix_(L.i2_b, L.i2_b)]
    mu_y = m1.copy()
    mu_y[L.i1_b] += m2[L.i2_b]
    return Szz, Szy, Byy, mu_y


def objective(L: Layout, cs: ClusterStats, S1: np.ndarray, m1: np.ndarray, S2: np.ndarray, m2: np.ndarray,
              grad: bool = False):
    """-2 log-likelihood without constants; with ``grad`` also its derivatives in S1, m1, S2, m2."""
    if cs.fd is not None:
        return objective_fiml(L.i2_z, L.i2_b, L.i1_b, cs.fd, S1, m1, S2, m2, grad)
    p1, pz = len(L.ov1), len(L.z)
    Szz, Szy, Byy, mu_y = _between_blocks(L, m1, S2, m2)
    mu = np.concatenate([m2[L.i2_z], mu_y])
    ldW, Winv = _logdet_inv(S1)
    NJ = cs.N - cs.J
    f = NJ * (ldW + float(np.sum(Winv * cs.S_PW))) if NJ > 0 else 0.0
    gV_sum_yy = np.zeros((p1, p1))
    gW = np.zeros((p1, p1))
    gV_zz = np.zeros((pz, pz))
    gV_zy = np.zeros((pz, p1))
    gmu = np.zeros(pz + p1)
    for s, n_s, md, cd in zip(cs.sizes, cs.ns, cs.mean_d, cs.cov_d):
        V = np.empty((pz + p1, pz + p1))
        V[:pz, :pz] = Szz
        V[:pz, pz:] = Szy
        V[pz:, :pz] = Szy.T
        V[pz:, pz:] = Byy + S1 / s
        ldV, Vi = _logdet_inv(V)
        r = md - mu
        M = cd + np.outer(r, r)
        f += n_s * (ldV + float(np.sum(Vi * M)))
        if grad:
            G = n_s * (Vi - Vi @ M @ Vi)
            gV_zz += G[:pz, :pz]
            gV_zy += G[:pz, pz:]
            gV_sum_yy += G[pz:, pz:]
            gW += G[pz:, pz:] / s
            gmu += -2.0 * n_s * (Vi @ r)
    if not grad:
        return f
    if NJ > 0:
        gW += NJ * (Winv - Winv @ cs.S_PW @ Winv)
    g2 = np.zeros_like(S2)
    g2[np.ix_(L.i2_z, L.i2_z)] += gV_zz
    g2[np.ix_(L.i2_z, L.i2_b)] += gV_zy[:, L.i1_b]
    g2[np.ix_(L.i2_b, L.i2_z)] += gV_zy[:, L.i1_b].T
    g2[np.ix_(L.i2_b, L.i2_b)] += gV_sum_yy[np.ix_(L.i1_b, L.i1_b)]
    gm1 = gmu[pz:].copy()
    gm2 = np.zeros_like(m2)
    gm2[L.i2_z] = gmu[:pz]
    gm2[L.i2_b] += gmu[pz:][L.i1_b]
    return f, gW, gm1, g2, gm2


def constant(L: Layout, cs: ClusterStats) -> float:
    """The terms of -2 logL that do not depend on the parameters."""
    p1, pz = len(L.ov1), len(L.z)
    if cs.fd is not None:
        return float((cs.n_obs_y + cs.J * pz) * _LOG2PI)
    return float(p1 * np.sum(cs.ns * np.log(cs.sizes)) + (cs.N * p1 + cs.J * pz) * _LOG2PI)


def loglik_x(L: Layout, cs: ClusterStats, x1: tuple[str, ...], x2: tuple[str, ...]) -> float:
    """lavaan's ``loglik.x``: the saturated log-likelihood of the fixed covariates (level 1 and level 2)."""
    out = 0.0
    if x1:
        ix = [cs.y.index(v) for v in x1]
        S = cs.S_total[np.ix_(ix, ix)]
        out += -cs.N / 2 * (len(ix) * _LOG2PI + np.linalg.slogdet(S)[1] + len(ix))
    if x2:
        cols = []
        for v in x2:
            cols.append(cs.Z[:, cs.z.index(v)] if v in cs.z else cs.Y2[:, cs.y.index(v)])
        X = np.column_stack(cols)
        S = np.cov(X.T, bias=True).reshape(len(x2), len(x2))
        out += -cs.J / 2 * (len(x2) * _LOG2PI + np.linalg.slogdet(S)[1] + len(x2))
    return float(out)


# ------------------------------------------------------------------------------------ moment models --
def _fit_free_moments(L: Layout, cs: ClusterStats, S1: np.ndarray, m1: np.ndarray, S2: np.ndarray, m2: np.ndarray,
                      free1: np.ndarray, fm1: np.ndarray, free2: np.ndarray, fm2: np.ndarray) -> tuple[float, tuple]:
    """Maximise the likelihood over the marked (lower-triangle) entries of S1, S2 and entries of m1, m2."""
    t1 = np.argwhere(np.tril(free1))
    t2 = np.argwhere(np.tril(free2))
    k1, k2 = np.flatnonzero(fm1), np.flatnonzero(fm2)

    def unpack(th):
        a, b = S1.copy(), S2.copy()
        o = 0
        a[t1[:, 0], t1[:, 1]] = th[o:o + len(t1)]
        a[t1[:, 1], t1[:, 0]] = th[o:o + len(t1)]
        o += len(t1)
        b[t2[:, 0], t2[:, 1]] = th[o:o + len(t2)]
        b[t2[:, 1], t2[:, 0]] = th[o:o + len(t2)]
        o += len(t2)
        c, d = m1.copy(), m2.copy()
        c[k1] = th[o:o + len(k1)]
        o += len(k1)
        d[k2] = th[o:o + len(k2)]
        return a, c, b, d

    def fg(th):
        a, c, b, d = unpack(th)
        try:
            f, gW, gm1, g2, gm2 = objective(L, cs, a, c, b, d, grad=True)
        except np.linalg.LinAlgError:
            return 1e20, np.zeros_like(th)
        s1 = np.where(t1[:, 0] == t1[:, 1], 1.0, 2.0)
        s2 = np.where(t2[:, 0] == t2[:, 1], 1.0, 2.0)
        g = np.concatenate([gW[t1[:, 0], t1[:, 1]] * s1, g2[t2[:, 0], t2[:, 1]] * s2, gm1[k1], gm2[k2]])
        return f, g

    th0 = np.concatenate([S1[t1[:, 0], t1[:, 1]], S2[t2[:, 0], t2[:, 1]], m1[k1], m2[k2]])
    res = _quasi_newton(fg, th0, "BFGS", {"gtol": 1e-9, "maxiter": 20000})
    th = res.x
    if not np.max(np.abs(res.jac)) < 1e-6 * max(1.0, abs(float(res.fun))):
        # BFGS can stop at its first line search (a step out of the positive-definite region): Newton steps
        th = _newton_polish(fg, th, 200)[0]
    return float(fg(th)[0]), unpack(th)


def em_saturated(L: Layout, cs: ClusterStats, tol: float = 1e-4, max_iter: int = 5000,
                 min_variance: float = 1e-5) -> tuple[float, tuple]:
    """The saturated (H1) two-level model by lavaan's EM: start at identity covariances and zero means
    (between-only variables at their cluster moments), stop once the log-likelihood rises by less than
    ``tol``. Returns -2 logL (without constants) and (S1, m1, S2, m2) of the last step."""
    p1, pz = len(L.ov1), len(L.z)
    N, J = cs.N, cs.J
    sw, sb = np.eye(p1), np.zeros((p1, p1))
    sb[np.ix_(L.i1_b, L.i1_b)] = np.eye(len(L.both))
    syz = np.zeros((p1, pz))
    mw, mb = np.zeros(p1), np.zeros(p1)
    mz = cs.Z.mean(axis=0) if pz else np.zeros(0)
    szz = np.cov(cs.Z.T, bias=True).reshape(pz, pz) if pz else np.zeros((0, 0))

    def to_moments(sw, sb, syz, mw, mb):
        S2 = np.zeros((len(L.ov2), len(L.ov2)))
        S2[np.ix_(L.i2_b, L.i2_b)] = sb[np.ix_(L.i1_b, L.i1_b)]
        S2[np.ix_(L.i2_z, L.i2_z)] = szz
        S2[np.ix_(L.i2_b, L.i2_z)] = syz[L.i1_b]
        S2[np.ix_(L.i2_z, L.i2_b)] = syz[L.i1_b].T
        m2 = np.zeros(len(L.ov2))
        m2[L.i2_b] = mb[L.i1_b]
        m2[L.i2_z] = mz
        return sw.copy(), mw.copy(), S2, m2

    mom = to_moments(sw, sb, syz, mw, mb)
    fx_old = -objective(L, cs, *mom)
    D = np.hstack([cs.Z, cs.Y2])
    for _ in range(max_iter):
        mu = np.concatenate([mz, mw + mb])
        s1 = np.hstack([syz, sb])
        CW2, CB = np.zeros((p1, p1)), np.zeros((p1, p1))
        MW, MB = np.zeros(p1), np.zeros(p1)
        ZY = np.zeros((pz, p1))
        for s, n_s in zip(cs.sizes, cs.ns):
            sel = cs.nj == s
            bj, ybar = D[sel], cs.Y2[sel]
            om = np.empty((pz + p1, pz + p1))
            om[:pz, :pz] = szz
            om[:pz, pz:] = syz.T
            om[pz:, :pz] = syz
            om[pz:, pz:] = (sw + s * sb) / s
            s1j = s1 @ np.linalg.inv(om)
            Ev = (bj - mu) @ s1j.T + mb
            Covv = n_s * (sb - s1j @ s1.T)
            Covv = (Covv + Covv.T) / 2
            Evv = Covv + Ev.T @ Ev
            MW += s * (ybar - Ev).sum(axis=0)
            MB += Ev.sum(axis=0)
            CW2 += s * (Evv - ybar.T @ Ev - Ev.T @ ybar)
            CB += Evv
            if pz:
                ZY += cs.Z[sel].T @ Ev
        Mws, Mbs = MW / N, MB / J
        sw = (cs.Y1Y1 + CW2) / N - np.outer(Mws, Mws)
        sb = CB / J - np.outer(Mbs, Mbs)
        if pz:
            syz = (ZY / J - np.outer(mz, Mbs)).T
        mw, mb = Mws, Mbs
        zero = np.flatnonzero(np.diag(sw) < min_variance)
        if zero.size:
            sw[:, zero] = 0
            sw[zero, :] = 0
            sw[zero, zero] = min_variance
        mom = to_moments(sw, sb, syz, mw, mb)
        fx = -objective(L, cs, *mom)
        if (fx - fx_old) / 2.0 < tol:  # fx is 2 logL up to constants; lavaan stops on the logL increase
            break
        fx_old = fx
    return float(-fx), mom


def _moment_start(L: Layout, cs: ClusterStats):
    """lavaan-like starting moments: pooled within covariance and the between covariance from the
    method-of-moments split (S_B - S_W) / s, cluster-level moments of the between-only variables."""
    p1 = len(L.ov1)
    iy = [cs.y.index(v) for v in L.ov1]
    S1 = cs.S_PW[np.ix_(iy, iy)].copy() if cs.N > cs.J else cs.S_total[np.ix_(iy, iy)].copy()
    wi = [L.ov1.index(v) for v in L.within]
    if wi:
        S1[np.ix_(wi, wi)] = cs.S_total[np.ix_([iy[i] for i in wi], [iy[i] for i in wi])]
    m1 = np.zeros(p1)
    for i in wi:
        m1[i] = cs.mean_total[iy[i]]
    s = (cs.N - np.sum(cs.nj.astype(float) ** 2) / cs.N) / (cs.J - 1)
    Y2c = cs.Y2[:, iy] - cs.mean_total[iy]
    Sb = (Y2c * cs.nj[:, None]).T @ Y2c / (cs.J - 1)
    SigB = (Sb - (cs.S_PW[np.ix_(iy, iy)] if cs.N > cs.J else 0)) / s
    p2 = len(L.ov2)
    S2 = np.eye(p2)
    bi = [L.ov1.index(v) for v in L.both]
    Bb = SigB[np.ix_(bi, bi)]
    w, U = np.linalg.eigh(Bb) if len(bi) else (np.zeros(0), np.zeros((0, 0)))
    Bb = (U * np.maximum(w, 0.05 * max(w.max() if w.size else 1.0, 1e-3))) @ U.T if len(bi) else Bb
    S2[np.ix_(L.i2_b, L.i2_b)] = Bb
    if L.z:
        S2[np.ix_(L.i2_z, L.i2_z)] = np.cov(cs.Z.T, bias=True).reshape(len(L.z), len(L.z))
    m2 = np.zeros(p2)
    m2[L.i2_b] = cs.mean_total[[cs.y.index(v) for v in L.both]]
    if L.z:
        m2[L.i2_z] = cs.Z.mean(axis=0)
    return S1, m1, S2, m2


def _quasi_newton(fg, th0: np.ndarray, method: str, options: dict[str, Any]):
    """scipy's quasi-Newton run; when it stops early with a large gradient (its line search fails at the edge
    of the positive-definite region, where ``fg`` returns 1e20), :func:`_bfgs_backtracking` continues."""
    res = optimize.minimize(fg, th0, jac=True, method=method, options=options)
    if not np.max(np.abs(res.jac)) < 1e-6 * max(1.0, abs(float(res.fun))):
        x, f, g, it = _bfgs_backtracking(fg, res.x)
        if f <= res.fun:
            res.x, res.fun, res.jac, res.nit = x, f, g, res.nit + it
    return res


def _bfgs_backtracking(fg, x: np.ndarray, maxiter: int = 2000, tol: float = 1e-9):
    """BFGS with an Armijo backtracking line search (which simply halves out of the non-positive-definite
    region) and the initial inverse Hessian scaled after the first step."""
    f, g = fg(x)
    Hi = np.eye(x.size) / max(1.0, float(np.max(np.abs(g))))
    it = 0
    for it in range(1, maxiter + 1):
        if np.max(np.abs(g)) < tol * max(1.0, abs(f)):
            break
        d = -Hi @ g
        slope = float(g @ d)
        if slope >= 0:
            Hi = np.eye(x.size) / max(1.0, float(np.max(np.abs(g))))
            d, slope = -Hi @ g, -float(Hi[0, 0] * g @ g)
        t = 1.0
        while t > 1e-14:
            f_new, g_new = fg(x + t * d)
            if f_new <= f + 1e-4 * t * slope:
                break
            t /= 2
        else:
            break
        s_, y_ = t * d, g_new - g
        sy = float(s_ @ y_)
        if sy > 1e-12 * float(np.sqrt((s_ @ s_) * (y_ @ y_))):
            if it == 1:
                Hi = np.eye(x.size) * sy / float(y_ @ y_)
            rho = 1.0 / sy
            V = np.eye(x.size) - rho * np.outer(s_, y_)
            Hi = V @ Hi @ V.T + rho * np.outer(s_, s_)
        x, f, g = x + s_, f_new, g_new
    return x, float(f), g, it


def _num_hessian(fg, theta: np.ndarray) -> np.ndarray:
    """The Hessian of f by central differences of its analytic gradient (symmetrised)."""
    q = theta.size
    H = np.zeros((q, q))
    for k in range(q):
        h = 1e-5 * max(1.0, abs(theta[k]))
        e = np.zeros(q)
        e[k] = h
        H[:, k] = (fg(theta + e)[1] - fg(theta - e)[1]) / (2 * h)
    return (H + H.T) / 2.0


def _newton_polish(fg, theta: np.ndarray, iter_max: int, tol: float = 1e-9) -> tuple[np.ndarray, int]:
    """Damped Newton steps (numerical Hessian, backtracking) from the quasi-Newton result: BFGS can stall
    in flat between-level directions with small clusters."""
    f, g = fg(theta)
    it = 0
    while it < min(iter_max, 200):
        it += 1
        if np.max(np.abs(g)) < tol * max(1.0, abs(f)):
            break
        H = _num_hessian(fg, theta)
        w, U = np.linalg.eigh(H)
        w = np.maximum(np.abs(w), 1e-8 * max(1.0, np.abs(w).max()))
        step = -(U / w) @ (U.T @ g)
        t = 1.0
        while t > 1e-10:
            f_new, g_new = fg(theta + t * step)
            if f_new <= f + 1e-4 * t * float(g @ step):
                break
            t /= 2
        else:
            break
        theta, f, g = theta + t * step, f_new, g_new
    return theta, it


# ----------------------------------------------------------------------------------------- model --
def _level_spec(text: str, level: int, *, std_lv: bool, fixed_x: bool) -> ModelSpec:
    try:
        return specify(text, std_lv=std_lv, meanstructure=True, fixed_x=fixed_x)
    except ModelSyntaxError as e:
        raise ModelSyntaxError(f"level {level} block: {e}") from None


@dataclass
class TwoLevelFit:
    """A fitted two-level model: the parameter table (lavaan's ``block``/``level`` columns), the estimates,
    the fit measures and :meth:`inspect`."""

    partable: pd.DataFrame
    theta: np.ndarray
    vcov: np.ndarray
    fit_measures: pd.Series
    converged: bool
    iterations: int
    cluster: str
    nobs: int
    nclusters: int
    implied: dict[str, Any]
    h1: dict[str, Any]
    layout: Layout
    cstats: ClusterStats

    def parameter_estimates(self, level: float = 0.95) -> pd.DataFrame:
        """lavaan's ``parameterEstimates()``: lhs, op, rhs, block, level, label, est, se, z, pvalue, ci."""
        pt = self.partable
        se = np.sqrt(np.clip(np.diag(self.vcov), 0, None))
        est = pt["est"].to_numpy(dtype=float)
        sev = np.array([se[int(f) - 1] if f > 0 else 0.0 for f in pt["free"]])
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(sev > 0, est / sev, np.nan)
        p = 2 * stats.norm.sf(np.abs(z))
        q = stats.norm.ppf(0.5 + level / 2)
        return pd.DataFrame({"lhs": pt["lhs"], "op": pt["op"], "rhs": pt["rhs"], "block": pt["block"],
                             "level": pt["level"], "label": pt["label"], "est": est, "se": sev, "z": z,
                             "pvalue": p, "ci.lower": est - q * sev, "ci.upper": est + q * sev})

    def inspect(self, what: str):
        """``lavInspect(fit, what)`` for ``icc`` (from the saturated model, as lavaan), ``implied``, ``h1``,
        ``nclusters``, ``cluster.size`` and ``converged``."""
        w = what.lower()
        if w == "icc":
            S1, S2 = self.h1["cov_within"], self.h1["cov_between"]
            L = self.layout
            vals = {}
            for v in L.ov1:
                if v in L.within:
                    vals[v] = 0.0
                else:
                    b = S2[L.ov2.index(v), L.ov2.index(v)]
                    wv = S1[L.ov1.index(v), L.ov1.index(v)]
                    vals[v] = b / (b + wv)
            return pd.Series(vals, name="icc")
        if w == "implied":
            return self.implied
        if w == "h1":
            return self.h1
        if w == "nclusters":
            return self.nclusters
        if w == "cluster.size":
            return self.cstats.nj.copy()
        if w == "converged":
            return self.converged
        raise EgovsemError(f"inspect({what!r}) is not available for a two-level fit; use 'icc', 'implied', "
                           "'h1', 'nclusters', 'cluster.size' or 'converged'.")

    def summary(self) -> str:
        """A plain-text summary: test, fit measures and the estimates per level."""
        fm = self.fit_measures
        out = [f"Two-level ML (cluster = {self.cluster}): {self.nobs} observations in {self.nclusters} clusters",
               f"  converged: {self.converged} ({self.iterations} iterations), free parameters: {int(fm['npar'])}",
               f"  chisq = {fm['chisq']:.3f}, df = {int(fm['df'])}, p = {fm['pvalue']:.3f}",
               f"  CFI = {fm['cfi']:.3f}, TLI = {fm['tli']:.3f}, RMSEA = {fm['rmsea']:.3f}, "
               f"SRMR within = {fm['srmr_within']:.3f}, SRMR between = {fm['srmr_between']:.3f}",
               f"  logl = {fm['logl']:.3f}, AIC = {fm['aic']:.3f}, BIC = {fm['bic']:.3f}", ""]
        pe = self.parameter_estimates()
        for lev, name in ((1, "Level 1 [within]"), (2, "Level 2 [between]")):
            out.append(name)
            sub = pe[pe["level"] == lev]
            for r in sub.itertuples():
                se = f"{r.se:8.3f}" if r.se > 0 else " " * 8
                out.append(f"  {r.lhs:>10} {r.op:<3} {r.rhs:<10} {r.est:9.3f} {se}")
            out.append("")
        return "\n".join(out)

    def to_json(self, path: str) -> None:
        """Write the estimates and fit measures as JSON."""
        write_fit_json(path, self.parameter_estimates(), self.fit_measures)


def write_fit_json(path: str, estimates: pd.DataFrame, fit_measures: pd.Series) -> None:
    """Write a two-level fit's parameter table and fit measures as JSON (NaN as null)."""
    import json

    pe = estimates.replace({np.nan: None})
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"parameters": pe.to_dict(orient="records"),
                   "fit_measures": {k: (None if not np.isfinite(v) else float(v))
                                    for k, v in fit_measures.items()}}, fh, indent=1)


def _build_partable(spec1: ModelSpec, spec2: ModelSpec, both: set[str]) -> pd.DataFrame:
    parts = []
    offset = 0
    for lev, spec in ((1, spec1), (2, spec2)):
        pt = spec.partable.copy()
        ints = (pt["op"] == "~1") & pt["lhs"].isin(both)
        if lev == 1:
            pt.loc[ints, "free"] = 0
            pt.loc[ints, "ustart"] = 0.0
        free = pt["free"].to_numpy()
        pt["free"] = np.where(free > 0, free + offset, 0)
        offset = int(pt["free"].max()) if (pt["free"] > 0).any() else offset
        pt["block"] = lev
        pt["level"] = lev
        parts.append(pt)
    out = pd.concat(parts, ignore_index=True)
    # renumber the free parameters 1..q in table order
    fr = out["free"].to_numpy()
    uniq: dict[int, int] = {}
    for f in fr:
        if f > 0 and f not in uniq:
            uniq[f] = len(uniq) + 1
    out["free"] = [uniq.get(f, 0) for f in fr]
    out["id"] = np.arange(1, len(out) + 1)
    return out


def sem_twolevel(model: str, data: pd.DataFrame, *, cluster: str | None, std_lv: bool = False, fixed_x: bool = True,
                 iter_max: int = 10000, h1_exact: bool = False, fiml: bool = False) -> TwoLevelFit:
    """Fit a two-level model (``level: 1`` / ``level: 2`` blocks) by ML, as lavaan's
    ``sem(model, data, cluster = cluster)``.

    Parameters
    ----------
    model : str
        lavaan syntax with a ``level: 1`` (within) and a ``level: 2`` (between) block.
    data : pandas.DataFrame
        One row per level-1 unit; rows with missing values are deleted listwise unless ``fiml``.
    cluster : str
        The column of cluster identifiers.
    std_lv, fixed_x : bool
        As in :func:`egovsem.sem`.
    iter_max : int
        Maximum number of quasi-Newton iterations.
    fiml : bool
        Full-information ML for missing level-1 cells (lavaan's ``missing = "ml"``): the casewise likelihood
        of each cluster's observed cells; the saturated model is then fitted by quasi-Newton.
    h1_exact : bool
        Polish lavaan's EM estimate of the saturated model to the exact maximum (used by the chi-square,
        SRMR and ICC); False keeps the EM values.

    Returns
    -------
    TwoLevelFit
    """
    if cluster is None:
        raise EgovsemError("a model with 'level:' blocks needs cluster = (the column of cluster identifiers); "
                           "on the command line: --cluster COL.")
    t1, t2 = split_levels(model)
    spec1 = _level_spec(t1, 1, std_lv=std_lv, fixed_x=fixed_x)
    spec2 = _level_spec(t2, 2, std_lv=std_lv, fixed_x=fixed_x)
    ov1, ov2 = tuple(spec1.ov), tuple(spec2.ov)
    both = tuple(v for v in ov1 if v in ov2)
    within = tuple(v for v in ov1 if v not in ov2)
    z = tuple(v for v in ov2 if v not in ov1)
    L = Layout(ov1, ov2, z, both, within)
    x1 = tuple(spec1.ov_x) if fixed_x else ()
    x2 = tuple(spec2.ov_x) if fixed_x else ()
    cs = cluster_stats(data, ov1, z, cluster, fiml=fiml, x=x1 + x2)
    pt = _build_partable(spec1, spec2, set(both))
    q = int(pt["free"].max()) if (pt["free"] > 0).any() else 0
    # fixed.x values: level 1 total moments (divisor N), level 2 moments of the cluster values (divisor J)
    S1s, m1s, S2s, m2s = _moment_start(L, cs)
    iy = [cs.y.index(v) for v in ov1]
    S1x = cs.S_total[np.ix_(iy, iy)]
    m1x = cs.mean_total[iy]
    D2 = np.column_stack([cs.Z[:, cs.z.index(v)] if v in z else cs.Y2[:, cs.y.index(v)] for v in ov2])
    S2x = np.cov(D2.T, bias=True).reshape(len(ov2), len(ov2))
    m2x = D2.mean(axis=0)
    pt["ustart"] = pt["ustart"].astype(float)
    for lev, xs, ov, S, m in ((1, x1, ov1, S1x, m1x), (2, x2, ov2, S2x, m2x)):
        xs_set = set(xs)
        for i in np.flatnonzero(((pt["level"] == lev) & (pt["exo"] == 1)).to_numpy()):
            r = pt.iloc[i]
            if r["lhs"] in xs_set and (r["op"] == "~1" or r["rhs"] in xs_set):
                if r["op"] == "~1":
                    pt.iat[i, pt.columns.get_loc("ustart")] = m[ov.index(r["lhs"])]
                else:
                    pt.iat[i, pt.columns.get_loc("ustart")] = S[ov.index(r["lhs"]), ov.index(r["rhs"])]
    pt1 = pt[pt["level"] == 1].reset_index(drop=True)
    pt2 = pt[pt["level"] == 2].reset_index(drop=True)
    ram1 = RAM.from_partable(pt1, ov1, tuple(spec1.lv), q)
    ram2 = RAM.from_partable(pt2, ov2, tuple(spec2.lv), q)

    # starting values: lavaan's rules on the within / between moment estimates
    st1 = partable_start(spec1, pt1, SimpleNamespace(cov=S1s, mean=m1s, X=None))
    st2 = partable_start(spec2, pt2, SimpleNamespace(cov=S2s, mean=m2s, X=None))
    th0 = np.zeros(q)
    for ptx, st in ((pt1, st1), (pt2, st2)):
        for f, v in zip(ptx["free"], st):
            if f > 0:
                th0[int(f) - 1] = v

    def fg(th):
        try:
            S1, m1 = ram1.implied(th)[:2]
            S2, m2 = ram2.implied(th)[:2]
            f, gW, gm1, g2, gm2 = objective(L, cs, S1, m1, S2, m2, grad=True)
        except np.linalg.LinAlgError:
            return 1e20, np.zeros_like(th)
        g = ram1.vjp(th, (gW + gW.T) / 2.0, gm1) + ram2.vjp(th, (g2 + g2.T) / 2.0, gm2)
        return f, g

    res = _quasi_newton(fg, th0, "L-BFGS-B", {"maxiter": iter_max, "ftol": 1e-14, "gtol": 1e-9})
    theta, nit = _newton_polish(fg, res.x, iter_max)
    f0, g0 = fg(theta)
    f0 = float(f0)
    gnorm = float(np.max(np.abs(g0))) / cs.N
    converged = bool(gnorm < 1e-5)
    H = _num_hessian(fg, theta) / 2.0  # d2(-logL) = d2 f / 2
    try:
        vcov = np.linalg.inv(H)
    except np.linalg.LinAlgError:
        vcov = np.full((q, q), np.nan)
    S1, m1 = ram1.implied(theta)[:2]
    S2, m2 = ram2.implied(theta)[:2]
    est = np.array([theta[int(f) - 1] if f > 0 else float(u) for f, u in zip(pt["free"], pt["ustart"])])
    pt["est"] = np.where(np.isnan(est), 0.0, est)

    const = constant(L, cs)
    llx = loglik_x(L, cs, x1, x2)
    logl = -(f0 + const) / 2 - llx

    # saturated model: everything free
    p1, p2 = len(ov1), len(ov2)
    fm1 = np.array([v in within for v in ov1])
    fm2 = np.ones(p2, dtype=bool)
    if cs.fd is None:
        f_h1, (h1_S1, h1_m1, h1_S2, h1_m2) = em_saturated(L, cs)
    else:
        h1_S1, h1_m1, h1_S2, h1_m2 = S1s, m1s, S2s, m2s
    if h1_exact or cs.fd is not None:
        f_h1, (h1_S1, h1_m1, h1_S2, h1_m2) = _fit_free_moments(
            L, cs, h1_S1, h1_m1, h1_S2, h1_m2, np.ones((p1, p1), bool), fm1, np.ones((p2, p2), bool), fm2)
    # baseline: independence at both levels, the fixed covariates' block at its sample values
    bS1 = np.diag(np.diag(S1s))
    bS2 = np.diag(np.diag(S2s))
    bm1, bm2 = m1s.copy(), m2s.copy()
    fr1 = np.eye(p1, dtype=bool)
    fr2 = np.eye(p2, dtype=bool)
    bfm1, bfm2 = fm1.copy(), fm2.copy()
    for xs, ov, bS, bm, fr, bfm, Sx, mx in ((x1, ov1, bS1, bm1, fr1, bfm1, S1x, m1x),
                                           (x2, ov2, bS2, bm2, fr2, bfm2, S2x, m2x)):
        ix = [ov.index(v) for v in xs]
        if ix:
            bS[np.ix_(ix, ix)] = Sx[np.ix_(ix, ix)]
            fr[np.ix_(ix, ix)] = False
            bm[ix] = mx[ix]
            bfm[ix] = False
    f_b, _ = _fit_free_moments(L, cs, bS1, bm1, bS2, bm2, fr1, bfm1, fr2, bfm2)

    nx1, nx2 = len(x1), len(x2)
    n_h1 = (p1 * (p1 + 1) // 2 - nx1 * (nx1 + 1) // 2 + int(fm1.sum()) - sum(v in within for v in x1)
            + p2 * (p2 + 1) // 2 - nx2 * (nx2 + 1) // 2 + p2 - nx2)
    n_b = int(np.trace(fr1)) + int(np.trace(fr2)) + int(bfm1.sum()) + int(bfm2.sum())
    df = n_h1 - q
    bdf = n_h1 - n_b
    chisq = max(f0 - f_h1, 0.0)
    bchisq = f_b - f_h1
    N = cs.N
    pval = float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan
    cfi_den = max(chisq - df, bchisq - bdf, 0.0)
    cfi = 1.0 - max(chisq - df, 0.0) / cfi_den if cfi_den > 0 else 1.0
    tli = ((bchisq / bdf - chisq / df) / (bchisq / bdf - 1.0)) if df > 0 and bdf > 0 else np.nan
    rmsea = float(np.sqrt(max(chisq - df, 0.0) / (df * N))) if df > 0 else 0.0

    def srmr(Sh, Sm):
        d = np.sqrt(np.diag(Sh))
        dm = np.sqrt(np.diag(Sm))
        R = Sh / np.outer(d, d) - Sm / np.outer(dm, dm)
        iu = np.tril_indices(len(d))
        return float(np.sqrt(np.mean(R[iu] ** 2)))

    logl_h1 = -(f_h1 + const) / 2 - llx
    # lavaan's estimator.2L objective: -2 logL without the 2 pi constants, with log|n Sigma_B + Sigma_W| (ours has
    # log|Sigma_B + Sigma_W / n|: the p log n terms), over 2 N
    fmin = (f0 + (0.0 if cs.fd is not None else p1 * float(np.sum(cs.ns * np.log(cs.sizes))))) / (2 * N)
    fm = pd.Series({
        "npar": float(q), "fmin": fmin, "chisq": chisq, "df": float(df), "pvalue": pval,
        "baseline.chisq": bchisq, "baseline.df": float(bdf),
        "baseline.pvalue": float(stats.chi2.sf(bchisq, bdf)) if bdf > 0 else np.nan,
        "cfi": cfi, "tli": tli, "logl": logl, "unrestricted.logl": logl_h1,
        "aic": -2 * logl + 2 * q, "bic": -2 * logl + q * np.log(N),
        "ntotal": float(N), "bic2": -2 * logl + q * np.log((N + 2) / 24), "rmsea": rmsea,
        "srmr_within": srmr(h1_S1, S1), "srmr_between": srmr(h1_S2, S2),
    })
    fm["srmr"] = fm["srmr_within"] + fm["srmr_between"]
    return TwoLevelFit(
        partable=pt, theta=theta, vcov=vcov, fit_measures=fm, converged=converged, iterations=int(res.nit) + nit,
        cluster=cluster, nobs=N, nclusters=cs.J,
        implied={"cov_within": S1, "mean_within": m1, "cov_between": S2, "mean_between": m2},
        h1={"cov_within": h1_S1, "mean_within": h1_m1, "cov_between": h1_S2, "mean_between": h1_m2},
        layout=L, cstats=cs)


def fit_from_sem(model: str, data: pd.DataFrame, *, cluster: str | None, std_lv: bool, fixed_x: bool, iter_max: int,
                 estimator: str = "ML", missing: str = "listwise", **others: Any) -> Any:
    """:func:`egovsem.sem` with a two-level model: refuse the options that two-level ML does not have."""
    if str(estimator).upper() != "ML":
        raise EgovsemError(f"estimator = {estimator!r}: a two-level model ('level:' blocks) is fitted by ML only.")
    if str(missing).lower() not in ("listwise", "default", "ml", "fiml"):
        raise EgovsemError(f"missing = {missing!r}: a two-level model takes missing = 'listwise' (complete data) "
                           "or 'ml' / 'fiml' (full-information ML).")
    fiml = str(missing).lower() in ("ml", "fiml")
    group, group_equal = others.pop("group", None), others.pop("group_equal", None)
    defaults: dict[str, Any] = {"meanstructure": None, "orthogonal": False, "std_ov": False, "group_partial": None,
                                "group_equal": None, "constraints": None}
    for k, v in others.items():
        if v is None or (k in defaults and v == defaults[k]):
            continue
        raise EgovsemError(f"{k} = {v!r} is not available for a two-level model ('level:' blocks); leave it out.")
    from ..parallel import blas_one_thread

    with blas_one_thread():  # small matrices: threaded BLAS only adds overhead (and contends with other jobs)
        if group is not None:
            from .twolevel_groups import sem_twolevel_groups

            if cluster is None:
                raise EgovsemError("a model with 'level:' blocks needs cluster = (the column of cluster "
                                   "identifiers); on the command line: --cluster COL.")
            return sem_twolevel_groups(model, data, cluster=cluster, group=group, group_equal=group_equal,
                                       std_lv=std_lv, fixed_x=fixed_x, iter_max=iter_max, fiml=fiml)
        if group_equal:
            raise EgovsemError(f"group_equal = {group_equal!r} needs group = (a multi-group model).")
        return sem_twolevel(model, data, cluster=cluster, std_lv=std_lv, fixed_x=fixed_x, iter_max=iter_max,
                            fiml=fiml)
