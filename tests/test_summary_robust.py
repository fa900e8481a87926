"""The fit part of the text summary (``Results.summary()``, ``egovsem fit``) and of the Jupyter view against
what lavaan prints: ``summary(fit, fit.measures = TRUE)`` captured by tests/reference/make_reference_summary.R
into tests/reference/summary/<case>.txt. After MLR (complete data, FIML, multi-group) and WLSMV the summary
has lavaan's two columns, "Standard" and "Scaled", the scaling correction factor (and WLSMV's shift
parameter) and the robust CFI/TLI/RMSEA rows; after ML one column."""
from __future__ import annotations

import re
import warnings

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA, REF, read_kv
from egovsem.cli import main
from egovsem.sem.report import fit_section_lines, fit_section_rows

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"

# case: (data file, cfa() options, reference fit CSV (sub-folder, case) with lavaan's full-precision values)
CASES = {
    "hs_mlr": ("HolzingerSwineford1939.csv", {"estimator": "MLR"}, ("fiml", "hs_mlr")),
    "hs_fiml_mlr": ("hs_missing10.csv", {"estimator": "MLR", "missing": "fiml"}, ("fiml", "hs_fiml_mlr")),
    "configural_mlr": ("HolzingerSwineford1939.csv", {"estimator": "MLR", "group": "school"},
                       ("mg", "configural_mlr")),
    "hs_ord4_wlsmv": ("hs_ordinal.csv", {"estimator": "WLSMV", "ordered": True}, ("wlsmv", "hs_ord4")),
    "hs_ml": ("HolzingerSwineford1939.csv", {}, ("ml", "hs_cfa")),
}
NUM = re.compile(r"-?\d+\.\d+|(?<![\w.])-?\d+(?![\w.])")


@pytest.fixture(scope="module")
def fits():
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for case, (data, opts, _) in CASES.items():
            out[case] = egovsem.cfa(HS, pd.read_csv(DATA / data), **opts)
    return out


def _lavaan_lines(case):
    text = (REF / "summary" / f"{case}.txt").read_text(encoding="utf-8").splitlines()
    assert text[0].startswith("# lavaan 0.6.14")
    return text[1:]


def _numbers(line):
    """(end column, value) of every number on a line; the labels' own numbers ("90 Percent", "H_0: RMSEA <=
    0.050", "(H0)") stay in the label, which must match lavaan's exactly."""
    label_end = 45 if len(line) > 45 else len(line)
    return [(m.end(), float(m.group())) for m in NUM.finditer(line) if m.start() >= label_end - 2]


@pytest.mark.parametrize("case", list(CASES))
def test_fit_section_is_what_lavaan_prints(fits, case):
    """Same lines, same labels, numbers in the same columns; every number equal to lavaan's printed one (a
    difference of one unit in the third decimal is allowed only where the two full-precision values
    straddle a rounding boundary, which the fit-measure tolerance of 1e-3 permits; none does today)."""
    ours = fit_section_lines(fits[case])
    ref = _lavaan_lines(case)
    assert len(ours) == len(ref), "\n".join(ours)
    off_by_one = 0
    for a, b in zip(ours, ref):
        na, nb = _numbers(a), _numbers(b)
        la = NUM.sub("#", a[:45]) if na else a
        lb = NUM.sub("#", b[:45]) if nb else b
        assert la.rstrip() == lb.rstrip(), (a, b)
        assert [c for c, _ in na] == [c for c, _ in nb], (a, b)  # the layout: each number ends where lavaan's does
        for (_, x), (_, y) in zip(na, nb):
            assert abs(x - y) <= 1.0000001e-3, (a, b)
            off_by_one += x != y
    assert off_by_one == 0


@pytest.mark.parametrize("case", list(CASES))
def test_every_printed_value_is_the_fit_measure_lavaan_computed(fits, case):
    """Each printed number is its fit measure rounded, and that measure is lavaan's (tests/reference/...
    fit CSVs, tolerance 1e-3); the derived rows (WLSMV's shift parameter, each group's statistic) are
    checked against lavaan's printed text by the test above."""
    fit = fits[case]
    sub, name = CASES[case][2]
    ref = read_kv(name, "fit", sub)
    fm = fit.fit_measures
    rows = [r for r in fit_section_rows(fit) if r[0] == "row"]
    two = CASES[case][1].get("estimator") in ("MLR", "WLSMV")
    checked = set()
    for _, label, std, scaled, _kind, keys in rows:
        for value, key in zip((std, scaled), keys):
            if key is None:
                continue
            assert value == pytest.approx(float(fm[key]), abs=0), (label, key)
            assert abs(value - float(ref[key])) <= 1e-3 * max(1.0, abs(float(ref[key]))), (label, key, value, ref[key])
            checked.add(key)
    must = {"chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr"}
    if two:
        must |= {"chisq.scaled", "chisq.scaling.factor", "cfi.scaled", "tli.scaled", "cfi.robust", "tli.robust",
                 "rmsea.scaled", "rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust",
                 "baseline.chisq.scaled"}
    assert must <= checked, sorted(must - checked)


def test_summary_and_jupyter_view_show_both_columns(fits):
    for case in ("hs_mlr", "hs_fiml_mlr", "configural_mlr", "hs_ord4_wlsmv"):
        fit = fits[case]
        fm = fit.fit_measures
        text = fit.summary()
        assert "\n".join(fit_section_lines(fit)) in text
        assert "Standard      Scaled" in text and "Robust Comparative Fit Index (CFI)" in text
        page = fit._repr_html_()
        assert "<th>Standard</th><th>Scaled</th>" in page
        for key in ("chisq", "chisq.scaled", "chisq.scaling.factor", "cfi.robust", "tli.robust", "rmsea.robust"):
            assert f"<td>{fm[key]:.3f}</td>" in page, (case, key)
        assert "Robust RMSEA" in page
    ml = fits["hs_ml"]
    assert "Scaled" not in ml.summary() and "Robust" not in ml._repr_html_()
    assert "Thresholds:" in fits["hs_ord4_wlsmv"].summary()


def test_cli_fit_prints_the_scaled_column(tmp_path, capsys):
    model = tmp_path / "hs.lav"
    model.write_text(HS, encoding="utf-8")
    assert main(["fit", str(model), str(DATA / "HolzingerSwineford1939.csv"), "--estimator", "MLR"]) == 0
    printed = capsys.readouterr().out
    ref = _lavaan_lines("hs_mlr")
    for line in ref[:8] + ref[17:23]:  # the test and the CFI/TLI block, lavaan's lines verbatim
        assert line in printed.splitlines(), line
