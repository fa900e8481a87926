"""Model forms of issue 11 against lavaan 0.6-14: products of observed variables (``y ~ x1 + x2 + x1:x2``),
``<~`` composites in CB-SEM, single-indicator latent variables (latent change scores) and lavaan-check's
WISCVPE latent change-score model.

References: tests/reference/make_reference_forms.R writes, per case, parameterEstimates (est, se, std.all),
fitMeasures, the parameter table (free/fixed/exo of every row), R-squared and lavaan's convergence verdict and
warnings into tests/reference/forms/. Every reference row is compared.

WISCVPE (lucdw/lavaan-check tests/WISCVPE.R, data wisc.rds). lavaan 0.6-14 reports converged (117
iterations, zero gradient), chisq = 594.808 on 131 df, negative residual variances of the change scores
dv1..dv5 and one warning ("some estimated lv variances are negative"); it does not say that the model is
unidentified, and it prints standard errors. But the model is not identified: lv2 and lv4 are phantoms
(``lv2 =~ 0*V6``) whose only paths to the data run through lv3 = lv2 + dv3 and lv5 = lv4 + dv5, so the
residual variances of dv2 and dv3 enter the implied moments only as (1 + Bg)^2 var(dv2) + var(dv3), and
likewise dv4/dv5. lavaan's information matrix has eigenvalues ~1e-16 there, and its split of those
variances is arbitrary: the same data written to 10 significant digits move dv2 from -21.423 to -21.518
and dv3 from -21.374 to -21.279 with chisq unchanged to 1e-9 (tests/reference/forms/wiscvpe_ridge.csv;
lavaan-check's own output for lavaan 0.6-22 has a third split, -21.410/-21.387). egovsem therefore refuses
the model with an IdentificationError naming these variances instead of printing arbitrary numbers, and
fits the identified version (var(dv2) = var(dv3), var(dv4) = var(dv5)), where lavaan reaches the same
chisq = 594.808 (133 df) and every row (est, se, std.all) and fit measure is matched (case wiscvpe_eq).
The lv0..lv5 residual variances are fixed to 0 by lavaan's single-indicator rule (each latent is the only
indicator of dv1..dv5 or G0): the parameter table of the original model is compared row by row.
"""
from __future__ import annotations

import json
import warnings

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, REF, close, compare_series, row_key, se_close
from egovsem import DataError, IdentificationError, ModelSyntaxError
from egovsem.cli import main
from egovsem.sem import specify

F = REF / "forms"
HS = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
PD = pd.read_csv(DATA / "PoliticalDemocracy.csv")
WISC = pd.read_csv(F / "wisc.csv")
WISCVPE = (F / "wiscvpe_model.lav").read_text()

CASES = {
    "hs_int": ("visual =~ x1 + x2 + x3\nvisual ~ x4 + x5 + x4:x5", HS, {}),
    "pd_int": ("y1 ~ x1 + x2 + x1:x2\ny5 ~ x1 + x1:x2 + y1", PD, {}),
    "hs_int_endo": ("x9 ~ x1 + x2 + x1:x2\nx2 ~ x3", HS, {}),
    "hs_comp": ("f <~ 1*x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\ntextual ~ f\nspeed ~ f",
                HS, {}),
    "mobi_comp": ("F <~ 1*IMAG1 + IMAG2\nS =~ CUSA1 + CUSA2 + CUSA3\nS ~ F", pd.read_csv(DATA / "mobi.csv"), {}),
    "hs_comp_mean": ("f <~ 1*x1 + x2 + x3\ntextual =~ x4 + x5 + x6\ntextual ~ f", HS, {"meanstructure": True}),
    "pd_lcs": ("ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + a*y2 + b*y3 + c*y4\ndem65 =~ y5 + a*y6 + b*y7 + c*y8\n"
               "d =~ 1*dem65\ndem65 ~ 1*dem60\ndem60 ~ ind60\nd ~ ind60 + dem60\n"
               "y1 ~~ y5\ny2 ~~ y6\ny3 ~~ y7\ny4 ~~ y8", PD, {}),
    "wiscvpe_eq": (WISCVPE + "\ndv2 ~~ e23*dv2\ndv3 ~~ e23*dv3\ndv4 ~~ e45*dv4\ndv5 ~~ e45*dv5", WISC, {}),
}


def _ref(case: str, what: str) -> pd.DataFrame:
    return pd.read_csv(F / f"{case}_{what}.csv", keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def fits():
    out = {}
    for case, (model, data, opts) in CASES.items():
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            fit = egovsem.sem(model, data, **opts)
        out[case] = (fit, [str(x.message) for x in w])
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_every_parameter_row_matches_lavaan(fits, case):
    fit = fits[case][0]
    ours = {row_key(r["lhs"], r["op"], r["rhs"]): r for r in fit.params.to_dict("records")}
    ref = _ref(case, "params").to_dict("records")
    bad = []
    for r in ref:
        k = row_key(r["lhs"], r["op"], r["rhs"])
        if k not in ours:
            bad.append(f"lavaan row {k} missing")
            continue
        m = ours[k]
        for col, ok in (("est", close), ("std.all", close), ("se", se_close)):
            args = (float(m[col]), float(r[col])) + ((1e-3,) if ok is close else ())
            if not ok(*args):
                bad.append(f"{k} {col}: egovsem {m[col]!r} lavaan {r[col]!r}")
    extra = set(ours) - {row_key(r["lhs"], r["op"], r["rhs"]) for r in ref}
    assert bad == [] and not extra, (bad, sorted(extra))


@pytest.mark.parametrize("case", list(CASES))
def test_parameter_table_matches_lavaan(fits, case):
    """Which rows are free, fixed (and to what) and exogenous, as lavaan's parTable."""
    pt = fits[case][0].partable
    ours = {row_key(r.lhs, r.op, r.rhs): r for r in pt.itertuples()}
    ref = _ref(case, "partable")
    ref = ref[~ref["op"].isin([":=", "=="])]  # lavaan writes each shared label as an '==' row
    assert len(ref) == len(pt)
    bad = []
    for r in ref.itertuples():
        m = ours[row_key(r.lhs, r.op, r.rhs)]
        if (m.free > 0) != (r.free > 0) or int(m.exo) != int(r.exo):
            bad.append((r.lhs, r.op, r.rhs, "free/exo", m.free, r.free, m.exo, r.exo))
        elif r.free == 0 and np.isfinite(r.ustart) and not close(float(m.ustart), float(r.ustart), 1e-12):
            bad.append((r.lhs, r.op, r.rhs, "fixed value", m.ustart, r.ustart))
    assert bad == []


@pytest.mark.parametrize("case", list(CASES))
def test_fit_measures_match_lavaan(fits, case):
    fm = _ref(case, "fit")
    ref = pd.Series(fm["value"].to_numpy(dtype=float), index=fm["measure"]).dropna()
    assert len(ref) >= 30
    assert compare_series(fits[case][0].fit_measures, ref) == []


@pytest.mark.parametrize("case", list(CASES))
def test_r_squared_matches_lavaan(fits, case):
    ref = _ref(case, "r2")
    r2 = fits[case][0].inspect("r2")
    bad = [(v, r2.get(v), x) for v, x in zip(ref["variable"], ref["r2"]) if not close(float(r2.get(v, np.nan)), x, 1e-3)]
    assert bad == [] and set(r2.index) == set(ref["variable"])


@pytest.mark.parametrize("case", list(CASES))
def test_convergence_and_warnings_as_lavaan(fits, case):
    info = dict(zip(_ref(case, "info")["key"], _ref(case, "info")["value"].fillna("")))
    fit, warns = fits[case]
    assert fit.converged == (info["converged"] == "TRUE")
    negative = "lv variances are negative" in info["warnings"]
    assert any("negative" in w and "variance" in w for w in warns) == negative, warns


def test_wiscvpe_partable_as_lavaan():
    """The automatic rows of the unidentified original: lv0..lv5 residual variances fixed to 0."""
    pt = specify(WISCVPE).partable
    ours = {row_key(r.lhs, r.op, r.rhs): r for r in pt.itertuples()}
    ref = _ref("wiscvpe", "partable")
    ref = ref[ref["op"] != "=="]
    assert len(ref) == len(pt)
    for r in ref.itertuples():
        m = ours[row_key(r.lhs, r.op, r.rhs)]
        assert (m.free > 0) == (r.free > 0) and int(m.exo) == int(r.exo), r
        if r.free == 0 and np.isfinite(r.ustart):
            assert m.ustart == r.ustart, r
    lv = ref[(ref["op"] == "~~") & ref["lhs"].str.match(r"lv\d") & (ref["lhs"] == ref["rhs"])]
    assert len(lv) == 6 and (lv["free"] == 0).all() and (lv["ustart"] == 0).all()


def test_wiscvpe_is_refused_as_not_identified():
    with pytest.raises(IdentificationError, match=r"not identified.*dv\d ~~ dv\d"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            egovsem.sem(WISCVPE, WISC)


def test_lavaans_wiscvpe_split_is_arbitrary():
    """lavaan's own numbers: chisq fixed, the dv2/dv3 and dv4/dv5 splits moving with 1e-10 changes of the data,
    the identified combinations (1 + Bg)^2 var(dv_k) + var(dv_k+1) fixed."""
    r = pd.read_csv(F / "wiscvpe_ridge.csv")
    assert (r["converged"]).all() and len(r) == 2
    assert abs(r["chisq"][0] - r["chisq"][1]) < 1e-6
    assert abs(r["dv2"][0] - r["dv2"][1]) > 0.05 and abs(r["dv5"][0] - r["dv5"][1]) > 0.005
    for a, b in (("dv2", "dv3"), ("dv4", "dv5")):
        comb = (1 + r["Bg"]) ** 2 * r[a] + r[b]
        assert abs(comb[0] - comb[1]) < 1e-3 * abs(comb[0])
    # the identified version: the same chisq as the original, 2 more degrees of freedom
    fm = _ref("wiscvpe_eq", "fit").set_index("measure")["value"]
    assert close(float(fm["chisq"]), float(r["chisq"][1]), 1e-6) and int(fm["df"]) == 133


def test_product_column_is_built_from_raw_data(fits):
    """lavaan does not centre: the fixed.x variance of x4:x5 is the ML variance of the raw product."""
    prod = HS["x4"] * HS["x5"]
    p = fits["hs_int"][0].params
    v = float(p[(p["lhs"] == "x4:x5") & (p["op"] == "~~") & (p["rhs"] == "x4:x5")]["est"].iloc[0])
    assert v == pytest.approx(prod.var(ddof=0), rel=1e-12)


@pytest.mark.parametrize("model, message", [
    ("x9 ~ x1 + x2 + x1:nonexistent", "the product 'x1:nonexistent' needs the variable 'nonexistent'"),
    ("x9 ~ x1 + x1:x2", "the product 'x1:x2' needs the variable 'x2' in the model on its own"),
    ("x9 ~ x1 + x1:x1", "the product 'x1:x1' multiplies 'x1' with itself, which lavaan refuses too"),
    ("visual =~ x1 + x2 + x3\nx9 ~ visual + x4 + visual:x4", "involves the latent variable 'visual'; ':' multiplies "
     "observed variables only (as in lavaan). For a latent interaction build product indicators with "
     "egovsem.sem.products.ind_prod"),
    ("x9 ~ x1 + x2 + x3 + x1:x2:x3", "the product 'x1:x2:x3' has more than two variables"),
    ("x9 ~ x1 + x2\nx1:x2 ~~ x9", "the product 'x1:x2' can only stand on the right of '~'"),
    ("f <~ 1*x1 + x2 + nonexistent\nspeed =~ x7 + x8 + x9\nspeed ~ f", "'nonexistent'"),
    ("f =~ x4 + x5 + x6\nf <~ x1 + x2\nspeed =~ x7 + x8 + x9\nspeed ~ f", "'f' is defined both with '=~'"),
])
def test_bad_input_names_the_variable(model, message):
    with pytest.raises((ModelSyntaxError, DataError)) as exc:
        egovsem.sem(model, HS)
    assert message in str(exc.value)


def test_lavaan_refuses_the_same_products():
    """The products refused above are refused by lavaan 0.6-14 as well (its messages, written by the R script)."""
    ref = pd.read_csv(F / "refused.csv")
    assert len(ref) == 4
    assert all(m.startswith("lavaan ERROR") for m in ref["message"])


def test_unknown_composite_indicator_is_a_data_error():
    with pytest.raises(DataError, match=r"not columns of 'data': 'nonexistent'"):
        egovsem.sem("f <~ 1*x1 + x2 + nonexistent\nspeed =~ x7 + x8 + x9\nspeed ~ f", HS)


def test_pls_still_reads_composites():
    from egovsem.sem.syntax import parse_syntax

    st = parse_syntax("f <~ x1 + x2", formative=True)
    assert [(s.lhs, s.op, s.rhs) for s in st] == [("f", "<~", "x1"), ("f", "<~", "x2")]


@pytest.mark.parametrize("case", ["hs_int", "hs_comp"])
def test_cli_fits_products_and_composites(tmp_path, capsys, case):
    """``egovsem fit`` reads the same syntax; its JSON rows match lavaan's (est and se)."""
    data = tmp_path / "hs.csv"
    HS.to_csv(data, index=False)
    model = tmp_path / f"{case}.lav"
    model.write_text(CASES[case][0])
    out = tmp_path / f"{case}.json"
    assert main(["fit", str(model), str(data), "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert ("x4:x5" if case == "hs_int" else "f <~") in printed
    rows = {row_key(p["lhs"], p["op"], p["rhs"]): p for p in json.loads(out.read_text())["params"]}
    ref = _ref(case, "params")
    assert len(rows) == len(ref)
    for r in ref.itertuples():
        p = rows[row_key(r.lhs, r.op, r.rhs)]
        assert close(p["est"], r.est, 1e-3) and se_close(p["se"] if p["se"] is not None else np.nan, r.se)


def test_model_matrices_of_composites(fits):
    """lavaan's matrices carry phantom latent variables for a composite's indicators (x1, x2, x3 after f,
    textual, speed): every element of lavInspect(fit, "est") and "free" (make_reference_inspect_phantom.R)."""
    from test_inspect import compare, decode

    fit = fits["hs_comp"][0]
    ref = json.loads((REF / "inspect_phantom" / "hs_comp.json").read_text())
    for what in ("est", "free"):
        lav, ours = decode(ref[what]), fit.inspect(what)
        assert {k: (list(m.index), list(m.columns)) for k, m in ours.items()} == {
            k: (list(m.index), list(m.columns)) for k, m in lav.items()}
        problems = compare(ours, lav, what)
        assert not problems, "\n".join(problems)
