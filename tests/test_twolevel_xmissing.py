"""Two-level model with missing values in fixed covariates, against lavaan 0.6-14
(tests/reference/make_reference_twolevel_xmissing.R): with missing = 'ml' lavaan deletes the rows with a
missing fixed.x covariate (level 1 x1 or level 2 w1) with a warning, and fits the rest."""
from __future__ import annotations

from pathlib import Path

import egovsem
import pandas as pd
import pytest
from _twolevel_models import FIT_ALL, TUTORIAL, close
from egovsem._errors import MissingDataWarning

REF = Path(__file__).parent / "reference" / "twolevel_xmissing"
FIT = FIT_ALL


# The level-2 fixed.x rows under missing = "ml": lavaan takes them from its H1 (saturated) fit, which for
# two-level FIML is an nlminb run of an unrestricted Cholesky model with rel.tol = 1e-7
# (lavaan:::lav_h1_implied_logl), not the sample moments; w1 ~~ w1 comes out 0.87137 where the cluster values'
# variance (divisor J) is 0.87002. lavaan disagrees with itself here: its listwise fit of the same 2496 complete
# rows (listwise_params.csv) reports 0.87002, while its missing = "ml" fit reports 0.871 even on the complete
# Demo.twolevel (no missing value at all), where the complete-data fit reports 0.87002. The exact
# ML estimate of a complete between-only covariate's moments is its sample moments (the cluster density
# factors as p(w_j) p(y_j | w_j)), which egovsem reports; so these five rows are compared with lavaan's
# listwise values, every other row and all fit measures with the missing = "ml" fit.
LEVEL2_X_ROWS = {("w1", "~~", "w1", 2), ("w1", "~~", "w2", 2), ("w2", "~~", "w2", 2), ("w1", "~1", "", 2),
                 ("w2", "~1", "", 2)}


def _rows(case: str) -> dict[tuple[str, str, str, int], tuple[float, float]]:
    ref = pd.read_csv(REF / f"{case}_params.csv", keep_default_na=False, na_values=[""])
    return {(r.lhs, r.op, r.rhs if isinstance(r.rhs, str) else "", int(r.level)): (r.est, r.se)
            for r in ref.itertuples()}


def _check(fit, case: str) -> None:
    info = pd.read_csv(REF / "info.csv").set_index("case")
    assert fit.nobs == info.loc[case, "nobs"] and fit.nclusters == info.loc[case, "nclusters"]
    ref = _rows(case)
    if case == "ml":
        listwise = _rows("listwise")
        ref.update({k: listwise[k] for k in LEVEL2_X_ROWS})
    pe = fit.parameter_estimates()
    got = {(r.lhs, r.op, r.rhs if isinstance(r.rhs, str) else "", int(r.level)): (r.est, r.se)
           for r in pe.itertuples()}
    assert len(got) == len(ref) == len(pe)
    for key, (ref_est, ref_se) in ref.items():
        est, se = got[key]
        assert close(est, ref_est, 1e-3), (key, est, ref_est)
        assert abs(se - ref_se) <= 1e-2 * ref_se or ref_se == se == 0, (key, se, ref_se)
    fm = pd.read_csv(REF / f"{case}_fit.csv").set_index("measure")["value"]
    for k in FIT:
        assert close(float(fit.fit_measures[k]), float(fm[k]), 1e-3), (k, fit.fit_measures[k], fm[k])


def test_missing_fixed_covariates_are_deleted_with_a_warning_under_fiml() -> None:
    d = pd.read_csv(REF / "demo_xmissing.csv")
    lavaan_warning = pd.read_csv(REF / "warnings.csv").set_index("case").loc["ml", "warning"]
    assert "4 cases were deleted due to missing values in exogenous variable(s)" in lavaan_warning
    with pytest.warns(MissingDataWarning, match=r"4 rows were deleted due to missing values in the fixed covariates "
                                                r"\['x1', 'w1'\] .*data rows \[3, 50, 67, 777\]"):
        fit = egovsem.sem(TUTORIAL, d, cluster="cluster", missing="ml")
    assert fit.converged
    _check(fit, "ml")


def test_missing_values_are_deleted_listwise_by_default() -> None:
    """lavaan's default missing = 'listwise' deletes the same 4 rows (lavaan without a warning; egovsem warns,
    as its single-level listwise deletion does)."""
    d = pd.read_csv(REF / "demo_xmissing.csv")
    assert "listwise" not in set(pd.read_csv(REF / "warnings.csv")["case"])
    with pytest.warns(MissingDataWarning, match=r"listwise deletion: 4 of 2500 rows .*data rows \[3, 50, 67, 777\]"):
        fit = egovsem.sem(TUTORIAL, d, cluster="cluster")
    assert fit.converged
    _check(fit, "listwise")
