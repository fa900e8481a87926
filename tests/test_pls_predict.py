"""PLSpredict (issue 15): ``fit.predict()`` / ``egovsem.pls.predict_pls``, seminr's ``predict_pls``.

seminr's test fixtures (sem-in-r/seminr, tests/fixtures/V_3_6_0, commit ae2524a) hold no PLSpredict numbers
and R seminr is not installed, so there is no external reference. The tests check each step against a closed
form computed independently here, on the fold assignment the result reports:

* the LM benchmark is out-of-fold OLS with intercept (numpy.linalg.lstsq in the test), and under leave-one-out
  its residuals are the PRESS residuals ``e_i / (1 - h_ii)`` of the full-sample regression;
* the PLS predictions of a fold come from ``egovsem.pls`` fitted on the training rows through the public API
  (weights, paths, loadings), the held-out rows standardised with the training means and SDs (direct
  antecedents: ``Y B``; earliest antecedents: through the paths from the exogenous constructs);
* Q2_predict is ``1 - SSE / SSE`` of the training-fold means; RMSE and MAE from the residuals;
* repetitions average the predictions of the single repetitions.
"""
from __future__ import annotations

import egovsem
import numpy as np
import pandas as pd
import pytest
from _pls_models import CORP_REP_SIMPLE, MOBI4, corp_rep, mobi
from egovsem import EgovsemError
from egovsem.pls import PLSPredict, predict_pls

MEDIATION = MOBI4 + "Value ~ Image + Expectation\n"


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return mobi()


@pytest.fixture(scope="module")
def fit(data):
    return egovsem.pls(MEDIATION, data)


def _by_hand(fit, data: pd.DataFrame, folds: np.ndarray, technique: str) -> pd.DataFrame:
    """Out-of-sample PLS predictions of the endogenous indicators, from public results of fold-wise fits."""
    spec = fit.spec
    items = [x for c in spec.endogenous for x in spec.blocks[c]]
    out = pd.DataFrame(np.nan, index=data.index, columns=items)
    X = data[list(spec.indicators)]
    for g in np.unique(folds):
        test = folds == g
        train_fit = egovsem.pls(MEDIATION, data[~test], weighting=fit.settings["weighting"])
        Xtr = X[~test]
        Z = (X[test] - Xtr.mean()) / Xtr.std(ddof=1)
        Y = Z.to_numpy() @ train_fit.weights.to_numpy()
        Y = pd.DataFrame(Y, columns=train_fit.weights.columns, index=Z.index)
        paths = train_fit.params.query("op == '~'")
        pred = Y.copy()
        if technique == "DA":
            for c in spec.endogenous:
                pp = paths[paths["lhs"] == c]
                pred[c] = sum(Y[r] * b for r, b in zip(pp["rhs"], pp["est"]))
        else:
            for c in ("Value", "Satisfaction"):  # causal order of MEDIATION
                pp = paths[paths["lhs"] == c]
                pred[c] = sum(pred[r] * b for r, b in zip(pp["rhs"], pp["est"]))
        for x in items:
            c = next(k for k in spec.endogenous if x in spec.blocks[k])
            lam = train_fit.loadings.loc[x, c]
            out.loc[test, x] = pred[c] * lam * Xtr[x].std(ddof=1) + Xtr[x].mean()
    return out


@pytest.mark.parametrize("technique", ["DA", "EA"])
def test_pls_predictions_equal_the_fold_wise_fits(fit, data, technique):
    p = fit.predict(technique=technique, folds=5, seed=11)
    assert isinstance(p, PLSPredict) and p.n_folds == 5 and p.reps == 1 and p.seed == 11
    assert p.folds.shape == (1, len(data)) and sorted(np.bincount(p.folds[0]).tolist()) == [50] * 5
    exp = _by_hand(fit, data, p.folds[0], technique)
    assert list(p.predictions.columns) == ["PERV1", "PERV2", "CUSA1", "CUSA2", "CUSA3"]
    assert np.abs(p.predictions.to_numpy() - exp.to_numpy()).max() < 1e-10
    e = data[exp.columns].to_numpy() - exp.to_numpy()
    assert np.allclose(p.items["rmse"], np.sqrt((e ** 2).mean(axis=0)), atol=1e-12)
    assert np.allclose(p.items["mae"], np.abs(e).mean(axis=0), atol=1e-12)
    assert np.allclose(p.residuals.to_numpy(), e, atol=1e-10)


def test_direct_and_earliest_antecedents_differ_only_through_a_mediator(fit, data):
    da, ea = fit.predict(technique="DA", seed=3), fit.predict(technique="ea", seed=3)
    # Value's predecessors are exogenous: the same predictions; Satisfaction has the mediator Value
    assert np.allclose(da.predictions[["PERV1", "PERV2"]], ea.predictions[["PERV1", "PERV2"]], atol=1e-12)
    assert np.abs(da.predictions["CUSA1"] - ea.predictions["CUSA1"]).max() > 1e-3
    flat = egovsem.pls(MOBI4, data)  # no mediator: DA and EA coincide
    assert np.allclose(flat.predict(seed=3).predictions, flat.predict(technique="EA", seed=3).predictions,
                       atol=1e-12)


def test_lm_benchmark_is_out_of_fold_ols(fit, data):
    p = fit.predict(folds=10, seed=5)
    f = p.folds[0]
    X = data[list(fit.spec.indicators)]
    for c in fit.spec.endogenous:
        preds = [x for x in fit.spec.indicators if x not in fit.spec.blocks[c]]
        for y in fit.spec.blocks[c]:
            exp = np.empty(len(data))
            for g in range(10):
                te = f == g
                A = np.column_stack([np.ones((~te).sum()), X.loc[~te, preds]])
                b = np.linalg.lstsq(A, X.loc[~te, y], rcond=None)[0]
                exp[te] = np.column_stack([np.ones(te.sum()), X.loc[te, preds]]) @ b
            assert np.abs(p.lm_predictions[y].to_numpy() - exp).max() < 1e-10, y
            e = X[y].to_numpy() - exp
            assert p.items.loc[y, "lm.rmse"] == pytest.approx(np.sqrt(np.mean(e ** 2)), abs=1e-12)
            assert p.items.loc[y, "lm.mae"] == pytest.approx(np.mean(np.abs(e)), abs=1e-12)
    assert np.allclose(p.items["rmse.diff"], p.items["rmse"] - p.items["lm.rmse"])


def test_q2_predict_against_the_training_fold_means(fit, data):
    p = fit.predict(folds=10, seed=8)
    f = p.folds[0]
    for y in p.items.index:
        naive = np.empty(len(data))
        for g in range(10):
            naive[f == g] = data.loc[f != g, y].mean()
        sse = ((data[y] - p.predictions[y]) ** 2).sum()
        assert p.items.loc[y, "q2_predict"] == pytest.approx(1 - sse / ((data[y] - naive) ** 2).sum(), abs=1e-12)
    assert (p.items["q2_predict"] > 0).all()  # mobi: every endogenous indicator is predicted better than the mean


def test_leave_one_out_lm_residuals_are_press_residuals(data):
    fit = egovsem.pls(MOBI4, data)
    p = fit.predict(folds=None, seed=1)
    assert p.n_folds == len(data) and sorted(set(np.bincount(p.folds[0]).tolist())) == [1]
    preds = [x for x in fit.spec.indicators if x not in fit.spec.blocks["Satisfaction"]]
    A = np.column_stack([np.ones(len(data)), data[preds]])
    H = A @ np.linalg.pinv(A)
    e = data["CUSA2"].to_numpy() - H @ data["CUSA2"].to_numpy()
    press = e / (1 - np.diag(H))
    assert np.abs((data["CUSA2"] - p.lm_predictions["CUSA2"]).to_numpy() - press).max() < 1e-9


def test_in_sample_predictions_with_two_folds(fit, data):
    """With 2 folds each row is in one training set: its in-sample prediction is that model's fit of it, and
    that model predicts the other fold out of sample, so the in-sample RMSE is the one of a model on its own
    rows."""
    p = fit.predict(folds=2, seed=4)
    f = p.folds[0]
    half = data[f == 0]
    own = egovsem.pls(MEDIATION, half)
    # closed form of the in-sample prediction of half 0 by the model trained on half 0 (DA)
    X = half[list(fit.spec.indicators)]
    Z = (X - X.mean()) / X.std(ddof=1)
    Y = pd.DataFrame(Z.to_numpy() @ own.weights.to_numpy(), columns=own.weights.columns, index=X.index)
    paths = own.params.query("op == '~' and lhs == 'Satisfaction'")
    s = sum(Y[r] * b for r, b in zip(paths["rhs"], paths["est"]))
    cusa1 = s * own.loadings.loc["CUSA1", "Satisfaction"] * X["CUSA1"].std(ddof=1) + X["CUSA1"].mean()
    e_in = np.r_[(half["CUSA1"] - cusa1).to_numpy()]
    # rows of fold 1 are predicted in-sample by the model trained on fold 1: compute it the same way
    other = data[f == 1]
    own1 = egovsem.pls(MEDIATION, other)
    X1 = other[list(fit.spec.indicators)]
    Z1 = (X1 - X1.mean()) / X1.std(ddof=1)
    Y1 = pd.DataFrame(Z1.to_numpy() @ own1.weights.to_numpy(), columns=own1.weights.columns, index=X1.index)
    paths1 = own1.params.query("op == '~' and lhs == 'Satisfaction'")
    s1 = sum(Y1[r] * b for r, b in zip(paths1["rhs"], paths1["est"]))
    c1 = s1 * own1.loadings.loc["CUSA1", "Satisfaction"] * X1["CUSA1"].std(ddof=1) + X1["CUSA1"].mean()
    e_all = np.r_[e_in, (other["CUSA1"] - c1).to_numpy()]
    assert p.in_sample.loc["CUSA1", "rmse"] == pytest.approx(np.sqrt(np.mean(e_all ** 2)), abs=1e-12)
    assert p.in_sample.loc["CUSA1", "mae"] == pytest.approx(np.mean(np.abs(e_all)), abs=1e-12)


def test_repetitions_average_the_predictions(fit, data):
    one = fit.predict(folds=5, reps=1, seed=21)
    two = fit.predict(folds=5, reps=2, seed=21)
    assert np.array_equal(two.folds[0], one.folds[0]) and not np.array_equal(two.folds[0], two.folds[1])
    second = _by_hand(fit, data, two.folds[1], "DA")
    assert np.abs(two.predictions.to_numpy() - (one.predictions.to_numpy() + second.to_numpy()) / 2).max() < 1e-10
    again = fit.predict(folds=5, reps=2, seed=21)
    assert again.items.equals(two.items)
    fresh = fit.predict(folds=5)
    assert isinstance(fresh.seed, int) and fit.predict(folds=5, seed=fresh.seed).items.equals(fresh.items)
    assert "PLSpredict: 5-fold cross-validation, 2 repetition(s) (seed 21)" in str(two)
    assert "<table" in two._repr_html_() and "PLSPredict" in repr(two)


def test_mean_replaced_rows_are_predicted():
    fit = egovsem.pls(CORP_REP_SIMPLE, corp_rep(), missing="mean", missing_value=-99)
    p = predict_pls(fit, folds=10, seed=2)
    assert len(p.actuals) == 344 and not p.actuals.isna().any().any()
    assert not (p.actuals == -99).any().any()
    assert list(p.items["construct"].unique()) == ["CUSA", "CUSL"]


@pytest.mark.parametrize("kwargs, message", [
    ({"technique": "predict_DA"}, "The 'technique' parameter must be one of 'DA', 'EA'. Got 'predict_DA' instead."),
    ({"folds": 1}, "The 'folds' parameter must be an integer of at least 2 and at most 250. Got 1 instead."),
    ({"folds": 251}, "The 'folds' parameter must be an integer of at least 2 and at most 250. Got 251 instead."),
    ({"folds": 2.5}, "The 'folds' parameter must be an integer"),
    ({"reps": 0}, "The 'reps' parameter must be an integer of at least 1. Got 0 instead."),
    ({"seed": -1}, "The 'seed' parameter must be a non-negative integer or None. Got -1 instead."),
])
def test_bad_options(fit, kwargs, message):
    with pytest.raises(EgovsemError) as exc:
        fit.predict(**kwargs)
    assert message in str(exc.value)


def test_not_a_pls_fit(data):
    with pytest.raises(EgovsemError, match="The 'fit' parameter must be the result of egovsem.pls"):
        predict_pls(data)


def test_a_fold_that_cannot_be_estimated_is_named(data):
    d = data.copy()
    d["CUEX3"] = 5.0
    d.loc[0, "CUEX3"] = 6.0  # variance only from row 0: the training rows of its fold are constant
    fit = egovsem.pls(MOBI4, d)
    with pytest.raises(egovsem.DataError, match=r"PLSpredict: the model cannot be estimated on the training "
                                                r"rows of fold \d+ of repetition 1 \(The indicator 'CUEX3'"):
        fit.predict(folds=10, seed=1)


@pytest.mark.parametrize("technique", ["DA", "EA"])
def test_metrics_match_seminr_py(fit, technique):
    """Against seminr-py 0.2.1's predict_pls on the same folds (tests/reference/pls/make_reference_predict.py,
    run with a separate venv's python; egovsem's folds of seed 1 passed as seminr-py's ordering): the PLS RMSE and
    MAE of every endogenous indicator, out of and in sample, whatever the LM's predictors; the LM benchmark's
    with lm_predictors="antecedents" (later seminr versions and seminr-py: the direct antecedents' indicators
    under DA, the exogenous constructs' under EA; egovsem's default "all" is seminr 2.3.1's, every indicator
    outside the block, checked by test_lm_benchmark_is_out_of_fold_ols)."""
    from _pls_models import REF

    ref = pd.read_csv(REF / "predict_seminr_py.csv")
    ref = ref[ref["technique"] == technique]
    assert len(ref) == 4 * 5
    order = np.random.Generator(np.random.PCG64(np.random.SeedSequence(1, spawn_key=(0,)))).permutation(250)
    for lm in ("antecedents", "all"):
        p = fit.predict(folds=10, seed=1, technique=technique, lm_predictors=lm)
        assert np.array_equal(p.folds[0][order], np.arange(250) // 25)  # the folds seminr-py was given
        kinds = [("pls", p.items, "rmse", "mae"), ("pls_in", p.in_sample, "rmse", "mae")]
        if lm == "antecedents":
            kinds += [("lm", p.items, "lm.rmse", "lm.mae"), ("lm_in", p.in_sample, "lm.rmse", "lm.mae")]
        for kind, table, rmse, mae in kinds:
            r = ref[ref["kind"] == kind].set_index("item")
            assert sorted(r.index) == sorted(table.index)
            assert np.allclose(table.loc[r.index, rmse], r["rmse"], rtol=0, atol=1e-9), (kind, lm)
            assert np.allclose(table.loc[r.index, mae], r["mae"], rtol=0, atol=1e-9), (kind, lm)
    with pytest.raises(EgovsemError, match="The 'lm_predictors' parameter must be one of 'all', 'antecedents'"):
        fit.predict(lm_predictors="some")


INTERACTION_MODELS = {
    "moderation": MOBI4.replace("Satisfaction ~ Image + Expectation + Value",
                                "Satisfaction ~ Image + Expectation + Value + Image:Expectation + Image:Value"),
    "chain": MOBI4.replace("Satisfaction ~ Image + Expectation + Value",
                           "Satisfaction ~ Image + Expectation + Value + Image:Expectation")
             + "Value ~ Image + Expectation\n",
}


@pytest.mark.parametrize("model", sorted(INTERACTION_MODELS))
@pytest.mark.parametrize("method", ["two_stage", "product_indicator", "orthogonal"])
def test_interaction_models_match_seminr_py(data, model, method):
    """PLSpredict of interaction models (refused before; seminr 2.3.1 refuses them, seminr >= 2.3.2 and
    seminr-py predict them) against seminr-py 0.2.1's predict_pls on the same folds
    (tests/reference/pls/make_reference_predict_interactions.py, run with a separate venv's python): every row,
    the PLS and LM (lm_predictors="antecedents") RMSE and MAE of every endogenous indicator, out of and in sample,
    DA and EA. Each training fold re-runs the whole procedure; the held-out rows' product indicators are rebuilt
    from the training fold, the two-stage indicator is the full-sample one (seminr-py's convention,
    egovsem.pls.predict._interaction_fold)."""
    from _pls_models import REF

    assert "Satisfaction ~ Image + Expectation + Value\n" in MOBI4
    ref = pd.read_csv(REF / "predict_interactions_seminr_py.csv")
    ref = ref[(ref["model"] == model) & (ref["method"] == method)]
    n_items = 3 if model == "moderation" else 5
    assert len(ref) == 2 * 4 * n_items
    fit = egovsem.pls(INTERACTION_MODELS[model], data, interaction=method)
    for technique in ("DA", "EA"):
        p = fit.predict(folds=10, seed=1, technique=technique, lm_predictors="antecedents")
        for kind, table, rmse, mae in [("pls", p.items, "rmse", "mae"), ("pls_in", p.in_sample, "rmse", "mae"),
                                       ("lm", p.items, "lm.rmse", "lm.mae"), ("lm_in", p.in_sample, "lm.rmse", "lm.mae")]:
            r = ref[(ref["technique"] == technique) & (ref["kind"] == kind)].set_index("item")
            assert sorted(r.index) == sorted(table.index)
            assert np.allclose(table.loc[r.index, rmse], r["rmse"], rtol=0, atol=1e-9), (technique, kind)
            assert np.allclose(table.loc[r.index, mae], r["mae"], rtol=0, atol=1e-9), (technique, kind)


def test_interaction_refusals(data):
    """PLSpredict of an interaction model with PLSc or a higher-order construct: not checked against a
    reference, refused by name."""
    m = INTERACTION_MODELS["moderation"]
    fit = egovsem.pls(m, data, consistent=True)
    with pytest.raises(egovsem.NotAvailableError, match=r"interaction terms Image:Expectation, Image:Value and "
                                                        r"PLSc \(consistent=True\) is not available"):
        fit.predict(seed=1)
