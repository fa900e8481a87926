"""Moderated mediation: conditional indirect effects at chosen moderator values and the index of moderated
mediation (Hayes 2015), from a fitted :func:`egovsem.sem` model.

The model is a simple mediation ``x -> m -> y`` whose first stage (``m ~ x + w + x:w``), second stage
(``y ~ m + w + m:w``) or both are moderated by ``w``. The products are lavaan's observed products ``x:w``
or, for latent variables, a product factor measured by product indicators (:func:`egovsem.sem.products.
ind_prod`), named with ``xw=`` / ``mw=``. The conditional indirect effect at ``w`` is
``(a1 + a3 w) (b1 + b3 w)``; with one moderated stage the index of moderated mediation is ``a3 b1`` (first
stage) or ``a1 b3`` (second stage). Standard errors by the delta method (the fit's covariance matrix of the
estimates, as lavaan's ``:=`` rows); percentile bootstrap intervals when the fit has bootstrap draws
(``se='bootstrap'``).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._errors import DataError, EgovsemError
from .checks import require_converged

__all__ = ["moderated_mediation", "ModMedResult"]


@dataclass
class ModMedResult:
    """Conditional indirect effects (``effects``: value est se z pvalue ci.lower ci.upper, and boot.lower /
    boot.upper with bootstrap draws) and the index of moderated mediation (``index``, one row or empty)."""

    effects: pd.DataFrame
    index: pd.DataFrame
    x: str
    m: str
    y: str
    w: str
    stage: str

    def __repr__(self) -> str:
        head = f"Conditional indirect effects of {self.x} on {self.y} through {self.m}, moderator {self.w} ({self.stage})"
        return "\n".join([head, self.effects.to_string(index=False), "Index of moderated mediation:",
                          self.index.to_string(index=False) if len(self.index) else "  (not constant: both stages)"])


def _free_index(pt: pd.DataFrame, lhs: str, rhs: str) -> int | None:
    row = pt[(pt["lhs"] == lhs) & (pt["op"] == "~") & (pt["rhs"] == rhs)]
    if not len(row):
        return None
    free = int(row["free"].iloc[0])
    if free <= 0:
        raise EgovsemError(f"The path {lhs} ~ {rhs} is fixed in the model; moderated mediation needs it free.")
    return free - 1


def moderated_mediation(fit, *, x: str, m: str, y: str, w: str, xw: str | None = None, mw: str | None = None,
                        values: Sequence[float] | None = None, data: pd.DataFrame | None = None,
                        level: float = 0.95) -> ModMedResult:
    """Conditional indirect effects of ``x`` on ``y`` through ``m`` at values of the moderator ``w``.

    Parameters
    ----------
    fit : egovsem.Results
        A single-group fit whose model has ``m ~ x`` and ``y ~ m``, and the moderation ``m ~ xw`` and/or
        ``y ~ mw``.
    x, m, y, w : str
        The predictor, mediator, outcome and moderator (observed variables or latent variables).
    xw, mw : str, optional
        The product terms of the first (``x`` by ``w``) and second (``m`` by ``w``) stage: a product factor's
        name, or (default) lavaan's observed product ``"x:w"`` / ``"m:w"`` when the model has it.
    values : list of float, optional
        Moderator values; default: the mean and the mean -+ 1 SD (an observed ``w``: its sample mean and SD
        with N - 1 in ``data``; a latent ``w``: 0 and -+ the square root of its estimated variance).
    data : DataFrame
        The data of the fit; needed for an observed moderator (its default values and range).
    level : float
        Confidence level of the delta-method and bootstrap intervals.

    Returns
    -------
    ModMedResult
    """
    if not all(hasattr(fit, a) for a in ("partable", "theta", "vcov")):
        raise EgovsemError(f"The 'fit' parameter must be the result of egovsem.sem(). Got {type(fit).__name__}.")
    require_converged(fit, "moderated_mediation")
    if fit.ngroups > 1:
        from .._errors import NotAvailableError

        raise NotAvailableError("moderated_mediation of a multi-group fit is not implemented yet.")
    names = {"x": x, "m": m, "y": y, "w": w}
    for a, b in (("x", "w"), ("m", "w"), ("x", "m"), ("x", "y"), ("m", "y")):
        if names[a] == names[b]:
            raise EgovsemError(f"The '{a}' and '{b}' parameters both name {names[a]!r}; an interaction of a variable "
                               "with itself (or a mediation through the variable itself) is not a moderated mediation.")
    pt = fit.partable
    ia1 = _free_index(pt, m, x)
    ib1 = _free_index(pt, y, m)
    for idx, path in ((ia1, f"{m} ~ {x}"), (ib1, f"{y} ~ {m}")):
        if idx is None:
            raise EgovsemError(f"The fit has no regression {path}; the mediation x -> m -> y needs it.")
    ia3 = _free_index(pt, m, xw if xw is not None else f"{x}:{w}")
    if ia3 is None and xw is None:
        ia3 = _free_index(pt, m, f"{w}:{x}")
    ib3 = _free_index(pt, y, mw if mw is not None else f"{m}:{w}")
    if ib3 is None and mw is None:
        ib3 = _free_index(pt, y, f"{w}:{m}")
    for given, idx, lhs in ((xw, ia3, m), (mw, ib3, y)):
        if given is not None and idx is None:
            raise EgovsemError(f"The fit has no regression {lhs} ~ {given} (the product named by 'xw'/'mw').")
    if ia3 is None and ib3 is None:
        raise EgovsemError(f"The fit has no moderation by {w!r}: neither {m} ~ {x}:{w} (or 'xw') nor {y} ~ {m}:{w} "
                           "(or 'mw') is a regression of the model.")
    stage = "first and second stage" if ia3 is not None and ib3 is not None else (
        "first stage" if ia3 is not None else "second stage")

    lv = set(pt.loc[pt["op"] == "=~", "lhs"])
    if w in lv:
        row = pt[(pt["lhs"] == w) & (pt["op"] == "~~") & (pt["rhs"] == w)]
        est_all = fit.params
        var = float(est_all.loc[row.index[0], "est"]) if len(row) else np.nan
        mean, sd, lo, hi = 0.0, float(np.sqrt(var)), -3 * float(np.sqrt(var)), 3 * float(np.sqrt(var))
        range_text = f"the latent range of {w!r} (mean 0 +- 3 SD: [{lo:.3f}, {hi:.3f}])"
    else:
        if data is None or not isinstance(data, pd.DataFrame) or w not in data.columns:
            raise DataError(f"The moderator {w!r} is an observed variable: pass the fit's data as 'data' (a DataFrame "
                            f"with the column {w!r}) for its mean, SD and range.")
        col = pd.to_numeric(data[w], errors="coerce").dropna()
        mean, sd, lo, hi = float(col.mean()), float(col.std(ddof=1)), float(col.min()), float(col.max())
        range_text = f"the range of {w!r} in the data ([{lo:g}, {hi:g}])"
    if values is None:
        wv = np.array([mean - sd, mean, mean + sd])
    else:
        wv = np.atleast_1d(np.asarray(values, dtype=float))
        if wv.size == 0 or not np.isfinite(wv).all():
            raise EgovsemError(f"The 'values' parameter must hold finite moderator values. Got {values!r} instead.")
    out = [float(v) for v in wv if v < lo - 1e-12 or v > hi + 1e-12]
    if out:
        raise DataError(f"The moderator value(s) {out!r} in 'values' lie outside {range_text}; conditional indirect "
                        "effects there are extrapolations. Choose values inside it.")

    theta = np.asarray(fit.theta, float)
    V = np.asarray(fit.vcov, float)
    cols = [ia1, ia3, ib1, ib3]
    assert ia1 is not None and ib1 is not None

    def coef(t: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(t[..., i] if i is not None else np.zeros(t.shape[:-1]) for i in cols)

    def effects(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a1, a3, b1, b3 = coef(t)
        ind = (a1[..., None] + a3[..., None] * wv) * (b1[..., None] + b3[..., None] * wv)
        imm = a3 * b1 if ib3 is None else a1 * b3
        return ind, imm

    ind, imm = effects(theta)
    a1, a3, b1, b3 = (float(c) for c in coef(theta))
    # gradients with respect to (a1, a3, b1, b3) -> the free parameters
    rows_g = []
    for v in wv:
        g = np.zeros(theta.size)
        first, second = a1 + a3 * v, b1 + b3 * v
        g[ia1] += second
        g[ib1] += first
        if ia3 is not None:
            g[ia3] += v * second
        if ib3 is not None:
            g[ib3] += v * first
        rows_g.append(g)
    G = np.array(rows_g)
    se = np.sqrt(np.einsum("ij,jk,ik->i", G, V, G))
    zq = stats.norm.ppf(0.5 + level / 2)
    eff = pd.DataFrame({"value": wv, "est": ind, "se": se})
    eff["z"] = eff["est"] / eff["se"]
    eff["pvalue"] = 2 * stats.norm.sf(np.abs(eff["z"]))
    eff["ci.lower"] = eff["est"] - zq * eff["se"]
    eff["ci.upper"] = eff["est"] + zq * eff["se"]
    index = pd.DataFrame()
    if ia3 is None or ib3 is None:
        gi = np.zeros(theta.size)
        if ib3 is None:
            gi[ia3] += b1
            gi[ib1] += a3
        else:
            gi[ia1] += b3
            gi[ib3] += a1
        ise = float(np.sqrt(gi @ V @ gi))
        iz = float(imm) / ise
        index = pd.DataFrame([{"est": float(imm), "se": ise, "z": iz, "pvalue": 2 * stats.norm.sf(abs(iz)),
                               "ci.lower": float(imm) - zq * ise, "ci.upper": float(imm) + zq * ise}])
    boot = getattr(fit, "bootstrap_part", None)
    if boot is not None:
        draws = fit.boot.to_numpy()
        bind, bimm = effects(draws)
        q = [(1 - level) / 2, (1 + level) / 2]
        bl, bu = np.quantile(bind, q, axis=0)
        eff["boot.lower"], eff["boot.upper"] = bl, bu
        if len(index):
            ql, qu = np.quantile(bimm, q)
            index["boot.lower"], index["boot.upper"] = float(ql), float(qu)
        eff["nboot"] = draws.shape[0]
    return ModMedResult(effects=eff, index=index, x=x, m=m, y=y, w=w, stage=stage)
