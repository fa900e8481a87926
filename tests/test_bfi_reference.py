"""psych's bfi against lavaan 0.6-14 (tests/reference/make_reference_bfi.R): models whose markers are
reverse-keyed items (issue 10, item 2). Every row of parameterEstimates() and fitMeasures() is matched for
the five-factor CFA with the items in their natural order (ML, MLR, FIML, two groups with equal loadings
and intercepts) and a second-order factor with freed markers, start() values and ~ 1; every row of
lavaan's start values (parTable()$start) for these and the HS/PD models; and the fits take no more
iterations than lavaan's."""
from __future__ import annotations

import warnings

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA, close, compare_group_params, compare_params, compare_series, read_kv, read_ref
from egovsem.sem.data import prepare_data
from egovsem.sem.model import _fill_fixed_x
from egovsem.sem.partable import specify
from egovsem.sem.start import partable_start, start_theta_groups

SUB = "bfi"
BFI5 = ("A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5\nE =~ E1 + E2 + E3 + E4 + E5\n"
        "N =~ N1 + N2 + N3 + N4 + N5\nO =~ O1 + O2 + O3 + O4 + O5")
BFI_2ND = """
g =~ NA*A + start(1)*C + E + N + O
g ~~ 1*g
A =~ NA*A1 + start(0.5)*A2 + A3 + A4 + A5
C =~ NA*C1 + C2 + C3 + C4 + C5
E =~ NA*E1 + E2 + E3 + E4 + E5
N =~ NA*N1 + N2 + N3 + N4 + N5
O =~ NA*O1 + O2 + O3 + O4 + O5
A ~~ 1*A
C ~~ 1*C
E ~~ 1*E
N ~~ 1*N
O ~~ 1*O
A1 + C1 ~ 1
"""
HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
PD_SEM = ("ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + a*y2 + b*y3 + c*y4\ndem65 =~ y5 + a*y6 + b*y7 + c*y8\n"
          "dem60 ~ ind60\ndem65 ~ ind60 + dem60\ny1 ~~ y5\ny2 ~~ y4 + y6\ny3 ~~ y7\ny4 ~~ y8\ny6 ~~ y8\n")

FITS = {
    "bfi_ml": (BFI5, {}),
    "bfi_mlr": (BFI5, {"estimator": "MLR"}),
    "bfi_fiml": (BFI5, {"missing": "fiml"}),
    "bfi_mg": (BFI5, {"group": "gender", "group_equal": ["loadings", "intercepts"]}),
    "bfi_2nd": (BFI_2ND, {}),
}
# start values only: (data, model, options of specify, missing, group)
STARTS = {
    "bfi_ml": ("bfi", BFI5, {}, "listwise", None),
    "bfi_fiml": ("bfi", BFI5, {"meanstructure": True}, "fiml", None),
    "bfi_mg": ("bfi", BFI5, {"group_equal": ("loadings", "intercepts")}, "listwise", "gender"),
    "bfi_2nd": ("bfi", BFI_2ND, {}, "listwise", None),
    "bfi_stdlv": ("bfi", BFI5, {"std_lv": True}, "listwise", None),
    "hs_cfa": ("HolzingerSwineford1939", HS, {}, "listwise", None),
    "hs_stdlv": ("HolzingerSwineford1939", HS, {"std_lv": True}, "listwise", None),
    "hs_fiml": ("hs_missing10", HS, {"meanstructure": True}, "fiml", None),
    "hs_scalar": ("HolzingerSwineford1939", HS, {"group_equal": ("loadings", "intercepts")}, "listwise", "school"),
    "pd_sem": ("PoliticalDemocracy", PD_SEM, {}, "listwise", None),
    "hs_2ind": ("HolzingerSwineford1939", "visual =~ x1 + x2 + x3\nspeed =~ x7 + x9\nsingle =~ x5", {}, "listwise",
                None),
    "path_ols": ("HolzingerSwineford1939", "x3 ~ x1 + x2\nx6 ~ x3 + x4", {}, "listwise", None),
}


@pytest.fixture(scope="module")
def bfi():
    return pd.read_csv(DATA / "bfi.csv")


@pytest.fixture(scope="module")
def fits(bfi):
    out = {}
    for case, (model, opts) in FITS.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out[case] = egovsem.sem(model, bfi, **opts)
    return out


def test_data_are_psych_bfi(bfi):
    assert bfi.shape == (2800, 28)
    assert bfi.columns[:5].tolist() == ["A1", "A2", "A3", "A4", "A5"]
    assert int(bfi[[c for c in bfi.columns[:25]]].dropna().shape[0]) == int(read_kv("bfi_ml", "info", SUB)["nobs"])


def _key(lhs, op, rhs, group) -> tuple:
    rhs = rhs if isinstance(rhs, str) else ""
    if op == "~~":
        return ("~~",) + tuple(sorted((lhs, rhs))) + (int(group),)
    return (lhs, op, rhs, int(group))


@pytest.mark.parametrize("case", sorted(STARTS))
def test_start_values_match_lavaan(case):
    data, model, opts, missing, group = STARTS[case]
    df = pd.read_csv(DATA / f"{data}.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if group is None:
            spec = specify(model, **opts)
            stats = prepare_data(df, spec.ov, missing=missing)
            pt = _fill_fixed_x(spec, stats)
            rows = partable_start(spec, pt, stats)
        else:
            labels = list(pd.unique(df[group].dropna()))
            spec = specify(model, ngroups=len(labels), **opts)
            stats = [prepare_data(df[df[group] == lab], spec.ov, missing=missing) for lab in labels]
            pt = spec.partable
            rows = start_theta_groups(spec, pt, stats, spec.npar)[1]
    mine = {_key(a, o, b, g): v for a, o, b, g, v in zip(pt["lhs"], pt["op"], pt["rhs"], pt["group"], rows)}
    ref = read_ref(case, "start", SUB)
    problems = []
    for r in ref.itertuples():
        k = _key(r.lhs, r.op, r.rhs, r.group)
        if k not in mine:
            problems.append(f"lavaan row {k} missing")
        elif not close(mine[k], float(r.start), 1e-8):
            problems.append(f"{k}: egovsem {mine[k]!r} lavaan {r.start!r}")
    assert len(mine) == len(ref), "egovsem has rows lavaan does not"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", sorted(FITS))
def test_converges_in_no_more_iterations_than_lavaan(fits, case):
    fit = fits[case]
    info = read_kv(case, "info", SUB)
    assert fit.converged and info["converged"] == "TRUE"
    assert fit.iterations <= int(info["iterations"]), (fit.iterations, info["iterations"])


@pytest.mark.parametrize("case", sorted(FITS))
def test_params_match_lavaan(fits, case):
    ref = read_ref(case, "params", SUB)
    fit = fits[case]
    if "group" in FITS[case][1]:
        problems = compare_group_params(fit.params, ref)
    else:
        problems = compare_params(fit.params, ref)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", sorted(FITS))
def test_fit_measures_match_lavaan(fits, case):
    problems = compare_series(fits[case].fit_measures, read_kv(case, "fit", SUB))
    assert not problems, "\n".join(problems)


def test_nobs_match_lavaan(fits):
    for case in ("bfi_ml", "bfi_mlr", "bfi_fiml", "bfi_2nd"):
        assert fits[case].nobs == int(read_kv(case, "info", SUB)["nobs"]), case
    groups = read_ref("bfi_mg", "groups", SUB)
    fit = fits["bfi_mg"]
    assert [str(g) for g in fit.group_labels] == [str(g) for g in groups["group"]]
    assert [s.nobs for s in fit.group_stats] == list(groups["nobs"])


def test_reverse_keyed_markers_give_negative_loadings(fits):
    """A1 and E1 are reverse-keyed: with them as markers the positively keyed items load negatively
    (lavaan's solution), instead of the run-away loadings the sum-score start values gave."""
    pe = fits["bfi_ml"].params.set_index(["lhs", "op", "rhs"])["est"]
    assert pe[("A", "=~", "A2")] < 0 and pe[("E", "=~", "E3")] < 0
    assert np.abs(pe.loc[(slice(None), "=~", slice(None))]).max() < 3
