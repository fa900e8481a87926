"""PLSpredict of seminr-py (PyPI ``seminr``, GPL-3.0, the Python port of seminr's ``predict_pls``) for
tests/test_pls_predict.py::test_metrics_match_seminr_py, written to predict_seminr_py.csv beside this file.

seminr-py is never an egovsem dependency: run this file with the python of a separate venv that has it
(``/work/venvs/seminr-bench/bin/python tests/reference/pls/make_reference_predict.py`` from the repository root).
Only its public API is called. Model: mobi4 plus ``Value ~ Image + Expectation`` (egovsem ``MEDIATION`` of
test_pls_predict.py), path weighting; 10 folds. The folds are egovsem's for ``seed=1``, one repetition: its
permutation of the rows, ``numpy.random.Generator(PCG64(SeedSequence(1, spawn_key=(0,)))).permutation(250)``
(egovsem.pls.predict.fold_assignment), cut into 10 blocks of 25 (seminr's ``cut`` gives the same blocks for
250 rows), passed to seminr-py as its ``ordering``. Per indicator and technique (DA, EA): RMSE and MAE of the PLS
and LM predictions, out of sample and in sample.
"""
from __future__ import annotations

import csv
import importlib.metadata

import numpy as np
from seminr import estimate_pls, paths, relationships
from seminr_mobi import HERE, mobi4_interactions, predict_metrics, read_mobi

VERSION = importlib.metadata.version("seminr")


def main() -> None:
    data = read_mobi()
    mm = mobi4_interactions(None, ())  # mobi4 without interactions
    sm = relationships(paths(["Image", "Expectation", "Value"], "Satisfaction"),
                       paths(["Image", "Expectation"], "Value"))
    fit = estimate_pls(data, mm, sm)
    n = data[1].shape[0]
    order = np.random.Generator(np.random.PCG64(np.random.SeedSequence(1, spawn_key=(0,)))).permutation(n)
    out = predict_metrics(fit, order)
    with open(HERE / "predict_seminr_py.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["technique", "kind", "item", "rmse", "mae", "source"])
        for r in out:
            w.writerow([*r[:3], f"{r[3]:.12g}", f"{r[4]:.12g}", f"seminr-py {VERSION}"])


if __name__ == "__main__":
    main()
