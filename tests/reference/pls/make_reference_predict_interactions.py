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
from seminr import estimate_pls, paths, predict_DA, predict_EA, predict_pls, relationships
from seminr_mobi import HERE, METHODS, mobi4_interactions, moderation_paths, read_mobi

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
        for name, technique in (("DA", predict_DA), ("EA", predict_EA)):
            pred = predict_pls(fit, technique=technique, no_folds=10, ordering=[int(i) for i in order])
            it = pred.items
            for kind, res in (("pls", it.pls_out_of_sample_residuals), ("lm", it.lm_out_of_sample_residuals),
                              ("pls_in", it.pls_in_sample_residuals), ("lm_in", it.lm_in_sample_residuals)):
                for j, item in enumerate(res.cols):
                    e = res.values[:, j]
                    out.append((model, method_name, name, kind, item, np.sqrt(np.mean(e ** 2)),
                                np.mean(np.abs(e))))
    with open(HERE / "predict_interactions_seminr_py.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["model", "method", "technique", "kind", "item", "rmse", "mae", "source"])
        for r in out:
            w.writerow([*r[:5], f"{r[5]:.12g}", f"{r[6]:.12g}", f"seminr-py {VERSION}"])


if __name__ == "__main__":
    main()
