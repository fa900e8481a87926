"""A fit that did not converge is never used silently (issue 10, item 3): tables, measures and ``egovsem run``
refuse it, naming the model and what to try; its summary says so in the first line; the not-identified advice
is kept for models that are not identified at a converged solution (lavaan: converged, "the information
matrix could not be inverted ... not identified")."""
from __future__ import annotations

import importlib
import json
import warnings

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA
from egovsem import ConvergenceWarning, IdentificationError, NotConvergedError

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
HS_SEM = HS + "\nspeed ~ a*visual + textual\ntextual ~ b*visual\nab := a*b"
ADVICE = ("std_lv=True", "start values", "another marker indicator", "iter_max")


def _refusal(err, what: str, model: str) -> None:
    msg = str(err.value)
    assert msg.startswith(f"{what}: the model {model!r} did not converge after 2 iterations"), msg
    assert all(a in msg for a in ADVICE), msg
    assert "\n" not in msg and "Fix a loading" not in msg


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(DATA / "HolzingerSwineford1939.csv")


@pytest.fixture(scope="module")
def stalled(hs):
    """The HS CFA and SEM stopped after 2 iterations (lavaan with iter.max = 2: converged FALSE)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return egovsem.cfa(HS, hs, iter_max=2), egovsem.sem(HS_SEM, hs, iter_max=2)


@pytest.fixture
def capped(monkeypatch):
    """egovsem.sem as the library's entry points call it, with the optimiser stopped after 2 iterations."""
    pkg = importlib.import_module("egovsem.sem")
    real = pkg.sem

    def sem(model, data, **kw):
        kw["iter_max"] = 2
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return real(model, data, **kw)

    monkeypatch.setattr(pkg, "sem", sem)


# -- the summary --------------------------------------------------------------------------------------------
def test_summary_says_it_first(stalled):
    fit = stalled[0]
    lines = fit.summary().split("\n")
    assert lines[0] == ("** The model did NOT converge after 2 iterations: estimates, standard errors and fit "
                        "measures are not trustworthy **")
    assert all(a in lines[1] for a in ADVICE)
    assert fit._repr_html_().startswith("<div class='egovsem-results'><p><b style='color:#b00'>** The model did NOT "
                                        "converge after 2 iterations")


def test_converged_summary_has_no_warning_line(hs):
    assert fit_first_line(egovsem.cfa(HS, hs)).startswith("egovsem ")


def fit_first_line(fit) -> str:
    return fit.summary().split("\n")[0]


def test_wlsmv_summary_says_it_first():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = egovsem.cfa(HS, pd.read_csv(DATA / "hs_ordinal.csv"), ordered=True, iter_max=1)
    assert not fit.converged
    assert fit_first_line(fit).startswith("** The model did NOT converge after 1 iterations")


def test_cli_fit_says_it_first_and_in_json(tmp_path, capsys, capped):
    from egovsem.cli import main

    (tmp_path / "hs.lav").write_text(HS + "\n", encoding="utf-8")
    out = tmp_path / "fit.json"
    assert main(["fit", str(tmp_path / "hs.lav"), str(DATA / "HolzingerSwineford1939.csv"), "--json", str(out)]) == 1
    assert capsys.readouterr().out.startswith("** The model did NOT converge after 2 iterations")
    assert json.loads(out.read_text(encoding="utf-8"))["converged"] is False


# -- tables ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("builder", ["latent_correlations", "correlation_table", "measurement_table",
                                     "hypotheses_table", "indirect_table"])
def test_tables_refuse(stalled, builder):
    import egovsem.tables as tables

    fit = stalled[1]
    with pytest.raises(NotConvergedError) as err:
        getattr(tables, builder)(fit)
    _refusal(err, builder, "visual =~ x1 + x2 + x3")


def test_fit_table_refuses_naming_the_model(stalled):
    from egovsem.tables import fit_table

    with pytest.raises(NotConvergedError) as err:
        fit_table({"Measurement model (CFA)": stalled[0]})
    _refusal(err, "fit_table", "Measurement model (CFA)")


def test_model_tables_refuse(hs, stalled):
    from egovsem.tables import model_tables

    with pytest.raises(NotConvergedError) as err:
        model_tables(HS_SEM, hs, fit=stalled[1], cfa_fit=stalled[0])
    _refusal(err, "model_tables", "visual =~ x1 + x2 + x3")
    with pytest.raises(NotConvergedError) as err:
        model_tables(HS_SEM, hs, cfa_fit=stalled[0])
    _refusal(err, "model_tables", "measurement model (CFA)")


# -- measures -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("func", ["composite_reliability", "ave", "fornell_larcker"])
def test_measures_refuse(stalled, func):
    import egovsem.measure as measure

    with pytest.raises(NotConvergedError) as err:
        getattr(measure, func)(stalled[0])
    _refusal(err, func, "visual =~ x1 + x2 + x3")


@pytest.mark.parametrize("func", ["reliability_table", "measure_report"])
def test_measure_reports_refuse(hs, stalled, func):
    import egovsem.measure as measure

    with pytest.raises(NotConvergedError) as err:
        getattr(measure, func)(stalled[0], hs)
    _refusal(err, func, "visual =~ x1 + x2 + x3")


def test_invariance_refuses_the_step(hs, capped):
    from egovsem.measure import invariance

    with pytest.raises(NotConvergedError) as err:
        invariance(HS, hs, "school", steps=("configural", "metric"))
    _refusal(err, "invariance", "configural step (visual =~ x1 + x2 + x3)")


# -- egovsem run ----------------------------------------------------------------------------------------------
def test_run_refuses_a_model_that_does_not_converge(tmp_path, capped):
    from egovsem.study.config import example_config
    from egovsem.study.pipeline import run_study

    with pytest.raises(NotConvergedError) as err:
        run_study(example_config(tmp_path, models=["strategic_triangle"], formats=["md"]))
    _refusal(err, "egovsem run", "strategic_triangle")


# -- identification advice only at a converged solution --------------------------------------------------------
FREE_SCALE = "visual =~ NA*x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


def test_not_identified_at_a_converged_solution_gets_the_identification_advice(hs):
    """The free first loading and the free variance of 'visual' (lavaan 0.6-14 converges and warns that the
    information matrix could not be inverted, "a symptom that the model is not identified")."""
    with pytest.raises(IdentificationError, match=r"not identified.*visual ~~ visual.*Fix a loading or a variance"):
        egovsem.cfa(FREE_SCALE, hs)


def test_a_singular_information_before_convergence_gets_the_convergence_advice(hs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = egovsem.cfa(FREE_SCALE, hs, iter_max=2)
    assert not fit.converged
    msgs = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    singular = [m for m in msgs if "singular" in m]
    assert len(singular) == 1 and all(a in singular[0] for a in ADVICE)
    assert not any("not identified" in m or "Fix a loading" in m for m in msgs)
