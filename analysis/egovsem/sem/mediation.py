"""Direct, indirect and total effects between two variables of a fitted model, with bootstrap intervals.

Every directed chain of regression paths (``~``) from ``x`` to ``y`` is an indirect effect (the product of
its coefficients) when it passes through at least one mediator; the coefficient of ``y ~ x`` is the direct
effect; the total effect is the direct effect plus all indirect ones. This is what one writes by hand in
lavaan as ``ind1 := a1*b1``, ``total := c + a1*b1 + ...`` and bootstraps with ``se = "bootstrap"``; here
the chains are found from the model, and each bootstrap resample's effects are computed from that
resample's estimates (and its standardised solution, for ``std.all``).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from .._errors import EgovsemError, NotAvailableError
from .bootstrap import bootstrap, check_bootstrap_options, interval_bounds
from .results import Results

__all__ = ["effects", "path_chains"]


def _edges(partable: pd.DataFrame) -> dict[str, list[tuple[str, int]]]:
    """Regression graph: predictor -> [(outcome, parameter-table row)]."""
    out: dict[str, list[tuple[str, int]]] = {}
    for k, r in enumerate(partable.itertuples()):
        if r.op == "~":
            out.setdefault(r.rhs, []).append((r.lhs, k))
    return out


def path_chains(partable: pd.DataFrame, x: str, y: str) -> list[list[tuple[str, int]]]:
    """All directed chains of ``~`` paths from ``x`` to ``y``: lists of (variable reached, row)."""
    graph = _edges(partable)
    chains: list[list[tuple[str, int]]] = []

    def walk(node: str, path: list[tuple[str, int]], seen: set[str]):
        for nxt, row in graph.get(node, []):
            if nxt in seen:
                raise NotAvailableError(
                    f"the model has a feedback loop through {nxt!r}; effects of non-recursive models are not "
                    "available."
                )
            step = path + [(nxt, row)]
            if nxt == y:
                chains.append(step)
            else:
                walk(nxt, step, seen | {nxt})

    walk(x, [], {x})
    return chains


def _values(chains, rows: np.ndarray) -> np.ndarray:
    """Effects (B, len(chains) + 2 + [1]) from row values (B, nrows): each chain, total indirect, total."""
    cols = []
    for ch in chains:
        v = np.ones(rows.shape[0])
        for _, r in ch:
            v = v * rows[:, r]
        cols.append(v)
    return np.column_stack(cols) if cols else np.zeros((rows.shape[0], 0))


def effects(
    fit: Results,
    x: str,
    y: str,
    *,
    bootstrap_draws: int | None = None,
    seed: int | None = None,
    ci: str = "perc",
    level: float = 0.95,
    n_jobs: int | None = None,
    scheduler: Any = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Indirect (every chain), direct and total effects of ``x`` on ``y`` with bootstrap intervals.

    Parameters
    ----------
    fit : Results
        A fitted model. A fit made with ``se="bootstrap"`` (or returned by
        :func:`egovsem.sem.bootstrap.bootstrap`) lends its resamples; otherwise ``bootstrap_draws`` resamples
        (default 1000) are drawn now.
    x, y : str
        Names of the cause and the outcome (observed or latent).
    bootstrap_draws : int, optional
        Resamples to draw (ignored, unless different, when ``fit`` already carries a bootstrap).
    seed : int, optional
        Seed of a new bootstrap.
    ci : {'perc', 'bca', 'norm'}
        Interval type.
    level : float
        Confidence level.
    n_jobs, scheduler, progress
        As :func:`egovsem.sem.bootstrap.bootstrap`.

    Returns
    -------
    DataFrame
        ``effect`` (``indirect``, ``total indirect``, ``direct``, ``total``), ``path`` (``x -> m -> y``),
        ``est``, ``se`` (SD of the bootstrap draws), ``z``, ``pvalue``, ``ci.lower``, ``ci.upper``,
        ``std.all`` (from the standardised solution), ``std.ci.lower``, ``std.ci.upper``.

    Examples
    --------
    >>> import egovsem
    >>> from egovsem.datasets import load
    >>> from egovsem.sem.mediation import effects
    >>> fit = egovsem.sem('''ind60 =~ x1 + x2 + x3
    ...                      dem60 =~ y1 + y2 + y3 + y4
    ...                      dem65 =~ y5 + y6 + y7 + y8
    ...                      dem60 ~ ind60
    ...                      dem65 ~ ind60 + dem60''', load("PoliticalDemocracy"))
    >>> tab = effects(fit, "ind60", "dem65", bootstrap_draws=200, seed=1, n_jobs=1)
    >>> tab[["effect", "path"]].to_string(index=False).splitlines()[1].split()
    ['indirect', 'ind60', '->', 'dem60', '->', 'dem65']
    >>> est = tab.set_index("effect")["est"].round(3)  # lavaan: ab := a*b 1.274, total := c + a*b 1.727
    >>> float(est["indirect"]), float(est["total"])
    (1.274, 1.727)
    """
    if not isinstance(fit, Results):
        raise EgovsemError(f"The 'fit' parameter must be an egovsem Results. Got {type(fit).__name__} instead.")
    names = set(fit.ram.names)
    for arg, v in (("x", x), ("y", y)):
        if not isinstance(v, str) or v not in names:
            raise EgovsemError(f"The '{arg}' parameter must be a variable of the model ({sorted(names)}). "
                               f"Got {v!r} instead.")
    if x == y:
        raise EgovsemError(f"The 'x' and 'y' parameters must differ. Got {x!r} for both.")
    if fit.ngroups > 1:
        raise NotAvailableError(
            "effects() of a multi-group fit is not available yet; label the paths per group (y ~ c(b1, b2)*x) and "
            "define the effects with ':=' (ind1 := a1*b1): se='bootstrap' gives their SEs and intervals.")
    ci = check_bootstrap_options(2, seed, ci, level)
    chains = path_chains(fit.partable, x, y)
    if not chains:
        raise EgovsemError(f"The model has no directed path (chain of '~' regressions) from {x!r} to {y!r}.")
    if fit.bootstrap_part is not None and (bootstrap_draws is None or bootstrap_draws == fit.bootstrap_part.info["B"]):
        bt = fit
    else:
        B = 1000 if bootstrap_draws is None else bootstrap_draws
        bt = bootstrap(fit, B, seed=seed, ci=ci, level=level, n_jobs=n_jobs, scheduler=scheduler, progress=progress)
    direct = [c for c in chains if len(c) == 1]
    indirect = [c for c in chains if len(c) > 1]
    labels = [("indirect", x + "".join(f" -> {v}" for v, _ in c)) for c in indirect]
    order = indirect + direct

    def table(rows: np.ndarray) -> np.ndarray:
        v = _values(order, rows)
        ni = len(indirect)
        tot_ind = v[:, :ni].sum(axis=1, keepdims=True)
        total = v.sum(axis=1, keepdims=True)
        parts = [v[:, :ni]]
        if ni > 1:
            parts.append(tot_ind)
        parts += [v[:, ni:], total]
        return np.hstack(parts)

    if len(indirect) > 1:
        labels.append(("total indirect", f"{x} -> ... -> {y}"))
    labels += [("direct", f"{x} -> {y}") for _ in direct]
    labels.append(("total", f"{x} => {y}"))
    part = bt.bootstrap_part
    assert part is not None  # bootstrap() returns a fit with its draws
    ok = part.draws["ok"]
    base = bt.wald_params
    nrow = len(bt.partable)
    est_rows = base["est"].to_numpy(float)[:nrow][None]
    std_rows = base["std.all"].to_numpy(float)[:nrow][None]
    est = table(est_rows)[0]
    std = table(std_rows)[0]
    draws = table(part.draws["rows"][ok])
    sdraws = table(part.draws["std"][ok])
    se = draws.std(axis=0, ddof=1)
    acc = sacc = None
    if ci == "bca":
        from .bootstrap import acceleration

        jk = part.jackknife
        jok = jk["converged"]
        acc = acceleration(table(jk["rows"][jok]))
        sacc = acceleration(table(jk["std"][jok]))
    bias = sbias = None
    if ci == "norm":
        bias = draws.mean(axis=0) - est
        sbias = sdraws.mean(axis=0) - std
    cint = interval_bounds(ci, draws, est, se, level, acc=acc, bias=bias)
    sint = interval_bounds(ci, sdraws, std, sdraws.std(axis=0, ddof=1), level, acc=sacc, bias=sbias)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(se > 0, est / se, np.nan)
    out = pd.DataFrame({
        "effect": [e for e, _ in labels], "path": [p for _, p in labels], "est": est, "se": se, "z": z,
        "pvalue": 2 * special.ndtr(-np.abs(z)), "ci.lower": cint[:, 0], "ci.upper": cint[:, 1],
        "std.all": std, "std.ci.lower": sint[:, 0], "std.ci.upper": sint[:, 1],
    })
    out.attrs.update({"bootstrap": {k: v for k, v in (bt.bootstrap_info or {}).items() if k != "n_jobs"},
                      "ci": ci, "level": level, "x": x, "y": y})
    return out
