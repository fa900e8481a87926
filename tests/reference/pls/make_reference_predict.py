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
from pathlib import Path

import numpy as np
from seminr import (
    composite,
    constructs,
    estimate_pls,
    multi_items,
    paths,
    predict_DA,
    predict_EA,
    predict_pls,
    relationships,
)

HERE = Path(__file__).parent
VERSION = importlib.metadata.version("seminr")


def main() -> None:
    with open(HERE.parents[2] / "data" / "mobi.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    data = (rows[0], np.array([[float(x) for x in r] for r in rows[1:]]))
    mm = constructs(
        composite("Image", multi_items("IMAG", range(1, 6))),
        composite("Expectation", multi_items("CUEX", range(1, 4))),
        composite("Value", multi_items("PERV", range(1, 3))),
        composite("Satisfaction", multi_items("CUSA", range(1, 4))),
    )
    sm = relationships(paths(["Image", "Expectation", "Value"], "Satisfaction"),
                       paths(["Image", "Expectation"], "Value"))
    fit = estimate_pls(data, mm, sm)
    n = data[1].shape[0]
    order = np.random.Generator(np.random.PCG64(np.random.SeedSequence(1, spawn_key=(0,)))).permutation(n)
    out = []
    for name, technique in (("DA", predict_DA), ("EA", predict_EA)):
        pred = predict_pls(fit, technique=technique, no_folds=10, ordering=[int(i) for i in order])
        it = pred.items
        for kind, res in (("pls", it.pls_out_of_sample_residuals), ("lm", it.lm_out_of_sample_residuals),
                          ("pls_in", it.pls_in_sample_residuals), ("lm_in", it.lm_in_sample_residuals)):
            for j, item in enumerate(res.cols):
                e = res.values[:, j]
                out.append((name, kind, item, np.sqrt(np.mean(e ** 2)), np.mean(np.abs(e))))
    with open(HERE / "predict_seminr_py.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["technique", "kind", "item", "rmse", "mae", "source"])
        for r in out:
            w.writerow([*r[:3], f"{r[3]:.12g}", f"{r[4]:.12g}", f"seminr-py {VERSION}"])


if __name__ == "__main__":
    main()
