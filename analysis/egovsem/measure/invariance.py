"""Measurement invariance across groups: configural, metric, scalar, strict (lavaan's group.equal ladder).

Each step adds equality constraints to the one before; the chi-square difference test between
consecutive steps is lavaan's ``lavTestLRT()`` for ML (the plain difference of the test statistics and
of the degrees of freedom), beside the changes in CFI and RMSEA that reviewers also read
(Chen 2007: a drop in CFI larger than .01 signals non-invariance).
"""
from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from .._errors import EgovsemError, check_option
from ..parallel import check_n_jobs, run_chunks
from ..sem.checks import model_label, require_converged

__all__ = ["STEPS", "ORDINAL_STEPS", "invariance"]

#: the constraints of each step, cumulative
STEPS = {
    "configural": [],
    "metric": ["loadings"],
    "scalar": ["loadings", "intercepts"],
    "strict": ["loadings", "intercepts", "residuals"],
}

#: the ordinal sequence of Wu & Estabrook (2016), cumulative
ORDINAL_STEPS = {
    "configural": [],
    "thresholds": ["thresholds"],
    "loadings": ["thresholds", "loadings"],
    "intercepts": ["thresholds", "loadings", "intercepts"],
}
_ML_DEFAULT_STEPS = ("configural", "metric", "scalar", "strict")


def invariance(model: str, data: pd.DataFrame, group: str, *, steps=_ML_DEFAULT_STEPS,
               std_lv: bool = False, estimator: str = "ML", missing: str = "listwise",
               progress: Callable[[str], None] | None = None, sampling_weights: str | None = None,
               cluster: str | None = None, ordered=None, parameterization: str = "delta",
               group_partial=None, n_jobs: int | None = 1) -> pd.DataFrame:
    """Fit the invariance steps and return one row per step.

    Columns: ``step group_equal npar chisq df pvalue cfi tli rmsea srmr chisq_diff df_diff p_diff
    delta_cfi delta_rmsea``. The fitted models are in ``result.attrs["fits"]``.

    With ``estimator="MLR"`` the table adds ``chisq.scaled`` and ``scaling.factor``; ``chisq_diff`` is the
    Satorra-Bentler (2001) scaled difference that lavaan's ``lavTestLRT()`` uses for MLR fits,
    ``(T0 - T1) / cd`` with ``cd = (df0 c0 - df1 c1) / (df0 - df1)``; ``cfi``, ``tli`` and ``rmsea`` are the
    robust versions. ``missing="fiml"`` fits every step by FIML. ``sampling_weights`` and ``cluster`` are passed
    to every step's fit (lavaan's ``sampling.weights`` / ``cluster``: robust SEs and the Yuan-Bentler test, so the
    steps are compared by the scaled difference as for MLR). ``progress``, when given, is called with one
    line per step as it is fitted (``"metric (2/4): chisq = 124.04 on 54 df, CFI = .921 (0.3 s)"``).

    Ordinal items (``ordered=True`` or a list of items): the sequence of Wu & Estabrook (2016),
    ``steps=("configural", "thresholds", "loadings", "intercepts")`` (each cumulative: thresholds, then
    thresholds + loadings, then + intercepts), every model fitted by WLSMV (``parameterization`` "delta" or
    "theta") with the identification ``semTools::measEq.syntax(ID.fac = "std.lv", ID.cat =
    "Wu.Estabrook.2016")`` writes (:func:`egovsem.sem.wls_mg.mg_ordinal_partable`). ``chisq_diff`` is then the
    scaled-shifted difference test of Satorra (2000) that ``lavTestLRT()`` gives for WLSMV fits
    (:func:`egovsem.sem.wls_mg.scaled_difference_test`); ``cfi``, ``tli``, ``rmsea`` (and so ``delta_cfi``,
    ``delta_rmsea``) are the scaled indices; ``chisq.scaled`` and ``scaling.factor`` are added.
    ``group_partial`` (e.g. ``["x3 ~ 1", "x2 | t1"]``) frees those parameters from the constraints in every
    step (partial invariance). Continuous indicators may be mixed with the ordered ones (``ordered=`` a list):
    as measEq.syntax writes them, their intercepts and residual variances are free in every group and their
    intercepts equal from the "intercepts" step on. ``missing`` is "listwise" or "pairwise" (lavaan's
    pairwise first stage in each group). Exogenous observed covariates (``f ~ age``) are conditioned on
    (lavaan's conditional.x, :mod:`egovsem.sem.wls_mg_conditional`): the latent variances and means of
    measEq.syntax become the residual variances and intercepts of the regressed factors.

    ``n_jobs`` fits the steps in that many local processes (None: all cores; default 1, in this process).
    Each step is the same computation wherever it runs (BLAS held to one thread), so the table does not
    depend on ``n_jobs``; warnings raised by a step in a worker are raised again here, in step order.

    Examples
    --------
    The 3-factor model of HolzingerSwineford1939 by school (lavaan: ``cfa(HS.model, data, group =
    "school", group.equal = ...)`` gives chisq 115.85 on 48, 124.04 on 54, 164.10 on 60):

    >>> from egovsem.datasets import load
    >>> hs = load("HolzingerSwineford1939")
    >>> tab = invariance("visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9", hs, "school",
    ...                  steps=("configural", "metric", "scalar"))
    >>> [round(float(x), 2) for x in tab["chisq"]], [int(x) for x in tab["df"]]
    ([115.85, 124.04, 164.1], [48, 54, 60])
    """
    if ordered is not None and ordered is not False:
        return _ordinal_invariance(model, data, group, steps=None if steps == _ML_DEFAULT_STEPS else steps,
                                   ordered=ordered, parameterization=parameterization, group_partial=group_partial,
                                   progress=progress, n_jobs=n_jobs, missing=missing)
    estimator = check_option("estimator", estimator, ["ML", "MLR"], casefold=True)
    for s in steps:
        check_option("steps", s, list(STEPS))
    n_jobs = check_n_jobs(n_jobs)
    kw = dict(group=group, std_lv=std_lv, estimator=estimator, missing=missing, sampling_weights=sampling_weights,
              cluster=cluster)
    done = _fit_steps(_fit_ml_step, (model, data, kw), steps, n_jobs)
    rows, fits = [], {}
    prev = None
    for i, s in enumerate(steps, start=1):
        fit, seconds = done[i - 1]
        require_converged(fit, "invariance", title=f"{s} step ({model_label(fit)})")
        fm = fit.fit_measures
        mlr = fit.options["test"] == "yuan.bentler.mplus"
        suf = ".robust" if mlr else ""
        row = {"step": s, "group_equal": ",".join(STEPS[s]), "npar": int(fm["npar"]), "chisq": fm["chisq"],
               "df": int(fm["df"]), "pvalue": fm["pvalue"], "cfi": fm["cfi" + suf], "tli": fm["tli" + suf],
               "rmsea": fm["rmsea" + suf], "srmr": fm["srmr"]}
        if mlr:
            row.update({"chisq.scaled": fm["chisq.scaled"], "scaling.factor": fm["chisq.scaling.factor"]})
        if prev is None:
            row.update(chisq_diff=np.nan, df_diff=np.nan, p_diff=np.nan, delta_cfi=np.nan, delta_rmsea=np.nan)
        else:
            dchi, ddf = fm["chisq"] - prev["chisq"], fm["df"] - prev["df"]
            if mlr and ddf > 0:
                cd = (fm["df"] * row["scaling.factor"] - prev["df"] * prev["scaling.factor"]) / ddf
                dchi = dchi / cd
            row.update(chisq_diff=dchi, df_diff=int(ddf), p_diff=float(special.chdtrc(ddf, max(dchi, 0.0))),
                       delta_cfi=fm["cfi"] - prev["cfi"], delta_rmsea=fm["rmsea"] - prev["rmsea"])
        rows.append(row)
        fits[s] = fit
        if progress is not None:
            progress(f"{s} ({i}/{len(steps)}): chisq = {fm['chisq']:.2f} on {int(fm['df'])} df, "
                     f"CFI = {row['cfi']:.3f} ({seconds:.1f} s)")
        prev = row
    out = pd.DataFrame(rows)
    out.attrs["fits"] = fits
    return out


def _ordinal_invariance(model: str, data: pd.DataFrame, group: str, *, steps, ordered, parameterization: str,
                        group_partial, progress, n_jobs: int | None = 1, missing: str = "listwise") -> pd.DataFrame:
    """The Wu & Estabrook (2016) sequence by WLSMV (see :func:`invariance`)."""
    from ..sem.wls_mg import scaled_difference_test

    if str(missing).casefold() in ("fiml", "ml"):
        raise EgovsemError(f"missing={missing!r} (lavaan's missing=\"ml\") is not available in the categorical "
                           "setting (lavaan refuses it for WLSMV); use missing='listwise' or 'pairwise'.")
    missing = check_option("missing", missing, ["listwise", "pairwise"], casefold=True)

    steps = tuple(ORDINAL_STEPS) if steps is None else tuple(steps)
    for s in steps:
        check_option("steps", s, list(ORDINAL_STEPS))
    n_jobs = check_n_jobs(n_jobs)
    kw = dict(ordered=ordered, group=group, group_partial=group_partial, parameterization=parameterization,
              missing=missing)
    done = _fit_steps(_fit_ordinal_step, (model, data, kw), steps, n_jobs)
    rows, fits = [], {}
    prev = prev_fit = None
    for i, s in enumerate(steps, start=1):
        fit, seconds = done[i - 1]
        if not fit.converged:
            from .._errors import NotConvergedError

            raise NotConvergedError(f"invariance: the {s} step did not converge; its fit cannot be compared.")
        fm = fit.fit_measures
        row = {"step": s, "group_equal": ",".join(ORDINAL_STEPS[s]), "npar": int(fm["npar"]), "chisq": fm["chisq"],
               "df": int(fm["df"]), "pvalue": fm["pvalue"], "cfi": fm["cfi.scaled"], "tli": fm["tli.scaled"],
               "rmsea": fm["rmsea.scaled"], "srmr": fm["srmr"], "chisq.scaled": fm["chisq.scaled"],
               "pvalue.scaled": fm["pvalue.scaled"], "scaling.factor": fm["chisq.scaling.factor"]}
        if prev is None or prev_fit is None:
            row.update(chisq_diff=np.nan, df_diff=np.nan, p_diff=np.nan, delta_cfi=np.nan, delta_rmsea=np.nan)
        else:
            t = scaled_difference_test(fit, prev_fit)
            row.update(chisq_diff=t["chisq_diff"], df_diff=int(t["df_diff"]), p_diff=t["pvalue"],
                       delta_cfi=row["cfi"] - prev["cfi"], delta_rmsea=row["rmsea"] - prev["rmsea"])
        rows.append(row)
        fits[s] = fit
        if progress is not None:
            progress(f"{s} ({i}/{len(steps)}): chisq.scaled = {fm['chisq.scaled']:.2f} on {int(fm['df'])} df, "
                     f"CFI.scaled = {row['cfi']:.3f} ({seconds:.1f} s)")
        prev, prev_fit = row, fit
    out = pd.DataFrame(rows)
    out.attrs["fits"] = fits
    return out


def _fit_ml_step(payload: tuple, step: str) -> tuple[Any, float, list]:
    """One ML/MLR step (a module-level function, so that it runs in a worker process)."""
    from ..sem import sem

    model, data, kw = payload
    return _timed(lambda: sem(model, data, group_equal=STEPS[step], **kw))


def _fit_ordinal_step(payload: tuple, step: str) -> tuple[Any, float, list]:
    """One step of the Wu-Estabrook sequence by WLSMV."""
    from ..sem.model import Model
    from ..sem.wls_mg import fit_wlsmv_multigroup

    model, data, kw = payload
    ordered = kw["ordered"]
    rest = {k: v for k, v in kw.items() if k != "ordered"}
    return _timed(lambda: fit_wlsmv_multigroup(Model(model, std_lv=True), data, ordered,
                                               group_equal=ORDINAL_STEPS[step], identification="wu.estabrook.2016",
                                               **rest))


def _timed(fit_step: Callable[[], Any]) -> tuple[Any, float, list]:
    """Run one step; return the fit, its seconds and the warnings it raised (message, category)."""
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = fit_step()
    return fit, time.perf_counter() - t0, [(w.message, w.category) for w in caught]


def _fit_steps(func: Callable, payload: tuple, steps, n_jobs: int) -> list[tuple[Any, float]]:
    """Fit every step (in ``n_jobs`` processes); re-raise each step's warnings here, in step order."""
    out = run_chunks(func, payload, [(s,) for s in steps], n_jobs=n_jobs, progress=False, desc="invariance")
    for _fit, _sec, caught in out:
        for message, category in caught:
            warnings.warn(message, category, stacklevel=3)
    return [(fit, sec) for fit, sec, _ in out]
