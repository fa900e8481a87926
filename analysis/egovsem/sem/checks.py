"""Guards against using a fit that did not converge (issue 10, item 3).

:func:`require_converged` is the one refusal that ``egovsem.tables``, ``egovsem.measure`` and ``egovsem run``
call before they read estimates; :func:`nonconvergence_headline` is the first line of a summary of such a fit;
:data:`NONCONVERGENCE_ADVICE` is what to try, also given instead of the identification advice when the
information matrix is singular at a solution the optimiser did not reach.
"""
from __future__ import annotations

import warnings
from typing import Any

from .._errors import HeywoodWarning, NotConvergedError, caller_stacklevel

__all__ = ["NONCONVERGENCE_ADVICE", "model_label", "nonconvergence_headline", "require_converged"]

NONCONVERGENCE_ADVICE = (
    "try std_lv=True (scale each factor by its variance instead of a marker loading), start values "
    "(start(0.7)*item in the syntax), another marker indicator (write a positively keyed, strongly loading item "
    "first), or more iterations (iter_max=...)"
)


def model_label(fit: Any, title: str | None = None) -> str:
    """The model's name for a message: ``title`` if given, else the first line of its syntax (rebuilt from
    the parameter table's user rows of the first syntax line, e.g. ``visual =~ x1 + x2 + x3``)."""
    if title:
        return str(title)
    pt: Any = getattr(fit, "partable", None)
    try:
        user = pt[(pt["user"] == 1) & (pt["line"] > 0)]
        first = user[user["line"] == user["line"].min()]
        if "group" in first:
            first = first[first["group"] == first["group"].min()]
        r0 = first.iloc[0]
        rhs = " + ".join(str(r) for r in first["rhs"] if str(r))
        return f"{r0['lhs']} {r0['op']} {rhs}".strip()
    except (TypeError, KeyError, IndexError, ValueError, AttributeError):
        return "the model"


def _iterations(fit: Any) -> str:
    n = getattr(fit, "iterations", None)
    return f" after {int(n)} iterations" if n is not None else ""


def require_converged(fit: Any, what: str, *, title: str | None = None) -> None:
    """Raise :class:`NotConvergedError` when ``fit`` did not converge; ``what`` names the caller (e.g.
    ``"hypotheses_table"``), ``title`` the model (default: its first syntax line).

    >>> class Fit:
    ...     converged, iterations, partable = False, 2, None
    >>> require_converged(Fit(), "composite_reliability", title="CFA")
    Traceback (most recent call last):
    ...
    egovsem._errors.NotConvergedError: composite_reliability: the model 'CFA' did not converge after 2 iterations, ...
    """
    if getattr(fit, "converged", True):
        return
    raise NotConvergedError(
        f"{what}: the model {model_label(fit, title)!r} did not converge{_iterations(fit)}, so its estimates are "
        f"not trustworthy and are not used; {NONCONVERGENCE_ADVICE}."
    )


def nonconvergence_headline(fit: Any) -> str:
    """The first line of the summary of a fit that did not converge (the advice follows on the next line:
    ``"   " + NONCONVERGENCE_ADVICE``)."""
    return (f"** The model did NOT converge{_iterations(fit)}: estimates, standard errors and fit measures are not "
            "trustworthy **")


def warn_heywood(res) -> None:
    """A HeywoodWarning for each negative variance (or, if none, each standardised covariance beyond +-1)."""
    pt = res.params
    bad = pt[(pt["op"] == "~~") & (pt["lhs"] == pt["rhs"]) & (pt["est"] < 0)]
    for r in bad.itertuples():
        warnings.warn(
            f"Heywood case: the variance {r.lhs} ~~ {r.rhs} is estimated negative ({r.est:.4g}); "
            "the solution is improper (check the model, the indicators of this variable, or the sample size).",
            HeywoodWarning,
            stacklevel=caller_stacklevel(),
        )
    if len(bad) == 0:
        corr = pt[(pt["op"] == "~~") & (pt["lhs"] != pt["rhs"]) & (pt["std.all"].abs() > 1)]
        for r in corr.itertuples():
            warnings.warn(
                f"Heywood case: the standardised covariance {r.lhs} ~~ {r.rhs} is {r._12:.4g} (beyond +-1).",
                HeywoodWarning,
                stacklevel=caller_stacklevel(),
            )
