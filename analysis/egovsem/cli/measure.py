"""``egovsem measure DATA --model MODEL --json OUT``: reliability and validity of the model's constructs."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ._common import read_model, show_warnings


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
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..io import read_data
    from ..measure import measure_report
    from ..sem import cfa
    from ..study.example import SIMULATED_NOTE, simulate_example
    from ..tables import cfa_syntax

    model = read_model(args.model)
    example = args.data == "example" and not Path(args.data).exists()
    data = simulate_example() if example else read_data(args.data)
    with show_warnings():
        # the constructs are the model's '=~' blocks; the CFA frees their covariances (no structural paths)
        from ..sem.partable import specify

        blocks: dict[str, list[str]] = {}
        pt = specify(model).partable
        for r in pt[pt["op"] == "=~"].itertuples():
            blocks.setdefault(r.lhs, []).append(r.rhs)
        fit = cfa(cfa_syntax(blocks), data, missing=args.missing)
        report = measure_report(fit, data)
    report = {"model": args.model, "constructs": blocks, **report,
              "converged": bool(fit.converged),
              "cfa_fit": {k: (None if v != v else float(v)) for k, v in
                      fit.fit_measures.reindex(["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr"]).items()}}
    if example:
        report["note"] = SIMULATED_NOTE
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    rel = report["reliability"]
    print(f"egovsem measure: {len(rel)} construct(s), N = {report.get('n')}; wrote {out}", file=sys.stderr)
    return 0 if fit.converged else 1
