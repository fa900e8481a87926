"""Standardised solutions as lavaan defines them (``std.lv``, ``std.all``, ``std.nox``) and R-squared.

With ``C`` the model-implied covariance of all variables (observed and latent) and ``S`` the (residual)
variance matrix of the model:

* ``f =~ x``: ``est * sd(f) / sd(x)``;  ``y ~ x`` and ``f <~ x``: ``est * sd(x) / sd(y)``;
* ``v ~~ v``: ``est / var(v)``;  ``a ~~ b`` (a != b): ``est / sqrt(S[a,a] * S[b,b])``, so that residual
  covariances are standardised by residual standard deviations (lavaan >= 0.6);
* ``v ~ 1``: ``est / sd(v)``.

``std.lv`` standardises latent variables only; ``std.nox`` is ``std.all`` without standardising the
exogenous observed covariates.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["standardized_columns", "r_squared", "ordinal_standardized"]


def _scales(C: np.ndarray, names, latent: set, ov_x: set):
    # lavaan: sqrt of the implied variances as they are, so a negative variance (a Heywood case) gives NaN
    with np.errstate(invalid="ignore"):
        sd = np.sqrt(np.diag(C))
    sd_all = {v: sd[i] for i, v in enumerate(names)}
    sd_lv = {v: (sd[i] if v in latent else 1.0) for i, v in enumerate(names)}
    sd_nox = {v: (1.0 if v in ov_x else sd[i]) for i, v in enumerate(names)}
    return sd_all, sd_lv, sd_nox


def standardized_columns(pt: pd.DataFrame, est: np.ndarray, ram, theta: np.ndarray, spec) -> dict[str, np.ndarray]:
    """Return ``{"std.lv": ..., "std.all": ..., "std.nox": ...}`` aligned with the rows of ``pt``."""
    _, _, _, C, _ = ram.implied(theta)
    A, S, m = ram.matrices(theta)
    names = ram.names
    pos = {v: i for i, v in enumerate(names)}
    latent = set(spec.lv)
    ov_x = set(spec.exo_x)  # lavaan leaves its ov.x unstandardised in std.nox, with or without fixed.x
    scales = _scales(C, names, latent, ov_x)
    out = {}
    for col, sd in zip(("std.all", "std.lv", "std.nox"), scales):
        vals = np.full(len(pt), np.nan)
        for i, r in enumerate(pt.itertuples()):
            e = est[i]
            if r.op == "=~":
                vals[i] = e * sd[r.lhs] / sd[r.rhs]
            elif r.op in ("~", "<~"):
                vals[i] = e * sd[r.rhs] / sd[r.lhs]
            elif r.op == "~~":
                if r.lhs == r.rhs:
                    vals[i] = e / (sd[r.lhs] ** 2)
                # a ~~ b (a != b): set below by residual SDs
            elif r.op == "~1":
                vals[i] = e / sd[r.lhs]
        out[col] = vals
    _fix_cov_rows(pt, est, S, C, pos, latent, ov_x, out)
    return out


def _fix_cov_rows(pt, est, S, C, pos, latent, ov_x, out):
    """Covariances: lavaan standardises by the residual SDs of the variables being standardised."""
    for i, r in enumerate(pt.itertuples()):
        if r.op != "~~" or r.lhs == r.rhs:
            continue
        a, b = pos[r.lhs], pos[r.rhs]
        with np.errstate(invalid="ignore", divide="ignore"):
            ra, rb = np.sqrt(S[a, a]), np.sqrt(S[b, b])
            # std.all: both standardised
            out["std.all"][i] = est[i] / (ra * rb)
            # std.lv: only latent variables standardised
            sa = ra if r.lhs in latent else 1.0
            sb = rb if r.rhs in latent else 1.0
            out["std.lv"][i] = est[i] / (sa * sb)
            # std.nox: exogenous observed covariates not standardised
            sa = 1.0 if r.lhs in ov_x else ra
            sb = 1.0 if r.rhs in ov_x else rb
            out["std.nox"][i] = est[i] / (sa * sb)


def r_squared(ram, theta: np.ndarray, spec) -> pd.Series:
    """R-squared of every endogenous variable (indicators, dependent observed and latent variables)."""
    _, _, _, C, _ = ram.implied(theta)
    _, S, _ = ram.matrices(theta)
    pos = {v: i for i, v in enumerate(ram.names)}
    vals = {}
    for v in spec.endogenous:
        i = pos[v]
        # lavaan gives NA where the residual variance is negative (a Heywood case)
        vals[v] = 1.0 - S[i, i] / C[i, i] if S[i, i] >= 0 else np.nan
    return pd.Series(vals, name="r2", dtype=float)


def ordinal_standardized(pt: pd.DataFrame, est: np.ndarray, sd: dict[str, float], out: dict[str, np.ndarray]) -> None:
    """The rows of ordered items in lavaan's standardised columns, set in ``out`` (aligned with ``pt``):
    thresholds ``x | t`` keep their value in ``std.lv`` and are divided by the latent response's SD
    ``sd[x]`` in ``std.all`` and ``std.nox``; the scale rows ``x ~*~ x`` keep their value in ``std.lv`` and
    are 1 in ``std.all`` and ``std.nox`` (lavaan 0.6-14)."""
    ops = pt["op"].to_numpy()
    lhs = pt["lhs"].to_numpy()
    th = np.flatnonzero(ops == "|")
    sc = np.flatnonzero(ops == "~*~")
    sd_th = np.array([sd[v] for v in lhs[th]], dtype=float)
    out["std.lv"][th] = est[th]
    out["std.lv"][sc] = est[sc]
    for col in ("std.all", "std.nox"):
        out[col][th] = est[th] / sd_th
        out[col][sc] = 1.0
