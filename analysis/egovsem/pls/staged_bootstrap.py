"""Bootstrap and jackknife of a PLS model with interaction terms: each resample re-runs the whole procedure.

The indicators of an interaction term ``X:M`` are made from the data (the product of the stage-1 scores under
``interaction="two_stage"``, products of the standardised items or their residuals otherwise), so a resample of
the final model's columns would keep the products of the full sample. Here every resample (and every jackknife
sample) is a resample of the rows of the model's own items, and :func:`egovsem.pls` is run on it with the fit's
settings (:attr:`PLSResults.call`): the stage-1 fit, the products and seminr's rescaling of the interaction score
are made again, as seminr's ``bootstrap_model`` re-runs ``estimate_pls`` on each resample. Under
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


def _one(p: _Payload, rows: np.ndarray) -> np.ndarray:
    from .fit import pls

    call = dict(p.call)
    model = call.pop("model")
    sub = p.frame.iloc[rows].reset_index(drop=True)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            r = pls(model, sub, missing=p.missing, **call)
        first = r.interaction_first_stage
        if not r.converged or (first is not None and not first.converged):
            return np.full(len(p.lay.keys), np.nan)
        return statistics(r.estimates, r.R, r._st, p.lay)
    except (EgovsemError, np.linalg.LinAlgError, FloatingPointError):
        return np.full(len(p.lay.keys), np.nan)


def _chunk(p: _Payload, mode: str, lo: int, hi: int) -> np.ndarray:
    n = p.frame.shape[0]
    out = np.empty((hi - lo, len(p.lay.keys)))
    for r, b in enumerate(range(lo, hi)):
        rows = resample_indices(n, b, p.entropy) if mode == "boot" else np.r_[0:b, b + 1:n]
        out[r] = _one(p, rows)
    return out


def run_staged(fit, mode: str, total: int, entropy: int = 0, *, n_jobs: int | None = 1,
               progress: bool | None = None) -> np.ndarray:
    """``total`` statistic vectors of ``fit``'s layout (rows; NaN rows for failed resamples): bootstrap resamples
    (``mode="boot"``) or the leave-one-out jackknife (``mode="jack"``, ``total`` = the number of rows)."""
    frame = fit.resample_frame.drop(columns=[c for c in fit.item_names if c in fit.resample_frame.columns])
    p = _Payload(frame, dict(fit.call), fit.settings["missing"], int(entropy), fit._lay)
    bounds = chunk_bounds(int(total), CHUNK)
    parts = run_chunks(_chunk, p, [(mode, lo, hi) for lo, hi in bounds], n_jobs=n_jobs, progress=progress,
                       desc="PLS bootstrap" if mode == "boot" else "jackknife", weights=[hi - lo for lo, hi in bounds])
    return np.vstack(parts)
