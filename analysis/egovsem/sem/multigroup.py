"""Multi-group models (ML and FIML): one parameter vector, one RAM per group.

``F = sum_g (N_g / N) F_g`` and ``chisq = sum_g N_g F_g``; the expected information is
``sum_g N_g I_g``. The estimation is the one path of :mod:`egovsem.sem.estimate` (a single group is
``G = 1`` of it). Fit measures follow lavaan's multi-group definitions: the baseline is the sum of the
groups' independence models; RMSEA is multiplied by sqrt(G) (and its close-fit non-centrality divided
by G); SRMR, RMR and GFI are the groups' values weighted by N_g / N.
"""
from __future__ import annotations

import warnings

import pandas as pd

from .._errors import DataError, MissingDataWarning, NotAvailableError, caller_stacklevel
from .estimate import estimate
from .partable import specify
from .results import Results

__all__ = ["fit_multigroup"]


def _groups(data: pd.DataFrame, group: str):
    if group not in data.columns:
        raise DataError(f"The 'group' column {group!r} is not a column of 'data'.")
    col = data[group]
    miss = col.isna()
    if miss.any():
        warnings.warn(f"group={group!r}: {int(miss.sum())} rows with a missing group value were removed.",
                      MissingDataWarning, stacklevel=caller_stacklevel())
    labels = list(pd.unique(col[~miss]))
    if len(labels) < 2:
        raise DataError(f"The 'group' column {group!r} has {len(labels)} distinct value(s); a multi-group model needs 2.")
    return labels, [data[col == lab] for lab in labels]


def fit_multigroup(model, data: pd.DataFrame) -> Results:
    opts = model.opts
    if opts.discrepancy not in ("ML", "FIML", "GLS", "ULS"):
        raise NotAvailableError("multi-group models are available with estimator='ML', 'MLM', 'MLR', 'GLS' or "
                                "'ULS' for now.")
    labels, parts = _groups(data, opts.group)
    G = len(labels)
    from .model import spec_options

    spec = specify(model.model, meanstructure=True, ngroups=G, group_equal=opts.group_equal,
                   constraints=getattr(model, "constraints", None), **spec_options(opts))
    est = estimate(model, spec, parts, stacklevel=4)
    state = est.state
    extra: dict = {"information": est.information}
    if est.information != "expected" or est.B0 is not None or opts.discrepancy in ("GLS", "ULS"):
        extra["A"] = est.A
        if est.rows is not None:
            extra["rows_g"] = est.rows
        if est.B0 is not None:
            extra["B0"] = est.B0
    extra.update(est.extra())
    if est.logl is not None:
        extra["logl_h1_g"] = est.logl_h1_g
        extra["logl"] = est.logl
        extra["logl_h1"] = sum(est.logl_h1_g)
    return Results.from_fit(
        model=model, spec=spec, partable=est.partable, ram=est.rams[0], stats=est.stats[0], theta=state.theta,
        vcov=est.vcov, fmin=est.fmin, converged=state.converged, iterations=state.iterations, ndat=est.ndat,
        df=est.df, message=state.message, extra=extra, start=est.start, rams=est.rams, group_stats=est.stats, npar=est.npar,
        group_labels=labels, weights=est.weights,
    )



split_groups = _groups  # public name for other modules (egovsem.sem.wls_mg)
