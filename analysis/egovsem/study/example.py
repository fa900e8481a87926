"""The simulated e-government example: population model, data, and recovery of the true values.

No real survey of this study exists yet. The example data are SIMULATED from the population model in
``data/example/population.lav`` (documented true loadings .65-.85, standardised paths .15-.45, and one
true zero, H8 INC -> PI) so that estimates can be set beside the truth.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..datasets import path as data_path
from ..sem.partable import specify
from ..sem.simulate import simulate_data

__all__ = ["SIMULATED_NOTE", "SIMULATED_NOTE_EN", "SIMULATED_NOTE_ZH", "EXAMPLE_SEED", "EXAMPLE_N",
           "population_model", "simulate_example", "true_values", "recovery_table", "hypothesis_model"]

#: printed on every output made from the example data (English and Chinese; each language alone below)
SIMULATED_NOTE_EN = ("SIMULATED DATA: the e-government example is simulated from a documented population model "
                     "(data/example/population.lav); no real survey of this study exists yet.")
SIMULATED_NOTE_ZH = "模拟数据：本示例数据由已记录的总体模型模拟生成，尚无该研究的真实调查数据。"
SIMULATED_NOTE = f"{SIMULATED_NOTE_EN} / {SIMULATED_NOTE_ZH}"
EXAMPLE_SEED = 20261125
EXAMPLE_N = 600


def population_model() -> str:
    """The population model (lavaan syntax with fixed, standardised values)."""
    return data_path("example/population.lav").read_text(encoding="utf-8")


def hypothesis_model(name: str = "integrated") -> str:
    """One of the study's hypothesis models shipped in ``analysis/models`` (``value_net``,
    ``strategic_triangle``, ``integrated``)."""
    from importlib import resources

    return resources.files("egovsem.models").joinpath(f"{name}.lav").read_text(encoding="utf-8")


def simulate_example(n: int = EXAMPLE_N, seed: int = EXAMPLE_SEED) -> pd.DataFrame:
    """Continuous item responses (standardised) drawn from the population model.

    >>> df = simulate_example(200, seed=1)
    >>> df.shape
    (200, 52)
    """
    return simulate_data(population_model(), n, seed=seed)


def true_values() -> pd.DataFrame:
    """The population's loadings and paths: ``lhs op rhs true`` (standardised)."""
    pt = specify(population_model(), fixed_x=False, auto_cov_y=False, auto_fix_first=False).partable
    rows = pt[(pt["user"] == 1) & pt["op"].isin(["=~", "~"])]
    return pd.DataFrame({"lhs": rows["lhs"], "op": rows["op"], "rhs": rows["rhs"], "true": rows["ustart"]}
                        ).reset_index(drop=True)


def recovery_table(fit) -> pd.DataFrame:
    """Standardised estimates beside the population values, for every loading and path of ``fit``.

    Columns: ``lhs op rhs label true est std.all se pvalue ci.lower ci.upper bias``; ``covered`` says whether the
    95% CI of the unstandardised estimate, rescaled to the standardised metric, contains the truth.
    """
    truth = true_values()
    p = fit.params
    p = p[p["op"].isin(["=~", "~"])]
    out = p.merge(truth, on=["lhs", "op", "rhs"], how="left")
    out["bias"] = out["std.all"] - out["true"]
    scale = np.where(out["est"] != 0, out["std.all"] / out["est"], np.nan)
    lo, hi = out["ci.lower"] * scale, out["ci.upper"] * scale
    covered = (np.minimum(lo, hi) <= out["true"]) & (out["true"] <= np.maximum(lo, hi))
    # fixed rows (marker loadings) have no interval
    out["covered"] = covered.astype(object).where(out["se"] > 0, None)
    return out[["lhs", "op", "rhs", "label", "true", "std.all", "bias", "est", "se", "pvalue", "covered"]]
