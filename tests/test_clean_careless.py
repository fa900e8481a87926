"""Careless-responding indices against the definitions of the R package careless, on hand-computed cases.

The expected numbers are worked out in the comments from the definitions written in
egovsem/clean/careless.py (read from careless 1.2.x: longstring.R, irv.R, mahad.R -> psych::outlier,
evenodd.R, psychsyn.R).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from egovsem.clean import evenodd, irv, longstring, mahad, psychant, psychsyn

NA = np.nan


def test_longstring_runs_and_average():
    x = pd.DataFrame([[1, 1, 2, 2, 2, 3],      # runs 2,3,1 -> longest 3, mean 6/3 = 2
                      [5, 5, 5, 5, 5, 5],      # one run of 6
                      [1, NA, NA, 1, 2, 1],    # NA breaks runs (R rle): runs 1,1,1,1,1,1
                      [4, 3, 4, 3, 3, NA]])    # runs 1,1,1,2,1 -> longest 2, mean 6/5
    out = longstring(x, avg=True)
    assert out["longstr"].tolist() == [3, 6, 1, 2]
    assert out["avgstr"].tolist() == pytest.approx([2.0, 6.0, 1.0, 1.2])
    assert longstring(x).tolist() == [3, 6, 1, 2]


def test_irv_is_row_sd_with_n_minus_1():
    x = pd.DataFrame([[1, 2, 3, 4, 5], [3, 3, 3, 3, 3], [1, NA, 5, NA, NA], [4, NA, NA, NA, NA]])
    # sd(1:5) = sqrt(10/4); sd(c(1, 5)) = sqrt(8); one answer: NA
    got = irv(x)
    assert got[:3] == pytest.approx([math.sqrt(2.5), 0.0, math.sqrt(8)])
    assert np.isnan(got[3])


def test_mahad_complete_data():
    # x1 = 1..4, x2 = 2,1,4,3: var 5/3 each, cov 1; S^-1 = [[15, -9], [-9, 15]] / 16.
    # Row 1: d = (-1.5, -0.5): D2 = (15 * 2.5 - 2 * 9 * 0.75) / 16 = 1.5; every row is 1.5 by symmetry
    # (and the D2 sum to (n - 1) p = 6). p = P(chi2_2 > 1.5) = exp(-0.75).
    x = pd.DataFrame({"x1": [1, 2, 3, 4], "x2": [2, 1, 4, 3]})
    out = mahad(x)
    assert out["d_sq"].tolist() == pytest.approx([1.5] * 4)
    assert out["p"].tolist() == pytest.approx([math.exp(-0.75)] * 4)


def test_mahad_missing_terms_left_out_like_psych_outlier():
    # A fifth row (4, NA): x1 mean 2.8, var(x1) over 5 rows = 6.8/4 = 1.7; var(x2) 5/3 and cov 1 over the
    # complete pairs (pairwise). Row 5: d = (1.2, -) -> D2 = 1.2^2 * S^-1[1,1] = 1.44 * (5/3) / (1.7*5/3 - 1)
    # = 1.44 * 10/11. An all-NA row gets NA and does not enter S.
    x = pd.DataFrame({"x1": [1, 2, 3, 4, 4, NA], "x2": [2, 1, 4, 3, NA, NA]})
    out = mahad(x)
    assert out["d_sq"].iloc[4] == pytest.approx(1.44 * 10 / 11)
    assert np.isnan(out["d_sq"].iloc[5])


def test_evenodd_spearman_brown_sign_and_clamp():
    # three factors of two items: odd mean = first item, even mean = second item.
    x = pd.DataFrame([[1, 1, 3, 3, 5, 5],    # r = 1 -> SB 1 -> -1 (consistent)
                      [1, 5, 3, 3, 5, 1],    # r = -1 -> SB -inf -> clamped -1 -> +1 (careless)
                      [1, 2, 2, 1, 3, 3],    # odd 1,2,3; even 2,1,3: r = 1/2 -> SB 2/3 -> -2/3
                      [2, 2, 2, 2, 2, 2],    # no variance -> NA
                      [1, 1, 3, NA, 5, 5]])  # factor 2 has no even mean: 2 pairs, r = 1 -> -1
    out = evenodd(x, [2, 2, 2])
    assert out["eo"].iloc[:3].tolist() == pytest.approx([-1.0, 1.0, -2 / 3])
    assert np.isnan(out["eo"].iloc[3])
    assert out["eo"].iloc[4] == pytest.approx(-1.0)
    assert out["pairs"].tolist() == [3, 3, 3, 3, 2]


def test_evenodd_means_within_factor():
    # factor 1 (4 items): odd items 1,3 -> mean of (1, 3) = 2; even items 2,4 -> mean of (2, 4) = 3
    # factor 2 (2 items): 4 / 5; factor 3: 1 / 2. odd (2, 4, 1), even (3, 5, 2): even = odd + 1, r = 1.
    x = pd.DataFrame([[1, 2, 3, 4, 4, 5, 1, 2]])
    assert evenodd(x, [4, 2, 2])["eo"].iloc[0] == pytest.approx(-1.0)
    # with factor 3 = (1, 1): odd devs (-1/3, 5/3, -4/3), even devs (0, 2, -2): r = 6 / sqrt(42/9 * 8)
    r = 6 / math.sqrt(42 / 9 * 8)
    x = pd.DataFrame([[1, 2, 3, 4, 4, 5, 1, 1]])
    assert evenodd(x, [4, 2, 2])["eo"].iloc[0] == pytest.approx(-2 * r / (1 + r))


def _synonym_data() -> pd.DataFrame:
    a = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5]
    b = [3, 1, 4, 2, 5, 5, 3, 1, 4, 2]
    c = [5, 3, 1, 2, 4, 2, 4, 5, 3, 1]
    rows = [[p, p, q, q, r, r] for p, q, r in zip(a, b, c)]
    rows += [[1, 5, 3, 3, 5, 1], [1, 2, 2, 1, 3, 3], [1, 1, NA, 3, 5, 5]]
    return pd.DataFrame(rows, columns=[f"X{i}" for i in range(1, 7)])


def test_psychsyn_pairs_and_within_person_correlation():
    x = _synonym_data()
    corr = x.corr()
    # the synonym pairs are exactly (X2, X1), (X4, X3), (X6, X5): r > .60; every other |r| < .60
    assert corr.loc["X2", "X1"] > 0.6 and corr.loc["X4", "X3"] > 0.6 and corr.loc["X6", "X5"] > 0.6
    out = psychsyn(x, 0.60)
    # rows 1-10 answer each pair alike: r = 1. Row 11: pairs (5,1), (3,3), (1,5): r = -1.
    # Row 12: (2,1), (1,2), (3,3): r = 1/2. Row 13: only two complete pairs -> NA (R needs > 2).
    assert out["cor"].iloc[:12].tolist() == pytest.approx([1.0] * 10 + [-1.0, 0.5])
    assert np.isnan(out["cor"].iloc[12])
    assert out["pairs"].tolist() == [3] * 12 + [2]


def test_psychant_uses_negative_pairs():
    x = _synonym_data()
    for col in ("X2", "X4", "X6"):
        x[col] = 6 - x[col]
    out = psychant(x, -0.60)
    # an attentive respondent answers antonyms oppositely: row 1 pairs (5,1), (3,3), (1,5) -> r = -1
    assert out["cor"].iloc[0] == pytest.approx(-1.0)
    assert out["pairs"].iloc[0] == 3
    # no synonyms at all: NA for everyone (R stops), not an error
    assert psychsyn(x, 0.60)["cor"].isna().all()


def test_longstring_careless_package_own_case():
    """careless' tests/testthat/test-longstring.R: 100 columns; row k (k = 1..9) starts with 10k ones and
    then alternates 0, 1; row 10 alternates blocks of ten 1s and ten 0s. Expected c(1:9 * 10, 10)."""
    rows = []
    for k in range(1, 10):
        rows.append([1] * (10 * k) + [0, 1] * ((100 - 10 * k) // 2))
    rows.append(([1] * 10 + [0] * 10) * 5)
    assert longstring(pd.DataFrame(rows)).tolist() == [10, 20, 30, 40, 50, 60, 70, 80, 90, 10]
