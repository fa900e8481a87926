"""LMS (method='lms') against Mplus 8.10 XWITH on modsem's oneInt data (tests/reference/lms/README.md).

Tolerance: Mplus prints 3 decimals; |egovsem - Mplus| <= 0.0015 for estimates and SEs (rounding 0.0005 plus
0.001 for the programs' different quadratures and stopping rules), <= 0.01 for the log-likelihood and the
information criteria.
"""
from __future__ import annotations

from pathlib import Path

import egovsem
import numpy as np
import pandas as pd
import pytest
from egovsem._errors import EgovsemError, ModelSyntaxError, NotAvailableError
from egovsem.sem import lms

REF = Path(__file__).parent / "reference" / "lms"
MODEL = "X =~ x1 + x2; Z =~ z1 + z2; Y =~ y1 + y2; Y ~ X + Z + X:Z"
TOL = 0.0015


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REF / "xwith_2ind_data.csv")


@pytest.fixture(scope="module")
def mplus() -> pd.DataFrame:
    return pd.read_csv(REF / "mplus_xwith_2ind.csv", keep_default_na=False)


def _lookup(params: pd.DataFrame, lhs: str, op: str, rhs: str) -> pd.Series:
    sel = params[(params.op == op) & (((params.lhs == lhs) & (params.rhs == rhs))
                                      | ((params.lhs == rhs) & (params.rhs == lhs)))]
    assert len(sel) == 1, (lhs, op, rhs)
    return sel.iloc[0]


def _theta_from(spec, ref: pd.DataFrame) -> np.ndarray:
    theta = np.zeros(spec.npar)
    for r in spec.rows:
        if r.free >= 0:
            theta[r.free] = float(_lookup(ref, r.lhs, r.op, r.rhs)["est"])
    return theta


def test_spec_matches_mplus_parameter_count(mplus):
    spec = lms._specify(MODEL)
    fit_ref = pd.read_csv(REF / "mplus_xwith_2ind_fit.csv").set_index("measure")["value"]
    assert spec.npar == int(fit_ref["npar"])
    # every Mplus row is a row of the specification (and every free row is in Mplus's table)
    keys = {(r.lhs, r.op, r.rhs) for r in spec.rows}
    for row in mplus.itertuples(index=False):
        assert (row.lhs, row.op, row.rhs) in keys or (row.rhs, row.op, row.lhs) in keys
    assert len([r for r in spec.rows if r.free >= 0]) == int((mplus["se"] > 0).sum())


def test_loglik_at_mplus_estimates(data, mplus):
    """The quadrature likelihood at Mplus' (rounded) estimates is Mplus' log-likelihood; rounding the 22
    estimates to 3 decimals lowers it by a little, never raises it above the maximum."""
    spec = lms._specify(MODEL)
    theta = _theta_from(spec, mplus)
    ref = pd.read_csv(REF / "mplus_xwith_2ind_fit.csv").set_index("measure")["value"]
    ll128 = lms._Evaluator(spec, data[spec.ov].to_numpy(), 128).loglik(theta)
    ll256 = lms._Evaluator(spec, data[spec.ov].to_numpy(), 256).loglik(theta)
    assert abs(ll128 - ll256) < 1e-3  # the quadrature has converged
    assert abs(ll128 - ref["logl"]) < 0.02


@pytest.mark.slow
def test_lms_matches_mplus_xwith(data, mplus):
    fit = egovsem.sem(MODEL, data, method="lms")
    assert isinstance(fit, lms.LMSResult) and fit.converged
    for row in mplus.itertuples(index=False):
        got = _lookup(fit.params, row.lhs, row.op, row.rhs)
        assert abs(got["est"] - row.est) <= TOL, (row, got["est"])
        assert abs(got["se"] - row.se) <= TOL, (row, got["se"])
    ref = pd.read_csv(REF / "mplus_xwith_2ind_fit.csv").set_index("measure")["value"]
    for k in ("logl", "aic", "bic", "bic2"):
        assert abs(fit.fit_measures[k] - ref[k]) <= 0.01, k
    assert int(fit.fit_measures["npar"]) == int(ref["npar"])
    xz = _lookup(fit.params, "Y", "~", "X:Z")
    assert xz["ci.lower"] < xz["est"] < xz["ci.upper"]
    assert "X:Z" in fit.summary()


def test_lms_bad_input(data):
    with pytest.raises(ModelSyntaxError, match="multiplies 'X' with itself"):
        egovsem.sem("X =~ x1 + x2; Y =~ y1 + y2; Y ~ X + X:X", data, method="lms")
    with pytest.raises(ModelSyntaxError, match="'x1', which is not a latent"):
        egovsem.sem("X =~ x1 + x2; Z =~ z1 + z2; Y =~ y1 + y2; Y ~ X + Z + X:x1", data, method="lms")
    with pytest.raises(NotAvailableError, match="observed variable"):
        egovsem.sem("X =~ x1 + x2; Z =~ z1 + z2; Y =~ y1 + y2; Y ~ X + Z + X:Z + x1", data, method="lms")
    with pytest.raises(NotAvailableError, match="exogenous factors only"):
        egovsem.sem("X =~ x1 + x2; Z =~ z1 + z2; Y =~ y1 + y2; Z ~ X; Y ~ X + Z + X:Z", data, method="lms")
    with pytest.raises(ModelSyntaxError, match="needs a latent interaction"):
        egovsem.sem("X =~ x1 + x2; Y =~ y1 + y2; Y ~ X", data, method="lms")
    with pytest.raises(EgovsemError, match="'method' parameter"):
        egovsem.sem(MODEL, data, method="qml")
    with pytest.raises(EgovsemError, match="'nodes' parameter"):
        lms.fit_lms(MODEL, data, nodes=2)
