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
