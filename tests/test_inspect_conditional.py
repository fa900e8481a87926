"""``inspect("est" | "free" | "se" | "start")`` after WLSMV with exogenous observed covariates (lavaan's ``conditional.x``),
against lavaan 0.6-14's ``lavInspect`` (tests/reference/make_reference_inspect_conditional.R writes
tests/reference/inspect_conditional/<case>.json).

With covariates lavaan's matrices are lambda, theta, psi, beta (when there is one), nu, alpha, tau, delta, gamma
(the regressions on the covariates), cov.x and mean.x (the covariates' sample moments); an item regressed on a
covariate (``A3 ~ age``) is a phantom latent variable. Cases: psych's bfi (A1-A5 on age and education; one
group and by gender; delta and theta; ``group_equal``; A4 and A5 continuous; A1 ~~ A2; a shared label;
``missing="pairwise"``) and data/hs_ordinal.csv with ageyr and sex of HolzingerSwineford1939 (a regression
between the factors; an ordered outcome of a factor and a covariate). Every element of every matrix is compared
(estimates, start values and the free numbers 1e-3, standard errors 1e-2 relative, architecture.md; the start
values are lavaan's rules on the first stage, not where egovsem's optimiser starts), and the names of the
matrices, their rows and columns must be lavaan's, in its order.
"""
from __future__ import annotations

import functools
import json
import warnings

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA, REF
from test_inspect import compare, decode
from test_inspect_phantom import _names_in_order

BFI = pd.read_csv(DATA / "bfi.csv")
_HS = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
ORD = pd.concat([pd.read_csv(DATA / "hs_ordinal.csv"), _HS[["ageyr", "sex"]]], axis=1)
A = [f"A{i}" for i in range(1, 6)]
MIMIC = "A =~ A1 + A2 + A3 + A4 + A5\nA ~ age + education"
DIRECT = MIMIC + "\nA3 ~ age"
HSM = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ ageyr + sex\ntextual ~ sex + visual"
X6 = [f"x{i}" for i in range(1, 7)]

# the models of make_reference_inspect_conditional.R: (syntax, data, options)
CASES = {
    "bfi_mimic": (MIMIC, BFI, {"ordered": A}),
    "bfi_direct_theta": (DIRECT, BFI, {"ordered": A, "parameterization": "theta"}),
    "bfi_mg": (DIRECT, BFI, {"ordered": A, "group": "gender"}),
    "bfi_mg_theta": (DIRECT, BFI, {"ordered": A, "group": "gender", "parameterization": "theta",
                                   "group_equal": ["loadings", "thresholds"]}),
    "bfi_mixed": (MIMIC, BFI, {"ordered": A[:3]}),
    "bfi_mixed_mg": (MIMIC, BFI, {"ordered": A[:3], "group": "gender", "parameterization": "theta"}),
    "hs_ord": (HSM, ORD, {"ordered": X6}),
    "hs_ord_theta": (HSM, ORD, {"ordered": X6, "parameterization": "theta"}),
    "hs_ord_y": ("visual =~ x1 + x2 + x3\nx4 ~ visual + ageyr\nvisual ~ sex", ORD, {"ordered": X6[:4]}),
    "bfi_cov_theta": (MIMIC + "\nA1 ~~ A2", BFI, {"ordered": A, "parameterization": "theta"}),
    "bfi_labels": ("A =~ A1 + a*A2 + a*A3 + A4 + A5\nA ~ age + education", BFI, {"ordered": A}),
    "bfi_pairwise": (MIMIC, BFI, {"ordered": A, "missing": "pairwise"}),
}


@functools.cache
def fit_of(case: str):
    """The egovsem fit of a case (lavaan's warnings, e.g. rows with a missing covariate deleted, silenced)."""
    model, data, kw = CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return egovsem.sem(model, data, estimator="WLSMV", **kw)


def _str_keys(x):
    """lavaan's list names are strings (group labels 1, 2 of bfi's gender)."""
    if isinstance(x, dict) and not all(isinstance(v, pd.DataFrame) for v in x.values()):
        return {str(k): _str_keys(v) for k, v in x.items()}
    return x


@pytest.mark.parametrize("case", list(CASES))
def test_conditional_matrices_match_lavinspect(case):
    fit = fit_of(case)
    ref = json.loads((REF / "inspect_conditional" / f"{case}.json").read_text())
    problems = []
    for what in ("est", "free", "se", "start"):
        lav = decode(ref[what])
        ours = _str_keys(fit.inspect(what))
        problems += _names_in_order(ours, lav, what)
        problems += compare(ours, lav, what, "se" if what == "se" else "est")
    assert not problems, "\n".join(problems)


def test_an_item_regressed_on_a_covariate_is_a_phantom():
    """A3 ~ age: A3 is a latent variable (unit loading, its residual variance in psi, its loading in beta), the
    slope is in gamma; the covariates' moments are cov.x and mean.x, not free."""
    fit = fit_of("bfi_direct_theta")
    est, free = fit.inspect("est"), fit.inspect("free")
    assert list(est) == ["lambda", "theta", "psi", "beta", "nu", "alpha", "tau", "delta", "gamma", "cov.x",
                         "mean.x"]
    assert est["lambda"].loc["A3", "A3"] == 1.0 and free["lambda"].loc["A3", "A3"] == 0
    assert est["gamma"].loc["A3", "age"] == pytest.approx(float(fit.params.query("lhs == 'A3' and op == '~'")["est"].iloc[0]))
    assert (free["cov.x"].to_numpy() == 0).all()
    with pytest.raises(ValueError, match="'what' parameter"):
        fit.inspect("nonsense")


def test_multigroup_inspect_counts_and_a_bad_what():
    fit = fit_of("bfi_mg")
    assert fit.inspect("ngroups") == 2 and fit.inspect("group.label") == list(fit.group_labels)
    assert fit.inspect("nobs") == [int(n) for n in fit.nobs]
    assert fit_of("bfi_mixed").inspect("nobs") == int(fit_of("bfi_mixed").nobs[0])
    with pytest.raises(ValueError, match="'what' parameter must be one of .* Got 'nonsense'"):
        fit.inspect("nonsense")
