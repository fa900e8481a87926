"""Bad input to the engine: each case fails (or warns) with a message that names the problem."""
from __future__ import annotations

import warnings

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA
from egovsem import ConvergenceWarning, DataError, HeywoodWarning, IdentificationError, ModelSyntaxError
from egovsem._errors import EgovsemError, MissingDataWarning, NotAvailableError
from egovsem.datasets import load

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


@pytest.fixture(scope="module")
def hs():
    return load("HolzingerSwineford1939")


def test_syntax_error_names_line_and_text(hs):
    with pytest.raises(ModelSyntaxError, match=r"line 2: no operator .*'textual x4 \+ x5'"):
        egovsem.sem("visual =~ x1 + x2 + x3\ntextual x4 + x5", hs)
    with pytest.raises(ModelSyntaxError, match=r"line 1: an empty term"):
        egovsem.sem("visual =~ x1 + + x3", hs)
    with pytest.raises(ModelSyntaxError, match=r"line 3: .*specified twice"):
        egovsem.sem("f =~ x1 + x2 + x3\nx1 ~~ x2\nx2 ~~ x1", hs)


def test_unknown_variable_is_named(hs):
    with pytest.raises(DataError, match=r"not columns of 'data': 'x99'"):
        egovsem.sem("f =~ x1 + x2 + x99", hs)
    with pytest.raises(DataError, match=r"'X1' \(did you mean 'x1'\?\)"):
        egovsem.sem("f =~ X1 + x2 + x3", hs)


def test_text_in_numeric_column_names_column_row_value(hs):
    bad = hs.copy()
    bad["x2"] = bad["x2"].astype(object)
    bad.loc[17, "x2"] = "n/a"
    with pytest.raises(DataError, match=r"Column 'x2' .* row 17: 'n/a'"):
        egovsem.cfa(HS, bad)


def test_constant_column(hs):
    bad = hs.copy()
    bad["x3"] = 4.0
    with pytest.raises(DataError, match=r"'x3' \(always 4\)"):
        egovsem.cfa(HS, bad)


def test_fewer_rows_than_variables(hs):
    with pytest.raises(DataError, match=r"5 complete rows but the model has 9 observed variables"):
        egovsem.cfa(HS, hs.iloc[:5])


def test_unidentified_negative_df(hs):
    with pytest.raises(IdentificationError, match=r"not identified: it has 7 free parameters .* only 6"):
        egovsem.cfa("f =~ x1 + x2 + x3\nx1 ~~ x2", hs)


def test_unidentified_singular_information(hs):
    # a two-indicator factor uncorrelated with the rest: df = 5 but its loading and variance are not identified
    with pytest.raises(IdentificationError, match=r"information matrix is singular"):
        egovsem.cfa("f =~ x1 + x2\ng =~ x3 + x4 + x5\nf ~~ 0*g", hs)


def test_non_convergence_sets_flag_and_warns(hs):
    with pytest.warns(ConvergenceWarning, match=r"did not converge after 2 iterations"):
        fit = egovsem.cfa(HS, hs, iter_max=2)
    assert fit.converged is False
    # lavaan (control = list(iter.max = 2)) also reports converged = FALSE (tests/reference/ml/hs_nonconv_info.csv)
    from _refcompare import read_kv

    assert read_kv("hs_nonconv", "info")["converged"] == "FALSE"


def test_heywood_warns_and_names_variable(hs):
    with pytest.warns(HeywoodWarning, match=r"x9 ~~ x9 is estimated negative"):
        egovsem.cfa("visual =~ x1 + x2 + x3\nspeed =~ x7 + x9", hs)


def test_listwise_deletion_reports_dropped_rows():
    from _refcompare import DATA, read_kv

    df = pd.read_csv(DATA / "hs_missing.csv")
    with pytest.warns(MissingDataWarning, match=r"107 of 301 rows .* 194 rows are analysed"):
        fit = egovsem.cfa(HS, df)
    info = read_kv("hs_missing_listwise", "info")
    assert fit.n_dropped == int(info["n_dropped_rows"]) == 107
    assert fit.to_dict()["n_dropped"] == 107


def test_bad_option_values(hs):
    with pytest.raises(EgovsemError, match=r"The 'estimator' parameter must be one of .* Got 'ml2' instead"):
        egovsem.sem(HS, hs, estimator="ml2")
    with pytest.raises(EgovsemError, match=r"The 'missing' parameter must be one of .* Got 'pairwse'"):
        egovsem.sem(HS, hs, missing="pairwse")
    # missing="pairwise" with ML was refused here until issue 11 implemented it (tests/test_pairwise_ml.py);
    # with MLR it is refused with lavaan's reason
    with pytest.raises(EgovsemError, match=r"missing='pairwise' with estimator='MLR' is not possible"):
        egovsem.sem(HS, hs, missing="pairwise", estimator="MLR")


# se="robust", ULS and GLS were refused here until issue 11 implemented them (tests/test_estimators.py)
# test="mean.var.adjusted" with ML was refused here until issue 11 implemented it (tests/test_mva.py)
# ULS with test="mean.var.adjusted" / "satorra.bentler" was refused here until issue 11 implemented it
# (tests/test_ls_tests.py)
@pytest.mark.parametrize("kw", [{"estimator": "DWLS"}])
def test_later_options_are_refused_not_ignored(hs, kw):
    with pytest.raises(NotAvailableError, match="not available yet"):
        egovsem.sem(HS, hs, **kw)


def test_wlsmv_needs_ordered_and_ordered_switches_estimator(hs):
    with pytest.raises(EgovsemError, match=r"estimator='WLSMV' needs the ordinal items"):
        egovsem.sem(HS, hs, estimator="WLSMV")
    with pytest.raises(EgovsemError, match=r"estimator='MLR' cannot be used with ordered indicators"):
        egovsem.sem(HS, hs, estimator="MLR", ordered=True)


def test_defined_parameter_with_unknown_label(hs):
    with pytest.raises(ModelSyntaxError, match=r"line 2: the defined parameter 'ab' uses \['b'\]"):
        _ = egovsem.sem("f =~ x1 + a*x2 + x3\nab := a*b", hs).params


def test_data_not_a_dataframe():
    with pytest.raises(DataError, match=r"must be a pandas DataFrame. Got ndarray"):
        egovsem.sem("f =~ x1 + x2 + x3", np.zeros((10, 3)))


def test_warnings_point_at_the_callers_line(hs):
    # raised deep inside the engine (estimate, checks, data), shown at the line that called egovsem
    bfi = pd.read_csv(DATA / "bfi.csv")
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        egovsem.sem("A =~ A1 + A2 + A3", bfi)  # listwise deletion
        egovsem.cfa("visual =~ x1 + x2 + x3\nspeed =~ x7 + x9", hs)  # Heywood case
    kinds = {w.category for w in rec}
    assert MissingDataWarning in kinds and HeywoodWarning in kinds
    assert all(w.filename == __file__ for w in rec if issubclass(w.category, (MissingDataWarning, HeywoodWarning)))


def test_modindices_and_inspect_check_their_arguments(hs):
    fit = egovsem.cfa("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6", hs)
    with pytest.raises(EgovsemError, match=r"The 'minimum_value' parameter must be a number. Got 'a' instead"):
        fit.modindices(minimum_value="a")
    with pytest.raises(EgovsemError, match=r"The 'sort' parameter must be True or False"):
        fit.modindices(sort="yes")
    from egovsem.sem.inspect import information_matrix

    with pytest.raises(EgovsemError, match=r"'kind'"):
        information_matrix(fit, "obs")
