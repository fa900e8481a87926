"""Write ``example_clean.csv``: the cleaned SIMULATED example (egovsem.clean of data/example/raw_export.csv with
the default rules, as ``egovsem run --example`` cleans it) with the design columns ``city`` and ``weight`` and
the items of the strategic-triangle model plus five more, for ``tests/reference/make_reference_icc.R``.

Run from the repository root: ``python tests/reference/icc/make_example_clean.py``.
"""
from pathlib import Path

from egovsem.clean import clean
from egovsem.instruments import load_instrument

ROOT = Path(__file__).resolve().parents[3]
ITEMS = [f"{c}{k}" for c in ("OPC", "LEG", "PUV", "TG", "PV") for k in range(1, 5)] + ["SG1", "VC4", "IF2", "TI1",
                                                                                       "PI1"]

if __name__ == "__main__":
    r = clean(ROOT / "data" / "example" / "raw_export.csv", load_instrument(), id="id", duration="duration",
              weights="weight", cluster="city")
    r.data[["id", "city", "weight", *ITEMS]].to_csv(Path(__file__).with_name("example_clean.csv"), index=False,
                                                    lineterminator="\n")
