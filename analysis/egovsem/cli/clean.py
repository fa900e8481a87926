"""``egovsem clean``: a raw survey export -> clean data, audit, flags, flow and report (thin wrapper)."""
from __future__ import annotations

import argparse


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "clean",
        help="clean a raw survey export against the instrument",
        description="Validate a raw survey export against the instrument, screen careless responding, "
                    "and write clean.csv, audit.csv, flags.csv, flow.csv and report.md. The raw file is "
                    "only read.",
    )
    p.add_argument("raw", metavar="RAW", help="raw export: .csv (UTF-8/GBK), .xlsx, .sav, .dta, Qualtrics CSV")
    p.add_argument("--instrument", required=True, metavar="PATH", help="instrument YAML file")
    p.add_argument("--id", required=True, metavar="COL", help="respondent id column")
    p.add_argument("--duration", metavar="COL", help="completion time column in seconds")
    p.add_argument("--invalid", choices=("error", "missing"), default="error",
                   help="invalid cells stop the run (error, default) or become missing, audited")
    p.add_argument("--exclude", metavar="RULES", default="default",
                   help="exclusion rules, comma separated: default, none, duplicate, attention, speeder, "
                        "straightline, -name (remove), name<op>number (e.g. speeder<3, mahad_p<0.001)")
    p.add_argument("--map", metavar="FILE", dest="mapping", help="mapping file: raw column -> item name")
    p.add_argument("--sheet", default=None, metavar="NAME|N",
                   help="sheet of an .xlsx export, by name or 0-based position (default: the first)")
    p.add_argument("--out", required=True, metavar="DIR", help="output directory")
    p.add_argument("--id-key", metavar="FILE", dest="id_key",
                   help="key file for pseudonymous ids when the id column holds e-mail addresses or phone "
                        "numbers (HMAC-SHA256; created if absent; default: the user config folder, "
                        "egovsem/id_key); must lie outside --out")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..clean import clean, write_outputs
    from ._common import guarded

    with guarded({"RAW": args.raw, "--instrument": args.instrument, "--map": args.mapping},
                 dirs={"--out": args.out}):
        result = clean(args.raw, args.instrument, id=args.id, duration=args.duration, invalid=args.invalid,
                       exclude=args.exclude, mapping=args.mapping, sheet=args.sheet, id_key=args.id_key)
        paths = write_outputs(result, args.out)
    if result.pseudonymised:
        ps = result.pseudonymised
        print(f"the id column {ps['column']!r} holds {ps['kind']}: ids replaced by HMAC-SHA256 pseudonyms keyed by "
              f"{ps['key_file']}{' (new key)' if ps['key_created'] else ''}; keep that file outside {args.out}")
    flow = result.flow
    print(f"received {flow['n'].iloc[0]}, excluded {flow['n'].iloc[0] - flow['n'].iloc[-1]}, "
          f"analysed {flow['n'].iloc[-1]}; wrote {', '.join(p.name for p in paths.values())} to {args.out}")
    return 0
