"""Bootstrap SDs of seminr-py (PyPI ``seminr``, GPL-3.0) for the interaction models of test-pls.r, written to
interaction_boot_sd.csv beside this file, and for test-hoc.R's higher-order model, written to hoc_boot_sd.csv;
compared in tests/test_pls_staged_bootstrap.py.

seminr-py is never an egovsem dependency: run this file with the python of a separate venv that has it
(``python3 -m venv /work/venvs/seminr-bench && /work/venvs/seminr-bench/bin/pip install seminr==0.2.1``), from
the repository root: ``/work/venvs/seminr-bench/bin/python tests/reference/pls/make_reference_interaction_boot.py``.
Only seminr-py's public API is called. Model: mobi4 (Image IMAG1-5, Expectation CUEX1-3, Value PERV1-2,
Satisfaction CUSA1-3, mode A) with the interactions Image x Expectation and Image x Value into Satisfaction
(egovsem ``MOBI_INTERACTIONS``), factorial weighting (seminr's ``path_factorial``, as test-pls.r), each method;
``bootstrap_model(nboot = B, seed = 1)``. Higher-order model (egovsem ``MOBI_HOC``): Image (IMAG1-5), Expectation
(CUEX1-3), Quality (PERQ1-7), Value (PERV1-2), Complaints (CUSCO), Loyalty (CUSL1-3) mode A,
``higher_composite("Satisfaction", c("Image", "Value"), two_stage, mode_A)``, ``Satisfaction ~ Expectation +
Quality``, ``Complaints + Loyalty ~ Satisfaction``, path weighting; the SDs of its paths and of every loading
(stage 2's, and the dimensions' stage-1 loadings).
"""
from __future__ import annotations

import csv
import importlib.metadata
import sys

import numpy as np
from seminr import bootstrap_model, estimate_pls, path_factorial, path_weighting
from seminr_mobi import HERE, METHODS, mobi4_interactions, mobi_hoc, moderation_paths, read_mobi

VERSION = importlib.metadata.version("seminr")
B = 1000


def main() -> None:
    data = read_mobi()
    out = []
    for name, method in METHODS.items():
        fit = estimate_pls(data, mobi4_interactions(method), moderation_paths(), inner_weights=path_factorial)
        bt = bootstrap_model(fit, nboot=B, seed=1)
        arr = np.stack([m.values for m in bt.boot_paths])
        sd = arr.std(axis=0, ddof=1)
        pc = fit.path_coef
        for i, r in enumerate(pc.rows):
            for j, c in enumerate(pc.cols):
                if pc.values[i, j] != 0:
                    out.append((name, c, r.replace("*", ":"), pc.values[i, j], sd[i, j], bt.boots))
        print(name, bt.boots, bt.fails, file=sys.stderr)
    with open(HERE / "interaction_boot_sd.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["method", "lhs", "rhs", "est", "boot_sd", "B", "source"])
        for row in out:
            w.writerow([row[0], row[1], row[2], f"{row[3]:.10g}", f"{row[4]:.10g}", row[5], f"seminr-py {VERSION}"])

    mm, sm = mobi_hoc()
    fit = estimate_pls(data, mm, sm, inner_weights=path_weighting)
    bt = bootstrap_model(fit, nboot=B, seed=1)
    rows = []
    for _kind, est, reps, key in (("path", fit.path_coef, bt.boot_paths, lambda r, c: (c, "~", r)),
                                 ("loading", fit.outer_loadings, bt.boot_loadings, lambda r, c: (c, "=~", r))):
        sd = np.stack([m.values for m in reps]).std(axis=0, ddof=1)
        for i, r in enumerate(est.rows):
            for j, c in enumerate(est.cols):
                if est.values[i, j] != 0 and sd[i, j] > 1e-10:
                    rows.append((*key(r, c), est.values[i, j], sd[i, j]))
    print("hoc", bt.boots, bt.fails, file=sys.stderr)
    with open(HERE / "hoc_boot_sd.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["lhs", "op", "rhs", "est", "boot_sd", "B", "source"])
        for r in rows:
            w.writerow([r[0], r[1], r[2], f"{r[3]:.10g}", f"{r[4]:.10g}", bt.boots, f"seminr-py {VERSION}"])


if __name__ == "__main__":
    main()
