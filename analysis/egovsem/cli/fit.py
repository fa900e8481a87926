"""``egovsem fit MODEL.lav DATA``: fit a model (CB-SEM, or PLS with ``--method pls``), print the summary,
optionally write JSON."""
from __future__ import annotations

import argparse

from .._errors import EgovsemError
from ._common import guarded, import_engine, one_blas_thread_from_start, read_model, show_warnings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "fit",
        help="fit a structural equation model (lavaan syntax) to a data file",
        description="Fit a model written in lavaan syntax to DATA (.csv, .xlsx, .sav, .dta) and print a "
        "lavaan-like summary. Estimators: ML, MLR (robust standard errors and scaled test), WLSMV (with "
        "--ordered). --method pls estimates a PLS path model (=~ mode A, <~ mode B) as seminr. Options that are "
        "not implemented stop with a clear message, never silently ignored.",
    )
    p.add_argument("model", metavar="MODEL.lav", help="model file in lavaan syntax (or a bundled model name)")
    p.add_argument("data", metavar="DATA", help="data file: .csv, .xlsx, .sav, .dta")
    p.add_argument("--method", default="cbsem", choices=["cbsem", "pls"],
                   help="cbsem (default: covariance-based SEM as lavaan) or pls (PLS path model as seminr)")
    p.add_argument("--weighting", default=None, metavar="path|factorial|centroid",
                   help="PLS inner weighting scheme (default path; --method pls only)")
    p.add_argument("--consistent", action="store_true", help="PLSc: correct the =~ constructs (--method pls only)")
    p.add_argument("--interaction", default=None, metavar="two_stage|product_indicator|orthogonal",
                   help="how PLS measures an interaction term X:M (default two_stage; --method pls only)")
    p.add_argument("--higher-order", default=None, metavar="two_stage|repeated_indicators", dest="higher_order",
                   help="how PLS estimates a higher-order construct H =~ A + B (default two_stage; --method pls only)")
    p.add_argument("--estimator", default="ML",
                   help="ML (default), MLM (robust.sem SEs and the Satorra-Bentler scaled test; complete data), "
                        "MLR (robust Huber-White SEs and the Yuan-Bentler scaled test), GLS, ULS, "
                        "MLMV (robust.sem SEs, scaled-shifted test), WLSMV (ordinal indicators, with --ordered), "
                        "WLSMVS (WLSMV with the mean-and-variance adjusted test), "
                        "ULSM / ULSMV / ULSMVS (ULS with robust.sem SEs and the "
                        "Satorra-Bentler / scaled-shifted / mean-and-variance adjusted test; ULSMV also ordinal)")
    p.add_argument("--missing", default="listwise",
                   help="listwise (default), fiml, or pairwise (ML: the available-case moments; WLSMV: lavaan's "
                        "available-case first stage); "
                        "with --method pls: listwise or mean (mean replacement)")
    p.add_argument("--se", default=None,
                   help="the estimator's own (default: expected information for ML; robust sandwich SEs for MLM, "
                        "MLR and WLSMV), standard, robust (with ML: robust.sem, or robust.huber.white with --missing "
                        "fiml, as lavaan), robust.sem, robust.huber.white, or bootstrap (with --bootstrap B)")
    p.add_argument("--test", default=None,
                   metavar="standard|satorra.bentler|yuan.bentler|yuan.bentler.mplus|scaled.shifted|mean.var.adjusted",
                   help="the model test (lavaan's test=; default: the estimator's own)")
    p.add_argument("--information", default=None, metavar="expected|observed|first.order",
                   help="the information matrix of the standard errors, the sandwich's bread and the robust "
                        "tests' traces (lavaan's information=; default: observed for FIML and MLR, expected "
                        "otherwise)")
    p.add_argument("--bootstrap", type=int, default=None, metavar="B",
                   help="bootstrap resamples for --se bootstrap (default 1000); with --method pls the number of "
                        "resamples (default none)")
    p.add_argument("--n-jobs", type=int, default=None, metavar="N",
                   help="processes for the PLS bootstrap (default 1; the numbers do not depend on it; --method pls "
                        "with --bootstrap only)")
    p.add_argument("--seed", type=int, default=None, metavar="S", help="random seed")
    p.add_argument("--ordered", default=None, metavar="all|COL,...", help="ordinal indicators")
    p.add_argument("--group", default=None, metavar="COL", help="grouping column (multi-group model)")
    p.add_argument("--group-equal", default=None, metavar="loadings,intercepts,...",
                   help="equality constraints across groups")
    p.add_argument("--sampling-weights", default=None, metavar="COL",
                   help="column of sampling (design) weights (lavaan's sampling.weights; ML becomes MLR)")
    p.add_argument("--sampling-weights-normalization", default="total", metavar="total|group|none",
                   help="how the weights are rescaled (lavaan's sampling.weights.normalization; default total)")
    p.add_argument("--cluster", default=None, metavar="COL",
                   help="column of cluster (PSU) identifiers: cluster-robust SEs and test (single-level model), "
                        "or the clusters of a two-level model (level: 1 / level: 2 blocks)")
    p.add_argument("--constraints", default=None, metavar="FILE",
                   help="file of explicit constraints (b1 == b2, b1 < b3; lavaan's constraints=), added to those "
                        "written in MODEL.lav")
    p.add_argument("--group-partial", default=None, metavar="'f =~ x2,x3 ~ 1,...'",
                   help="parameters freed from the --group-equal constraints (lavaan's group.partial), "
                        "comma-separated")
    p.add_argument("--std-lv", action="store_true", help="identify latent variables by unit variance")
    p.add_argument("--meanstructure", action="store_true", help="estimate intercepts and means")
    p.add_argument("--function", default="sem", choices=list(FUNCTIONS), dest="function",
                   help="lavaan's fitting function: sem (default) and cfa add lavaan's defaults (auto.* switches "
                        "on); growth fixes the intercepts of the observed variables to 0 and frees the latent "
                        "means; lavaan adds nothing the model does not write (switches off unless given)")
    p.add_argument("--orthogonal", action="store_true",
                   help="fix the covariances among latent variables that the model does not write to 0")
    p.add_argument("--parameterization", default=None, choices=["delta", "theta"],
                   help="with --ordered: lavaan's parameterization of the latent responses (default delta)")
    p.add_argument("--std-ov", action="store_true",
                   help="standardise the observed variables before fitting (lavaan's std.ov; sd with N - 1)")
    for flag, what in AUTO_FLAGS.items():
        p.add_argument(flag, action=argparse.BooleanOptionalAction, default=None,
                       help=f"lavaan's {flag[2:].replace('-', '.')}: {what} (default: the --function's)")
    p.add_argument("--sheet", default=None, metavar="NAME|N",
                   help="sheet of an .xlsx workbook, by name or 0-based position (default: the first)")
    p.add_argument("--na", default=None, metavar="CODES",
                   help="missing-value codes in DATA, comma-separated (e.g. -99,-999): read as missing")
    p.add_argument("--json", default=None, metavar="OUT.json", help="write the results as JSON")
    p.set_defaults(func=run)


#: --function: lavaan's fitting functions
FUNCTIONS = ("sem", "cfa", "growth", "lavaan")

#: lavaan's auto.* switches as flags (--auto-var / --no-auto-var ...); None keeps the --function's default
AUTO_FLAGS = {
    "--auto-var": "free the (residual) variances the model does not write",
    "--auto-fix-first": "fix the first loading of each factor to 1",
    "--auto-fix-single": "fix the residual variance of a single indicator to 0",
    "--auto-cov-lv-x": "free covariances among exogenous latent variables",
    "--auto-cov-y": "free covariances among the residuals of dependent variables",
    "--int-ov-free": "free the intercepts of observed variables",
    "--int-lv-free": "free the means of latent variables",
}


def _dest(flag: str) -> str:
    return flag[2:].replace("-", "_")


def fit_function_options(args: argparse.Namespace) -> dict:
    """The keyword arguments of lavaan's options (--orthogonal, --std-ov, --group-partial, the auto.* flags)."""
    kwargs: dict = {}
    if args.orthogonal:
        kwargs["orthogonal"] = True
    if args.std_ov:
        kwargs["std_ov"] = True
    if getattr(args, "parameterization", None) is not None:
        kwargs["parameterization"] = args.parameterization
    if args.group_partial is not None:
        kwargs["group_partial"] = [g.strip() for g in args.group_partial.split(",") if g.strip()]
    for flag in AUTO_FLAGS:
        val = getattr(args, _dest(flag))
        if val is not None:
            kwargs[_dest(flag)] = bool(val)
    return kwargs


def bootstrap_option(args: argparse.Namespace) -> int:
    """The number of resamples: --bootstrap needs --se bootstrap (never silently ignored)."""
    if args.bootstrap is not None and str(args.se).lower() != "bootstrap":
        se = args.se or "the estimator's own"
        raise EgovsemError(f"--bootstrap {args.bootstrap} is given but --se is {se!r}: the resamples are only "
                           "drawn with --se bootstrap. Add --se bootstrap, or leave out --bootstrap.")
    return 1000 if args.bootstrap is None else args.bootstrap


def pls_options(args: argparse.Namespace) -> dict:
    """The keyword arguments of :func:`egovsem.pls`; CB-SEM options given with --method pls are refused."""
    given = [flag for flag, on in (
        ("--estimator", str(args.estimator).upper() != "ML"), ("--se", args.se is not None),
        ("--test", args.test is not None), ("--information", args.information is not None),
        ("--ordered", args.ordered is not None), ("--group", args.group is not None),
        ("--group-equal", args.group_equal is not None), ("--std-lv", args.std_lv),
        ("--meanstructure", args.meanstructure), ("--sampling-weights", args.sampling_weights is not None),
        ("--cluster", args.cluster is not None), ("--constraints", getattr(args, "constraints", None) is not None),
        ("--group-partial", args.group_partial is not None),
        ("--function", args.function != "sem"), ("--orthogonal", args.orthogonal), ("--std-ov", args.std_ov),
        ("--parameterization", getattr(args, "parameterization", None) is not None))
        + tuple((f, getattr(args, _dest(f)) is not None) for f in AUTO_FLAGS) if on]
    if given:
        raise EgovsemError(f"{', '.join(given)} {'is' if len(given) == 1 else 'are'} not used by --method pls "
                           "(PLS options: --weighting, --consistent, --interaction, --higher-order, --missing "
                           "listwise|mean, --bootstrap, --seed, --n-jobs).")
    from ..pls.fit import check_settings

    if not args.bootstrap and (args.seed is not None or args.n_jobs is not None):
        given = [f for f, v in (("--seed", args.seed), ("--n-jobs", args.n_jobs)) if v is not None]
        one = len(given) == 1
        raise EgovsemError(f"{' and '.join(given)} {'is' if one else 'are'} given without --bootstrap B: a PLS fit "
                           f"has no random part and runs in one process, so {'it' if one else 'they'} would not "
                           f"be used. Add --bootstrap B (the number of resamples), or leave {'it' if one else 'them'}"
                           " out.")
    kwargs = {"weighting": args.weighting or "path", "consistent": bool(args.consistent), "missing": args.missing,
              "bootstrap": 0 if args.bootstrap is None else args.bootstrap, "seed": args.seed,
              "n_jobs": 1 if args.n_jobs is None else args.n_jobs, "interaction": args.interaction or "two_stage",
              "higher_order": args.higher_order or "two_stage"}
    check_settings(names=PLS_FLAGS, **kwargs)
    return kwargs


# how the command line names the options of egovsem.pls in its messages
PLS_FLAGS = {"weighting": "--weighting", "consistent": "--consistent", "missing": "--missing",
             "bootstrap": "--bootstrap", "seed": "--seed", "n_jobs": "--n-jobs", "interaction": "--interaction",
             "higher_order": "--higher-order"}


def run(args: argparse.Namespace) -> int:
    """``egovsem fit``: the whole command with BLAS on one thread (fit, fit measures, summary and output;
    the matrices are small and BLAS threads lose on a busy machine, issue 17)."""
    one_blas_thread_from_start()
    import_engine("egovsem.parallel", "egovsem.io", "egovsem.sem")
    from ..parallel import blas_one_thread

    with blas_one_thread():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from .. import sem as engine
    from ..io import parse_na_values, read_data

    if args.method == "pls":
        return run_pls(args)
    if args.weighting is not None or args.consistent or args.interaction is not None:
        raise EgovsemError("--weighting, --consistent and --interaction are PLS options: add --method pls.")
    if args.higher_order is not None:
        raise EgovsemError(f"--higher-order {args.higher_order} is a PLS option: add --method pls.")
    if args.n_jobs is not None:
        raise EgovsemError(f"--n-jobs {args.n_jobs} is an option of the PLS bootstrap (--method pls --bootstrap B); "
                           "the CB-SEM fit and its bootstrap run in one process. Leave out --n-jobs.")
    B = bootstrap_option(args)
    na = parse_na_values(args.na)
    inputs = {"MODEL.lav": args.model, "DATA": args.data}
    if args.constraints is not None:
        inputs["--constraints"] = args.constraints
    with guarded(inputs, files={"--json": args.json}):
        model = read_model(args.model, "MODEL.lav")
        constraints = read_model(args.constraints, "--constraints") if args.constraints is not None else None
        data = read_data(args.data, sheet=args.sheet, na_values=na)
        ordered = None
        if args.ordered:
            ordered = True if args.ordered == "all" else [c.strip() for c in args.ordered.split(",") if c.strip()]
        group_equal = [g.strip() for g in args.group_equal.split(",")] if args.group_equal else None
        fit = getattr(engine, args.function)
        with show_warnings():
            res = fit(
                model, data, estimator=args.estimator, missing=args.missing, se=args.se, test=args.test,
                information=args.information, bootstrap=B,
                seed=args.seed, ordered=ordered, group=args.group, group_equal=group_equal, std_lv=args.std_lv,
                meanstructure=True if args.meanstructure else None, sampling_weights=args.sampling_weights,
                sampling_weights_normalization=args.sampling_weights_normalization, cluster=args.cluster,
                constraints=constraints,
                **fit_function_options(args),
            )
            print(res.summary())
            if args.json:
                res.to_json(args.json)
    return 0 if res.converged else 1


def run_pls(args: argparse.Namespace) -> int:
    """``egovsem fit --method pls``: :func:`egovsem.pls` on the model and data files."""
    from ..io import parse_na_values, read_data
    from ..pls import pls

    kwargs = pls_options(args)
    na = parse_na_values(args.na)
    with guarded({"MODEL.lav": args.model, "DATA": args.data}, files={"--json": args.json}):
        model = read_model(args.model, "MODEL.lav")
        data = read_data(args.data, sheet=args.sheet, na_values=na)
        with show_warnings():
            res = pls(model, data, **kwargs)
            print(res.summary())
            if args.json:
                res.to_json(args.json)
    return 0 if res.converged else 1
