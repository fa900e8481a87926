"""``egovsem fit MODEL.lav DATA``: fit a model, print the summary, optionally write JSON."""
from __future__ import annotations

import argparse
from pathlib import Path

from ._common import read_model, show_warnings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "fit",
        help="fit a structural equation model (lavaan syntax) to a data file",
        description="Fit a model written in lavaan syntax to DATA (.csv, .xlsx, .sav, .dta) and print a "
        "lavaan-like summary. Options whose estimator is not implemented yet stop with a clear message.",
    )
    p.add_argument("model", metavar="MODEL.lav", help="model file in lavaan syntax (or a bundled model name)")
    p.add_argument("data", metavar="DATA", help="data file: .csv, .xlsx, .sav, .dta")
    p.add_argument("--estimator", default="ML", help="ML (default), MLR, or WLSMV (with --ordered)")
    p.add_argument("--missing", default="listwise", help="listwise (default) or fiml")
    p.add_argument("--se", default=None, help="the estimator's own (default), robust, bootstrap")
    p.add_argument("--bootstrap", type=int, default=1000, metavar="B", help="bootstrap resamples")
    p.add_argument("--seed", type=int, default=None, metavar="S", help="random seed")
    p.add_argument("--ordered", default=None, metavar="all|COL,...", help="ordinal indicators")
    p.add_argument("--group", default=None, metavar="COL", help="grouping column (multi-group model)")
    p.add_argument("--group-equal", default=None, metavar="loadings,intercepts,...",
                   help="equality constraints across groups")
    p.add_argument("--std-lv", action="store_true", help="identify latent variables by unit variance")
    p.add_argument("--meanstructure", action="store_true", help="estimate intercepts and means")
    p.add_argument("--json", default=None, metavar="OUT.json", help="write the results as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..io import read_data
    from ..sem import sem

    model = read_model(args.model)
    data = read_data(args.data)
    ordered = None
    if args.ordered:
        ordered = True if args.ordered == "all" else [c.strip() for c in args.ordered.split(",") if c.strip()]
    group_equal = [g.strip() for g in args.group_equal.split(",")] if args.group_equal else None
    with show_warnings():
        res = sem(
            model, data, estimator=args.estimator, missing=args.missing, se=args.se, bootstrap=args.bootstrap,
            seed=args.seed, ordered=ordered, group=args.group, group_equal=group_equal, std_lv=args.std_lv,
            meanstructure=True if args.meanstructure else None,
        )
        print(res.summary())
        if args.json:
            Path(args.json).parent.mkdir(parents=True, exist_ok=True)
            res.to_json(args.json)
    return 0 if res.converged else 1
