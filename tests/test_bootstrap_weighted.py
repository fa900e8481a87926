"""``bootstrap(fit)`` of a fit with ``sampling_weights=`` or ``cluster=``: lavaan 0.6-14's bootstrapLavaan (issue 11).

tests/reference/make_reference_bootstrap_weighted.R records (and checks on its first draws) what lavaan does:
rows are resampled, never clusters (a single-level fit's clusters do not enter its estimates), and each drawn
row carries its sampling weight, so a draw is the (weighted) fit of the drawn rows. Here (1) each draw is
compared to a direct egovsem fit of the drawn rows (resample_indices), (2) the bootstrap SEs to the SDs of
lavaan's 1000 draws within Monte Carlo error, (3) the same seed gives bit-identical draws for any n_jobs.
"""
from __future__ import annotations

import warnings

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import REF, compare_bootstrap_with_lavaan
from egovsem._errors import NotAvailableError
from egovsem.sem.bootstrap import bollen_stine, bootstrap, resample_indices

SUB = REF / "bootstrap_weighted"
HS = pd.read_csv(REF / "weights" / "hs_weights.csv")
HS3 = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
CASES = {"weights": dict(sampling_weights="w"),
         "cluster": dict(cluster="school", estimator="MLR"),
         "cluster_weights": dict(cluster="school", sampling_weights="w")}


def _fit(data: pd.DataFrame, **kw) -> egovsem.Results:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return egovsem.cfa(HS3, data, **kw)


@pytest.mark.parametrize("case", list(CASES))
def test_each_draw_is_the_design_fit_of_its_rows(case):
    fit = _fit(HS, **CASES[case])
    bt = bootstrap(fit, 6, seed=11, n_jobs=1)
    draws = bt.bootstrap_part.draws
    assert draws["converged"].all()
    for b in range(6):
        rows = HS.iloc[resample_indices(len(HS), b, 11)].reset_index(drop=True)
        direct = _fit(rows, **CASES[case])  # the weights travel with their rows; the clusters are the rows'
        np.testing.assert_allclose(draws["theta"][b], direct.theta, rtol=1e-6, atol=1e-6, err_msg=f"{case} {b}")
    if "sampling_weights" in CASES[case]:  # and the weights matter: the unweighted fit of the rows differs
        plain = _fit(rows, meanstructure=fit.spec.meanstructure)
        assert np.abs(draws["theta"][5] - plain.theta).max() > 1e-2


@pytest.mark.parametrize("case", list(CASES))
def test_ses_match_lavaans_bootstrapLavaan(case):
    fit = _fit(HS, **CASES[case])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # inadmissible resamples are kept, as lavaan keeps them
        bt = bootstrap(fit, 1000, seed=2026)
    assert compare_bootstrap_with_lavaan(bt, SUB, case) == fit.theta.size == (30 if "cluster" in case else 21)
    info = pd.read_csv(SUB / f"{case}_info.csv").set_index("key")["value"]
    assert bt.bootstrap_info["inadmissible"] == pytest.approx(float(info["nonadmissible"]), abs=25)


def test_same_seed_same_draws_any_n_jobs():
    fit = _fit(HS, **CASES["cluster_weights"])
    a = bootstrap(fit, 300, seed=5, n_jobs=1).bootstrap_part.draws
    b = bootstrap(fit, 300, seed=5, n_jobs=2).bootstrap_part.draws
    assert np.array_equal(a["theta"], b["theta"])
    c = bootstrap(fit, 300, seed=6, n_jobs=1).bootstrap_part.draws
    assert not np.array_equal(a["theta"], c["theta"])


def test_what_is_not_resampled_as_lavaan_is_refused():
    wfiml = _fit(HSM, sampling_weights="w", missing="fiml")
    with pytest.raises(NotAvailableError, match="sampling_weights=.w. and missing=.fiml. is not available yet"):
        bootstrap(wfiml, 10, seed=1)
    mg = _fit(HS, sampling_weights="w", group="sex")
    with pytest.raises(NotAvailableError, match="multi-group fit with sampling_weights='w'.*last group only"):
        bootstrap(mg, 10, seed=1)
    fit = _fit(HS, sampling_weights="w")
    with pytest.raises(NotAvailableError, match="Bollen-Stine bootstrap of a fit with sampling_weights="):
        bootstrap(fit, 10, seed=1, bollen_stine=True)
    with pytest.raises(NotAvailableError, match="Bollen-Stine"):
        bollen_stine(fit, 10, seed=1)


HSM = pd.read_csv(REF / "weights" / "hs_weights_missing.csv")
FIML = dict(cluster="school", estimator="MLR", missing="fiml")


def test_clustered_fiml_draws_are_the_fiml_fits_of_their_rows():
    fit = _fit(HSM, **FIML)
    bt = bootstrap(fit, 4, seed=11, n_jobs=1)
    draws = bt.bootstrap_part.draws
    assert draws["converged"].all()
    for b in range(4):
        rows = HSM.iloc[resample_indices(len(HSM), b, 11)].reset_index(drop=True)
        np.testing.assert_allclose(draws["theta"][b], _fit(rows, **FIML).theta, rtol=1e-5, atol=1e-6)


def test_clustered_fiml_ses_match_lavaans_bootstrapLavaan():
    fit = _fit(HSM, **FIML)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bt = bootstrap(fit, 1000, seed=2026)
    # one of lavaan's 1000 refits failed (dropped by lavaan), none of egovsem's
    assert compare_bootstrap_with_lavaan(bt, SUB, "cluster_fiml", lavaan_failed=1) == fit.theta.size == 30
