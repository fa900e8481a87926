"""Interaction terms (issue 15): ``Y ~ X + M + X:M`` with ``interaction="orthogonal" / "product_indicator" /
"two_stage"``, seminr's ``interaction_term(iv, moderator, method)``.

References (seminr commit ae2524a, tests/fixtures/V_3_6_0; tests/reference/pls/README.md):
test-pls.r's coefficients.csv / weights.csv / constructscores.csv (orthogonal) and coefficients2.csv /
weights2.csv / constructscores2.csv (product indicator), both ``inner_weights = path_factorial``; test-hoc.R's
hoc_2si-paths.csv / hoc_2si-loadings.csv / hoc-_2siweights.csv (a higher-order construct and a two-stage
interaction, path weighting). seminr names an interaction ``X*M`` and its items ``x*m``; egovsem ``X:M`` and
``x:m``. Every nonzero fixture cell is matched within 1e-5.
"""
from __future__ import annotations

import egovsem
import numpy as np
import pandas as pd
import pytest
from _pls_models import MOBI4, MOBI_HOC_2SI, MOBI_INTERACTIONS, matrix_cells, matrix_paths, mobi, ref
from egovsem import ModelSyntaxError

TOL = 1e-5


@pytest.fixture(scope="module")
def data():
    return mobi()


def _seminr(name: str) -> str:
    return name.replace(":", "*")


def _rows(fit, op):
    p = fit.params[fit.params["op"] == op]
    return {(_seminr(r.lhs), _seminr(r.rhs)): float(r.est) for r in p.itertuples()}


def _match(ours: dict, exp: dict) -> float:
    assert set(ours) == set(exp), sorted(set(ours) ^ set(exp))
    return max(abs(ours[k] - v) for k, v in exp.items())


@pytest.mark.parametrize("method, suffix", [("orthogonal", ""), ("product_indicator", "2")])
def test_interactions_match_seminr(data, method, suffix):
    fit = egovsem.pls(MOBI_INTERACTIONS, data, weighting="factorial", interaction=method)
    coef = ref(f"coefficients{suffix}.csv")
    exp = {(k[0], k[1]): v for k, v in matrix_paths(coef).items()}
    assert _match(_rows(fit, "~"), exp) <= TOL and len(exp) == 5
    w = matrix_cells(ref(f"weights{suffix}.csv"))
    assert _match(_rows(fit, "<~"), w) <= TOL and len(w) == 13 + 15 + 10
    scores = ref(f"constructscores{suffix}.csv")
    ours = fit.scores.rename(columns=_seminr)[scores.columns].to_numpy()
    assert np.abs(ours - scores.to_numpy()).max() <= TOL
    assert fit.interactions == {"Image:Expectation": method, "Image:Value": method}
    assert list(fit.spec.blocks["Image:Expectation"])[:2] == ["IMAG1:CUEX1", "IMAG1:CUEX2"]


def test_two_stage_interaction_with_a_higher_order_construct(data):
    fit = egovsem.pls(MOBI_HOC_2SI, data)  # interaction="two_stage" is the default
    assert _match(_rows(fit, "~"), matrix_paths(ref("hoc_2si-paths.csv"))) <= TOL
    assert _match(_rows(fit, "=~"), matrix_cells(ref("hoc_2si-loadings.csv"))) <= TOL
    assert _match(_rows(fit, "<~"), matrix_cells(ref("hoc-_2siweights.csv"))) <= TOL
    assert fit.spec.blocks["Image:Expectation"] == ("Image:Expectation_intxn",)
    assert fit.higher_order == {"Nick": ("Quality", "Loyalty")}


def test_two_stage_indicator_is_the_product_of_stage_one_scores(data):
    m = MOBI4.replace("Satisfaction ~ Image + Expectation + Value",
                      "Satisfaction ~ Image + Expectation + Value + Image:Value")
    fit = egovsem.pls(m, data)
    first = fit.interaction_first_stage
    assert first is not None and set(first.spec.constructs) == {"Image", "Expectation", "Value", "Satisfaction"}
    # the rescaled score of Image:Value is the product of the stage-1 scores itself (seminr's convention)
    prod = first.scores["Image"] * first.scores["Value"]
    assert np.allclose(fit.scores["Image:Value"], prod - prod.mean(), atol=1e-10)
    # so the path is the OLS coefficient of that product among the standardised scores (closed form)
    S = fit.scores
    A = np.column_stack([S["Image"], S["Expectation"], S["Value"], S["Image:Value"]])
    b = np.linalg.lstsq(A, S["Satisfaction"], rcond=None)[0]
    p = fit.params.query("op == '~'").set_index("rhs")["est"]
    assert np.allclose(p[["Image", "Expectation", "Value", "Image:Value"]], b, atol=1e-10)


def test_orthogonal_indicators_are_residuals(data):
    fit = egovsem.pls(MOBI_INTERACTIONS, data, interaction="orthogonal")
    assert fit.settings["interaction"] == "orthogonal"
    # every orthogonalised product is uncorrelated with every main-effect indicator
    R = pd.DataFrame(fit.R, index=fit.spec.indicators, columns=fit.spec.indicators)
    main = list(fit.spec.blocks["Image"] + fit.spec.blocks["Expectation"])
    assert np.abs(R.loc[list(fit.spec.blocks["Image:Expectation"]), main].to_numpy()).max() < 1e-12


def test_missing_values_before_the_products(data):
    d = data.astype(float)
    d.loc[[2, 9], "IMAG3"] = -99
    fit = egovsem.pls(MOBI_INTERACTIONS, d, missing="mean", missing_value=-99, interaction="product_indicator")
    assert fit.nobs == 250 and fit.n_replaced == 2 and fit.missing == "mean"
    lw = egovsem.pls(MOBI_INTERACTIONS, d, missing_value=-99, interaction="product_indicator")
    assert lw.nobs == 248 and lw.n_dropped == 2 and lw.ntotal == 250
    assert "2 dropped" in lw.summary()


@pytest.mark.parametrize("model, message", [
    (MOBI4 + "Satisfaction ~ Image:Image\n", "the interaction 'Image:Image' is of the construct 'Image' with itself"),
    (MOBI4 + "Satisfaction ~ Image:Quality\n", "needs the construct 'Quality', which no =~ / <~ defines"),
    (MOBI4 + "Image:Value ~ Expectation\n", "the interaction term 'Image:Value' cannot be an outcome"),
    (MOBI4 + "Satisfaction ~ Image:Value + Value:Image\n", "'Value:Image' and Image:Value are the same"),
    (MOBI4 + "Satisfaction ~ Image:Value:Expectation\n", "only two-way interactions are available"),
    (MOBI4 + "Satisfaction =~ Image:Value\n", "the interaction term 'Image:Value' cannot be an indicator"),
])
def test_bad_interactions(data, model, message):
    with pytest.raises(ModelSyntaxError) as exc:
        egovsem.pls(model, data)
    assert message in str(exc.value)


def test_refusals(data):
    with pytest.raises(egovsem.EgovsemError, match="The 'interaction' parameter must be one of 'two_stage', "
                                                   "'product_indicator', 'orthogonal'. Got 'pi' instead."):
        egovsem.pls(MOBI_INTERACTIONS, data, interaction="pi")
    # the bootstrap, refused before, re-runs the whole procedure per resample (tests/test_pls_staged_bootstrap.py)
    assert egovsem.pls(MOBI_INTERACTIONS, data, bootstrap=10, seed=1).bootstrap_info["successful"] == 10
    # PLSpredict, refused before, predicts as seminr-py (tests/test_pls_predict.py); refused with PLSc
    assert len(egovsem.pls(MOBI_INTERACTIONS, data).predict(folds=5, seed=1).items) == 3
    fit = egovsem.pls(MOBI_INTERACTIONS, data, consistent=True)
    with pytest.raises(egovsem.NotAvailableError, match="PLSpredict of a model with the interaction terms"):
        fit.predict(seed=1)
    d = data.copy()
    d["IMAG1:CUEX1"] = 1.0
    with pytest.raises(egovsem.DataError, match="has a column named 'IMAG1:CUEX1', the name of an indicator"):
        egovsem.pls(MOBI_INTERACTIONS, d, interaction="product_indicator")
