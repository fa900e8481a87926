"""lavaan's ``fitMeasures()``: one implementation for every estimator and any number of groups.

:func:`fit_measures` composes, for G >= 1 groups (a single group is G = 1):

1. the test statistic: ML/FIML ``chisq = N F`` (N, not N - 1: lavaan's normal likelihood; FIML
   ``2 (logl_h1 - logl)``), clipped at 0; DWLS ``chisq = (N - G) F`` with lavaan's sample size ``N - G``
   in RMSEA, CN and MFI (``lav_utils_get_ntotal``);
2. the scaled test, if any: Yuan-Bentler (Mplus) for MLR, scaled-shifted for WLSMV
   (:mod:`egovsem.sem.fit_robust`);
3. the baseline model, summed over groups (:mod:`egovsem.sem.fit_baseline`);
4. the inputs of the robust indices: the scaled statistic (complete-data MLR), FIML-C (FIML, either test)
   or catML (DWLS);
5. the shared measures (:mod:`egovsem.sem.fit_indices`): CFI/TLI/NNFI/RFI/NFI/PNFI/IFI/RNI and their
   ``.scaled`` / ``.robust`` versions; RMSEA with its 90% interval and p-values, on ``N / G`` (lavaan's
   multi-group RMSEA: times sqrt(G)); Hoelter's CN, MFI; for ML the log-likelihoods, AIC, BIC, ECVI;
6. residual measures (:mod:`egovsem.sem.fit_residual`): RMR/SRMR/CRMR and GFI per group, weighted by
   N_g / N; AGFI and PGFI from all groups' moments.

The rows are lavaan 0.6-14's, in its order. The fitted state is read in one place, :func:`_read_fit`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ..parallel import single_blas_thread
from .distributions import chi2_sf
from .fit_baseline import baseline_chisq, baseline_df, baseline_dwls, baseline_info
from .fit_indices import RMSEA_NAMES, agfi, cfi, critical_n, incremental, rmsea, rmsea_block, rmsea_ci, rni, tli
from .fit_residual import (
    RESIDUAL_NAMES,
    gfi_complete,
    gfi_dwls,
    gfi_fiml_rows,
    residual_measures,
    residual_measures_dwls,
)
from .fit_robust import (
    catml_dwls,
    fiml_corrected,
    fiml_yb_traces,
    mean_var_adjusted,
    scaled_shifted,
    trace_ratio,
    unrestricted_trace,
)

__all__ = ["fit_measures", "critical_n", "rmsea_ci"]


# ------------------------------------------------------------------------------------- the adapter --

@dataclass(frozen=True)
class _Group:
    """One group's data and fitted moments."""

    nobs: float  # rows, or the sum of their sampling weights (lavaan's nobs)
    S: np.ndarray  # sample covariance (the EM estimate under FIML), divisor N
    xbar: np.ndarray
    Sigma: np.ndarray  # model-implied
    mu: np.ndarray
    weight: float  # N_g / N
    rows: Any = None  # RowData (casewise fits), else None
    logl_h1: float = np.nan  # FIML: casewise log-likelihood of the unrestricted model
    ram: Any = None
    X: Any = None  # the group's rows (with holes under missing="pairwise"), for lavaan's Gamma
    cluster: Any = None  # cluster codes of the rows (missing="pairwise" with cluster=)
    weighted: bool = False  # sampling weights (GLS and ULS: lavaan's weighted S is not rescaled)


@dataclass(frozen=True)
class _Fit:
    """What the fit measures read from a fitted model."""

    groups: tuple[_Group, ...]
    theta: np.ndarray
    xi: list[int]  # fixed covariates (fixed.x) among the observed variables
    xb: list[int]  # lavaan's ov.x whatever fixed.x (the baseline keeps their covariances)
    meanstructure: bool
    npar: int
    df: int
    fmin: float  # ML: 2 x lavaan's fmin (relative to the unrestricted model); DWLS: F = sum w (s - sigma)^2
    discrepancy: str  # 'ML', 'FIML', 'DWLS'
    test: str  # 'standard', 'yuan.bentler.mplus', 'scaled.shifted'
    partable: pd.DataFrame
    logl: float = np.nan  # FIML: the model's casewise log-likelihood
    A: np.ndarray | None = None  # information of the model (total), for the Yuan-Bentler trace
    B0: np.ndarray | None = None  # score cross-product of the model
    dwls: dict[str, Any] | None = None  # DWLS: ordinal stats, Jacobian, A^-1, fitted wls.obs, wls.obs layout
    UG: np.ndarray | None = None  # U Gamma of the Satorra-Bentler family (complete-data ML), model ...
    UGb: np.ndarray | None = None  # ... and baseline
    Z: np.ndarray | None = None  # null-space basis of explicit constraints (the traces use Z' Delta, Z' A Z)
    uls: bool = False  # unit weights (ULS, ULSMV): lavaan gives no p-value for the standard test
    #: lavaan's information of the fit ('expected', 'observed', 'first.order'): the h1 information of the
    #: Yuan-Bentler trace, the baseline's information and FIML-C's E are of this kind (FIML)
    information: str = "observed"


def _eq_rank_nonth(spec: Any, pt: pd.DataFrame, theta: np.ndarray) -> int:
    """The rank of the explicit equalities on the parameters other than thresholds: lavaan's catML model
    (the robust CFI/TLI/RMSEA after WLSMV) keeps the constraints and drops the thresholds, so its df rises
    by that rank."""
    if not spec.constraints:
        return 0
    from .constraints import Constraint, ConstraintSet

    cs = ConstraintSet([Constraint(*c) for c in spec.constraints], pt, spec.defined)
    th = set(pt.loc[pt["op"] == "|", "free"])
    cols = sorted({int(f) - 1 for f in pt["free"] if f > 0 and f not in th})
    return cs.eq_rank(theta, np.array(cols, dtype=int))


def _read_fit(res: Any) -> _Fit:
    """The one place that reads a :class:`~egovsem.sem.results.Results` (its typed parts)."""
    est, sample, test, vc = res.estimates, res.sample, res.test, res.vcov_part
    spec, theta = est.spec, np.asarray(est.theta)
    G = sample.ngroups
    rows = sample.rows if sample.rows is not None else (None,) * G
    if test.logl_h1_groups is not None:
        logl_h1 = tuple(test.logl_h1_groups)
    else:
        logl_h1 = (np.nan if test.logl_h1 is None else float(test.logl_h1),) * G
    groups = []
    for g, (ram, st) in enumerate(zip(est.rams, sample.groups)):
        Sigma, mu, *_ = ram.implied(theta)
        groups.append(_Group(nobs=getattr(st, "nobs_w", st.nobs), S=st.cov, xbar=st.mean, Sigma=Sigma, mu=mu,
                             weight=float(sample.weights[g]), rows=rows[g], logl_h1=float(logl_h1[g]), ram=ram,
                             X=st.X, cluster=st.cluster if res.opts.missing == "pairwise" else None,
                             weighted=getattr(st, "w", None) is not None))
    dwls = None
    if res.opts.discrepancy == "DWLS":
        if G > 1:
            from .._errors import NotAvailableError

            # the first stage (thresholds, Gamma) and the layout of wls.obs are one group's today
            raise NotAvailableError("fit measures of a multi-group WLSMV fit are not available yet.")
        o = res.ordinal
        dwls = {"ordinal": sample.ordinal, "delta": o.delta, "A_inv": o.A_inv, "wls_est": o.wls_est,
                "delta_model": o.delta_model, "eq_rank_nonth": _eq_rank_nonth(spec, est.partable, theta)}
    ov = list(spec.ov)
    return _Fit(groups=tuple(groups), theta=theta, xi=[ov.index(v) for v in spec.ov_x],
                xb=[ov.index(v) for v in spec.exo_x], meanstructure=bool(spec.meanstructure),
                npar=int(res.npar), df=int(est.df), fmin=float(est.fmin), discrepancy=res.opts.discrepancy,
                test=test.test, partable=est.partable, logl=np.nan if test.logl is None else float(test.logl),
                A=vc.info_matrix if vc.test_info_matrix is None else vc.test_info_matrix, B0=vc.meat, dwls=dwls,
                UG=test.ugamma, UGb=test.ugamma_baseline, Z=vc.constraint_basis,
                uls=res.opts.discrepancy == "ULS" or res.opts.estimator == "ULSMV",
                information=res.opts.information)


# ------------------------------------------------------------------------------------------ pieces --

@dataclass
class _Statistic:
    chisq: float
    df: int
    fmin: float  # as lavaan reports it
    n_total: float  # the sample size of RMSEA, CN, MFI (N, or N - G after DWLS)


@dataclass
class _Scaled:
    """A scaled test of the model and the baseline, and where the scaled RMSEA comes from."""

    chisq: float
    pvalue: float
    scaling: float
    base_chisq: float
    base_pvalue: float
    base_scaling: float
    rmsea_x2: float  # the statistic of rmsea.scaled and its df
    rmsea_df: float
    factors: dict[str, float]  # scaling.factor.h1 / .h0 (Yuan-Bentler)
    robust_c: float | None = None  # the scaling of the robust indices when it is not ``scaling`` (scaled.shifted)
    robust_cb: float | None = None
    #: the df of the scaled test and of the scaled baseline when they are not df (mean.var.adjusted:
    #: Satterthwaite's tr(U Gamma)^2 / tr((U Gamma)^2)); the robust indices are then not reported (lavaan)
    df_scaled: float | None = None
    base_df_scaled: float | None = None


@dataclass
class _Robust:
    """Inputs of the robust CFI/TLI/RNI (XX3 on df against XX3b on df_b with c3, c3b) and RMSEA."""

    XX3: float
    XX3b: float
    c3: float
    c3b: float
    df3: float
    x2_scaled: float  # the statistic of the robust RMSEA's interval and p-values
    c_ci: float | None = None  # the scaling of that interval when it is not c3 (scaled.shifted: 1 / a)


def _n(f: _Fit) -> float:
    n = float(sum(g.nobs for g in f.groups))
    return int(n) if n == int(n) else n


_LS = ("GLS", "ULS")


def _ls_S(g: _Group) -> np.ndarray:
    """The sample covariance GLS and ULS are fitted to (divisor N - 1, lavaan's for these estimators; with
    sampling weights the weighted one, divisor N: :func:`egovsem.sem.ls.ls_cov_scale`)."""
    from .ls import ls_cov_scale

    return g.S * ls_cov_scale(g.nobs, g.weighted)


def _statistic(f: _Fit) -> _Statistic:
    N = _n(f)
    if f.discrepancy in _LS:
        from .ls import ls_discrepancy

        # lavaan: each group's statistic on its N_g - 1 (chisq = sum_g (N_g - 1) F_g, fmin = chisq / 2N)
        X2 = float(sum((g.nobs - 1.0) * ls_discrepancy(f.discrepancy, _ls_S(g), g.xbar, g.Sigma, g.mu,
                                                        f.meanstructure) for g in f.groups))
        return _Statistic(X2, f.df, X2 / (2.0 * N), N - len(f.groups))
    if f.discrepancy == "DWLS":
        Nf = N - len(f.groups)  # lavaan's lav_utils_get_ntotal for every estimator but ML
        return _Statistic(Nf * f.fmin, f.df, 0.5 * Nf / N * f.fmin, Nf)
    # lavaan clips the statistic at 0 (a saturated FIML model gives -2 (logl - logl_h1) = -1e-13)
    return _Statistic(max(N * f.fmin, 0.0), f.df, f.fmin / 2, N)


def _dwls_layout(f: _Fit) -> tuple[Any, int]:
    assert f.dwls is not None
    dm = f.dwls["delta_model"]
    return dm, dm.nslots + dm.num_idx.size  # first row of the correlations / covariances


def _baseline(f: _Fit) -> tuple[float, int, list[tuple]]:
    """The baseline's statistic and df, summed over groups, and per group its (Ab, Bb, Db, Sb, mb) when a
    robust part needs them (casewise fits)."""
    if f.discrepancy == "DWLS":
        assert f.dwls is not None
        ost = f.dwls["ordinal"]
        _dm, n1 = _dwls_layout(f)
        X2b, dfb, _UGb = baseline_dwls(ost.wls_obs, ost.wls_v_diag, ost.gamma, n1, ost.n)
        return X2b, dfb, []
    if f.discrepancy in _LS:
        from .ls import baseline_ls

        X2b = sum((g.nobs - 1.0) * baseline_ls(f.discrepancy, _ls_S(g), f.xb, fixed_x=bool(f.xi)) for g in f.groups)
        return X2b, len(f.groups) * baseline_df(f.groups[0].S.shape[0], len(f.xb)), []
    fiml = f.discrepancy == "FIML"
    X2b = 0.0
    info = []
    for g in f.groups:
        X2b += baseline_chisq(g.S, g.nobs, g.rows, g.logl_h1, f.xb, fiml)
        if g.rows is not None and (fiml or f.test.startswith("yuan.bentler")):
            info.append(baseline_info(g.S, g.xbar, g.rows, f.xi, f.xb, f.meanstructure, fiml,
                                      information=f.information))
        elif g.cluster is not None and f.test == "yuan.bentler.mplus":
            from .pairwise_cluster import pairwise_cluster_baseline_info

            info.append(pairwise_cluster_baseline_info(g.X, g.cluster, g.S, g.xbar, f.xi, f.xb, f.meanstructure))
    dfb = len(f.groups) * baseline_df(f.groups[0].S.shape[0], len(f.xb))
    return X2b, dfb, info


def _dwls_UG(f: _Fit) -> np.ndarray:
    assert f.dwls is not None
    ost = f.dwls["ordinal"]
    w = ost.wls_v_diag
    WD = f.dwls["delta"] * w[:, None]
    U = np.diag(w) - WD @ f.dwls["A_inv"] @ WD.T
    return U @ ost.gamma


def _scaled(f: _Fit, st: _Statistic, X2b: float, dfb: int, binfo: list[tuple]) -> _Scaled | None:
    X2, df = st.chisq, st.df
    if f.test == "scaled.shifted" and f.discrepancy == "DWLS":
        assert f.dwls is not None
        ost = f.dwls["ordinal"]
        _dm, n1 = _dwls_layout(f)
        ss = scaled_shifted(_dwls_UG(f), X2, df)
        ssb = scaled_shifted(baseline_dwls(ost.wls_obs, ost.wls_v_diag, ost.gamma, n1, ost.n)[2], X2b, dfb)
        return _Scaled(ss["stat"], ss["pvalue"], ss["scaling"], ssb["stat"], ssb["pvalue"], ssb["scaling"],
                       rmsea_x2=ss["stat"], rmsea_df=df, factors={})
    if f.test == "yuan.bentler" and f.discrepancy == "FIML":
        return _fiml_yb(f, X2, df, X2b, dfb, binfo)
    if f.test == "yuan.bentler" and f.UG is not None:
        # lavaan 0.6-14, complete data, expected information: the Yuan-Bentler statistic is the Satorra-Bentler
        # one (its h1 first-order information is V Gamma V), the scaling.factor.h1 / .h0 rows are those of the
        # Mplus variant's traces
        sb = _scaled(replace(f, test="satorra.bentler"), st, X2b, dfb, binfo)
        assert sb is not None
        if any(g.rows is None for g in f.groups):
            return replace(sb, factors=_pairwise_yb_factors(f))
        ybm = _scaled(replace(f, test="yuan.bentler.mplus"), st, X2b, dfb, binfo)
        assert ybm is not None
        return replace(sb, factors=ybm.factors)
    if f.test == "mean.var.adjusted" and (f.discrepancy == "DWLS" or (f.UG is not None and f.UGb is not None)):
        # lavaan's mean and variance adjusted (Satterthwaite) test: df2 = tr(UG)^2 / tr(UG^2) (not rounded),
        # c = tr(UG) / df2, chisq.scaled = chisq / c on df2 (lavaan's lav_test_satorra_bentler); the scaled
        # RMSEA family, as after satorra.bentler, is the unscaled statistic on tr(UG) (lav_fit_rmsea_lavobject)
        if f.discrepancy == "DWLS":
            assert f.dwls is not None
            ost = f.dwls["ordinal"]
            _dm, n1 = _dwls_layout(f)
            UG, UGb = _dwls_UG(f), baseline_dwls(ost.wls_obs, ost.wls_v_diag, ost.gamma, n1, ost.n)[2]
        else:
            assert f.UG is not None and f.UGb is not None
            UG, UGb = f.UG, f.UGb
        mv, mvb = mean_var_adjusted(UG, X2, df), mean_var_adjusted(UGb, X2b, dfb)
        return _Scaled(mv["stat"], mv["pvalue"], mv["scaling"], mvb["stat"], mvb["pvalue"], mvb["scaling"],
                       rmsea_x2=X2, rmsea_df=mv["tr1"] if df > 0 else np.nan, factors={}, df_scaled=mv["df"],
                       base_df_scaled=mvb["df"])
    if f.test in ("satorra.bentler", "scaled.shifted") and f.UG is not None and f.UGb is not None:
        # complete-data ML (MLM, test = "satorra.bentler" | "scaled.shifted"): lavaan's U Gamma traces
        tr, trb = float(np.trace(f.UG)), float(np.trace(f.UGb))
        c, cb = (tr / df if df > 0 else np.nan), trb / dfb
        if f.test == "satorra.bentler":
            X2s = X2 / c if df > 0 else X2
            X2bs = X2b / cb
            return _Scaled(X2s, chi2_sf(df, X2s) if df > 0 else np.nan, c, X2bs, chi2_sf(dfb, X2bs),
                           cb, rmsea_x2=X2, rmsea_df=tr if df > 0 else np.nan, factors={})
        ss, ssb = scaled_shifted(f.UG, X2, df), scaled_shifted(f.UGb, X2b, dfb)
        return _Scaled(ss["stat"], ss["pvalue"], ss["scaling"], ssb["stat"], ssb["pvalue"], ssb["scaling"],
                       rmsea_x2=ss["stat"], rmsea_df=df, factors={}, robust_c=c, robust_cb=cb)
    if f.test != "yuan.bentler.mplus":
        return None
    assert f.A is not None and f.B0 is not None
    t1, nh1 = 0.0, 0
    for g in f.groups:
        if g.rows is None and g.cluster is not None:
            from .pairwise_cluster import pairwise_cluster_h1_trace
            from .robust import saturated_coords

            idx = saturated_coords(g.S.shape[0], f.meanstructure, f.xi)
            tg, ng = pairwise_cluster_h1_trace(g.X, g.cluster, g.S, g.xbar, idx)
        else:
            tg, ng = unrestricted_trace(g.rows, g.S, g.xbar, f.meanstructure, f.xi, information=f.information)
        t1 += tg
        nh1 += ng
    # under explicit constraints tr(B0 Z (Z' A Z)^-1 Z') (lavaan's augmented inverse)
    t0 = trace_ratio(f.B0, f.A) if f.Z is None else trace_ratio(f.Z.T @ f.B0 @ f.Z, f.Z.T @ f.A @ f.Z)
    t0b = float(sum(trace_ratio(Bb, Ab) for Ab, Bb, *_ in binfo))
    c = (t1 - t0) / df if df > 0 else np.nan
    cb = (t1 - t0b) / dfb
    # lavaan with df = 0: no scaling factor (NA), the scaled statistic is the unscaled one
    X2s, X2bs = (X2 / c if df > 0 else X2), X2b / cb
    # lavaan divides trace_h0 by the free rows of the parameter table (equality-constrained ones counted apart)
    factors = {"scaling.factor.h1": t1 / nh1, "scaling.factor.h0": t0 / int((f.partable["free"] > 0).sum())}
    # lavaan 0.6-14: the scaled RMSEA family uses the unscaled statistic on df2 = trace(UGamma) = c * df
    # (NA with df = 0, and so is every scaled RMSEA row)
    return _Scaled(X2s, chi2_sf(df, X2s) if df > 0 else np.nan, c, X2bs, chi2_sf(dfb, X2bs), cb,
                   rmsea_x2=X2, rmsea_df=c * df if df > 0 else np.nan, factors=factors)


def _fiml_yb(f: _Fit, X2: float, df: int, X2b: float, dfb: int, binfo: list[tuple]) -> _Scaled:
    """lavaan 0.6-14's Yuan-Bentler test under FIML (:func:`~egovsem.sem.fit_robust.fiml_yb_traces`) of the
    model and of the baseline; the scaled RMSEA family, as after satorra.bentler, is the unscaled statistic on
    ``tr(U Omega)``."""
    from .fiml import delta_phi

    # the baseline's parameters are each group's own: its Jacobian is block-diagonal over the groups
    nb = [b[2].shape[0] for b in binfo]

    def traces(baseline: bool) -> tuple[float, float, int, float]:
        groups = []
        for k, (g, (_Ab, _Bb, Db, Sb, mb)) in enumerate(zip(f.groups, binfo)):
            D = delta_phi(g.ram, f.theta) if not baseline else np.vstack(
                [Db if j == k else np.zeros((n, Db.shape[1])) for j, n in enumerate(nb)])
            if f.Z is not None and not baseline:
                D = f.Z.T @ D
            groups.append({"rows": g.rows, "n": g.nobs, "S": g.S, "xbar": g.xbar, "D": D,
                           "Sigma": Sb if baseline else g.Sigma, "mu": mb if baseline else g.mu})
        return fiml_yb_traces(groups, f.xi, f.information)

    tr, t1, nh1, t0 = traces(False)
    trb = traces(True)[0]
    c, cb = (tr / df if df > 0 else np.nan), trb / dfb
    X2s, X2bs = (X2 / c if df > 0 else X2), X2b / cb
    factors = {"scaling.factor.h1": t1 / nh1, "scaling.factor.h0": t0 / int((f.partable["free"] > 0).sum())}
    return _Scaled(X2s, chi2_sf(df, X2s) if df > 0 else np.nan, c, X2bs, chi2_sf(dfb, X2bs), cb,
                   rmsea_x2=X2, rmsea_df=tr if df > 0 else np.nan, factors=factors)


def _pairwise_yb_factors(f: _Fit) -> dict[str, float]:
    """lavaan 0.6-14's Yuan-Bentler scaling rows with pairwise moments (no casewise scores): the h1 trace is
    ``tr(V Gamma) / k`` summed over groups (V the expected h1 information at the sample moments, Gamma the
    moments' ADF covariance of the rows with holes), the h0 trace is not reported (NA)."""
    from .robust import saturated_coords
    from .robust_sem import h1_information, nacov

    t1, k = 0.0, 0
    for g in f.groups:
        idx = saturated_coords(g.S.shape[0], f.meanstructure, ())
        t1 += float(np.trace(h1_information(g.S, g.xbar, idx, "expected") @ nacov(g.X, idx)))
        k += idx.size
    return {"scaling.factor.h1": t1 / k, "scaling.factor.h0": np.nan}


def _robust(f: _Fit, st: _Statistic, X2b: float, dfb: int, binfo: list[tuple],
            sc: _Scaled | None) -> _Robust | None:
    X2, df = st.chisq, st.df
    if sc is not None and sc.df_scaled is not None:
        return None  # lavaan reports no robust indices after the mean-and-variance adjusted test
    if f.discrepancy == "DWLS":
        assert f.dwls is not None
        _dm, n1 = _dwls_layout(f)
        th_free = set(f.partable.loc[f.partable["op"] == "|", "free"])
        nfree_nonth = len(set(f.partable.loc[(f.partable["free"] > 0), "free"]) - th_free) - f.dwls["eq_rank_nonth"]
        rob = catml_dwls(f.dwls["ordinal"], f.groups[0].Sigma, f.dwls["delta"], f.dwls["A_inv"], n1, nfree_nonth)
        c3, c3b = rob["c3"], rob["c3b"]
        if df == 0:  # lavaan's c.hat = k / 0 is infinite and its formulas fall back to the unscaled ones
            c3 = c3b = 1.0
        return _Robust(rob["XX3"], rob["XX3b"], c3, c3b, rob["df3"], rob["XX3s"])
    if f.discrepancy == "FIML":
        from .fiml import delta_phi
        from .robust import ml_discrepancy

        N = _n(f)
        XX3 = XX3b = 0.0
        parts = []
        for g, (_Ab, _Bb, Db, Sb, mb) in zip(f.groups, binfo):
            XX3 += g.nobs * ml_discrepancy(g.S, g.xbar, g.Sigma, g.mu, True)
            XX3b += g.nobs * ml_discrepancy(g.S, g.xbar, Sb, mb, True)
            parts.append({"S": g.S, "xbar": g.xbar, "rows": g.rows, "fg": g.nobs / N,
                          "D": delta_phi(g.ram, f.theta) if f.Z is None else f.Z.T @ delta_phi(g.ram, f.theta),
                          "Db": Db})
        p = f.groups[0].S.shape[0]
        k, kb = fiml_corrected(parts, p, f.xi, f.xb, "V6" if f.test == "standard" else "V3",
                               information=f.information)
        if df > 0:
            c3 = k / df
            return _Robust(XX3, XX3b, c3, kb / dfb, df, XX3 / c3)
        # lavaan: c.hat3 = k / 0 is infinite (k is rounding noise), not NA, so its robust CFI, TLI, RNI take the
        # branch they take whenever df = 0 (the unscaled formula, giving 1) and RMSEA is 0 with the interval
        # [0, 0]; the same values follow from c3 = 1 here
        return _Robust(XX3, XX3b, 1.0, kb / dfb, df, 0.0)
    if sc is None or sc.df_scaled is not None:
        return None
    # complete-data MLR: the scaled statistic; with df = 0, c is NA and so are the robust CFI/TLI/RNI, the
    # robust RMSEA is 0 with the interval [0, 0]
    if sc.robust_c is not None and sc.robust_cb is not None:
        # scaled.shifted: the robust indices use the Satorra-Bentler scaling tr(U Gamma) / df
        # (lavaan's c.hat3 = a (df - b) / df), its interval and p-values the scaled-shifted 1 / a (c.hat)
        return _Robust(X2, X2b, sc.robust_c, sc.robust_cb, df, sc.chisq, c_ci=sc.scaling)
    return _Robust(X2, X2b, sc.scaling, sc.base_scaling, df, sc.chisq)


def _likelihood(f: _Fit) -> dict[str, float]:
    """logl, unrestricted.logl, AIC, BIC, ntotal, BIC2 (ML, FIML). Under fixed.x the log-likelihood of the
    covariates, saturated at their sample moments, is part of neither (lavaan)."""
    ll_total = ll1_total = 0.0
    xi, nx, ms = f.xi, len(f.xi), f.meanstructure
    fiml = f.discrepancy == "FIML"
    lx_total = 0.0
    for g in f.groups:
        n, S, p = g.nobs, g.S, g.S.shape[0]
        c = p * np.log(2 * np.pi)
        lx = (-n / 2 * (nx * np.log(2 * np.pi) + np.linalg.slogdet(S[np.ix_(xi, xi)])[1] + nx)) if xi else 0.0
        lx_total += lx
        if fiml:
            ll1_total += g.logl_h1 - lx
            continue
        W = np.linalg.inv(g.Sigma)
        d = g.xbar - g.mu
        ll_total += -n / 2 * (c + np.linalg.slogdet(g.Sigma)[1] + np.sum(S * W) + (d @ W @ d if ms else 0.0)) - lx
        ll1_total += -n / 2 * (c + np.linalg.slogdet(S)[1] + p) - lx
    logl = f.logl - lx_total if fiml else ll_total
    N, npar = _n(f), f.npar
    return {"logl": logl, "unrestricted.logl": ll1_total, "aic": -2 * logl + 2 * npar,
            "bic": -2 * logl + npar * np.log(N), "ntotal": N, "bic2": -2 * logl + npar * np.log((N + 2) / 24)}


def _residuals(f: _Fit) -> tuple[dict[str, float], float, float]:
    """RMR/SRMR/CRMR rows, GFI (groups weighted by N_g / N) and the number of sample moments of AGFI/PGFI."""
    if f.discrepancy == "DWLS":
        assert f.dwls is not None
        ost = f.dwls["ordinal"]
        s, sigma = ost.wls_obs, f.dwls["wls_est"]
        dm, _n1 = _dwls_layout(f)
        return (residual_measures_dwls(s, sigma, f.groups[0].Sigma, dm), gfi_dwls(s, sigma, ost.wls_v_diag),
                float(s.size))
    resid = dict.fromkeys(RESIDUAL_NAMES, 0.0)
    gfi = 0.0
    ms = f.meanstructure
    ls = f.discrepancy in _LS
    for g in f.groups:
        for k, v in residual_measures(_ls_S(g) if ls else g.S, g.xbar, g.Sigma, g.mu, ms).items():
            resid[k] += g.weight * v
        if ls:
            from .ls import gfi_ls

            gfi += g.weight * gfi_ls(f.discrepancy, _ls_S(g), g.xbar, g.Sigma, g.mu, ms, f.xi)
        elif f.discrepancy == "FIML":
            gfi += g.weight * gfi_fiml_rows(g.rows, g.Sigma, g.mu, f.xi)
        else:
            gfi += g.weight * gfi_complete(g.S, g.xbar, g.Sigma, g.mu, f.xi, ms)
    p = f.groups[0].S.shape[0]
    # lavaan counts every sample moment here, the fixed covariates' ones included
    nel = len(f.groups) * (p * (p + 1) / 2 + (p if ms else 0))
    return resid, gfi, nel


# -------------------------------------------------------------------------------------- assembly --

@single_blas_thread
def fit_measures(res: Any) -> pd.Series:
    """lavaan 0.6-14's ``fitMeasures(fit)`` for any fit egovsem computes (ML, MLR, FIML, WLSMV; G >= 1).

    Parameters
    ----------
    res : Results
        A fitted model (single-group, multi-group or WLSMV results).

    Returns
    -------
    Series
        lavaan's names and order (``npar, fmin, chisq, df, pvalue, ... cfi, tli, ... rmsea ... srmr ...``);
        rows lavaan reports as NA are NaN.
    """
    f = _read_fit(res)
    G = len(f.groups)
    st = _statistic(f)
    X2, df, Nt = st.chisq, st.df, st.n_total
    X2b, dfb, binfo = _baseline(f)
    sc = _scaled(f, st, X2b, dfb, binfo)
    rob = _robust(f, st, X2b, dfb, binfo, sc)

    # lavaan 0.6-14 gives no p-value for ULS's standard test ("P-value (Unknown)"), nor for its baseline
    no_p = f.uls
    out: dict[str, float] = {"npar": f.npar, "fmin": st.fmin, "chisq": X2, "df": df,
                             "pvalue": chi2_sf(df, X2) if df > 0 and not no_p else np.nan}
    if sc is not None:
        dfs = df if sc.df_scaled is None else sc.df_scaled
        dfbs = dfb if sc.base_df_scaled is None else sc.base_df_scaled
        out.update({"chisq.scaled": sc.chisq, "df.scaled": dfs, "pvalue.scaled": sc.pvalue,
                    "chisq.scaling.factor": sc.scaling})
    out.update({"baseline.chisq": X2b, "baseline.df": dfb,
                "baseline.pvalue": chi2_sf(dfb, X2b) if dfb > 0 and not no_p else np.nan})
    if sc is not None:
        out.update({"baseline.chisq.scaled": sc.base_chisq, "baseline.df.scaled": dfbs,
                    "baseline.pvalue.scaled": sc.base_pvalue, "baseline.chisq.scaling.factor": sc.base_scaling})

    inc = incremental(X2, df, X2b, dfb)
    inc_s = incremental(sc.chisq, dfs, sc.base_chisq, dfbs, suffix=".scaled") if sc is not None else {}
    inc_r: dict[str, float] = {}
    if rob is not None:
        args = (rob.XX3, df, rob.XX3b, dfb, rob.c3, rob.c3b)
        inc_r = {"cfi.robust": cfi(*args), "tli.robust": tli(*args), "nnfi.robust": tli(*args),
                 "rni.robust": rni(*args)}
    first, rest = ("cfi", "tli"), ("nnfi", "rfi", "nfi", "pnfi", "ifi", "rni")
    for names in (first, rest):
        out.update({k: inc[k] for k in names})
        out.update({k + ".scaled": inc_s[k + ".scaled"] for k in names if inc_s})
        out.update({k + ".robust": inc_r[k + ".robust"] for k in names if k + ".robust" in inc_r})

    likelihood = f.discrepancy in ("ML", "FIML")
    if likelihood:
        out.update(_likelihood(f))
        if sc is not None:
            out.update(sc.factors)

    n_g = Nt / G  # lavaan's multi-group RMSEA: sqrt(G) times, close-fit non-centrality / G
    rm = rmsea_block(X2, df, n_g)
    out.update({"rmsea": rm["rmsea"], "rmsea.ci.lower": rm["rmsea.ci.lower"], "rmsea.ci.upper": rm["rmsea.ci.upper"],
                "rmsea.ci.level": 0.90, "rmsea.pvalue": rm["rmsea.pvalue"], "rmsea.close.h0": 0.05,
                "rmsea.notclose.pvalue": rm["rmsea.notclose.pvalue"], "rmsea.notclose.h0": 0.08})
    if sc is not None:
        if np.isfinite(sc.rmsea_df):
            out.update(rmsea_block(sc.rmsea_x2, sc.rmsea_df, n_g, suffix=".scaled"))
        else:  # df2 = c * df is NA with df = 0, and so is every scaled RMSEA row in lavaan
            out.update({k: np.nan for k in rmsea_block(X2, 1, n_g, suffix=".scaled")})
    if rob is not None:
        if np.isfinite(rob.XX3):
            rb = rmsea_block(rob.x2_scaled, rob.df3, n_g, c=rob.c3 if rob.c_ci is None else rob.c_ci,
                             suffix=".robust")
            rb["rmsea.robust"] = rmsea(rob.XX3, rob.df3, n_g, rob.c3)
        else:
            rb = {("rmsea" if k == "rmsea" else k) + ".robust": np.nan for k in RMSEA_NAMES}
        out.update(rb)

    resid, gfi, nel = _residuals(f)
    out.update(resid)
    cn_05, cn_01 = critical_n(X2, df, Nt, 0.05), critical_n(X2, df, Nt, 0.01)
    if f.discrepancy == "DWLS" and df == 0:
        # lav_fit_cn gives NA for a statistic below machine epsilon, else 1; lavaan's DWLS statistic at df = 0
        # is nlminb's rounding noise above epsilon (1 in tests/reference/wlsmv/hs_df0_fit.csv), egovsem's
        # Gauss-Newton reaches 0 exactly: lavaan's row is kept (the ML df = 0 tests compare the rule instead)
        cn_05 = cn_01 = 1.0
    out.update({"cn_05": cn_05, "cn_01": cn_01, "gfi": gfi,
                "agfi": agfi(gfi, nel, df), "pgfi": (df / nel) * gfi if nel > 0 else np.nan,
                "mfi": np.exp(-0.5 * (X2 - df) / Nt)})
    if likelihood or f.discrepancy in _LS:
        out["ecvi"] = X2 / Nt + 2 * f.npar / Nt
    else:
        out["wrmr"] = np.sqrt(X2 / nel) if nel else np.nan
    return pd.Series(out, dtype=float, name="fit")
