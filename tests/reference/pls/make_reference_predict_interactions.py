"""PLSpredict of interaction models by seminr-py (PyPI ``seminr``, GPL-3.0, the Python port of seminr's
``predict_pls``; seminr >= 2.3.2 predicts interaction models the same way) for
tests/test_pls_predict.py::test_interaction_models_match_seminr_py, written to predict_interactions_seminr_py.csv
beside this file.

seminr-py is never an egovsem dependency: run this file with the python of a separate venv that has it
(``/work/venvs/seminr-bench/bin/python tests/reference/pls/make_reference_predict_interactions.py`` from the
repository root). Only its public API is called. Model: the interaction model of
make_reference_interaction_boot.py (mobi; Image, Expectation, Value -> Satisfaction with Image x Expectation and
Image x Value; model "moderation") and the same with ``Value ~ Image + Expectation`` and only Image x Expectation
(model "chain", where DA and EA differ), path weighting, each of the three interaction methods; 10 folds, the folds of egovsem for
``seed=1`` (one repetition; see make_reference_predict.py), DA and EA. Per indicator: RMSE and MAE of the PLS and
LM predictions, out of sample and in sample.
"""
from __future__ import annotations

import csv
import importlib.metadata

import numpy as np
from seminr import estimate_pls, paths, relationships
from seminr_mobi import HERE, METHODS, mobi4_interactions, moderation_paths, predict_metrics, read_mobi

VERSION = importlib.metadata.version("seminr")


def main() -> None:
    data = read_mobi()
    n = data[1].shape[0]
    order = np.random.Generator(np.random.PCG64(np.random.SeedSequence(1, spawn_key=(0,)))).permutation(n)
    out = []
    for model, (method_name, method) in ((k, v) for k in ("moderation", "chain") for v in METHODS.items()):
        mm = mobi4_interactions(method, ("Expectation", "Value") if model == "moderation" else ("Expectation",))
        if model == "moderation":
            sm = moderation_paths()
        else:
            sm = relationships(paths(["Image", "Expectation"], "Value"),
                               paths(["Image", "Expectation", "Value", "Image*Expectation"], "Satisfaction"))
        fit = estimate_pls(data, mm, sm)
        out += [(model, method_name, *row) for row in predict_metrics(fit, order)]
    with open(HERE / "predict_interactions_seminr_py.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["model", "method", "technique", "kind", "item", "rmse", "mae", "source"])
        for r in out:
            w.writerow([*r[:5], f"{r[5]:.12g}", f"{r[6]:.12g}", f"seminr-py {VERSION}"])


if __name__ == "__main__":
    main()
