"""Latent interactions by LMS (latent moderated structural equations, Klein & Moosbrugger 2000).

``egovsem.sem(model, data, method="lms")`` (modsem's ``method = "lms"``) fits a model whose structural part
has products of latent variables, ``f3 ~ f1 + f2 + f1:f2``, by maximum likelihood with the latent product
integrated out: the exogenous factors are written ``xi = L z`` (``L`` the Cholesky factor of their covariance
matrix, ``z`` standard normal), a set ``S`` of factors covering every product is put first, and given
``z_S`` the model is linear in the remaining ``z`` and the residuals, so the observed vector is normal with a
mean and covariance that depend on ``z_S``. The marginal density is the Gauss-Hermite mixture of those
normals over ``z_S`` (one dimension for a single product or products sharing a factor). The log-likelihood
is maximised directly (L-BFGS-B, then Newton steps on the numerical Hessian), and the standard errors come
from the observed information (the Hessian of the log-likelihood), as Mplus' ``ALGORITHM = INTEGRATION``.

Scope: latent factors measured by observed indicators, latent (or observed) outcomes regressed on
factors, on products of two exogenous factors (``a:b``, a != b) and on other outcomes; labels and fixed
values; listwise deletion. Not (yet): observed predictors, groups, ``:=`` definitions, missing data by FIML.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.special import logsumexp

from .._errors import (
    DataError,
    MissingDataWarning,
    ModelSyntaxError,
    NotAvailableError,
    NotConvergedError,
    caller_stacklevel,
)
from .syntax import Statement, parse_syntax

__all__ = ["LMSResult", "fit_lms"]

_LOG2PI = float(np.log(2.0 * np.pi))


@dataclass
class _Row:
    lhs: str
    op: str
    rhs: str
    label: str = ""
    free: int = -1  # index into theta, -1 fixed
    value: float = 0.0  # the fixed value (or start)
    user: bool = False


@dataclass
class _Spec:
    ov: list[str]
    xi: list[str]  # exogenous latent variables
    eta: list[str]  # outcomes (latent, or observed outcomes treated as latent with a unit loading)
    eta_observed: list[str]
    products: list[tuple[str, str]]
    rows: list[_Row] = field(default_factory=list)
    npar: int = 0


def _check_product(s: Statement, lv: set[str], exo: set[str]) -> tuple[str, str]:
    a, b = s.rhs.split(":")
    if a == b:
        raise ModelSyntaxError(
            f"model syntax, line {s.line}: the interaction {s.rhs!r} multiplies {a!r} with itself; LMS here "
            f"estimates products of two different factors (a quadratic effect is not available): {s.text!r}"
        )
    for v in (a, b):
        if v not in lv:
            raise ModelSyntaxError(
                f"model syntax, line {s.line}: the interaction {s.rhs!r} names {v!r}, which is not a latent "
                f"variable of the model (define it with '=~'; method='lms' multiplies latent variables): {s.text!r}"
            )
        if v not in exo:
            raise NotAvailableError(
                f"model syntax, line {s.line}: the interaction {s.rhs!r} involves {v!r}, which is itself "
                f"regressed on other variables; method='lms' multiplies exogenous factors only: {s.text!r}"
            )
    return a, b


def _specify(model: str) -> _Spec:
    stmts = parse_syntax(model)
    for s in stmts:
        if s.op not in ("=~", "~", "~~"):
            raise NotAvailableError(
                f"model syntax, line {s.line}: the operator {s.op!r} is not available with method='lms' yet "
                f"(measurement '=~', regressions '~' and covariances '~~' are): {s.text!r}"
            )
    lv = list(dict.fromkeys(s.lhs for s in stmts if s.op == "=~"))
    lvset = set(lv)
    indicators = list(dict.fromkeys(s.rhs for s in stmts if s.op == "=~"))
    for v in indicators:
        if v in lvset:
            raise NotAvailableError(f"the factor {v!r} is measured by another factor (a higher-order factor); "
                                    "method='lms' takes first-order factors only.")
    regs = [s for s in stmts if s.op == "~"]
    outcomes = list(dict.fromkeys(s.lhs for s in regs))
    exo = [f for f in lv if f not in outcomes]
    exoset = set(exo)
    products: list[tuple[str, str]] = []
    for s in regs:
        if ":" in s.rhs:
            pr = _check_product(s, lvset, exoset)
            if pr not in products and pr[::-1] not in products:
                products.append(pr)
        elif s.rhs not in lvset and s.rhs not in outcomes:
            raise NotAvailableError(
                f"model syntax, line {s.line}: the predictor {s.rhs!r} is an observed variable; method='lms' "
                f"takes latent predictors only (write it as a single-indicator factor, "
                f"'f_{s.rhs} =~ {s.rhs}' with its residual variance fixed): {s.text!r}"
            )
    if not products:
        raise ModelSyntaxError("method='lms' needs a latent interaction 'f3 ~ f1:f2' in the model; without "
                               "one, fit the model with the default method.")
    eta_obs = [v for v in outcomes if v not in lvset]
    for v in eta_obs:
        if v in indicators:
            raise NotAvailableError(f"{v!r} is both an indicator and an outcome of a regression; not available "
                                    "with method='lms'.")
    ov = indicators + eta_obs
    eta = [v for v in outcomes]
    spec = _Spec(ov=ov, xi=exo, eta=eta, eta_observed=eta_obs, products=products)

    labels: dict[str, int] = {}

    def add(lhs: str, op: str, rhs: str, s: Statement | None, default_free: bool, default_value: float = 0.0) -> None:
        mod = s.mod if s is not None else None
        row = _Row(lhs, op, rhs, user=s is not None)
        fixed = mod.fixed if mod is not None else None
        free = (mod is not None and mod.free) or (default_free and fixed is None)
        if mod is not None and mod.label:
            row.label = mod.label
        if fixed is not None and not (mod is not None and mod.free):
            row.value = float(fixed)
            free = False
        if free:
            if row.label and row.label in labels:
                row.free = labels[row.label]
            else:
                row.free = spec.npar
                spec.npar += 1
                if row.label:
                    labels[row.label] = row.free
            if mod is not None and mod.start is not None:
                row.value = float(mod.start)
        spec.rows.append(row)

    written: set[tuple[str, str]] = set()
    for f in lv:
        first = True
        for s in stmts:
            if s.op == "=~" and s.lhs == f:
                add(f, "=~", s.rhs, s, default_free=not first, default_value=1.0)
                if first and s.mod.fixed is None and not s.mod.free:
                    spec.rows[-1].value = 1.0
                first = False
    for s in regs:
        add(s.lhs, "~", s.rhs, s, default_free=True)
    for s in stmts:
        if s.op == "~~":
            for v in (s.lhs, s.rhs):
                if v not in lvset and v not in ov:
                    raise ModelSyntaxError(f"model syntax, line {s.line}: {v!r} is not a variable of the model: "
                                           f"{s.text!r}")
            key = (s.lhs, s.rhs)
            written.add(key)
            written.add(key[::-1])
            add(s.lhs, "~~", s.rhs, s, default_free=True)
    # automatic variances and covariances: indicators' residuals, factors, outcome residuals
    for v in indicators:
        if (v, v) not in written:
            add(v, "~~", v, None, default_free=True)
    for i, f in enumerate(exo):
        for g in exo[: i + 1]:
            if (f, g) not in written:
                add(g, "~~", f, None, default_free=True)
    for e in eta:
        if (e, e) not in written:
            add(e, "~~", e, None, default_free=True)
    for v in ov:
        add(v, "~1", "", None, default_free=True)
    for f in lv:
        add(f, "~1", "", None, default_free=False)
    return spec


class _Evaluator:
    """The matrices of the model from theta, and the Gauss-Hermite log-likelihood."""

    def __init__(self, spec: _Spec, Y: np.ndarray, nodes: int) -> None:
        self.spec = spec
        self.Y = Y
        ov, xi, eta = spec.ov, spec.xi, spec.eta
        self.p, self.k, self.e = len(ov), len(xi), len(eta)
        self.lat = xi + eta
        self.ovi = {v: i for i, v in enumerate(ov)}
        self.lati = {v: i for i, v in enumerate(self.lat)}
        # cover every product by a set S of factors (greedy), S first in the Cholesky order
        remaining = list(spec.products)
        S: list[int] = []
        while remaining:
            counts: dict[str, int] = {}
            for a, b in remaining:
                counts[a] = counts.get(a, 0) + 1
                counts[b] = counts.get(b, 0) + 1
            best = max(counts, key=lambda v: (counts[v], -xi.index(v)))
            S.append(xi.index(best))
            remaining = [pr for pr in remaining if best not in pr]
        self.S = S
        self.perm = S + [i for i in range(self.k) if i not in S]
        self.nS = len(S)
        x, w = np.polynomial.hermite_e.hermegauss(nodes)
        w = w / np.sqrt(2.0 * np.pi)
        grids = np.meshgrid(*([x] * self.nS), indexing="ij")
        self.z = np.column_stack([g.ravel() for g in grids])
        wg = np.meshgrid(*([w] * self.nS), indexing="ij")
        logw = np.log(np.prod(np.column_stack([g.ravel() for g in wg]), axis=1))
        keep = logw > logw.max() - 40.0  # nodes of weight below e^-40 of the largest add nothing
        self.z, self.logw = self.z[keep], logw[keep]
        Sset = {xi[i] for i in S}
        self.prod_terms: list[tuple[int, int, int, _Row]] = []  # (eta index, i in S, j, row)
        for r in spec.rows:
            if r.op == "~" and ":" in r.rhs:
                a, b = r.rhs.split(":")
                if a not in Sset:
                    a, b = b, a
                self.prod_terms.append((eta.index(r.lhs), xi.index(a), xi.index(b), r))

    def matrices(self, theta: np.ndarray) -> dict[str, Any]:
        p, k, e = self.p, self.k, self.e
        m = k + e
        Lam = np.zeros((p, m))
        nu = np.zeros(p)
        Phi = np.zeros((k, k))
        Gam = np.zeros((e, k))
        B = np.zeros((e, e))
        Psi = np.zeros((e, e))
        Th = np.zeros((p, p))
        omega: list[tuple[int, int, int, float]] = []
        xi_i = {v: i for i, v in enumerate(self.spec.xi)}
        eta_i = {v: i for i, v in enumerate(self.spec.eta)}
        for v in self.spec.eta_observed:
            Lam[self.ovi[v], self.lati[v]] = 1.0
        for r in self.spec.rows:
            val = theta[r.free] if r.free >= 0 else r.value
            if r.op == "=~":
                Lam[self.ovi[r.rhs], self.lati[r.lhs]] = val
            elif r.op == "~":
                if ":" in r.rhs:
                    continue
                if r.rhs in xi_i:
                    Gam[eta_i[r.lhs], xi_i[r.rhs]] = val
                else:
                    B[eta_i[r.lhs], eta_i[r.rhs]] = val
            elif r.op == "~1":
                if r.lhs in self.ovi:
                    nu[self.ovi[r.lhs]] = val
            elif r.op == "~~":
                a, b = r.lhs, r.rhs
                if a in xi_i and b in xi_i:
                    Phi[xi_i[a], xi_i[b]] = Phi[xi_i[b], xi_i[a]] = val
                elif a in eta_i and b in eta_i:
                    Psi[eta_i[a], eta_i[b]] = Psi[eta_i[b], eta_i[a]] = val
                elif a in self.ovi and b in self.ovi:
                    Th[self.ovi[a], self.ovi[b]] = Th[self.ovi[b], self.ovi[a]] = val
                else:
                    raise NotAvailableError(f"the covariance '{a} ~~ {b}' (an exogenous factor with an outcome or an "
                                            "indicator) is not available with method='lms'.")
        for t, i, j, r in self.prod_terms:
            omega.append((t, i, j, theta[r.free] if r.free >= 0 else r.value))
        return dict(Lam=Lam, nu=nu, Phi=Phi, Gam=Gam, B=B, Psi=Psi, Th=Th, omega=omega)

    def node_moments(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """At every quadrature node (batched): the log weights (Q), implied means (Q, p), covariances (Q, p, p)."""
        M = self.matrices(theta)
        k, e = self.k, self.e
        Pp = M["Phi"][np.ix_(self.perm, self.perm)]
        A = np.linalg.cholesky(Pp)
        L = np.zeros((k, k))
        L[self.perm, :] = A
        Binv = np.linalg.inv(np.eye(e) - M["B"])
        Lx, Le = M["Lam"][:, :k], M["Lam"][:, k:]
        zeta = Binv @ M["Psi"] @ Binv.T
        LS, D = L[:, : self.nS], L[:, self.nS:]
        mxi = self.z @ LS.T  # (Q, k)
        c_eta = mxi @ M["Gam"].T  # (Q, e)
        G_eta = np.broadcast_to(M["Gam"] @ D, (len(mxi),) + (e, D.shape[1])).copy()  # (Q, e, r)
        for t, i, j, w in M["omega"]:
            c_eta[:, t] += w * mxi[:, i] * mxi[:, j]
            G_eta[:, t, :] += w * mxi[:, i, None] * D[j][None, :]
        c_eta = c_eta @ Binv.T
        G_eta = np.einsum("ab,qbr->qar", Binv, G_eta)
        mu = M["nu"] + mxi @ Lx.T + c_eta @ Le.T
        G = (Lx @ D)[None] + np.einsum("pa,qar->qpr", Le, G_eta)
        Sig = G @ np.swapaxes(G, 1, 2) + (Le @ zeta @ Le.T + M["Th"])[None]
        return self.logw, mu, Sig

    def loglik_cases(self, theta: np.ndarray) -> np.ndarray:
        """Each row's log-likelihood (the log of the Gauss-Hermite mixture of normal densities)."""
        Y = self.Y
        p = Y.shape[1]
        lw, mu, Sig = self.node_moments(theta)
        C = np.linalg.cholesky(Sig)  # (Q, p, p)
        Ci = np.linalg.inv(C)
        # Ci (y - mu) = Ci y - Ci mu: one product of the data with all the nodes' inverse factors
        R = np.einsum("qij,nj->qni", Ci, Y, optimize=True) - np.einsum("qij,qj->qi", Ci, mu)[:, None, :]
        logdet = 2.0 * np.log(np.diagonal(C, axis1=1, axis2=2)).sum(axis=1)
        out = lw[:, None] - 0.5 * (p * _LOG2PI + logdet[:, None] + (R * R).sum(axis=2))
        return logsumexp(out, axis=0)

    def loglik(self, theta: np.ndarray) -> float:
        try:
            return float(self.loglik_cases(theta).sum())
        except np.linalg.LinAlgError:
            return -np.inf


def _grad(f, x: np.ndarray, h: np.ndarray) -> np.ndarray:
    g = np.empty_like(x)
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = h[i]
        g[i] = (f(x + e) - f(x - e)) / (2 * h[i])
    return g


def _grad_fwd(f, x: np.ndarray, h: np.ndarray) -> np.ndarray:
    f0 = f(x)
    g = np.empty_like(x)
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = h[i]
        g[i] = (f(x + e) - f0) / h[i]
    return g


def _hessian(f, x: np.ndarray, h: np.ndarray) -> np.ndarray:
    n = len(x)
    H = np.empty((n, n))
    f0 = f(x)
    for i in range(n):
        ei = np.zeros(n)
        ei[i] = h[i]
        H[i, i] = (f(x + ei) - 2 * f0 + f(x - ei)) / h[i] ** 2
        for j in range(i):
            ej = np.zeros(n)
            ej[j] = h[j]
            H[i, j] = H[j, i] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * h[i] * h[j])
    return H


def _starts(spec: _Spec, data: pd.DataFrame) -> np.ndarray:
    """Start values from the model without its products, fitted by egovsem's ML (product coefficients 0)."""
    theta = np.zeros(spec.npar)
    explicit = np.zeros(spec.npar, dtype=bool)
    for r in spec.rows:
        if r.free >= 0 and r.value != 0.0 and r.user:
            theta[r.free] = r.value
            explicit[r.free] = True
    lines = []
    for r in spec.rows:
        if not r.user or ":" in r.rhs:
            continue
        pre = f"{r.value}*" if r.free < 0 else ""
        lines.append(f"{r.lhs} {r.op} {pre}{r.rhs}")
    try:
        from .model import sem

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sem("\n".join(lines), data, meanstructure=True)
        est = {(a, o, b): v for a, o, b, v in fit.params[["lhs", "op", "rhs", "est"]].itertuples(index=False)}
    except Exception:  # noqa: BLE001 - the starts are a convenience; fall back to simple ones
        est = {}
    var = data.var(ddof=0)
    mean = data.mean()
    for r in spec.rows:
        if r.free < 0 or explicit[r.free]:
            continue
        key = (r.lhs, r.op, r.rhs)
        alt = (r.rhs, r.op, r.lhs)
        if key in est and np.isfinite(est[key]):
            v = est[key]
        elif alt in est and np.isfinite(est[alt]):
            v = est[alt]
        elif r.op == "=~":
            v = 1.0
        elif r.op == "~1":
            v = float(mean[r.lhs])
        elif r.op == "~~" and r.lhs == r.rhs:
            v = float(var[r.lhs]) / 2 if r.lhs in var.index else 0.5
        else:
            v = 0.0
        if r.op == "~~" and r.lhs == r.rhs and r.rhs in spec.eta:
            v = max(v, 0.05)
        theta[r.free] = v
    return theta


@dataclass
class LMSResult:
    """An LMS fit: :attr:`params` (lavaan's ``parameterEstimates`` columns), :attr:`fit_measures` (npar, nobs,
    logl, aic, bic, bic2), :attr:`vcov` (inverse observed information), the quadrature used."""

    params: pd.DataFrame
    fit_measures: pd.Series
    theta: np.ndarray
    vcov: np.ndarray
    nodes: int
    converged: bool
    iterations: int
    nobs: int
    n_dropped: int
    model: str = ""

    def summary(self) -> str:
        """A plain-text table of the estimates with the log-likelihood and information criteria."""
        fm = self.fit_measures
        head = (f"LMS (Klein & Moosbrugger 2000), ML with {self.nodes}-point Gauss-Hermite quadrature, "
                f"observed-information SEs\n  N = {self.nobs}, free parameters = {int(fm['npar'])}, "
                f"logL = {fm['logl']:.3f}, AIC = {fm['aic']:.3f}, BIC = {fm['bic']:.3f}\n")
        cols = ["lhs", "op", "rhs", "est", "se", "z", "pvalue", "ci.lower", "ci.upper"]
        return head + self.params[cols].to_string(index=False, float_format=lambda v: f"{v:.3f}")


def fit_lms(model: str, data: pd.DataFrame, *, nodes: int = 64, level: float = 0.95,
            iter_max: int = 10000) -> LMSResult:
    """Fit a model with latent products ``f1:f2`` by LMS.

    Parameters
    ----------
    model : str
        lavaan syntax with ``=~``, ``~`` (including ``f3 ~ f1:f2``, ``f1`` and ``f2`` exogenous factors) and
        ``~~``; labels and fixed values as in lavaan. Defaults as lavaan's ``sem()`` with a mean structure:
        first loadings 1, indicator intercepts free, factor means 0, exogenous factors correlated.
    data : DataFrame
        The indicators as numeric columns; rows with a missing value are dropped (with a warning).
    nodes : int, default 64
        Gauss-Hermite points per integrated dimension (one dimension per factor needed to cover the
        products: 1 for a single product).
    level : float
        Confidence level of ``ci.lower`` / ``ci.upper`` (Wald).
    iter_max : int
        Maximum number of quasi-Newton iterations.

    Returns
    -------
    LMSResult

    Examples
    --------
    >>> import egovsem  # doctest: +SKIP
    >>> fit = egovsem.sem("X =~ x1 + x2; Z =~ z1 + z2; Y =~ y1 + y2; Y ~ X + Z + X:Z", df,
    ...                   method="lms")  # doctest: +SKIP
    >>> fit.params.query("rhs == 'X:Z'")  # doctest: +SKIP
    """
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"The 'data' parameter must be a pandas DataFrame. Got {type(data).__name__} instead.")
    if not isinstance(nodes, (int, np.integer)) or isinstance(nodes, bool) or nodes < 4:
        raise DataError(f"The 'nodes' parameter must be an integer of at least 4. Got {nodes!r} instead.")
    spec = _specify(model)
    absent = [v for v in spec.ov if v not in data.columns]
    if absent:
        raise DataError(f"The model names variable(s) that are not columns of 'data': {absent!r}.")
    bad = [v for v in spec.ov if not pd.api.types.is_numeric_dtype(data[v])]
    if bad:
        raise DataError(f"The column(s) {bad!r} of 'data' must be numeric for method='lms'.")
    d = data[spec.ov].astype(float)
    ok = d.notna().all(axis=1).to_numpy()
    n_drop = int((~ok).sum())
    if n_drop:
        warnings.warn(f"method='lms': {n_drop} of {len(d)} rows have missing values and were dropped (listwise).",
                      MissingDataWarning, stacklevel=caller_stacklevel())
    d = d[ok]
    n = len(d)
    if n <= spec.npar:
        raise DataError(f"method='lms' has {spec.npar} free parameters and only {n} complete rows in 'data'.")
    ev = _Evaluator(spec, d.to_numpy(), int(nodes))
    theta0 = _starts(spec, d)

    def obj(t: np.ndarray) -> float:
        v = ev.loglik(t)
        return -v / n if np.isfinite(v) else 1e10

    var_idx = sorted({r.free for r in spec.rows if r.free >= 0 and r.op == "~~" and r.lhs == r.rhs})
    bounds = [(1e-6, None) if i in var_idx else (None, None) for i in range(spec.npar)]
    hstep = lambda t: 1e-5 * np.maximum(1.0, np.abs(t))  # noqa: E731
    res = optimize.minimize(obj, theta0, jac=lambda t: _grad_fwd(obj, t, hstep(t)), method="L-BFGS-B",
                            bounds=bounds, options=dict(maxiter=int(iter_max), ftol=1e-13, gtol=1e-7, maxcor=30))
    theta = res.x
    f = ev.loglik
    H = None
    # Newton polish with the numerical Hessian of the log-likelihood (kept fixed over the steps)
    theta_opt = theta.copy()
    H = _hessian(f, theta, 1e-4 * np.maximum(1.0, np.abs(theta)))
    for _ in range(6):
        g = _grad(f, theta, 1e-5 * np.maximum(1.0, np.abs(theta)))
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            break
        cand = theta - step
        fc = f(cand)
        if not np.isfinite(fc) or fc < f(theta) - 1e-9:
            break
        theta = cand
        if np.max(np.abs(step)) < 1e-9:
            break
    if np.max(np.abs(theta - theta_opt)) > 1e-3:  # the Hessian at the polished point if it moved
        H = _hessian(f, theta, 1e-4 * np.maximum(1.0, np.abs(theta)))
    info = -H
    try:
        vcov = np.linalg.inv(info)
        ok_info = bool(np.all(np.linalg.eigvalsh((info + info.T) / 2) > 0))
    except np.linalg.LinAlgError:
        vcov = np.full_like(info, np.nan)
        ok_info = False
    logl = f(theta)
    if not np.isfinite(logl):
        raise NotConvergedError("method='lms': the log-likelihood is not finite at the estimates; check the model "
                                "(identification, starting values).")
    converged = bool(res.success) and ok_info
    if not converged:
        from .._errors import ConvergenceWarning

        warnings.warn(f"method='lms': the optimiser did not converge to a proper maximum ({res.message}); "
                      "the standard errors may be wrong.", ConvergenceWarning, stacklevel=caller_stacklevel())
    se_all = np.sqrt(np.clip(np.diag(vcov), 0, None))
    zq = stats.norm.ppf(0.5 + level / 2)
    recs = []
    for r in spec.rows:
        if r.free >= 0:
            est, se = float(theta[r.free]), float(se_all[r.free])
            z = est / se if se > 0 else np.nan
            pv = 2 * stats.norm.sf(abs(z)) if np.isfinite(z) else np.nan
            lo, hi = est - zq * se, est + zq * se
        else:
            est, se, z, pv, lo, hi = r.value, 0.0, np.nan, np.nan, r.value, r.value
        recs.append(dict(lhs=r.lhs, op=r.op, rhs=r.rhs, label=r.label, free=r.free + 1 if r.free >= 0 else 0,
                         est=est, se=se, z=z, pvalue=pv, **{"ci.lower": lo, "ci.upper": hi}))
    params = pd.DataFrame(recs)
    k = spec.npar
    fm = pd.Series(dict(npar=k, nobs=n, logl=logl, aic=-2 * logl + 2 * k, bic=-2 * logl + k * np.log(n),
                        bic2=-2 * logl + k * np.log((n + 2) / 24)))
    return LMSResult(params=params, fit_measures=fm, theta=theta, vcov=vcov, nodes=int(nodes), converged=converged,
                     iterations=int(res.nit), nobs=n, n_dropped=n_drop, model=model)
