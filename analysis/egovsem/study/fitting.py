"""The run's fits: a model fitted, or a fit bootstrapped, with the engine's warnings collected (each a one-line
message, for the run's notes and results.json) instead of printed; a fit that does not converge stops the run,
naming the model and what to try (its results would be used by every later step)."""
from __future__ import annotations

import warnings
from typing import Any

import pandas as pd

__all__ = ["fit_collecting", "bootstrap_collecting"]


def _messages(caught) -> list[str]:
    return list(dict.fromkeys(str(w.message) for w in caught))


def fit_collecting(model: str, data: pd.DataFrame, *, title: str, **kw: Any):
    """``egovsem.sem(model, data, **kw)`` and its warnings; stops (``require_converged``) naming ``title``."""
    from ..sem import sem
    from ..sem.checks import require_converged

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = sem(model, data, **kw)
    require_converged(fit, "egovsem run", title=title)
    return fit, _messages(caught)


def bootstrap_collecting(fit, B: int, seed: int):
    """The percentile bootstrap of a fitted model (the same numbers as ``sem(..., se="bootstrap")``, which fits
    the model again first) and its warnings."""
    from ..sem.bootstrap import bootstrap

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        boot = bootstrap(fit, B, seed=seed, ci="perc")
    return boot, _messages(caught)
