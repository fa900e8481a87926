"""``inspect(fit, what)``: the fitted state by lavaan's ``lavInspect(fit, what)`` names.

Every value is a fresh pandas object named as lavaan names it (variables, ``coef()`` names such as
``visual=~x2``, ``x1|t1``, ``.g2`` for the second group); with several groups the per-group values are a dict
keyed by group label, as lavaan's lists. Model matrices (``"est"``, ``"se"``, ``"start"``, ``"free"``) follow
lavaan's LISREL names: ``lambda`` (indicators x factors), ``theta`` (residual covariances), ``psi`` (factor
covariances), ``beta`` (regressions among factors), ``nu`` and ``alpha`` (intercepts, with a mean structure),
``tau`` and ``delta`` (thresholds and scales, ordered items). As lavaan, an observed variable in a ``~`` or
``<~`` row (a composite's indicator, a covariate, an observed outcome, every variable of a path model) or
covarying with a latent variable is also a phantom latent variable (:func:`lisrel_names`: a unit loading in
``lambda``, zero ``theta`` and ``nu``, its variance in ``psi`` and intercept in ``alpha``), and the rows of the
matrices follow lavaan's order of the observed variables (:func:`lavaan_ov_order`; the other values keep the
model's order, named).

Conventions, as lavaan 0.6-14 (checked in tests/test_inspect.py against tests/reference/make_reference_inspect.R):

* ``"sampstat"``: covariances with divisor N (not N - 1); under FIML the saturated-model (EM) estimates;
  after WLSMV the polychoric correlations, zero means of the ordered items and the thresholds;
* ``"information"``: the information matrix per observation (the total divided by N) of the kind the fit
  used (expected for ML and WLSMV, observed for FIML and MLR); ``"information.expected"`` and
  ``"information.observed"`` either kind (FIML's expected information is the structured one, at the
  model-implied moments; WLSMV has only the expected ``Delta' W Delta``);
* ``"vcov"``: the covariance matrix of the free parameters (of the fit's SE type; after a bootstrap the
  covariance of the draws).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._errors import NotAvailableError, check_option

if TYPE_CHECKING:
    from .results import Results

__all__ = ["inspect", "WHATS"]


def _per_group(res: Results, f: Callable[[int], Any]) -> Any:
    """``f(g)`` for the one group, or ``{label: f(g)}`` over the groups (g 0-based)."""
    if res.ngroups == 1:
        return f(0)
    return {lab: f(g) for g, lab in enumerate(res.group_labels)}


def _ov(res: Results) -> list[str]:
    return list(res.spec.ov)


def _has_means(res: Results) -> bool:
    return bool((res.partable["op"] == "~1").any())


# ------------------------------------------------------------------------------ sample and implied --
def _ordinal_th_names(res: Results) -> list[str]:
    pt = res.partable
    th = pt[(pt["op"] == "|") & (pt["group"] == 1)]
    return [f"{a}|{b}" for a, b in zip(th["lhs"], th["rhs"])]


def _sampstat(res: Results, g: int) -> dict[str, Any]:
    ov = _ov(res)
    ost = res.sample.ordinal
    if ost is not None:
        sd = np.array([np.sqrt(ost.variances.get(v, 1.0)) for v in ov])
        pos = [list(ost.names).index(v) for v in ov]
        corr = np.asarray(ost.corr)[np.ix_(pos, pos)]
        th = np.concatenate([np.asarray(ost.thresholds[v], dtype=float) for v in ov if v in ost.thresholds])
        return {"cov": pd.DataFrame(corr * np.outer(sd, sd), index=ov, columns=ov),
                "mean": pd.Series([float(ost.means.get(v, 0.0)) for v in ov], index=ov),
                "th": pd.Series(th, index=_ordinal_th_names(res))}
    st = res.group_stats[g]
    out: dict[str, Any] = {"cov": pd.DataFrame(np.array(st.cov, dtype=float), index=ov, columns=ov)}
    if res.spec.meanstructure:
        out["mean"] = pd.Series(np.array(st.mean, dtype=float), index=ov)
    return out


def _implied(res: Results, g: int) -> dict[str, Any]:
    ov = _ov(res)
    Sigma, mu, *_ = res.rams[g].implied(res.theta)
    out: dict[str, Any] = {"cov": pd.DataFrame(np.array(Sigma, dtype=float), index=ov, columns=ov)}
    if res.ordinal is not None:
        pe = res.params
        th = pe[pe["op"] == "|"]
        out["mean"] = pd.Series(np.array(mu, dtype=float), index=ov)
        out["th"] = pd.Series(th["est"].to_numpy(float), index=_ordinal_th_names(res))
    elif res.spec.meanstructure:
        out["mean"] = pd.Series(np.array(mu, dtype=float), index=ov)
    return out


def _cov_lv(res: Results, g: int, *, cor: bool = False) -> pd.DataFrame:
    ram = res.rams[g]
    _, _, _, C, _ = ram.implied(res.theta)
    p = ram.p
    names = list(ram.names)[p:]
    C = np.array(C, dtype=float)[p:, p:]
    lv = [v for v in res.spec.lv if v in names]
    if cor and len(lv) > 1:  # lavaan 0.6-14: with one latent variable "cor.lv" is its variance (no cov2cor)
        sd = np.sqrt(np.clip(np.diag(C), 0, None))
        with np.errstate(divide="ignore", invalid="ignore"):
            C = C / np.outer(sd, sd)
    return pd.DataFrame(C, index=names, columns=names).loc[lv, lv]


def _r2(res: Results) -> Any:
    r2 = res.r2
    if res.ngroups == 1:
        return r2.copy()
    return {lab: r2.loc[lab].copy() for lab in res.group_labels}


# ------------------------------------------------------------------------------------ parameters --
def coef_names(res: Results) -> list[str]:
    """lavaan's ``names(coef(fit))``: ``lhs op rhs`` without spaces (the label when there is one), ``.g<k>``
    appended for group k > 1; one name per free parameter (the first row holding it)."""
    pt = res.partable
    names = [""] * res.theta.size
    for r in pt.itertuples(index=False):
        k = int(r.free)
        if k <= 0 or names[k - 1]:
            continue
        name = str(r.label) if r.label else f"{r.lhs}{r.op}{r.rhs}"
        names[k - 1] = name + (f".g{int(r.group)}" if int(r.group) > 1 and not r.label else "")
    return names


def _coef(res: Results) -> pd.Series:
    return pd.Series(np.array(res.theta, dtype=float), index=coef_names(res))


def lavaan_ov_order(blk: pd.DataFrame, lvs: set[str], ov: list[str]) -> list[str]:
    """The observed variables ``ov`` in lavaan's order (``lavNames(fit, "ov")``) for the parameter rows ``blk`` of
    one group: the indicators, the outcomes of ``~``, the predictors of ``~`` and ``<~`` (a product of an outcome
    counts as an outcome, after the others), then the others of the ``~~`` rows (their left sides, then their
    right sides) and of the intercept and threshold rows."""
    def col(ops: tuple[str, ...], side: str) -> list[str]:
        return list(dict.fromkeys(blk.loc[blk["op"].isin(ops), side]))

    eqs_y = col(("~",), "lhs")
    ind = [v for v in col(("=~",), "rhs") if v not in lvs]
    y = [v for v in eqs_y if v not in lvs and v not in ind]
    x = [v for v in col(("~", "<~"), "rhs") if v not in lvs and v not in ind and v not in y]
    bad = [v for v in x if ":" in v and any(n in eqs_y for n in v.split(":"))]
    order = list(dict.fromkeys(ind + y + bad + [v for v in x if v not in bad]))
    for name in col(("~~",), "lhs") + col(("~~",), "rhs") + col(("~1", "|"), "lhs"):
        if name not in lvs and name not in order:
            order.append(name)
    known = set(ov)
    return [v for v in order if v in known] + [v for v in ov if v not in set(order)]


def lisrel_names(res: Results, g: int) -> tuple[list[str], list[str], list[str]]:
    """lavaan's LISREL names of group ``g`` (0-based): the observed variables, the latent variables (the model's
    followed by the phantom ones) and the phantom ("dummy") ones, an observed variable each.

    As lavaan 0.6-14 (without ``conditional.x``), an observed variable becomes a phantom latent variable (a unit
    loading, zero residual variance) when it is the outcome or a predictor of a ``~`` or ``<~`` row, when it
    covaries (``~~``) with such a variable or with a latent variable, or when it covaries with a variable that
    covaries with one of those (lavaan's one step of the covariance rows); the phantoms follow the model's latent
    variables in the order of the observed ones (:func:`block_lisrel_names`).
    """
    pt = res.partable
    blk = pt[(pt["group"] == g + 1).to_numpy()]
    return block_lisrel_names(blk, list(res.spec.lv), _ov(res))


def block_lisrel_names(blk: pd.DataFrame, lv: list[str], ov: list[str], xs: tuple[str, ...] | list[str] = ()
                       ) -> tuple[list[str], list[str], list[str]]:
    """lavaan's LISREL names for the parameter rows ``blk`` of one group: the observed variables (without the
    exogenous covariates ``xs`` of ``conditional.x``), the latent variables (``lv`` then the phantoms) and the
    phantoms. With covariates (``xs`` given) only the outcomes of ``~`` / ``<~`` rows are phantoms by that rule
    (the covariates are columns of ``gamma``), as lavaan 0.6-14's LISREL representation."""
    lvs = set(lv)
    xset = set(xs)
    order = lavaan_ov_order(blk, lvs, ov)
    reg = blk[blk["op"].isin(["~", "<~"])]
    names = (set(reg["lhs"]) if xs else set(reg["lhs"]) | set(reg["rhs"])) - lvs
    cov = blk[blk["op"] == "~~"]
    touch = cov[cov["lhs"].isin(names) | cov["rhs"].isin(names)]
    touch = cov[cov["lhs"].isin(set(touch["lhs"])) | cov["rhs"].isin(set(touch["rhs"]))]
    names |= set(touch["lhs"]) | set(touch["rhs"])
    names |= set(cov.loc[cov["rhs"].isin(lvs), "lhs"]) | set(cov.loc[cov["lhs"].isin(lvs), "rhs"])
    nox = [v for v in order if v not in xset]
    dummy = [v for v in nox if v in names] + [v for v in xs if v in names]
    return nox, lv + dummy, dummy


def _matrices(res: Results, values: np.ndarray, g: int, *, unit: float) -> dict[str, pd.DataFrame]:
    """lavaan's model matrices of group ``g`` (0-based) filled with ``values`` (one per parameter-table row);
    ``unit`` is the loading of an observed variable on its phantom latent variable (1, or 0 in ``"free"``)."""
    pt = res.partable
    mask = (pt["group"] == g + 1).to_numpy()
    ov, lv, dummy = lisrel_names(res, g)
    return block_matrices(pt.loc[mask], values[mask], (ov, lv, dummy), unit=unit, th_names=_ordinal_th_names(res),
                          means=_has_means(res), ordinal=res.ordinal is not None)


def block_matrices(blk: pd.DataFrame, values: np.ndarray, names: tuple[list[str], list[str], list[str]], *,
                   unit: float, th_names: list[str], means: bool, ordinal: bool, xs: list[str] | None = None,
                   delta_default: float = 0.0) -> dict[str, pd.DataFrame]:
    """lavaan's model matrices of one group from its parameter rows ``blk`` (lhs, op, rhs) and their ``values``.

    ``names`` are :func:`block_lisrel_names`' (observed, latent with phantoms, phantoms); ``unit`` the loading of
    an observed variable on its phantom; ``th_names`` the thresholds' names (``tau``); ``means`` adds ``nu`` and
    ``alpha``, ``ordinal`` ``tau`` and ``delta`` (``delta_default`` where a variable has no ``~*~`` row: a
    continuous one). With exogenous covariates ``xs`` (``conditional.x``) their regressions fill ``gamma``
    (latent variables x covariates) and their moments ``cov.x`` and ``mean.x``, as lavaan 0.6-14.
    """
    ov, lv, dummy = names
    lvs = set(lv)
    xs = list(xs or [])
    xi = {v: i for i, v in enumerate(xs)}
    oi, li = {v: i for i, v in enumerate(ov)}, {v: i for i, v in enumerate(lv)}
    lam = np.zeros((len(ov), len(lv)))
    for v in dummy:
        if v in oi:
            lam[oi[v], li[v]] = unit
    theta = np.zeros((len(ov), len(ov)))
    psi = np.zeros((len(lv), len(lv)))
    beta = np.zeros((len(lv), len(lv)))
    gamma = np.zeros((len(lv), len(xs)))
    cov_x, mean_x = np.zeros((len(xs), len(xs))), np.zeros(len(xs))
    nu, alpha = np.zeros(len(ov)), np.zeros(len(lv))
    tau = np.zeros(len(th_names))
    delta = np.full(len(ov), delta_default)
    has_beta = False
    k_th = 0
    for (lhs, op, rhs), v in zip(blk[["lhs", "op", "rhs"]].itertuples(index=False, name=None), values):
        if op == "=~" and rhs not in lvs:
            lam[oi[rhs], li[lhs]] = v
        elif op in ("~", "<~") and rhs in xi:
            gamma[li[lhs], xi[rhs]] = v
        elif op in ("=~", "~", "<~"):  # a factor's indicator that is a latent variable, or a regression
            has_beta = True
            row, col = (rhs, lhs) if op == "=~" else (lhs, rhs)
            beta[li[row], li[col]] = v
        elif op == "~~" and lhs in xi and rhs in xi:
            cov_x[xi[lhs], xi[rhs]] = cov_x[xi[rhs], xi[lhs]] = v
        elif op == "~~" and lhs in lvs:
            psi[li[lhs], li[rhs]] = psi[li[rhs], li[lhs]] = v
        elif op == "~~":
            theta[oi[lhs], oi[rhs]] = theta[oi[rhs], oi[lhs]] = v
        elif op == "~1":
            if lhs in xi:
                mean_x[xi[lhs]] = v
            elif lhs in lvs:
                alpha[li[lhs]] = v
            else:
                nu[oi[lhs]] = v
        elif op == "|":
            tau[k_th] = v
            k_th += 1
        elif op == "~*~":
            delta[oi[lhs]] = v
    out = {"lambda": pd.DataFrame(lam, index=ov, columns=lv), "theta": pd.DataFrame(theta, index=ov, columns=ov),
           "psi": pd.DataFrame(psi, index=lv, columns=lv)}
    if has_beta:
        out["beta"] = pd.DataFrame(beta, index=lv, columns=lv)
    if means:
        out["nu"] = pd.DataFrame({"intercept": nu}, index=ov)
        out["alpha"] = pd.DataFrame({"intercept": alpha}, index=lv)
    if ordinal:
        out["tau"] = pd.DataFrame({"threshold": tau}, index=th_names)
        out["delta"] = pd.DataFrame({"scales": delta}, index=ov)
    if xs:
        out["gamma"] = pd.DataFrame(gamma, index=lv, columns=xs)
        out["cov.x"] = pd.DataFrame(cov_x, index=xs, columns=xs)
        out["mean.x"] = pd.DataFrame({"intercepts": mean_x}, index=xs)
    return out


def _row_values(res: Results, what: str) -> np.ndarray:
    pt = res.partable
    n = len(pt)
    free = pt["free"].to_numpy().astype(int)
    if what == "free":
        return free.astype(float)
    if what in ("est", "se"):
        return res.params[what].to_numpy(dtype=float)[:n]
    start = res.start
    if start is None:
        raise NotAvailableError("inspect('start'): this fit does not record its start values.")
    fixed = pt["ustart"].to_numpy(dtype=float)
    vals = np.where(free > 0, start[np.maximum(free - 1, 0)], np.nan_to_num(fixed))
    return np.asarray(vals, dtype=float)


def _model_matrices(res: Results, what: str) -> Any:
    vals = _row_values(res, what)
    unit = 0.0 if what in ("free", "se") else 1.0
    return _per_group(res, lambda g: _matrices(res, vals, g, unit=unit))


# -------------------------------------------------------------------------------------- information --
def information_matrix(res: Results, kind: str | None = None) -> np.ndarray:
    """The information matrix per observation (lavaan's ``lavInspect(fit, "information")``): of the fit's
    kind (``None``) or ``"expected"`` / ``"observed"``."""
    vc = res.vcov_part
    kind = vc.information if kind is None else check_option("kind", kind, ["expected", "observed"])
    N = res.nobs
    if res.ordinal is not None:
        if kind != "expected":
            raise NotAvailableError("inspect(): WLSMV has the expected information (Delta' W Delta) only.")
        return np.array(vc.info_matrix, dtype=float)
    if res.opts.discrepancy in ("GLS", "ULS"):
        if kind != "expected" or vc.info_matrix is None:
            raise NotAvailableError(f"inspect(): {res.opts.discrepancy} has its expected information "
                                    "(Delta' W Delta) only.")
        # the total was (N - G) sum_g f_g I_g (lavaan's sample size of these estimators)
        return np.array(vc.info_matrix, dtype=float) / (N - res.ngroups)
    if kind == vc.information and vc.info_matrix is not None:
        return np.array(vc.info_matrix, dtype=float) / N
    from .fiml import RowData

    ms = bool(res.spec.meanstructure)
    total = np.zeros((res.theta.size, res.theta.size))
    rows = res.sample.rows
    for g, (ram, st) in enumerate(zip(res.rams, res.group_stats)):
        rw = rows[g] if rows is not None else RowData.from_array(np.asarray(st.X, dtype=float))
        if kind == "expected" and res.opts.discrepancy == "FIML":
            from .casewise import casewise, expected_information_phi
            from .fiml import delta_phi

            Sigma, mu, *_ = ram.implied(res.theta)
            D = delta_phi(ram, res.theta)
            cw = casewise(rw.X0, rw.M, Sigma, mu, rw.w)
            if cw is None:
                raise NotAvailableError("inspect(): the model-implied covariance matrix is not positive definite, "
                                        "so the expected FIML information cannot be computed.")
            total += D @ expected_information_phi(cw) @ D.T
        elif kind == "expected":
            from . import ml

            total += st.nobs * ml.information(ram, res.theta, ms)
        else:
            from .fiml import observed_information

            total += observed_information(ram, res.theta, rw, mu_fixed=None if ms else st.mean)
    return total / N


def _named_square(res: Results, M: np.ndarray) -> pd.DataFrame:
    names = coef_names(res)
    return pd.DataFrame(np.array(M, dtype=float), index=names, columns=names)


# -------------------------------------------------------------------------------------------- table --
def _group_label(res: Results) -> list[Any]:
    return list(res.group_labels)


def _nobs(res: Results) -> Any:
    return res.nobs if res.ngroups == 1 else [int(st.nobs) for st in res.group_stats]


def _partable(res: Results) -> pd.DataFrame:
    cols = [c for c in ("id", "lhs", "op", "rhs", "user", "group", "free", "ustart", "exo", "label", "plabel")
            if c in res.partable.columns]
    out = res.partable[cols].reset_index(drop=True).copy()
    out["est"] = res.params["est"].to_numpy(dtype=float)[: len(out)]
    out["se"] = res.params["se"].to_numpy(dtype=float)[: len(out)]
    return out


#: what -> function of the fit; aliases map to the same function (lavaan accepts several names)
WHATS: dict[str, Callable[[Results], Any]] = {
    "sampstat": lambda r: _per_group(r, lambda g: _sampstat(r, g)),
    "implied": lambda r: _per_group(r, lambda g: _implied(r, g)),
    "cov.lv": lambda r: _per_group(r, lambda g: _cov_lv(r, g)),
    "cor.lv": lambda r: _per_group(r, lambda g: _cov_lv(r, g, cor=True)),
    "information": lambda r: _named_square(r, information_matrix(r)),
    "information.expected": lambda r: _named_square(r, information_matrix(r, "expected")),
    "information.observed": lambda r: _named_square(r, information_matrix(r, "observed")),
    "vcov": lambda r: _named_square(r, r.vcov),
    "r2": _r2,
    "start": lambda r: _model_matrices(r, "start"),
    "est": lambda r: _model_matrices(r, "est"),
    "se": lambda r: _model_matrices(r, "se"),
    "free": lambda r: _model_matrices(r, "free"),
    "coef": _coef,
    "partable": _partable,
    "iterations": lambda r: int(r.iterations),
    "converged": lambda r: bool(r.converged),
    "nobs": _nobs,
    "ntotal": lambda r: int(r.sample.ntotal),
    "npar": lambda r: int(r.npar),
    "ndat": lambda r: int(r.ndat),
    "df": lambda r: int(r.df),
    "fmin": lambda r: float(r.fit_measures["fmin"]),
    "ngroups": lambda r: int(r.ngroups),
    "ov.names": lambda r: list(r.spec.ov),
    "lv.names": lambda r: list(r.spec.lv),
    "group": lambda r: r.opts.group,
    "group.label": _group_label,
    "options": lambda r: r.options,
    "boot": lambda r: r.boot,
}
_ALIASES = {"rsquare": "r2", "r-square": "r2", "fitted": "implied", "sample": "sampstat", "samp": "sampstat",
            "sampstats": "sampstat", "veta": "cov.lv", "starting.values": "start", "estimates": "est",
            "x": "coef", "std.err": "se", "iter": "iterations", "niter": "iterations", "npar.free": "npar",
            "group.labels": "group.label", "bootstrap": "boot"}


def inspect(res: Results, what: str = "free") -> Any:
    """lavaan's ``lavInspect(fit, what)`` for an egovsem fit (also ``fit.inspect(what)``).

    Parameters
    ----------
    res : Results
        A fit (``egovsem.sem``/``cfa``).
    what : str
        ``"sampstat"`` (cov and mean; divisor N), ``"implied"`` (cov, mean; thresholds ``th`` after WLSMV),
        ``"cov.lv"``, ``"cor.lv"``, ``"information"`` (of the fit's kind), ``"information.expected"``,
        ``"information.observed"``, ``"vcov"``, ``"r2"`` (alias ``"rsquare"``), ``"start"``, ``"est"``,
        ``"se"``, ``"free"`` (model matrices), ``"coef"``, ``"partable"`` (the parameter table with its free
        index, est and se; lavaan's ``parTable(fit)``), ``"iterations"``, ``"converged"``, ``"nobs"``,
        ``"ntotal"``, ``"npar"``, ``"ndat"``, ``"df"``, ``"fmin"``, ``"ngroups"``, ``"group"``,
        ``"group.label"``, ``"options"``, ``"boot"``; and ``"ov.names"``, ``"lv.names"`` (lavaan's ``lavNames(fit,
        "ov")``, ``lavNames(fit, "lv")``). Case-insensitive; lavaan's aliases are accepted.

    Returns
    -------
    DataFrame, Series, dict or scalar
        Named as lavaan names the values; per-group values as a dict keyed by group label when G > 1.

    Raises
    ------
    ValueError
        ``what`` is not one of the names above (the message lists them).
    NotAvailableError
        The value does not exist for this fit (observed information after WLSMV, ``"boot"`` without a
        bootstrap).

    Examples
    --------
    lavaan: ``lavInspect(fit, "cor.lv")`` after ``cfa(HS.model, data = HolzingerSwineford1939)`` gives
    visual-textual 0.459, and ``lavInspect(fit, "sampstat")$cov["x1", "x1"]`` 1.358 (divisor N).

    >>> import egovsem
    >>> from egovsem.datasets import load
    >>> fit = egovsem.cfa("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9",
    ...                   load("HolzingerSwineford1939"))
    >>> round(float(fit.inspect("cor.lv").loc["visual", "textual"]), 3)
    0.459
    >>> round(float(inspect(fit, "sampstat")["cov"].loc["x1", "x1"]), 3)
    1.358
    >>> inspect(fit, "npar"), inspect(fit, "converged")
    (21, True)
    """
    from .twolevel import TwoLevelFit
    from .twolevel_groups import MultiGroupTwoLevelFit

    if isinstance(res, (TwoLevelFit, MultiGroupTwoLevelFit)):  # a two-level fit has its own (icc, implied, h1, ...)
        return res.inspect(what)
    if not isinstance(what, str):
        raise ValueError(f"The 'what' parameter must be a string. Got {what!r} instead.")
    key = what.strip().lower()
    key = _ALIASES.get(key, key)
    f = WHATS.get(key)
    if f is None:
        raise ValueError(f"The 'what' parameter must be one of {sorted(WHATS)} (or the aliases "
                         f"{sorted(_ALIASES)}). Got {what!r} instead.")
    return f(res)
