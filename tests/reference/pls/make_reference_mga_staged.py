"""PLS-MGA of seminr-py (PyPI ``seminr``, GPL-3.0, the Python port of seminr's ``estimate_pls_mga``) for models
estimated in stages, for tests/test_pls_mga.py::test_staged_models_match_seminr_py, written to
mga_staged_seminr_py.csv beside this file.

seminr-py is never an egovsem dependency: run this file with the python of a separate venv that has it
(``/work/venvs/seminr-bench/bin/python tests/reference/pls/make_reference_mga_staged.py`` from the repository
root). Only its public API is called. seminr-py re-runs each group's model on the group's raw rows (``rerun``),
the whole procedure for interaction terms and two-stage higher-order constructs, and bootstraps each group.
Models: the interaction model of make_reference_interaction_boot.py (mobi; Image, Expectation, Value ->
Satisfaction with Image x Expectation and Image x Value) by each of the three methods, and its higher-order model
(Satisfaction as the two-stage higher-order construct of Image and Value); path weighting; the grouping of seminr's
test-pls-mga.R (tests/reference/pls_mga/condition.csv). Per path: the pooled and the two groups' estimates
(deterministic) and Henseler's PLS-MGA p-value from ``NBOOT`` resamples per group (seed 1; Monte Carlo error).
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
    estimate_pls_mga,
    higher_composite,
    interaction_term,
    multi_items,
    orthogonal,
    paths,
    product_indicator,
    relationships,
    single_item,
    two_stage,
)

HERE = Path(__file__).parent
VERSION = importlib.metadata.version("seminr")
NBOOT = 500
METHODS = {"two_stage": two_stage, "product_indicator": product_indicator, "orthogonal": orthogonal}


def main() -> None:
    with open(HERE.parents[2] / "data" / "mobi.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    data = (rows[0], np.array([[float(x) for x in r] for r in rows[1:]]))
    with open(HERE.parent / "pls_mga" / "condition.csv", newline="") as fh:
        cond = np.array([r["group1"] == "TRUE" for r in csv.DictReader(fh)])
    models = {}
    for name, method in METHODS.items():
        mm = constructs(
            composite("Image", multi_items("IMAG", range(1, 6))),
            composite("Expectation", multi_items("CUEX", range(1, 4))),
            composite("Value", multi_items("PERV", range(1, 3))),
            composite("Satisfaction", multi_items("CUSA", range(1, 4))),
            interaction_term("Image", "Expectation", method=method),
            interaction_term("Image", "Value", method=method),
        )
        models[name] = (mm, relationships(paths(["Image", "Expectation", "Value", "Image*Expectation",
                                                 "Image*Value"], "Satisfaction")))
    mm = constructs(
        composite("Image", multi_items("IMAG", range(1, 6))),
        composite("Expectation", multi_items("CUEX", range(1, 4))),
        composite("Quality", multi_items("PERQ", range(1, 8))),
        composite("Value", multi_items("PERV", range(1, 3))),
        higher_composite("Satisfaction", dimensions=["Image", "Value"], method="two_stage"),
        composite("Complaints", single_item("CUSCO")),
        composite("Loyalty", multi_items("CUSL", range(1, 4))),
    )
    models["hoc"] = (mm, relationships(paths(["Expectation", "Quality"], "Satisfaction"),
                                       paths("Satisfaction", ["Complaints", "Loyalty"])))
    out = []
    for name, (mm, sm) in models.items():
        fit = estimate_pls(data, mm, sm)
        for r in estimate_pls_mga(fit, cond, nboot=NBOOT, seed=1):
            out.append((name, r.target, r.source.replace("*", ":"), r.estimate, r.group1_beta, r.group2_beta,
                        r.pls_mga_p))
    with open(HERE / "mga_staged_seminr_py.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["model", "lhs", "rhs", "est", "est_g1", "est_g2", "pls_mga_p", "nboot", "source"])
        for r in out:
            w.writerow([*r[:3], *(f"{v:.12g}" for v in r[3:]), NBOOT, f"seminr-py {VERSION}"])


if __name__ == "__main__":
    main()
