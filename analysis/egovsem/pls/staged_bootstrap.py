"""Bootstrap and jackknife of PLS models estimated in stages (interaction terms, higher-order constructs by the
two-stage approach): each resample re-runs the whole procedure.

The indicators of an interaction term ``X:M`` are made from the data (the product of the stage-1 scores under
``interaction="two_stage"``, products of the standardised items or their residuals otherwise), so a resample of
the final model's columns would keep the products of the full sample. Here every resample (and every jackknife
sample) is a resample of the rows of the model's own items, and :func:`egovsem.pls` is run on it with the fit's
settings (:attr:`PLSResults.call`): the stage-1 fit, the products and seminr's rescaling of the interaction score
are made again, as seminr's ``bootstrap_model`` re-runs ``estimate_pls`` on each resample. A higher-order
construct's indicators are the stage-1 scores of its dimensions: each resample runs stage 1 on the resampled rows
and stage 2 on their scores; the draws of the stage-1 quantities (the dimensions' loadings and weights) are kept
beside those of stage 2, from the same resamples. Under
``missing="mean"`` the raw rows are resampled and mean-replaced within the resample (as the one-stage bootstrap,
:mod:`.bootstrap`).

Randomness and chunks are those of :mod:`.bootstrap` (resample ``b`` from ``SeedSequence(seed, spawn_key=(b,))``,
the same row indices as a one-stage model's resample ``b``), so the numbers do not depend on ``n_jobs``.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._errors import EgovsemError
from ..parallel import chunk_bounds, run_chunks
from .bootstrap import CHUNK, Layout, resample_indices, statistics

__all__ = ["run_staged"]


@dataclass(frozen=True)
class _Payload:
    frame: pd.DataFrame      # the rows to resample: the model's own items (NaN = missing under missing="mean")
    call: dict[str, Any]     # egovsem.pls' model and settings
    missing: str
    entropy: int
    lay: Layout
    lay1: Layout | None      # the stage-1 layout of a two-stage higher-order model


def _one(p: _Payload, rows: np.ndarray) -> np.ndarray:
    from .fit import pls

    call = dict(p.call)
    model = call.pop("model")
    sub = p.frame.iloc[rows].reset_index(drop=True)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            r = pls(model, sub, missing=p.missing, **call)
        stages = [r, r.interaction_first_stage, r.first_stage]
        if not all(f.converged for f in stages if f is not None):
            return np.full(_width(p), np.nan)
        out = statistics(r.estimates, r.R, r._st, p.lay)
        s1 = r.first_stage
        if p.lay1 is not None and s1 is not None:
            out = np.concatenate([out, statistics(s1.estimates, s1.R, s1._st, p.lay1)])
        return out
    except (EgovsemError, np.linalg.LinAlgError, FloatingPointError):
        return np.full(_width(p), np.nan)


def _width(p: _Payload) -> int:
    return len(p.lay.keys) + (0 if p.lay1 is None else len(p.lay1.keys))


def _chunk(p: _Payload, mode: str, lo: int, hi: int) -> np.ndarray:
    n = p.frame.shape[0]
    out = np.empty((hi - lo, _width(p)))
    for r, b in enumerate(range(lo, hi)):
        rows = resample_indices(n, b, p.entropy) if mode == "boot" else np.r_[0:b, b + 1:n]
        out[r] = _one(p, rows)
    return out


def run_staged(fit, mode: str, total: int, entropy: int = 0, *, n_jobs: int | None = 1,
               progress: bool | None = None) -> np.ndarray:
    """``total`` statistic vectors of ``fit``'s layout (rows; NaN rows for failed resamples): bootstrap resamples
    (``mode="boot"``) or the leave-one-out jackknife (``mode="jack"``, ``total`` = the number of rows). With a
    two-stage higher-order construct the stage-1 layout's columns follow (``fit.first_stage``)."""
    frame = fit.resample_frame.drop(columns=[c for c in fit.item_names if c in fit.resample_frame.columns])
    lay1 = None if fit.first_stage is None else fit.first_stage._lay
    p = _Payload(frame, dict(fit.call), fit.settings["missing"], int(entropy), fit._lay, lay1)
    bounds = chunk_bounds(int(total), CHUNK)
    parts = run_chunks(_chunk, p, [(mode, lo, hi) for lo, hi in bounds], n_jobs=n_jobs, progress=progress,
                       desc="PLS bootstrap" if mode == "boot" else "jackknife", weights=[hi - lo for lo, hi in bounds])
    return np.vstack(parts)
