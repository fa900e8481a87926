"""``egovsem instrument``: export, import, check and draft (init) questionnaires (thin wrapper over
egovsem.instruments)."""
from __future__ import annotations

import argparse


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "instrument",
        help="export, import, check or draft (init) a questionnaire (instrument YAML)",
        description="Work with questionnaires: export one to XLSForm, Word, HTML or a codebook; import an "
                    "XLSForm to YAML; check a YAML or XLSForm file.",
    )
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True

    ex = sub.add_parser("export", help="write an XLSForm, a printable questionnaire or a codebook",
                        description="Export PATH (default: the bundled study questionnaire).")
    ex.add_argument("path", nargs="?", metavar="PATH", help="instrument YAML (default: the study questionnaire)")
    out = ex.add_mutually_exclusive_group(required=True)
    out.add_argument("--xlsform", metavar="OUT.xlsx", help="XLSForm for ODK / KoboToolbox")
    out.add_argument("--docx", metavar="OUT", help="printable Word questionnaire")
    out.add_argument("--html", metavar="OUT", help="printable HTML questionnaire")
    out.add_argument("--codebook", metavar="OUT", help="codebook, .csv or .md by suffix")
    ex.add_argument("--lang", choices=("zh", "en", "both"),
                    help="language of the questionnaire (default both) or codebook (default en)")
    ex.set_defaults(func=run_export)

    im = sub.add_parser("import", help="read an XLSForm into instrument YAML",
                        description="Read an XLSForm (type/name/label required) and write instrument YAML.")
    im.add_argument("form", metavar="FORM.xlsx", help="XLSForm workbook")
    im.add_argument("--out", required=True, metavar="OUT.yaml", help="instrument YAML to write")
    im.set_defaults(func=run_import)

    it = sub.add_parser("init", help="write a draft instrument YAML inferred from a model and a data file",
                        description="Infer a draft instrument from MODEL (its latent variables become constructs, "
                                    "their indicators scale items on the range the data take) and DATA (the other "
                                    "columns); edit the wording, names, reverse keys and checks before use.")
    it.add_argument("model", metavar="MODEL", help="model file in lavaan syntax (or a bundled model name)")
    it.add_argument("data", metavar="DATA", help="data file (.csv, .xlsx, .sav, .dta)")
    it.add_argument("--out", required=True, metavar="OUT.yaml", help="instrument YAML to write")
    it.add_argument("--id", default=None, metavar="COL", help="respondent id column (kept as metadata)")
    it.add_argument("--duration", default=None, metavar="COL", help="completion-time column (kept as metadata)")
    it.add_argument("--sheet", default=None, metavar="NAME|N", help="sheet of an .xlsx workbook")
    it.add_argument("--force", action="store_true",
                    help="replace OUT.yaml if it exists (by default an existing file, perhaps an edited draft, is "
                         "never overwritten)")
    it.set_defaults(func=run_init)

    ck = sub.add_parser("check", help="check an instrument file and list problems",
                        description="Check a YAML or XLSForm instrument: errors stop with exit code 2; "
                                    "softer problems are listed with exit code 1; exit code 0 when clean.")
    ck.add_argument("path", metavar="PATH", help="instrument YAML or XLSForm")
    ck.set_defaults(func=run_check)


def run_export(args: argparse.Namespace) -> int:
    from .. import instruments as ins
    from ._common import guarded

    outputs = {"--xlsform": args.xlsform, "--docx": args.docx, "--html": args.html, "--codebook": args.codebook}
    with guarded({"PATH": args.path}, files=outputs):
        return _export(ins, args)


def _export(ins, args: argparse.Namespace) -> int:
    inst = ins.load_instrument(args.path)
    if args.xlsform:
        written = ins.to_xlsform(inst, args.xlsform)
    elif args.docx:
        written = ins.to_docx(inst, args.docx, lang=args.lang or "both")
    elif args.html:
        written = ins.to_html(inst, args.html, lang=args.lang or "both")
    else:
        written = ins.write_codebook(inst, args.codebook, lang=args.lang or "en")
    print(f"wrote {written}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from .. import instruments as ins
    from ._common import guarded

    with guarded({"FORM.xlsx": args.form}, files={"--out": args.out}):
        inst = ins.read_xlsform(args.form)
        written = ins.write_yaml(inst, args.out)
    print(f"wrote {written} ({len(inst.items)} items, {len(inst.scales)} scales, "
          f"{len(inst.constructs)} constructs)")
    return 0


def run_init(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .. import instruments as ins
    from .._errors import EgovsemError
    from ..instruments.draft import draft_instrument
    from ..io import read_data, read_labels
    from ._common import guarded, read_model

    out = Path(args.out)
    if out.suffix.lower() not in (".yaml", ".yml"):
        raise EgovsemError(f"--out {args.out!r}: an instrument is written as YAML; give a file name ending in .yaml "
                           "or .yml.")
    if out.exists() and not args.force:
        raise EgovsemError(f"--out {args.out!r} exists (perhaps an instrument you have edited); it is not "
                           "overwritten. Choose another file name, or add --force to replace it.")
    with guarded({"MODEL": args.model, "DATA": args.data}, files={"--out": args.out}):
        model = read_model(args.model, "MODEL")
        data = read_data(args.data, sheet=args.sheet)
        for flag, col in (("--id", args.id), ("--duration", args.duration)):
            if col is not None and col not in data.columns:
                raise EgovsemError(f"{flag} {col!r} is not a column of DATA {args.data!r}; its columns are "
                                   f"{list(data.columns)[:20]!r}.")
        inst = draft_instrument([model], data, id=args.id, duration=args.duration, labels=read_labels(args.data))
        written = ins.write_yaml(inst, args.out)
    n_scale = len(inst.scale_items())
    print(f"wrote {written}: a DRAFT ({n_scale} scale items of {len(inst.constructs)} constructs, "
          f"{len(inst.data_items()) - n_scale} other questions); write the wording, construct names, reverse keys "
          "and attention checks, then run: egovsem instrument check " + str(written))
    return 0


def run_check(args: argparse.Namespace) -> int:
    from .. import instruments as ins

    problems = ins.check_instrument(args.path)
    for line in problems:
        print(line)
    if problems:
        print(f"{args.path}: {len(problems)} problem(s)")
        return 1
    inst = ins.load_instrument(args.path)
    print(f"{args.path}: OK ({len(inst.data_items())} questions, {len(inst.constructs)} constructs, "
          f"{len(inst.scale_items())} scale items)")
    return 0
