"""The mobi models of the seminr-py reference scripts beside this file (make_reference_*.py), written once.

Imported by those scripts only, which run with the python of a separate venv that has seminr-py (PyPI ``seminr``,
GPL-3.0; never an egovsem dependency); only its public API is called.
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from seminr import (
    composite,
    constructs,
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
#: seminr-py's interaction methods by egovsem's names
METHODS = {"two_stage": two_stage, "product_indicator": product_indicator, "orthogonal": orthogonal}


def read_mobi() -> tuple[list[str], np.ndarray]:
    """data/mobi.csv as seminr-py's ``(columns, values)``."""
    with open(HERE.parents[2] / "data" / "mobi.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], np.array([[float(x) for x in r] for r in rows[1:]])


def mobi4_interactions(method, interactions=("Expectation", "Value")):
    """Measurement model: mobi4 (Image IMAG1-5, Expectation CUEX1-3, Value PERV1-2, Satisfaction CUSA1-3, mode A)
    and the interactions of Image with each of ``interactions`` by ``method``."""
    return constructs(
        composite("Image", multi_items("IMAG", range(1, 6))),
        composite("Expectation", multi_items("CUEX", range(1, 4))),
        composite("Value", multi_items("PERV", range(1, 3))),
        composite("Satisfaction", multi_items("CUSA", range(1, 4))),
        *(interaction_term("Image", m, method=method) for m in interactions),
    )


def moderation_paths():
    """Image, Expectation, Value, Image x Expectation and Image x Value -> Satisfaction (egovsem
    ``MOBI_INTERACTIONS``)."""
    return relationships(paths(["Image", "Expectation", "Value", "Image*Expectation", "Image*Value"],
                               "Satisfaction"))


def predict_metrics(fit, order) -> list[tuple]:
    """seminr-py's ``predict_pls`` of ``fit`` on 10 folds of the row ``order``, DA and EA: per technique, kind
    (``pls``, ``lm``, ``pls_in``, ``lm_in``: out of and in sample) and endogenous item, the RMSE and MAE."""
    from seminr import predict_DA, predict_EA, predict_pls

    out = []
    for name, technique in (("DA", predict_DA), ("EA", predict_EA)):
        pred = predict_pls(fit, technique=technique, no_folds=10, ordering=[int(i) for i in order])
        it = pred.items
        for kind, res in (("pls", it.pls_out_of_sample_residuals), ("lm", it.lm_out_of_sample_residuals),
                          ("pls_in", it.pls_in_sample_residuals), ("lm_in", it.lm_in_sample_residuals)):
            for j, item in enumerate(res.cols):
                e = res.values[:, j]
                out.append((name, kind, item, np.sqrt(np.mean(e ** 2)), np.mean(np.abs(e))))
    return out


def mobi_hoc():
    """test-hoc.R's higher-order model (egovsem ``MOBI_HOC``): measurement and structural model."""
    mm = constructs(
        composite("Image", multi_items("IMAG", range(1, 6))),
        composite("Expectation", multi_items("CUEX", range(1, 4))),
        composite("Quality", multi_items("PERQ", range(1, 8))),
        composite("Value", multi_items("PERV", range(1, 3))),
        higher_composite("Satisfaction", dimensions=["Image", "Value"], method="two_stage"),
        composite("Complaints", single_item("CUSCO")),
        composite("Loyalty", multi_items("CUSL", range(1, 4))),
    )
    sm = relationships(paths(["Expectation", "Quality"], "Satisfaction"), paths("Satisfaction", ["Complaints", "Loyalty"]))
    return mm, sm
