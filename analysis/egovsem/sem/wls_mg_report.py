"""Text summary and JSON of a multi-group WLSMV fit (:class:`egovsem.sem.wls_mg.WLSMVMultiGroupResults`), by
the code of the single-group WLSMV report (:func:`egovsem.sem.wls.wlsmv_summary_text`,
:func:`egovsem.sem.results.fit_dict`).

The text has lavaan's layout of ``summary(fit, fit.measures = TRUE, standardized = TRUE, rsquare = TRUE)``:
the observations per group, the fit part with the "Standard" and "Scaled" columns and the test statistic of
each group (``(N_g - 1) F_g``, scaled as lavaan: ``a T_g + (N_g / N) b``), the robust rows NA as lavaan 0.6-14
prints them, then each group's parameters (thresholds, variances, "Scales y*", R-square) and the ``:=`` rows.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

__all__ = ["mg_summary_text", "mg_to_dict"]


class _View:
    """A multi-group WLSMV fit as the shared report reads a fit."""

    def __init__(self, res: Any) -> None:
        self.converged = res.converged
        self.estimator = "WLSMV"
        self.iterations = res.iterations
        self.npar = int(res.fit_measures["npar"])  # less the rank of explicit equalities, as one group
        self.nobs = int(sum(res.nobs))
        self.n_dropped = int(res.n_dropped)
        self.opts = SimpleNamespace(se="robust.sem", test="scaled.shifted", discrepancy="DWLS",
                                    sampling_weights=None, cluster=None)
        self.vcov_part = SimpleNamespace(information="expected")
        self.fit_measures = res.fit_measures
        self.params = res.params
        self.r2 = res.r2
        self.group_labels = list(res.group_labels)
        self.group_nobs = list(res.nobs)
        self.group_chisq = list(zip(res.group_labels, res.group_chisq))
        self.ngroups = len(res.group_labels)
        self.missing = "listwise"
        self.rams = None
        self.group_stats = None


def mg_summary_text(res: Any) -> str:
    """lavaan-like text of a multi-group WLSMV fit (see the module doc)."""
    from .wls import wlsmv_summary_text

    view = _View(res)
    out = []
    for line in wlsmv_summary_text(view).split("\n"):
        if line.startswith("  Number of observations"):
            out.append("  Number of observations per group:")
            out += [f"    {str(g):<38}{n:>17d}" for g, n in zip(view.group_labels, view.group_nobs)]
            continue
        out.append(line)
        if line.startswith("egovsem "):
            fm = res.fit_measures
            out.append(f"  WLSMV ({res.parameterization} parameterization), {view.ngroups} groups: "
                       f"chisq = {fm['chisq']:.3f}, df = {int(fm['df'])}, chisq.scaled = {fm['chisq.scaled']:.3f}")
    return "\n".join(out)


def mg_to_dict(res: Any) -> dict[str, Any]:
    """The JSON document of :func:`egovsem.sem.results.fit_dict` (``nobs``: all groups) with
    ``parameterization``, ``groups``, ``group_nobs`` and ``fit_measures`` (the same as ``fit``, the key of
    egovsem 0.1's multi-group WLSMV JSON)."""
    from .results import fit_dict

    out = fit_dict(res.params, res.fit_measures, res.r2, converged=res.converged, estimator="WLSMV",
                   missing="listwise", nobs=int(sum(res.nobs)), ntotal=int(sum(res.nobs)) + int(res.n_dropped),
                   n_dropped=res.n_dropped, iterations=res.iterations)
    out.update({"parameterization": res.parameterization, "groups": [str(g) for g in res.group_labels],
                "group_nobs": [int(n) for n in res.nobs], "fit_measures": out["fit"]})
    return out
