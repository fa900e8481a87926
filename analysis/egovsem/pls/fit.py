"""``egovsem.pls()``: estimate a PLS path model (optionally PLSc, optionally bootstrapped) on lavaan syntax."""
from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from .._errors import (
    ConvergenceWarning,
    DataError,
    EgovsemError,
    EgovsemWarning,
    caller_stacklevel,
    check_option,
)
from ..parallel import check_n_jobs, resolve_entropy
from ..sem.syntax import Statement
from .bootstrap import CI_TYPES, layout, run_bootstrap
from .data import MISSING, check_missing_value, correlations, prepare_data
from .estimates import estimate
from .hoc import HOC_METHODS, HigherOrder, repeated_indicators, split_higher_order
from .interactions import INTERACTIONS, interaction_columns, read_model
from .results import PLSResults
from .specify import PLSSpec, specify_statements
from .weights import MAX_ITER, STOP_CRITERION, WEIGHTING, check_mode_b, structure

__all__ = ["pls", "check_settings"]


def _check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise EgovsemError(f"The '{name}' parameter must be an integer of at least {minimum}. Got {value!r} instead.")
    return int(value)


def _renamed(err: EgovsemError, names: Mapping[str, str]) -> EgovsemError:
    """``err`` with "The 'x' parameter" written as the caller's name of ``x`` (a command-line flag)."""
    msg = str(err)
    for param, label in names.items():
        if f"The '{param}' parameter" in msg:
            msg = msg.replace(f"The '{param}' parameter", label).replace(" or None. Got", ". Got")
    return type(err)(msg)


def check_settings(*, names: Mapping[str, str] | None = None, **values: Any) -> dict[str, Any]:
    """Validate the options of :func:`pls` (and canonicalise them) before anything is read.

    Parameters
    ----------
    names : mapping, optional
        How the caller names each option in messages (``{"bootstrap": "--bootstrap"}`` for the command line);
        by default the Python parameter (``The 'bootstrap' parameter ...``).
    **values
        Any of ``consistent, weighting, missing, bootstrap, seed, n_jobs, ci, level, max_iter, stop_criterion``.

    Returns
    -------
    dict
        The same keys, canonical (``n_jobs`` resolved to a number of processes).

    Examples
    --------
    >>> check_settings(bootstrap=1, names={"bootstrap": "--bootstrap"})
    Traceback (most recent call last):
    ...
    egovsem._errors.EgovsemError: --bootstrap must be 0 (no bootstrap) or at least 2. Got 1 instead.
    """
    try:
        return _check_settings(values)
    except EgovsemError as err:
        if names:
            raise _renamed(err, names) from None
        raise


def _check_settings(v: dict[str, Any]) -> dict[str, Any]:
    out = dict(v)
    if "consistent" in v and not isinstance(v["consistent"], (bool, np.bool_)):
        raise EgovsemError(f"The 'consistent' parameter must be True or False. Got {v['consistent']!r} instead.")
    if "weighting" in v:
        out["weighting"] = check_option("weighting", v["weighting"], WEIGHTING, casefold=True)
    if "missing" in v:
        out["missing"] = check_option("missing", v["missing"], MISSING, casefold=True)
    if "bootstrap" in v:
        out["bootstrap"] = B = _check_int("bootstrap", v["bootstrap"], 0)
        if B == 1:
            raise EgovsemError("The 'bootstrap' parameter must be 0 (no bootstrap) or at least 2. Got 1 instead.")
    if "seed" in v:
        resolve_entropy(v["seed"])
    if "n_jobs" in v:
        out["n_jobs"] = check_n_jobs(v["n_jobs"])
    if "ci" in v:
        out["ci"] = check_option("ci", v["ci"], CI_TYPES, casefold=True)
    if "level" in v:
        level = v["level"]
        if isinstance(level, (bool, np.bool_)) or not isinstance(level, (float, int)) or not 0 < level < 1:
            raise EgovsemError(f"The 'level' parameter must be a number between 0 and 1. Got {level!r} instead.")
    if "interaction" in v:
        out["interaction"] = check_option("interaction", v["interaction"], INTERACTIONS, casefold=True)
    if "higher_order" in v:
        out["higher_order"] = check_option("higher_order", v["higher_order"], HOC_METHODS, casefold=True)
    if "max_iter" in v:
        out["max_iter"] = _check_int("max_iter", v["max_iter"], 0)
    if "stop_criterion" in v:
        sc = v["stop_criterion"]
        if isinstance(sc, (bool, np.bool_)) or not isinstance(sc, (int, float, np.number)) or not np.isfinite(sc) \
                or sc <= 0:
            raise EgovsemError(f"The 'stop_criterion' parameter must be a positive number (the weights stop "
                               f"changing by less than 10^-stop_criterion). Got {sc!r} instead.")
    return out


def pls(
    model: str,
    data: Any,
    *,
    consistent: bool = False,
    weighting: str = "path",
    missing: str = "listwise",
    missing_value: Any = None,
    bootstrap: int = 0,
    seed: int | None = None,
    n_jobs: int | None = 1,
    ci: str = "perc",
    level: float = 0.95,
    max_iter: int = MAX_ITER,
    stop_criterion: float = STOP_CRITERION,
    progress: bool | None = None,
    interaction: str = "two_stage",
    higher_order: str = "two_stage",
) -> PLSResults:
    """Estimate a PLS path model written in lavaan syntax (seminr's ``estimate_pls``).

    Parameters
    ----------
    model : str
        ``F =~ x1 + x2`` (mode A), ``F <~ x1 + x2`` (mode B) and ``Y ~ X1 + X2`` (the inner model).
    data : DataFrame
        The indicators in named columns (other columns are ignored).
    consistent : bool
        PLSc (Dijkstra & Henseler 2015): the ``=~`` constructs are common factors, corrected by rho_A.
    weighting : {'path', 'factorial', 'centroid'}
        Inner weighting scheme (seminr's ``path_weighting``, ``path_factorial``; centroid: Wold's).
    missing : {'listwise', 'mean'}
        Drop rows with a missing indicator, or replace each missing value by its column mean (seminr's
        ``mean_replacement``).
    missing_value : number, str or list of them, optional
        Code(s) that mark a missing answer in the indicator columns (seminr's ``missing_value``, e.g. -99); with
        ``missing="mean"`` they are replaced by the column means of the other rows, as seminr's
        ``mean_replacement``.
    bootstrap : int
        Bootstrap resamples (0: none). ``params``, ``effects`` and ``htmt(inference=True)`` then carry SEs
        and intervals.
    seed : int, optional
        Root seed of the bootstrap (None: a fresh one, recorded in ``bootstrap_info["seed"]``). Without a
        bootstrap it is not used, and a warning says so.
    n_jobs : int, optional
        Local processes for the bootstrap (1: this process; None: all cores). The numbers do not depend on it.
    ci : {'perc', 'bca'}
        Interval type of the tables (others via ``parameter_estimates(ci=...)``).
    level : float
        Confidence level.
    max_iter, stop_criterion
        seminr's ``maxIt`` (at most ``max_iter + 1`` passes) and ``stopCriterion`` (stop when the sum of the
        absolute weight changes is below ``10 ** -stop_criterion``).
    progress : bool, optional
        Progress bar for the bootstrap (default: when standard error is a terminal).
    interaction : {'two_stage', 'product_indicator', 'orthogonal'}
        How an interaction term ``Y ~ X + M + X:M`` is measured (seminr's ``interaction_term(method = ...)``;
        :mod:`egovsem.pls.interactions`).
    higher_order : {'two_stage', 'repeated_indicators'}
        How a higher-order construct ``H =~ A + B`` is estimated: the (embedded) two-stage approach (seminr's
        ``higher_composite``), or by repeated indicators (every indicator of its dimensions measures ``H`` too;
        :func:`egovsem.pls.hoc.repeated_indicators`), which is one model (both can be bootstrapped).

    Notes
    -----
    A block whose indicators are all constructs (``H =~ A + B``) is a higher-order construct, estimated by the
    two-stage approach (:mod:`egovsem.pls.hoc`); ``fit.first_stage`` is then the stage-1 fit.

    Returns
    -------
    PLSResults

    Examples
    --------
    >>> import egovsem
    >>> from egovsem.datasets import load
    >>> fit = egovsem.pls('''
    ... Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
    ... Expectation =~ CUEX1 + CUEX2 + CUEX3
    ... Value =~ PERV1 + PERV2
    ... Satisfaction =~ CUSA1 + CUSA2 + CUSA3
    ... Satisfaction ~ Image + Expectation + Value
    ... ''', load("mobi"))
    >>> round(float(fit.r2["Satisfaction"]), 4)
    0.5906
    >>> fit.params.query("op == '~'")[["lhs", "op", "rhs", "est"]].round(4).to_dict("records")[0]
    {'lhs': 'Satisfaction', 'op': '~', 'rhs': 'Image', 'est': 0.447}
    """
    opts = check_settings(consistent=consistent, weighting=weighting, missing=missing, bootstrap=bootstrap,
                          seed=seed, n_jobs=n_jobs, ci=ci, level=level, max_iter=max_iter,
                          stop_criterion=stop_criterion, interaction=interaction, higher_order=higher_order)
    weighting, missing, B, ci = opts["weighting"], opts["missing"], opts["bootstrap"], opts["ci"]
    max_iter, jobs = opts["max_iter"], opts["n_jobs"]
    if not B:
        unused = [f"{k}={v!r}" for k, v, default in (("seed", seed, None), ("n_jobs", n_jobs, 1), ("ci", ci, "perc"),
                                                    ("level", level, 0.95)) if v != default]
        if unused:
            warnings.warn(f"{', '.join(unused)} {'is' if len(unused) == 1 else 'are'} given without a bootstrap "
                          "(bootstrap=0): a PLS fit has no random part, runs in one process and has no intervals, "
                          "so they are not used. Pass bootstrap=B to draw resamples.", EgovsemWarning,
                          stacklevel=caller_stacklevel())
    entropy = resolve_entropy(seed)
    missing_value = check_missing_value(missing_value)

    if not isinstance(model, str):
        raise EgovsemError(f"The 'model' parameter must be a string of lavaan syntax. Got {type(model).__name__} "
                           "instead.")
    run = dict(weighting=weighting, consistent=bool(consistent), missing=missing, missing_value=missing_value,
               max_iter=max_iter, stop_criterion=float(stop_criterion), B=B, entropy=entropy, ci=ci,
               level=float(level), jobs=jobs, progress=progress)
    stmts, inter = read_model(model)
    hoc = split_higher_order(stmts, inter)
    call = {"model": model, "weighting": weighting, "consistent": bool(consistent), "max_iter": max_iter,
            "stop_criterion": float(stop_criterion), "interaction": opts["interaction"],
            "higher_order": opts["higher_order"]}
    # interaction terms, two-stage higher-order constructs: every resample re-runs the whole procedure
    staged = bool(B and (inter or (hoc is not None and opts["higher_order"] == "two_stage")))
    if staged:
        run = {**run, "B": 0}
    if hoc is not None and opts["higher_order"] == "repeated_indicators":
        res = _repeated(hoc, data, run, inter, opts["interaction"])
    elif hoc is None:
        res = _fit_statements(stmts, data, run, inter, opts["interaction"])
    else:
        res = _two_stage(hoc, data, run, inter, opts["interaction"])
    res.call = call
    if staged:
        from .staged_bootstrap import run_staged

        draws = run_staged(res, "boot", B, entropy, n_jobs=jobs, progress=progress)
        info = _boot_info(draws, B, entropy, ci, level)
        parts = [res] if res.first_stage is None else [res, res.first_stage]
        lo = 0
        for part in parts:
            hi = lo + len(part._lay.keys)
            part._draws, part.bootstrap_info, part._n_jobs = draws[:, lo:hi], dict(info), jobs
            lo = hi
    return res


def _boot_info(draws: np.ndarray, B: int, entropy: int, ci: str, level: float) -> dict[str, Any]:
    """``bootstrap_info`` of ``B`` draws (rows; NaN rows: failed resamples, warned of)."""
    ok = np.all(np.isfinite(draws), axis=1)
    failed = int((~ok).sum())
    if ok.sum() < 2:
        raise EgovsemError(f"Only {int(ok.sum())} of {B} bootstrap resamples could be estimated; no bootstrap "
                           "inference.")
    if failed:
        warnings.warn(f"{failed} of {B} bootstrap resamples could not be estimated or did not converge; they "
                      "are dropped (bootstrap_info['failed']).", ConvergenceWarning, stacklevel=caller_stacklevel())
    return {"B": B, "successful": int(ok.sum()), "failed": failed, "seed": entropy, "ci": ci, "level": float(level)}


def _fit_statements(stmts: list[Statement], data: Any, run: dict[str, Any], inter: dict[str, tuple[str, str]],
                    method: str) -> PLSResults:
    """Fit parsed statements; interaction terms get their indicator columns first (:mod:`.interactions`)."""
    if not inter:
        return _fit_spec(specify_statements(stmts), data, **run)
    base = [s for s in stmts if not (s.op == "~" and s.rhs in inter)]
    spec_b = specify_statements(base)
    d = prepare_data(spec_b, data, missing=run["missing"], missing_value=run["missing_value"])
    frame = pd.DataFrame(d.X, columns=list(spec_b.indicators), index=d.index)
    clean = {**run, "missing": "listwise", "missing_value": None}
    first = _fit_spec(spec_b, frame, **clean) if method == "two_stage" else None
    measure = [s for s in stmts if s.op != "~"]
    paths = [s for s in stmts if s.op == "~"]
    parts = [frame]
    where = {s.rhs: s for s in paths if s.rhs in inter}
    for name, (a, b) in inter.items():
        cols = interaction_columns(method, frame, spec_b.blocks[a], spec_b.blocks[b], name,
                                   first.scores if first is not None else None)
        taken = [c for c in cols.columns if c in frame.columns or c in data.columns]
        if taken:
            raise DataError(f"The 'data' parameter has a column named {taken[0]!r}, the name of an indicator of the "
                            f"interaction term {name!r}; rename the column.")
        parts.append(cols)
        s0 = where[name]
        measure += [Statement(name, "=~", c, line=s0.line, text=s0.text) for c in cols.columns]
    full = pd.concat(parts, axis=1)
    res = _fit_spec(specify_statements(measure + paths), full, **clean)
    _rescale_interactions(res, full, list(inter))
    res._data = replace(res._data, missing=d.missing, ntotal=d.ntotal, n_dropped=d.n_dropped,
                        n_replaced=d.n_replaced, rows=d.rows)
    res.ntotal, res.n_dropped, res.n_replaced, res.missing = d.ntotal, d.n_dropped, d.n_replaced, d.missing
    res.settings.update(missing=run["missing"], missing_value=run["missing_value"], interaction=method)
    res.interactions = {name: method for name in inter}
    res.interaction_first_stage = first
    res.resample_frame = pd.DataFrame(d.raw if run["missing"] == "mean" else d.X, columns=list(spec_b.indicators))
    return res


def _rescale_interactions(res: PLSResults, frame: pd.DataFrame, names: list[str]) -> None:
    """Put each interaction construct's score on the scale of its indicators, as seminr does.

    The score of ``X:M`` is multiplied by the loading-weighted mean SD of its indicator columns,
    ``sum_i sd(x_i) |l_i| / sum_i |l_i|`` (for the two-stage method: the SD of the product of the stage-1
    scores, so the score is that product itself), and the paths are the least squares on these scores: the
    rows of ``B`` of the interaction constructs are divided by the factor. The loadings of an interaction
    construct are then the covariances of its standardised indicators with the rescaled score (correlation
    times the factor, as seminr reports them; seminr's fixture hoc_2si-loadings.csv has 1.2547 for the single
    indicator of a two-stage interaction). R-squared and weights do not change.
    """
    spec, est = res.spec, res.estimates
    pos = {x: i for i, x in enumerate(spec.indicators)}
    scale = np.ones(len(spec.constructs))
    for name in names:
        k = spec.constructs.index(name)
        items = list(spec.blocks[name])
        lam = np.abs(est.L[[pos[x] for x in items], k])
        sd = frame[items].std(ddof=1).to_numpy()
        scale[k] = float((sd * lam).sum() / lam.sum())
    res.estimates = replace(est, B=est.B / scale[:, None], L=est.L * scale[None, :])
    res.score_scale = pd.Series(scale, index=list(spec.constructs), name="scale")


def _repeated(hoc: HigherOrder, data: Any, run: dict[str, Any], inter: dict[str, tuple[str, str]],
              method: str) -> PLSResults:
    """The repeated-indicators approach: one model, the dimensions' items copied into their higher-order
    construct (:func:`.hoc.repeated_indicators`)."""
    if not isinstance(data, pd.DataFrame):
        raise EgovsemError(f"The 'data' parameter must be a pandas DataFrame. Got {type(data).__name__} instead.")
    stmts, copies = repeated_indicators(hoc)
    clash = [c for c in copies if c in data.columns]
    if clash:
        raise DataError(f"The 'data' parameter has a column named {clash[0]!r}, the name egovsem gives a repeated "
                        "indicator of a higher-order construct; rename the column.")
    missing = sorted({x for x, _ in copies.values() if x not in data.columns})
    if missing:
        raise DataError(f"The 'data' parameter has no column {missing[0]!r} (an indicator of a dimension of a "
                        "higher-order construct).")
    data2 = data.copy()
    for name, (x, _) in copies.items():
        data2[name] = data[x]
    res = _fit_statements(stmts, data2, run, inter, method)
    res.higher_order = dict(hoc.dimensions)
    res.higher_order_method = "repeated_indicators"
    res.item_names = {name: x for name, (x, _) in copies.items()}
    res.settings["higher_order"] = "repeated_indicators"
    return res


def _two_stage(hoc: HigherOrder, data: Any, run: dict[str, Any], inter: dict[str, tuple[str, str]],
               method: str) -> PLSResults:
    """Stage 1 without the higher-order constructs, stage 2 on the dimensions' scores (:mod:`.hoc`)."""
    s1 = _fit_spec(specify_statements(hoc.stage1), data, **run)
    if not isinstance(data, pd.DataFrame):
        raise EgovsemError(f"The 'data' parameter must be a pandas DataFrame. Got {type(data).__name__} instead.")
    names = [d for ds in hoc.dimensions.values() for d in ds]
    clash = [c for c in names if c in data.columns]
    if clash:
        raise DataError(f"The 'data' parameter has a column named {clash[0]!r}, the name of a dimension of a "
                        "higher-order construct (its stage-1 scores become a column of that name); rename the "
                        "column or the construct.")
    scores = np.full((data.shape[0], len(names)), np.nan)
    rows = s1._data.rows
    assert rows is not None
    scores[rows] = s1.scores[names].to_numpy()
    data2 = data.copy()
    data2[names] = scores
    s2 = _fit_statements(hoc.stage2, data2, run, inter, method)
    s2.first_stage = s1
    d1 = s1._data
    s2.resample_frame = pd.DataFrame(d1.raw if run["missing"] == "mean" else d1.X, columns=list(s1.spec.indicators))
    s2.higher_order = dict(hoc.dimensions)
    return s2


def _fit_spec(spec: PLSSpec, data: Any, *, weighting: str, consistent: bool, missing: str, missing_value: Any,
              max_iter: int, stop_criterion: float, B: int, entropy: int, ci: str, level: float, jobs: int,
              progress: bool | None) -> PLSResults:
    """One PLS fit of ``spec`` (the steps of :func:`pls` after the options are checked)."""
    st = structure(spec)
    d = prepare_data(spec, data, missing=missing, missing_value=missing_value)
    R = correlations(d.X)
    check_mode_b(R, st)
    settings: dict[str, Any] = {"weighting": weighting, "consistent": bool(consistent), "max_iter": max_iter,
                "stop_criterion": float(stop_criterion)}
    est = estimate(R, st, d.X.shape[0], **settings)
    if not est.weights.converged:
        warnings.warn(f"The PLS algorithm did not converge in {max_iter + 1} iterations (last sum of absolute "
                      f"weight changes {est.weights.weight_diff:.3g} >= 1e-{stop_criterion:g}); raise max_iter.",
                      ConvergenceWarning, stacklevel=caller_stacklevel())
    if consistent and np.any(np.abs(est.Cm[np.triu_indices(len(spec.constructs), 1)]) > 1):
        from .._errors import HeywoodWarning

        warnings.warn("PLSc: a corrected construct correlation exceeds 1 in absolute value (rho_A too small for "
                      "the observed correlation); the paths of these constructs are not interpretable.",
                      HeywoodWarning, stacklevel=caller_stacklevel())
    lay = layout(spec, st)
    all_settings = {**settings, "missing": missing, "missing_value": missing_value}
    draws = None
    info = None
    if B:
        raw = d.raw if missing == "mean" else d.X
        draws = run_bootstrap(raw, missing, spec, settings, entropy, lay, B, n_jobs=jobs, progress=progress)
        info = _boot_info(draws, B, entropy, ci, level)
    return PLSResults(spec=spec, st=st, data=d, R=R, est=est, settings=all_settings, lay=lay, draws=draws,
                      bootstrap_info=info, n_jobs=jobs)
