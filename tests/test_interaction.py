"""Product indicators and probing of latent interactions against semTools 0.5-6 / lavaan 0.6-14
(tests/reference/make_reference_interaction.R; HolzingerSwineford1939)."""
from __future__ import annotations

import warnings

import egovsem
import numpy as np
import pandas as pd
import pytest
from _refcompare import REF, compare_params
from egovsem._errors import EgovsemError, EgovsemWarning
from egovsem.datasets import load
from egovsem.sem.products import ind_prod, plot_probe, probe_2way_mc, probe_2way_rc

OUT = REF / "interaction"
V1, V2 = ["x1", "x2", "x3"], ["x4", "x5", "x6"]
CENTRING = {"mc": dict(mean_c=True, residual_c=False, double_mc=False),
            "dmc": dict(mean_c=True, residual_c=False, double_mc=True),
            "rc": dict(mean_c=False, residual_c=True, double_mc=False)}
NAME_X = ["f1", "f2", "f12"]


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return load("HolzingerSwineford1939")


@pytest.mark.parametrize("pairs", ["matched", "all"])
@pytest.mark.parametrize("centring", list(CENTRING))
def test_ind_prod_matches_semtools(hs, pairs, centring):
    ref = pd.read_csv(OUT / f"products_{pairs}_{centring}.csv")
    out = ind_prod(hs, V1, V2, match=pairs == "matched", **CENTRING[centring])
    new = [c for c in out.columns if c not in hs.columns]
    assert new == list(ref.columns)  # semTools' names and order, e.g. "x1.x4"
    assert len(out) == len(ref)
    np.testing.assert_allclose(out[new].to_numpy(), ref.to_numpy(), rtol=0, atol=1e-8)


CASES = {"mc_matched": ("matched", "dmc", False, probe_2way_mc),
         "mc_all": ("all", "dmc", False, probe_2way_mc),
         "rc_matched": ("matched", "rc", True, probe_2way_rc)}


@pytest.fixture(scope="module")
def fits(hs):
    out = {}
    for case, (pairs, centring, ms, _probe) in CASES.items():
        d = ind_prod(hs, V1, V2, match=pairs == "matched", **CENTRING[centring])
        model = (OUT / f"model_{pairs}.lav").read_text()
        out[case] = egovsem.sem(model, d, meanstructure=ms)
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_product_indicator_model_matches_lavaan(fits, case):
    ref = pd.read_csv(OUT / f"{case}_params.csv")
    fit = fits[case]
    assert fit.converged
    problems = compare_params(fit.params, ref)
    assert not problems, "\n".join(problems)
    fm = pd.read_csv(OUT / f"{case}_fit.csv").set_index("measure")["value"]
    for k in ("chisq", "df", "cfi", "tli", "rmsea", "srmr"):
        assert abs(fit.fit_measures[k] - fm[k]) <= 1e-3 * max(1.0, abs(fm[k])), k


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("mod", ["f2", "f1"])
def test_probe_matches_semtools(fits, case, mod):
    ref = pd.read_csv(OUT / f"{case}_probe_{mod}.csv")
    res = CASES[case][3](fits[case], NAME_X, "f3", mod, [-1, 0, 1])
    got = res.slopes
    assert list(got.columns) == ["value", "est", "se", "z", "pvalue"]
    np.testing.assert_allclose(got["value"], ref["value"])
    np.testing.assert_allclose(got["est"], ref["est"], rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(got["se"], ref["se"], rtol=1e-2)
    np.testing.assert_allclose(got["z"], ref["z"], rtol=1e-2)
    np.testing.assert_allclose(got["pvalue"], ref["pvalue"], rtol=2e-2, atol=1e-4)
    assert res.focal == ({"f1", "f2"} - {mod}).pop() and res.moderator == mod


@pytest.mark.parametrize("case", ["mc_matched", "mc_all"])
@pytest.mark.parametrize("mod", ["f2", "f1"])
def test_johnson_neyman_bounds(fits, case, mod):
    ref = pd.read_csv(OUT / f"{case}_jn_{mod}.csv").iloc[0]
    res = probe_2way_mc(fits[case], NAME_X, "f3", mod, [0])
    jn = res.jn.iloc[0]
    for k in ("lower", "upper"):
        if np.isnan(ref[k]):
            assert np.isnan(jn[k])
        else:  # a root of a quadratic in estimates and SEs: SE tolerance
            assert abs(jn[k] - ref[k]) <= 1e-2 * max(1.0, abs(ref[k])), (k, jn[k], ref[k])
    if np.isfinite(jn["lower"]):
        # at a bound the simple slope's |z| is the critical value
        z = res.simple_slope([jn["lower"], jn["upper"]])["z"].abs()
        np.testing.assert_allclose(z, 1.959964, rtol=1e-6)
        assert jn["significant"] == ("inside" if ref["a"] < 0 else "outside")


def test_self_interaction_is_refused(hs, fits):
    with pytest.raises(EgovsemError, match=r"itself.*'x1'"):
        ind_prod(hs, ["x1", "x2"], ["x1", "x3"])
    with pytest.raises(EgovsemError, match=r"itself.*'f1'"):
        probe_2way_mc(fits["mc_matched"], ["f1", "f1", "f12"], "f3", "f1", [0])


def test_moderator_outside_latent_range_warns(fits):
    fit = fits["mc_matched"]
    sd = float(np.sqrt(pd.read_csv(OUT / "mc_matched_cov_lv.csv").set_index("lv").loc["f2", "var"]))
    with pytest.warns(EgovsemWarning, match=r"\[25\.0\].*'f2'.*\[-?\d+\.\d{3}, \d+\.\d{3}\]"):
        probe_2way_mc(fit, NAME_X, "f3", "f2", [0, 25.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        probe_2way_mc(fit, NAME_X, "f3", "f2", [-2.9 * sd, 2.9 * sd])


def test_bad_moderator_and_matched_lengths(hs, fits):
    with pytest.raises(EgovsemError, match="'mod_var'.*'f9'"):
        probe_2way_mc(fits["mc_matched"], NAME_X, "f3", "f9", [0])
    with pytest.raises(EgovsemError, match="as many indicators"):
        ind_prod(hs, ["x1", "x2"], ["x4", "x5", "x6"])
    with pytest.raises(EgovsemError, match="mean structure"):
        probe_2way_rc(fits["mc_matched"], NAME_X, "f3", "f2", [0])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_plot_probe_labels(fits, tmp_path, lang):
    res = probe_2way_mc(fits["mc_matched"], NAME_X, "f3", "f2", [-1, 0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovsemWarning)  # no CJK font: English labels, with a warning
        fig = plot_probe(res, tmp_path / "probe.svg", lang=lang,
                         labels={"f1": ("Visual", "视觉"), "f2": ("Textual", "文字"), "f3": ("Speed", "速度")})
    assert (tmp_path / "probe.svg").stat().st_size > 0
    titles = [ax.get_title() for ax in fig.axes]
    from egovsem.figures import font_families
    zh = lang == "zh" and font_families()[1]
    assert titles[0] == ("简单斜率" if zh else "Simple slopes")
    assert ("视觉" if zh else "Visual") in titles[1]
    assert len(fig.axes[0].lines) == 3


def test_free_latent_means_with_fixed_marker_intercepts_converge_as_lavaan(hs):
    """semTools' probe2WayMC help-page model (marker intercepts 0, latent means free): lavaan 0.6-14 reaches
    chisq 147.161 (df 50). From lavaan's start (latent means 0) egovsem's scoring steps ran onto an improper
    ridge (chisq 224.3, not converged); the latent means now start at their markers' means."""
    d = ind_prod(hs, V1, V2, match=True, **CENTRING["dmc"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", EgovsemWarning)  # no Heywood, no non-convergence warning
        fit = egovsem.sem((OUT / "model_freemeans.lav").read_text(), d, meanstructure=True)
    assert fit.converged
    problems = compare_params(fit.params, pd.read_csv(OUT / "freemeans_params.csv"))
    assert not problems, "\n".join(problems)
    fm = pd.read_csv(OUT / "freemeans_fit.csv").set_index("measure")["value"]
    for k in ("chisq", "df", "npar", "cfi", "tli", "rmsea", "srmr"):
        assert abs(fit.fit_measures[k] - fm[k]) <= 1e-3 * max(1.0, abs(fm[k])), k
