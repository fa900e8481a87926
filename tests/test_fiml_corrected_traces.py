"""FIML-C traces by blocks (issue 17) against lavaan's dense formulas.

lavaan 0.6-14 (``lav_fit_fiml_corrected``) forms the block-diagonal matrices of all groups and writes
``U = Wm - Wm D' (D Wm D')^-1 D Wm``; V6 ``tr(Wc Wm^-1 U Wm^-1)``, V3 ``tr(U Wm^-1 Wc Wm^-1 U G)`` with
``G = Wm^-1 Jm Wm^-1``. :func:`egovsem.sem.robust.fiml_corrected_k` computes the same traces group by group
through q x q products; here both are evaluated on random positive definite matrices. The lavaan references of
the FIML fit measures (test_sem_fiml_mlr.py, test_multigroup.py, test_bfi_reference.py) check the traces on
real fits.
"""
from __future__ import annotations

import numpy as np
import pytest
from egovsem.sem.fit_robust import block_diag
from egovsem.sem.robust import fiml_corrected_k


def _dense(Wc, Wm, Jm, D, version):
    Wmi = np.linalg.inv(Wm)
    WD = Wm @ D.T
    U = Wm - WD @ np.linalg.solve(D @ Wm @ D.T, WD.T)
    if version == "V6":
        return float(np.trace(Wc @ Wmi @ U @ Wmi))
    G = Wmi @ Jm @ Wmi
    return float(np.trace(U @ Wmi @ Wc @ Wmi @ U @ G))


def _spd(rng, n):
    a = rng.normal(size=(n, n))
    return a @ a.T / n + np.eye(n)


@pytest.mark.parametrize("groups", [1, 2, 3])
@pytest.mark.parametrize("version", ["V6", "V3"])
def test_block_traces_equal_lavaans_dense_formula(groups, version):
    rng = np.random.default_rng(groups)
    sizes = [9, 7, 8][:groups]
    Wc, Wm, Jm = ([_spd(rng, n) for n in sizes] for _ in range(3))
    shared = [rng.normal(size=(6, n)) for n in sizes]  # a model with parameters shared by the groups
    own = [np.vstack([rng.normal(size=(3, n)) if h == g else np.zeros((3, n)) for h in range(groups)])
           for g, n in enumerate(sizes)]  # a baseline with each group's own parameters
    got = fiml_corrected_k(Wc=Wc, Wm=Wm, Jm=Jm, D=[shared, own], version=version)
    for Dt, k in zip((shared, own), got):
        want = _dense(block_diag(*Wc), block_diag(*Wm), block_diag(*Jm), np.hstack(Dt), version)
        assert k == pytest.approx(want, rel=1e-12)


# -- the pattern inverses of egovsem.sem.casewise (Schur complement or block factorisation) --------------------
@pytest.mark.parametrize("kind", ["plain", "ill_conditioned", "not_pd_overall"])
def test_pattern_inverses_equal_the_inverse_of_each_observed_block(kind):
    """casewise.pattern_inverses against numpy's inverse and log-determinant of each pattern's observed block
    (the known truth), for patterns missing 0 to all but one cell (more than half takes the block
    factorisation), a badly conditioned Sigma (block factorisation throughout) and a Sigma that is not positive
    definite while every observed block is (no row observes both of the dependent variables)."""
    from egovsem.sem.casewise import pattern_inverses

    rng = np.random.default_rng(11)
    p = 8
    A = rng.normal(size=(p, p))
    S = A @ A.T / p + np.eye(p)
    pats = (rng.random((40, p)) > rng.uniform(0.0, 0.9, size=(40, 1))).astype(float)
    pats[pats.sum(axis=1) == 0, 0] = 1.0
    if kind == "ill_conditioned":
        S = S + 1e4 * np.outer(np.ones(p), np.ones(p))  # condition number ~1e5-1e6
    if kind == "not_pd_overall":
        S[0, 1] = S[1, 0] = 1.5 * np.sqrt(S[0, 0] * S[1, 1])  # |corr| > 1 between x0 and x1
        pats[:, 1] = np.where(pats[:, 0] > 0, 0.0, pats[:, 1])  # never observed together
        pats[pats.sum(axis=1) == 0, 2] = 1.0
    got = pattern_inverses(S, pats)
    assert got is not None
    K, logdet = got
    for j, m in enumerate(pats):
        o = np.flatnonzero(m)
        ref = np.zeros((p, p))
        ref[np.ix_(o, o)] = np.linalg.inv(S[np.ix_(o, o)])
        np.testing.assert_allclose(K[j], ref, rtol=1e-9, atol=1e-9 * np.abs(ref).max())
        assert logdet[j] == pytest.approx(np.linalg.slogdet(S[np.ix_(o, o)])[1], rel=1e-10, abs=1e-10)
    if kind == "not_pd_overall":
        bad = pats.copy()
        bad[0, :2] = 1.0  # a row observing both: its block is not positive definite
        assert pattern_inverses(S, bad) is None
