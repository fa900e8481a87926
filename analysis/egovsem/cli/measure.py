"""``egovsem measure DATA --model MODEL --json OUT``: reliability and validity of the model's constructs."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .._errors import EgovsemError
from ._common import guarded, read_model, show_warnings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "measure",
        help="reliability (alpha, omega, AVE) and validity (HTMT, Fornell-Larcker) of a model's constructs",
        description="Fit the measurement model (CFA) of MODEL's constructs (its '=~' blocks) to DATA and write "
        "reliability and validity as JSON: {\"reliability\": [{\"construct\", \"alpha\", \"omega\", \"ave\", ...}], "
        "\"htmt\": {construct: {construct: value}}, \"fornell_larcker\": ..., ...}. DATA 'example' uses the "
        "bundled SIMULATED example data.",
    )
    p.add_argument("data", metavar="DATA", help="data file (.csv, .xlsx, .sav, .dta), or 'example'")
    p.add_argument("--model", required=True, metavar="MODEL", help="model file in lavaan syntax (or a bundled name)")
    p.add_argument("--json", required=True, metavar="OUT.json", help="where to write the JSON report")
    p.add_argument("--missing", default="listwise", help="listwise (default) or fiml, for the CFA")
    p.add_argument("--sheet", default=None, metavar="NAME|N",
                   help="sheet of an .xlsx workbook, by name or 0-based position (default: the first)")
    p.add_argument("--na", default=None, metavar="CODES",
                   help="missing-value codes in DATA, comma-separated (e.g. -99,-999): read as missing")
    p.add_argument("--marker", default=None, metavar="[NAME=]ITEMS",
                   help="a marker scale theoretically unrelated to the constructs, comma-separated items (e.g. "
                   "MK=MK1,MK2,MK3): adds the CFA marker technique and the Lindell-Whitney correction to the "
                   "report (\"method_bias\")")
    p.add_argument("--ulmc", action="store_true",
                   help="add the unmeasured latent method construct (method factor on every item) to the report")
    p.set_defaults(func=run)


def _marker(text: str | None):
    """``--marker MK=MK1,MK2`` or ``--marker MK1,MK2`` as :func:`egovsem.measure.marker_cfa` takes it."""
    if text is None:
        return None
    name, _, items = text.rpartition("=")
    cols = [c.strip() for c in items.split(",") if c.strip()]
    if not cols:
        raise EgovsemError(f"The --marker argument must name the marker items, e.g. MK=MK1,MK2,MK3. Got {text!r}.")
    return {name.strip(): cols} if name.strip() else cols


def run(args: argparse.Namespace) -> int:
    example = args.data == "example" and not Path(args.data).exists()
    with guarded({"DATA": None if example else args.data, "--model": args.model}, files={"--json": args.json}):
        return _run(args, example)


def _run(args: argparse.Namespace, example: bool) -> int:
    from ..io import parse_na_values, read_data
    from ..measure import measure_report
    from ..safe_write import atomic_write_text
    from ..sem import cfa
    from ..study.example import SIMULATED_NOTE, simulate_example
    from ..tables import cfa_syntax

    na = parse_na_values(args.na)
    model = read_model(args.model, "--model")
    data = simulate_example() if example else read_data(args.data, sheet=args.sheet, na_values=na)
    with show_warnings():
        # the constructs are the model's '=~' blocks; the CFA frees their covariances (no structural paths)
        from ..sem.partable import specify

        blocks: dict[str, list[str]] = {}
        pt = specify(model).partable
        for r in pt[pt["op"] == "=~"].itertuples():
            blocks.setdefault(r.lhs, []).append(r.rhs)
        if not blocks:
            raise EgovsemError(f"The model {args.model!r} (argument --model) has no latent constructs ('=~' lines); "
                               "egovsem measure reports the reliability and validity of constructs.")
        fit = cfa(cfa_syntax(blocks), data, missing=args.missing)
        report = measure_report(fit, data, marker=_marker(args.marker), ulmc=args.ulmc)
    report = {"model": args.model, "constructs": blocks, **report,
              "converged": bool(fit.converged),
              "cfa_fit": {k: (None if v != v else float(v)) for k, v in
                      fit.fit_measures.reindex(["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr"]).items()}}
    if example:
        report["note"] = SIMULATED_NOTE
    out = atomic_write_text(args.json, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    rel = report["reliability"]
    print(f"egovsem measure: {len(rel)} construct(s), N = {report.get('n')}; wrote {out}", file=sys.stderr)
    return 0 if fit.converged else 1
