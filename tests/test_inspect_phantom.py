"""``inspect("est" | "free" | "se" | "start" | "cov.lv" | "cor.lv")`` of models lavaan represents with phantom
latent variables, against lavaan 0.6-14's ``lavInspect`` (tests/reference/make_reference_inspect_phantom.R writes
tests/reference/inspect_phantom/<case>.json).

lavaan turns an observed variable into a latent one (a unit loading in ``lambda``, its variance in ``psi``,
its intercept in ``alpha``, zeros in ``theta`` and ``nu``) when it is in a ``~`` or ``<~`` row (a composite's
indicators, a MIMIC covariate, an observed outcome of a factor, every variable of a path model) or covaries
with a latent variable. Every element of every matrix is compared (estimates, start values and the free
index 1e-3, standard errors 1e-2 relative, architecture.md), and the row and column names must be lavaan's,
in its order. ``cov.lv`` and ``cor.lv`` leave the phantoms out; with one latent variable lavaan 0.6-14's
``cor.lv`` is its variance (it applies cov2cor only to two or more), and so is egovsem's.
"""
from __future__ import annotations

import json
import warnings

import egovsem
import pandas as pd
import pytest
from _refcompare import DATA, REF
from test_inspect import compare, decode

HS = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
PD = pd.read_csv(DATA / "PoliticalDemocracy.csv")

# the models of make_reference_inspect_phantom.R: (syntax, data, options)
CASES = {
    "hs_comp": ("f <~ 1*x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\ntextual ~ f\nspeed ~ f",
                HS, {}),
    "hs_comp_mean": ("f <~ 1*x1 + x2 + x3\ntextual =~ x4 + x5 + x6\ntextual ~ f", HS, {"meanstructure": True}),
    "hs_mimic": ("visual =~ x1 + x2 + x3\nvisual ~ x4 + x5", HS, {}),
    "hs_mimic_fx": ("visual =~ x1 + x2 + x3\nvisual ~ x4 + x5", HS, {"fixed_x": False}),
    "hs_y_on_f": ("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nx7 ~ visual + textual", HS, {}),
    "hs_cov_f": ("visual =~ x1 + x2 + x3\nx4 ~~ visual", HS, {}),
    "pd_sem": ("ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4\ndem60 ~ ind60\ny5 ~ dem60 + x1\ny1 ~~ y5",
               PD, {"meanstructure": True}),
    "pd_path": ("y1 ~ x1 + x2\ny5 ~ y1 + x1", PD, {}),
    "hs_mimic_mg": ("visual =~ x1 + x2 + x3\nvisual ~ x4\nx7 ~ visual", HS, {"group": "school"}),
    "hs_int": ("visual =~ x1 + x2 + x3\nvisual ~ x4 + x5 + x4:x5", HS, {}),
    "hs_int_endo": ("x9 ~ x1 + x2 + x1:x2\nx2 ~ x3", HS, {}),
    "hs_2nd_cov": ("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
                   "g =~ visual + textual + speed\ng ~ ageyr", HS, {}),
    "hs_fiml_mimic": ("visual =~ x1 + x2 + x3\nvisual ~ x4 + x5", pd.read_csv(DATA / "hs_missing.csv"),
                      {"missing": "fiml"}),
    "hs_ord_y_on_f": ("visual =~ x1 + x2 + x3\nx4 ~ visual", pd.read_csv(DATA / "hs_ordinal.csv"),
                      {"ordered": True, "estimator": "WLSMV"}),
    "hs_ord_x6_on_x1": ("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\nx6 ~ x1",
                        pd.read_csv(DATA / "hs_ordinal.csv"), {"ordered": True, "estimator": "WLSMV"}),
}
_FITS: dict = {}


def fit_of(case: str):
    if case not in _FITS:
        model, data, kw = CASES[case]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _FITS[case] = egovsem.sem(model, data, **kw)
    return _FITS[case]


def _names_in_order(ours, ref, what: str) -> list[str]:
    """lavaan's matrices, and their rows and columns, in lavaan's order."""
    if isinstance(ref, dict):
        out = [] if list(ours) == list(ref) else [f"{what}: egovsem {list(ours)} lavaan {list(ref)}"]
        return out + [p for k in ref if k in ours for p in _names_in_order(ours[k], ref[k], f"{what}${k}")]
    if list(ours.index) != list(ref.index) or list(ours.columns) != list(ref.columns):
        return [f"{what}: egovsem {list(ours.index)} x {list(ours.columns)}, "
                f"lavaan {list(ref.index)} x {list(ref.columns)}"]
    return []


@pytest.mark.parametrize("case", list(CASES))
def test_phantom_matrices_match_lavinspect(case):
    fit = fit_of(case)
    ref = json.loads((REF / "inspect_phantom" / f"{case}.json").read_text())
    problems = []
    for what in ("est", "free", "se", "start", "cov.lv", "cor.lv"):
        lav = decode(ref[what])
        ours = fit.inspect(what)
        problems += _names_in_order(ours, lav, what)
        problems += compare(ours, lav, what, "se" if what == "se" else "est")
    assert not problems, "\n".join(problems)


def test_phantom_of_a_composite_indicator():
    """A composite's indicators: phantom latent variables with a unit loading, no residual variance, and their
    (fixed.x) sample covariances in psi; the composite has the weights in beta and zero variance."""
    est = fit_of("hs_comp").inspect("est")
    lam, psi, beta = est["lambda"], est["psi"], est["beta"]
    assert list(lam.columns) == ["f", "textual", "speed", "x1", "x2", "x3"]
    assert lam.loc["x2", "x2"] == 1.0 and est["theta"].loc["x2", "x2"] == 0.0
    assert beta.loc["f", "x1"] == 1.0 and psi.loc["f", "f"] == 0.0
    assert fit_of("hs_comp").inspect("free")["lambda"].loc["x2", "x2"] == 0
