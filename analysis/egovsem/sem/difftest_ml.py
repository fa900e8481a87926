"""Satorra (2000)'s scaled difference test of two nested ML fits with a Satorra-Bentler type test (MLM, or ML
with ``test="satorra.bentler"`` / ``"scaled.shifted"``), as lavaan 0.6-14's ``lavTestLRT(free, restricted,
method = "satorra.2000", A.method = ...)``.

Per group ``g`` of the less restricted model, with ``Delta_g`` its Jacobian in the saturated coordinates,
``V_g`` the unrestricted expected information at its implied moments (lavaan's ``WLS.V``), ``Gamma_g`` the ADF
covariance of the sample statistics (``NACOV``) and ``f_g = N_g / N``: ``P = sum_g f_g Delta_g' V_g Delta_g``
(lavaan's unit ``information``), ``M = P^-1 A' (A P^-1 A')^+ A P^-1``, ``K_g = Delta_g' V_g Gamma_g V_g Delta_g``,
``tr1 = sum_g f_g tr(M K_g)`` and ``tr2 = tr((M sum_g f_g K_g)^2)``. ``A`` is, for ``A_method="exact"``, the
Jacobian of the restricted model's constraints in the free model's parameters
(:func:`egovsem.sem.score_test_wlsmv_constrained.exact_A`, lavaan's ``lav_test_diff_af_h1``), and for
``A_method="delta"`` the orthogonal complement of ``Delta1^+ Delta0`` (the groups' Jacobians stacked).

Scaled and shifted (lavaan's default ``scaled.shifted = TRUE``): ``a (T0 - T1) + b`` with ``a = sqrt(m / tr2)``,
``b = m - a tr1``; else ``(T0 - T1) / cd`` with ``cd = tr1 / m`` (lavaan's ``scaling.factor``), on ``m = df0 -
df1`` degrees of freedom, ``T`` the standard statistics.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
from scipy import special

from .._errors import EgovsemError, NotAvailableError, check_option

__all__ = ["satorra2000_difference_test"]


def _parts(fit: Any, name: str) -> list[dict[str, Any]]:
    """Per group ``D`` (q, k), ``V``, ``Gamma`` and ``n`` of an ML fit on complete data without covariates."""
    from .fiml import delta_phi
    from .robust import saturated_coords
    from .robust_sem import h1_information, nacov

    est, spec = fit.estimates, fit.estimates.spec
    why = None
    if getattr(fit, "estimator", None) not in ("ML", "MLM") or fit.opts.test not in ("satorra.bentler", "scaled.shifted"):
        why = f"an ML fit with test='satorra.bentler' or 'scaled.shifted' (estimator='MLM'); got {fit.estimator!r} " \
              f"with test={fit.opts.test!r}"
    elif spec.constraints:
        why = "a model without explicit constraints ('==', '<', '>' lines)"
    elif spec.ov_x:
        why = "a model without fixed.x covariates"
    elif fit.opts.missing != "listwise" or fit.opts.sampling_weights is not None or fit.opts.cluster is not None:
        why = "complete data without sampling weights or clusters"
    if why is not None:
        raise NotAvailableError(f"satorra2000_difference_test() needs {why} (the {name!r} fit).")
    out = []
    for ram, st in zip(est.rams, fit.sample.groups):
        idx = saturated_coords(ram.p, spec.meanstructure)
        Sigma, mu, *_ = ram.implied(est.theta)
        if not spec.meanstructure:
            mu = st.mean
        out.append({"D": delta_phi(ram, est.theta)[:, idx], "V": h1_information(Sigma, mu, idx, "expected"),
                    "Gamma": nacov(st.X, idx), "n": float(st.nobs)})
    return out


def _A_delta(p1: list[dict[str, Any]], p0: list[dict[str, Any]]) -> np.ndarray:
    """lavaan's A from Delta: the orthogonal complement of ``H = Delta1^+ Delta0``."""
    D1 = np.vstack([g["D"].T for g in p1])
    D0 = np.vstack([g["D"].T for g in p0])
    H = np.linalg.pinv(D1) @ D0
    u, sv, _vt = np.linalg.svd(H, full_matrices=True)
    rank = int(np.sum(sv > max(H.shape) * np.finfo(float).eps * (sv.max() if sv.size else 0.0)))
    return u[:, rank:].T


def satorra2000_difference_test(restricted: Any, free: Any, *, A_method: str = "exact",
                                scaled_shifted: bool = True) -> dict[str, float]:
    """lavaan's ``lavTestLRT(free, restricted, method = "satorra.2000", A.method = A_method, scaled.shifted =
    scaled_shifted)`` for two nested ML fits with a Satorra-Bentler type test (see the module's notes).

    Parameters
    ----------
    restricted, free : Results
        The more and the less constrained fit (``estimator="MLM"``), complete data, no explicit constraints.
    A_method : {"exact", "delta"}
        lavaan's ``A.method``.
    scaled_shifted : bool
        lavaan's ``scaled.shifted`` (its default True): ``a dT + b``; else ``dT / cd``.

    Returns
    -------
    dict
        ``chisq_diff``, ``df_diff``, ``pvalue``, and ``a``, ``b`` (scaled and shifted) or ``scaling_factor``.

    Examples
    --------
    lavaan: ``lavTestLRT(f1, f0, method = "satorra.2000", A.method = "exact")`` gives 7.5975 on 6 df.

    >>> import egovsem
    >>> from egovsem.datasets import load
    >>> from egovsem.sem.difftest_ml import satorra2000_difference_test
    >>> hs = load("HolzingerSwineford1939")
    >>> m = "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9\\n"
    >>> f1 = egovsem.cfa(m, hs, estimator="MLM", group="school")
    >>> f0 = egovsem.cfa(m, hs, estimator="MLM", group="school", group_equal=["loadings"])
    >>> round(satorra2000_difference_test(f0, f1)["chisq_diff"], 3)
    7.598
    """
    from .score_test_wlsmv_constrained import exact_A

    A_method = check_option("A_method", A_method, ["exact", "delta"])
    m = int(restricted.fit_measures["df"] - free.fit_measures["df"])
    dT = float(restricted.fit_measures["chisq"] - free.fit_measures["chisq"])
    if m <= 0:
        raise EgovsemError(f"The models are not nested as given: the restricted model has {m} more degrees of "
                           "freedom than the free one (pass the more constrained model first, with more df).")
    p1, p0 = _parts(free, "free"), _parts(restricted, "restricted")
    if A_method == "exact":
        def view(f: Any) -> SimpleNamespace:
            return SimpleNamespace(partable=f.partable, theta=f.estimates.theta, constraints=[], constraint_set=None)
        A, _K = exact_A(view(restricted), view(free))
    else:
        A = _A_delta(p1, p0)
    N = sum(g["n"] for g in p1)
    f = [g["n"] / N for g in p1]
    P = sum(fg * g["D"] @ g["V"] @ g["D"].T for fg, g in zip(f, p1))
    Pinv = np.linalg.inv(P)
    APA = A @ Pinv @ A.T
    tol = np.sqrt(np.finfo(float).eps)
    keep = (np.abs(APA.sum(axis=0)) >= tol) | (np.abs(APA.sum(axis=1)) >= tol)
    if not keep.any():
        return {"chisq_diff": dT, "df_diff": m, "pvalue": float(special.chdtrc(m, max(dT, 0.0)))}
    PA = Pinv @ A[keep].T
    M = PA @ np.linalg.pinv(APA[np.ix_(keep, keep)], rcond=tol, hermitian=True) @ PA.T
    Ks = [g["D"] @ g["V"] @ g["Gamma"] @ g["V"] @ g["D"].T for g in p1]
    tr1 = float(sum(fg * np.sum(M * Kg) for fg, Kg in zip(f, Ks)))
    if scaled_shifted:
        MK = M @ sum(fg * Kg for fg, Kg in zip(f, Ks))
        a = float(np.sqrt(m / np.sum(MK * MK.T)))
        b = m - a * tr1
        stat = a * dT + b
        return {"chisq_diff": stat, "df_diff": m, "pvalue": float(special.chdtrc(m, max(stat, 0.0))), "a": a, "b": b}
    cd = tr1 / m
    return {"chisq_diff": dT / cd, "df_diff": m, "pvalue": float(special.chdtrc(m, max(dT / cd, 0.0))),
            "scaling_factor": cd}
