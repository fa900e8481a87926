"""Helpers that compare egovsem results with reference tables written by R (lavaan, semTools, psych).

Every reference row must be matched: a row of the reference that egovsem does not produce is a failure,
never a skip. Tolerances are those of architecture.md: estimates and standardised values 1e-3 (relative
where |x| > 1), standard errors 1e-2 relative, fit measures 1e-3 (relative where |x| > 1).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

REF = Path(__file__).parent / "reference"
DATA = Path(__file__).parent.parent / "data"


def close(ours: float, ref: float, tol: float, *, relative_above: float = 1.0) -> bool:
    if ref is None or (isinstance(ref, float) and np.isnan(ref)):
        return ours is None or not np.isfinite(ours)
    if ours is None or not np.isfinite(ours):
        return False
    scale = max(abs(ref), relative_above) if relative_above is not None else abs(ref)
    return abs(ours - ref) <= tol * scale


def se_close(ours: float, ref: float, tol: float = 1e-2) -> bool:
    if np.isnan(ref):
        return not np.isfinite(ours) or ours == 0
    return abs(ours - ref) <= tol * max(abs(ref), 1e-8)


def row_key(lhs: str, op: str, rhs) -> tuple:
    rhs = "" if (rhs is None or (isinstance(rhs, float) and np.isnan(rhs))) else str(rhs)
    if op == "~~":
        return ("~~",) + tuple(sorted((str(lhs), rhs)))
    if op == ":=":
        return (str(lhs), ":=")
    return (str(lhs), op, rhs)


def compare_params(ours: pd.DataFrame, ref: pd.DataFrame, columns=("est", "std.lv", "std.all", "std.nox")) -> list[str]:
    """Return a list of mismatches (empty when every reference row agrees)."""
    problems = []
    mine = {row_key(r["lhs"], r["op"], r["rhs"]): r for _, r in ours.iterrows()}
    for _, r in ref.iterrows():
        if r["op"] == "r2":
            continue
        k = row_key(r["lhs"], r["op"], r["rhs"])
        if k not in mine:
            problems.append(f"row {k} of lavaan is missing")
            continue
        m = mine[k]
        for c in columns:
            if c in ref.columns and not close(float(m[c]), float(r[c]), 1e-3):
                problems.append(f"{k} {c}: egovsem {m[c]!r} lavaan {r[c]!r}")
        if not se_close(float(m["se"]), float(r["se"])):
            problems.append(f"{k} se: egovsem {m['se']!r} lavaan {r['se']!r}")
    extra = set(mine) - {row_key(r["lhs"], r["op"], r["rhs"]) for _, r in ref.iterrows()}
    if extra:
        problems.append(f"rows egovsem has but lavaan does not: {sorted(extra)}")
    return problems


def group_row_key(lhs: str, op: str, rhs, group) -> tuple:
    """:func:`row_key` of a multi-group table row, with its group number."""
    return row_key(lhs, op, rhs) + (int(group),)


def compare_group_params(ours: pd.DataFrame, ref: pd.DataFrame,
                         columns=("est", "std.lv", "std.all", "std.nox")) -> list[str]:
    """:func:`compare_params` for multi-group tables: rows are matched on (lhs, op, rhs, group), and the two
    tables must have the same number of rows."""
    mine = {group_row_key(r["lhs"], r["op"], r["rhs"], r["group"]): r for _, r in ours.iterrows()}
    problems = []
    for _, r in ref.iterrows():
        k = group_row_key(r["lhs"], r["op"], r["rhs"], r["group"])
        if k not in mine:
            problems.append(f"lavaan row {k} missing")
            continue
        m = mine[k]
        for c in columns:
            if not close(float(m[c]), float(r[c]), 1e-3):
                problems.append(f"{k} {c}: egovsem {m[c]} lavaan {r[c]}")
        if not se_close(float(m["se"]), float(r["se"])):
            problems.append(f"{k} se: egovsem {m['se']} lavaan {r['se']}")
    if len(mine) != len(ref):
        problems.append(f"egovsem has {len(mine)} rows, lavaan {len(ref)}")
    return problems


def compare_fit_group_params(fit, ref_csv: Path) -> list[str]:
    """:func:`compare_group_params` of a converged fit's params (one group: group 1) with a params CSV written by
    ``write_params_fit`` (tests/reference/_ref_helpers.R)."""
    params = fit.params if "group" in fit.params else fit.params.assign(group=1)
    problems = [] if fit.converged else ["the fit did not converge"]
    return problems + compare_group_params(params, pd.read_csv(ref_csv))


def compare_params_fit_case(fit, folder: Path, case: str) -> list[str]:
    """A fit's parameter rows (:func:`compare_fit_group_params`) and fit measures (:func:`compare_series`) against
    ``<folder>/<case>_params.csv`` and ``<case>_fit.csv`` (``write_params_fit`` of tests/reference/_ref_helpers.R)."""
    ref_fit = pd.read_csv(folder / f"{case}_fit.csv").set_index("measure")["value"]
    return compare_fit_group_params(fit, folder / f"{case}_params.csv") + compare_series(fit.fit_measures, ref_fit)


def fit_cases(cases: dict, **defaults) -> dict:
    """Fit ``{case: (data, model, options)}`` with :func:`egovsem.sem`, warnings silenced; ``data`` is the stem
    of a file in data/, a path or a DataFrame."""
    import warnings

    import egovsem

    out = {}
    for case, (data, model, opts) in cases.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if not isinstance(data, pd.DataFrame):
                data = pd.read_csv(data if isinstance(data, Path) else DATA / f"{data}.csv")
            out[case] = egovsem.sem(model, data, **{**defaults, **opts})
    return out


def compare_series(ours: pd.Series, ref: pd.Series, tol: float = 1e-3) -> list[str]:
    problems = []
    for k, v in ref.items():
        if k not in ours.index:
            problems.append(f"{k}: missing in egovsem")
        elif not close(float(ours[k]), float(v), tol):
            problems.append(f"{k}: egovsem {ours[k]!r} lavaan {v!r}")
    return problems


def compare_fit_measures_case(ours: pd.Series, case: str, sub: str) -> list[str]:
    """:func:`compare_series` of a fit's measures with lavaan's ``sub/<case>_fit.csv``, and the same rows in
    lavaan's order."""
    ref = read_kv(case, "fit", sub)
    problems = compare_series(ours, ref)
    if list(ours.index) != list(ref.index):
        problems.append(f"fit measure rows differ: egovsem {list(ours.index)} lavaan {list(ref.index)}")
    return problems


def compare_modindices(ours: pd.DataFrame, ref: pd.DataFrame, covariates=()) -> list[str]:
    """Compare modification indices row by row.

    ``covariates``: fixed.x covariates. Rows between two of them (``x1 ~~ x2``, ``x1 ~ x2``) are not
    compared: under fixed.x their score is identically zero, lavaan prints them with mi ~ 1e-31 (noise)
    and keeps or drops them by the sign of rounding error in V; egovsem does not list them. Every such
    lavaan row is asserted to be zero to 1e-10 instead of being ignored.
    """
    problems = []
    mine = {row_key(r["lhs"], r["op"], r["rhs"]): r for _, r in ours.iterrows()}
    keys_ref = set()
    cov = set(covariates)
    for _, r in ref.iterrows():
        k = row_key(r["lhs"], r["op"], r["rhs"])
        if r["lhs"] in cov and r["rhs"] in cov:
            if not abs(float(r["mi"])) < 1e-10:
                problems.append(f"covariate-only modindex row {k} of lavaan is not zero: {r['mi']}")
            continue
        keys_ref.add(k)
        if k not in mine:
            problems.append(f"modindex row {k} of lavaan is missing")
            continue
        for c in ("mi", "epc", "sepc.lv", "sepc.all", "sepc.nox"):
            if c in ref.columns and not close(float(mine[k][c]), float(r[c]), 1e-3):
                problems.append(f"modindex {k} {c}: egovsem {mine[k][c]!r} lavaan {r[c]!r}")
    extra = set(mine) - keys_ref
    if extra:
        problems.append(f"modindex rows egovsem has but lavaan does not: {sorted(extra)}")
    return problems


def compare_modindices_groups(ours: pd.DataFrame, ref: pd.DataFrame) -> list[str]:
    """Compare the modification indices of a multi-group fit row by row, the group in the key, and their
    number of rows."""
    mine = {row_key(r["lhs"], r["op"], r["rhs"]) + (int(r["group"]),): r for _, r in ours.iterrows()}
    problems = []
    for _, r in ref.iterrows():
        k = row_key(r["lhs"], r["op"], r["rhs"]) + (int(r["group"]),)
        if k not in mine:
            problems.append(f"lavaan row {k} missing")
            continue
        for c in ("mi", "epc", "sepc.lv", "sepc.all", "sepc.nox"):
            if not close(float(mine[k][c]), float(r[c]), 1e-3):
                problems.append(f"{k} {c}: egovsem {mine[k][c]} lavaan {r[c]}")
    if len(mine) != len(ref):
        problems.append(f"egovsem has {len(mine)} rows, lavaan {len(ref)}")
    return problems


def compare_modindices_case(fit, folder: Path, case: str, covariates=()) -> list[str]:
    """A fit's chisq and df against ``<folder>/<case>_fit.csv`` and its ``modindices()`` against
    ``<case>_mi.csv`` (lavaan's, with a ``group`` column for several groups), every row and the row count."""
    fm = pd.read_csv(folder / f"{case}_fit.csv").set_index("measure")["value"]
    problems = []
    if not close(float(fit.fit_measures["chisq"]), float(fm["chisq"]), 1e-3):
        problems.append(f"chisq: egovsem {fit.fit_measures['chisq']} lavaan {fm['chisq']}")
    if int(fit.fit_measures["df"]) != int(fm["df"]):
        problems.append(f"df: egovsem {fit.fit_measures['df']} lavaan {fm['df']}")
    ref = pd.read_csv(folder / f"{case}_mi.csv")
    ours = fit.modindices()
    if "group" in ref.columns:
        return problems + compare_modindices_groups(ours, ref)
    if len(ours) != len(ref):
        problems.append(f"egovsem has {len(ours)} rows, lavaan {len(ref)}")
    return problems + compare_modindices(ours, ref, covariates)


def compare_score_tests(total: pd.DataFrame, uni: pd.DataFrame, rt: pd.DataFrame, ru: pd.DataFrame) -> list[str]:
    """Compare ``score_tests()`` with lavaan's ``lavTestScore()`` ``$test`` (``rt``) and ``$uni`` (``ru``): X2,
    df and p.value of the total test, and every univariate row (its constraint, X2, p.value, df 1)."""
    problems = []
    for c in ("X2", "p.value"):
        if not close(float(total[c].iloc[0]), float(rt[c].iloc[0]), 1e-3):
            problems.append(f"total {c}: egovsem {total[c].iloc[0]} lavaan {rt[c].iloc[0]}")
    if int(total["df"].iloc[0]) != int(rt["df"].iloc[0]):
        problems.append(f"total df: egovsem {total['df'].iloc[0]} lavaan {rt['df'].iloc[0]}")
    if len(uni) != len(ru):
        problems.append(f"univariate rows: egovsem {len(uni)} lavaan {len(ru)}")
    for ours, ref in zip(uni.to_dict("records"), ru.to_dict("records")):
        if (ours["lhs"], ours["op"], ours["rhs"].replace(" ", "")) != (ref["lhs"], ref["op"], ref["rhs"]):
            problems.append(f"univariate row {ours['lhs']} {ours['op']} {ours['rhs']}: lavaan's is {ref['lhs']} "
                            f"{ref['op']} {ref['rhs']}")
        for c in ("X2", "p.value"):
            if not close(ours[c], ref[c], 1e-3):
                problems.append(f"{ref['lhs']} == {ref['rhs']} {c}: egovsem {ours[c]} lavaan {ref[c]}")
        if not ours["df"] == ref["df"] == 1:
            problems.append(f"{ref['lhs']} == {ref['rhs']} df: egovsem {ours['df']} lavaan {ref['df']}")
    return problems


def read_ref(case: str, what: str, sub: str = "ml") -> pd.DataFrame:
    return pd.read_csv(REF / sub / f"{case}_{what}.csv", keep_default_na=False, na_values=[""])


def read_kv(case: str, what: str, sub: str = "ml") -> pd.Series:
    df = pd.read_csv(REF / sub / f"{case}_{what}.csv", keep_default_na=False, na_values=[""])
    return pd.Series(df.iloc[:, 1].to_numpy(), index=df.iloc[:, 0].astype(str))


def fit_case_problems(fit, case: str, sub: str, *, reported_test: bool = False) -> list[str]:
    """One fit against lavaan's ``<sub>/<case>_{info,params,fit}.csv`` (written by ``write_fit_tables``):
    converged, N, the options lavaan resolved (se, the last test, or with ``reported_test`` the first that is
    not "standard", the information of the SEs, missing), every row of parameterEstimates() (est, se, std.all;
    r2 rows apart) and of fitMeasures()."""
    info = read_kv(case, "info", sub)
    problems = [] if fit.converged and fit.nobs == int(info["ntotal"]) else [f"converged {fit.converged}, N {fit.nobs}"]
    # (egovsem names a clustered sandwich by its kind: lavaan's "robust.cluster.sem" is robust.sem with cluster=,
    # its "robust.cluster" robust.huber.white)
    se_names = {"robust.cluster.sem": "robust.sem", **({"robust.cluster": "robust.huber.white"} if reported_test
                                                       else {})}
    tests = str(info["test"]).split("/")
    test = next((t for t in tests if t != "standard"), "standard") if reported_test else tests[-1]
    lav = (se_names.get(info["se"], info["se"]), test,
           str(info["information"]).split("/")[0],
           {"ml": "fiml"}.get(info["missing"], info["missing"]))
    ours = (fit.opts.se, fit.opts.test, fit.opts.information, fit.opts.missing)
    if ours != lav:
        problems.append(f"options (se, test, information, missing): egovsem {ours}, lavaan {lav}")
    ref = read_ref(case, "params", sub)
    mine = fit.params if "group" in fit.params else fit.params.assign(group=1)
    problems += compare_group_params(mine[mine["op"] != "r2"], ref[ref["op"] != "r2"], columns=("est", "std.all"))
    return problems + compare_fit_measures_case(fit.fit_measures, case, sub)


def design_case_problems(fit, case: str, sub: str) -> list[str]:
    """:func:`fit_case_problems` with the test lavaan's fitMeasures() reports (the first that is not
    "standard") and its "robust.cluster" read as robust.huber.white with cluster= (make_reference_design_
    estimators.R: MLMV with cluster= has test c("scaled.shifted", "yuan.bentler.mplus"), ULS with test= c("standard",
    <test>), MLM with test= c("satorra.bentler", <test>))."""
    return fit_case_problems(fit, case, sub, reported_test=True)


def hs_weights() -> pd.DataFrame:
    """tests/reference/weights/hs_weights.csv (HolzingerSwineford1939 with a design weight ``w``) with the 40
    clusters ``clu = id % 40`` of the R scripts' ``hs_weights_data()``."""
    d = pd.read_csv(REF / "weights" / "hs_weights.csv")
    return d.assign(clu=d["id"] % 40)


def compare_bootstrap_with_lavaan(fit, sub: Path, case: str, *, mc_ses: float = 4.0, lavaan_failed: int = 0) -> int:
    """Assert every non-constraint row of lavaan's bootstrap table ``sub/<case>_params.csv`` (and its run,
    ``<case>_info.csv``): est within 1e-3, SE within ``mc_ses`` Monte Carlo SEs of the difference of two
    independent bootstraps (``se * sqrt((k - 1) / 4) * sqrt(1 / B + 1 / B_lav)``, k the kurtosis of egovsem's
    draws; ``lavaan_failed``: how many of lavaan's resamples failed, as its info file must say, egovsem's none);
    return the number of SEs compared."""
    import pytest
    from scipy import stats

    ref = pd.read_csv(sub / f"{case}_params.csv", keep_default_na=False, na_values=[""])
    info = pd.read_csv(sub / f"{case}_info.csv").set_index("key")["value"]
    assert fit.bootstrap_info["failed"] == 0 and int(info["failed"]) == lavaan_failed
    assert int(fit.fit_measures["df"]) == int(info["df"])
    assert fit.fit_measures["chisq"] == pytest.approx(float(info["chisq"]), abs=1e-3)
    p = fit.params
    keys = {(row_key(r.lhs, r.op, r.rhs), int(r.group)): i for i, r in enumerate(p.itertuples())}
    draws = fit._draw_matrix("est")
    B, B_lav = fit.bootstrap_info["successful"], int(info["B"]) - lavaan_failed
    checked = 0
    for r in ref[~ref["op"].isin(["==", "<", ">"])].itertuples():
        key = (row_key(r.lhs, r.op, r.rhs), int(r.group))
        assert key in keys, f"lavaan row {key} missing"
        i = keys[key]
        assert p["est"].iloc[i] == pytest.approx(r.est, abs=1e-3 * max(1, abs(r.est))), key
        if r.se == 0:
            assert p["se"].iloc[i] == 0, key
            continue
        k = stats.kurtosis(draws[:, i], fisher=False)
        mc = r.se * np.sqrt((k - 1) / 4) * np.sqrt(1 / B + 1 / B_lav)
        assert abs(p["se"].iloc[i] - r.se) <= mc_ses * mc, (key, p["se"].iloc[i], r.se, mc)
        checked += 1
    return checked


def compare_fit_case(fit, case: str, sub: str, columns=("est",)) -> list[str]:
    """Every parameter row (``columns`` and se) and every fit measure of ``fit`` against the reference files
    ``<sub>/<case>_params.csv`` and ``<sub>/<case>_fit.csv``."""
    return (compare_group_params(fit.params, read_ref(case, "params", sub), columns=columns)
            + compare_series(fit.fit_measures, read_kv(case, "fit", sub).astype(float)))
