"""``egovsem tables DATA --model MODEL --out DIR``: the paper's APA tables (and optionally the path diagram)."""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Any

from .._errors import EgovsemError, EgovsemWarning
from ._common import guarded, read_model, show_warnings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "tables",
        help="APA tables (Word, LaTeX, Markdown, HTML, CSV) of a model fitted to a data file",
        description="Fit MODEL and its measurement model (CFA) to DATA and write the APA-7 tables: measurement "
        "model (loadings, alpha, CR, AVE), descriptives and latent correlations (sqrt(AVE) diagonal), HTMT, model "
        "fit, hypotheses, indirect effects. DATA 'example' uses the bundled SIMULATED example data.",
    )
    p.add_argument("data", metavar="DATA", help="data file (.csv, .xlsx, .sav, .dta), or 'example'")
    p.add_argument("--model", required=True, metavar="MODEL", help="model file in lavaan syntax (or a bundled "
                   "model name: integrated, value_net, strategic_triangle)")
    p.add_argument("--out", required=True, metavar="DIR", help="output directory")
    p.add_argument("--format", default="docx,tex,md,html,csv", metavar="LIST",
                   help="comma-separated formats: docx, tex, md, html, csv (default: all)")
    p.add_argument("--lang", default="en", choices=("en", "zh"), help="language of titles, headers and notes")
    p.add_argument("--note", default=None, metavar="TEXT", help="an extra note under every table")
    p.add_argument("--simulated", action="store_true", help="add the simulated-data note (automatic for 'example')")
    p.add_argument("--sample", default=None, metavar="COL,...",
                   help="columns for the sample-characteristics table; category names from --instrument, else from "
                   "the data file's own value labels (.sav, .dta), else the codes (said in the note)")
    p.add_argument("--instrument", default=None, metavar="FILE",
                   help="the questionnaire (instrument YAML or XLSForm) that names the constructs and the --sample "
                   "columns and their categories; 'bundled' for the bundled e-government study questionnaire (the "
                   "default for 'example'); without it the constructs are shown by their codes")
    p.add_argument("--figure", action="store_true", help="also draw the path diagram (path_diagram.png/.svg/.pdf)")
    p.add_argument("--bootstrap", type=int, default=None, metavar="B",
                   help="bootstrap the ':=' (indirect) effects with B resamples (complete-data ML)")
    p.add_argument("--seed", type=int, default=None, metavar="S", help="seed of the bootstrap")
    p.add_argument("--estimator", default="ML", help="ML (default), MLM, MLR, GLS or ULS")
    p.add_argument("--missing", default="listwise", help="listwise (default) or fiml")
    p.add_argument("--sheet", default=None, metavar="NAME|N",
                   help="sheet of an .xlsx workbook, by name or 0-based position (default: the first)")
    p.add_argument("--na", default=None, metavar="CODES",
                   help="missing-value codes in DATA, comma-separated (e.g. -99,-999): read as missing")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    example = args.data == "example" and not Path(args.data).exists()
    inputs = {"DATA": None if example else args.data, "--model": args.model}
    if args.instrument and args.instrument != "bundled":
        inputs["--instrument"] = args.instrument
    with guarded(inputs, dirs={"--out": args.out}):
        return _run(args, example)


def _run(args: argparse.Namespace, example: bool) -> int:
    from ..instruments import study_labels
    from ..io import parse_na_values, read_data
    from ..study.example import SIMULATED_NOTE_EN, SIMULATED_NOTE_ZH, simulate_example
    from ..study.model_tables import model_tables
    from ..tables import FORMATS, write_tables

    formats = [f.strip().lower().lstrip(".") for f in args.format.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise EgovsemError(f"The '--format' option must list some of {', '.join(FORMATS)}. Got {args.format!r}.")
    na = parse_na_values(args.na)
    model = read_model(args.model, "--model")
    simulated = args.simulated or example
    data = simulate_example() if example else read_data(args.data, sheet=args.sheet, na_values=na)
    # the note in each table's language: the English files stay ASCII for pdflatex
    en = " ".join(n for n in (args.note, SIMULATED_NOTE_EN if simulated else None) if n)
    zh = " ".join(n for n in (args.note, SIMULATED_NOTE_ZH if simulated else None) if n)
    note = (en, zh) if en or zh else None
    with show_warnings():
        from ..sem import sem

        opts = {"estimator": args.estimator, "missing": args.missing}
        fit = sem(model, data, **opts)
        sample: Any = [c.strip() for c in args.sample.split(",") if c.strip()] if args.sample else None
        # the bundled questionnaire names the bundled example's constructs and columns; another data file's only
        # when asked
        bundled = args.instrument == "bundled" or (example and not args.instrument)
        instrument, levels = _instrument(args.instrument or ("bundled" if example else None)), None
        if sample:
            from ..io import read_labels
            from ..tables.sample_labels import sample_labels

            names, levels, _ = sample_labels(sample, instrument=instrument,
                                             file_labels=None if example else read_labels(args.data))
            sample = names
        boot, ci_method = None, None
        if args.bootstrap is not None and (fit.params["op"] == ":=").any():
            boot, ci_method = _bootstrap_defined(fit, args.bootstrap, args.seed)
        elif args.bootstrap is not None:
            warnings.warn(f"--bootstrap {args.bootstrap} is given but the model {args.model!r} has no ':=' (defined, "
                          "e.g. indirect) effects; nothing is bootstrapped and the tables show Wald (delta-method) "
                          "standard errors.", EgovsemWarning, stacklevel=1)
        # the construct names: the bundled questionnaire's for the example or '--instrument bundled', else those
        # of --instrument FILE, else the codes
        labels = study_labels() if bundled else instrument
        tables = model_tables(model, data, fit=fit, note=note, sample=sample, instrument=instrument, levels=levels,
                              labels=labels, bootstrap=boot, ci_method=ci_method, **opts)
        paths = write_tables(tables, args.out, formats=formats, lang=args.lang)
        if args.figure:
            from ..figures import path_diagram, save_figure

            out = Path(args.out)
            fig = path_diagram(fit, labels=labels, lang=args.lang, note=note)
            paths += save_figure(fig, [out / "path_diagram.png", out / "path_diagram.svg", out / "path_diagram.pdf"])
    print(f"egovsem tables: wrote {len(paths)} file(s) to {args.out}", file=sys.stderr)
    return 0


def _instrument(path: str | None):
    """The instrument of ``--instrument`` (``'bundled'``: the bundled study questionnaire), or ``None``."""
    if not path:
        return None
    from ..instruments import load_instrument

    if path != "bundled" and not Path(path).is_file():
        what = "is a folder" if Path(path).is_dir() else "does not exist"
        raise EgovsemError(f"The '--instrument' file {path!r} {what}; give an instrument YAML or XLSForm (.xlsx), "
                           "or 'bundled' for the bundled study questionnaire.")
    return load_instrument(None if path == "bundled" else path)


def _bootstrap_defined(fit, B: int, seed):
    """Bootstrap intervals of the ':=' rows: (DataFrame lhs/se/ci.lower/ci.upper, description for the note)."""
    from ..sem.bootstrap import bootstrap
    from ..tables.builders import boot_method

    if B < 2:
        raise EgovsemError(f"The '--bootstrap' option must be at least 2 resamples. Got {B} instead.")
    bt = bootstrap(fit, B, seed=seed)
    pe = bt.params
    de = pe[pe["op"] == ":="][["lhs", "se", "ci.lower", "ci.upper"]]
    how = boot_method(bt) + f", seed {(bt.bootstrap_info or {}).get('seed')}"
    return de, how
