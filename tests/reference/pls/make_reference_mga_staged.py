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

import numpy as np
from seminr import estimate_pls, estimate_pls_mga
from seminr_mobi import HERE, METHODS, mobi4_interactions, mobi_hoc, moderation_paths, read_mobi

VERSION = importlib.metadata.version("seminr")
NBOOT = 500


def main() -> None:
    data = read_mobi()
    with open(HERE.parent / "pls_mga" / "condition.csv", newline="") as fh:
        cond = np.array([r["group1"] == "TRUE" for r in csv.DictReader(fh)])
    models = {name: (mobi4_interactions(method), moderation_paths()) for name, method in METHODS.items()}
    models["hoc"] = mobi_hoc()
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
