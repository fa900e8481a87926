"""egovsem.sem.distributions (the probabilities of the fit measures and the parameter table without
scipy.special, issue 17) against R's pchisq / qchisq / pnorm / qnorm, which lavaan calls
(tests/reference/make_reference_distributions.R), and against scipy.special on the same grid."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from _refcompare import REF
from egovsem.sem import distributions as d
from scipy import special

CHISQ = pd.read_csv(REF / "distributions_chisq.csv")
QCHISQ = pd.read_csv(REF / "distributions_qchisq.csv")
PNORM = pd.read_csv(REF / "distributions_pnorm.csv")
QNORM = pd.read_csv(REF / "distributions_qnorm.csv")


def _rel(ours: float, ref: float) -> float:
    return abs(ours - ref) / max(abs(ref), 1e-300)


def test_central_chisq_matches_r_relatively():
    rows = CHISQ[CHISQ["ncp"] == 0]
    assert len(rows) == 198
    for r in rows.itertuples():
        sf, cdf = d.chi2_sf(r.df, r.x), d.chi2_cdf(r.df, r.x)
        # p-values as small as 1e-300 keep their relative precision (the smaller tail is the computed one)
        assert _rel(sf, r.sf) < 1e-12 or abs(sf - r.sf) < 1e-300, (r.df, r.x, sf, r.sf)
        assert _rel(cdf, r.cdf) < 1e-12 or abs(cdf - r.cdf) < 1e-300, (r.df, r.x, cdf, r.cdf)
        assert sf == pytest.approx(float(special.chdtrc(r.df, r.x)), rel=1e-12, abs=1e-300)


def test_noncentral_chisq_matches_r():
    rows = CHISQ[CHISQ["ncp"] > 0]
    assert len(rows) == 1782
    for r in rows.itertuples():
        cdf = d.ncx2_cdf(r.x, r.df, r.ncp)
        # where R warns that pnchisq did not reach full precision (cdf within about 1e-10 of 1), R's value is
        # good to about 1e-11 (e.g. df 2500, x 4165.467, ncp 150: R's upper tail 1.04e-12, the Poisson sum in
        # 40-digit arithmetic 1.2e-67); there scipy's independent implementation is held to 1e-12
        tol_r = 1e-10 if r.r_warned else 1e-12
        assert abs(cdf - r.cdf) < tol_r, (r.df, r.x, r.ncp, cdf, r.cdf)
        # the upper tail as egovsem uses it (1 - cdf: rmsea.pvalue)
        assert abs((1.0 - cdf) - r.sf) < tol_r, (r.df, r.x, r.ncp)
        assert abs(cdf - float(special.chndtr(r.x, r.df, r.ncp))) < 1e-12, (r.df, r.x, r.ncp)
    assert (rows["r_warned"] == 1).sum() == 96


def test_chisq_quantile_matches_r():
    assert len(QCHISQ) == 88
    for r in QCHISQ.itertuples():
        x = d.chi2_isf(r.df, r.p)
        assert _rel(x, r.isf) < 1e-12, (r.df, r.p, x, r.isf)
        assert x == pytest.approx(float(special.chdtri(r.df, r.p)), rel=1e-12)


def test_normal_matches_r():
    p2 = d.normal_two_sided_p(PNORM["z"].to_numpy())
    ref = PNORM["p2"].to_numpy()
    assert np.isnan(p2[-1]) and np.isnan(ref[-1])
    for ours, r in zip(p2[:-1], ref[:-1]):
        assert _rel(ours, r) < 1e-13 or (r == 0 and ours < 1e-300)
    for r in QNORM.itertuples():
        assert abs(d.normal_quantile(r.p) - r.q) < 1e-14 * max(1.0, abs(r.q)), r.p
    assert d.normal_two_sided_p(np.array([[1.0, -2.0]])).shape == (1, 2)


def test_edges():
    assert d.chi2_sf(3, 0.0) == 1.0 and d.chi2_cdf(3, 0.0) == 0.0
    assert d.chi2_sf(3, math.inf) == 0.0
    assert math.isnan(d.chi2_sf(3, math.nan)) and math.isnan(d.ncx2_cdf(math.nan, 3, 1.0))
    assert d.ncx2_cdf(0.0, 3, 2.0) == 0.0
    assert d.ncx2_cdf(5.0, 3, 0.0) == d.chi2_cdf(3, 5.0)
    assert d.chi2_isf(3, 0.0) == math.inf and d.chi2_isf(3, 1.0) == 0.0
    assert math.isnan(d.chi2_isf(0, 0.5)) and math.isnan(d.chi2_isf(3, math.nan))
