"""Data shipped with egovsem (installed as ``egovsem.datasets``).

Public reference data, with their sources in ``README.md``: ``HolzingerSwineford1939`` and
``PoliticalDemocracy`` (both from the lavaan R package). The e-government example in ``example/`` is
simulated: no real survey of this study exists yet.
"""
from __future__ import annotations

from importlib import resources

import pandas as pd

__all__ = ["load", "path"]


def path(name: str):
    """Path of a shipped file, e.g. ``path("example/population.lav")``."""
    return resources.files(__name__).joinpath(name)


def load(name: str) -> pd.DataFrame:
    """Load a shipped data set by name (``"HolzingerSwineford1939"``, ``"PoliticalDemocracy"``).

    >>> load("HolzingerSwineford1939").shape
    (301, 15)
    """
    p = path(f"{name}.csv")
    if not p.is_file():
        from egovsem._errors import EgovsemError

        have = sorted(f.name[:-4] for f in resources.files(__name__).iterdir() if f.name.endswith(".csv"))
        raise EgovsemError(f"The 'name' parameter must be one of {have}. Got {name!r} instead.")
    with p.open("rb") as fh:
        return pd.read_csv(fh)
