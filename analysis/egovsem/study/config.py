"""The study configuration of ``egovsem run CONFIG.yaml``: a small YAML file, checked key by key.

Example (``paper/example_config.yaml``; relative paths are relative to the config file)::

    raw: ../data/example/raw_export.csv   # the survey platform's export (only read)
    instrument: null                       # null: the bundled study questionnaire (a draft for own data)
    id: id                                 # respondent id column
    duration: duration                     # completion time in seconds (speeder rule)
    models: [value_net, strategic_triangle, integrated]   # bundled names or .lav files
    estimator: ML                          # ML or MLR
    missing: fiml                          # fiml or listwise (pairwise with ordered)
    ordered: false                         # true or a list of items: ordinal, fitted by WLSMV
    bootstrap: 1000                        # bootstrap draws for the indirect effects (0: none)
    seed: 20261125
    out: .                                 # output directory
    formats: [docx, tex, md, html, csv]
    lang: both                             # tables in en, zh or both
    example: true                          # the bundled SIMULATED example: say so, write the recovery table
    weights: null                          # a sampling-weight column: every CB-SEM fit is weighted
    cluster: null                          # a cluster column: every CB-SEM fit has cluster-robust SEs and test
    compare_cluster: city                  # (the example) ICCs and cluster-robust SEs BESIDE the plain fits
    compare_weights: weight                # (the example) weighted estimates beside the plain fits
    marker: MK                             # the instrument's marker scale: CFA marker technique, Lindell-Whitney
    method: cbsem                          # cbsem, pls, or [cbsem, pls] (both, side by side)
    pls: {bootstrap: 5000, weighting: path}  # PLS-SEM settings (egovsem.study.pls_run.PLS_KEYS)
    moderated_mediation: {x: SG, m: PV, y: PI, w: TI, stage: second}  # (egovsem.study.modmed_run)

Every problem is reported with the key and the value, e.g. ``The 'estimator' key of study.yaml must be
one of 'ML', 'MLR'. Got 'WLS' instead.``
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._errors import EgovsemError

__all__ = ["RunConfig", "load_config", "example_config", "BUNDLED_MODELS", "TABLE_FORMATS"]

BUNDLED_MODELS = ("value_net", "strategic_triangle", "integrated")
TABLE_FORMATS = ("docx", "tex", "md", "html", "csv")
ESTIMATORS = ("ML", "MLR")
MISSING = ("fiml", "listwise")
LANGS = ("en", "zh", "both")
METHODS = ("cbsem", "pls")

_KEYS = {
    "raw": "the raw survey export (csv, xlsx, sav, dta, Qualtrics csv)",
    "instrument": "instrument YAML (or XLSForm .xlsx); null: the bundled study questionnaire for the example or "
                  "models of its items, else a DRAFT inferred from the models and the data (egovsem instrument init)",
    "id": "respondent id column",
    "duration": "completion time column in seconds, or null",
    "exclude": "exclusion rules of egovsem.clean (default, none, or a comma-separated list)",
    "invalid": "invalid cells: error or missing",
    "models": "hypothesis models: bundled names (value_net, strategic_triangle, integrated) or .lav files",
    "primary": "the model whose results go to results.json and the figure (default: the last)",
    "estimator": "ML or MLR (WLSMV with ordered)",
    "missing": "fiml or listwise (with ordered: listwise or pairwise)",
    "bootstrap": "bootstrap draws for the indirect effects (0: delta-method CIs only)",
    "bootstrap_models": "models to bootstrap (default: every model with ':=' effects)",
    "seed": "seed of the bootstrap",
    "out": "output directory",
    "formats": "table formats: docx, tex, md, html, csv",
    "lang": "language of the tables: en, zh or both",
    "sample": "columns of the sample-characteristics table (default: the instrument's categorical items)",
    "figure_formats": "path diagram formats: png, svg, pdf",
    "example": "true for the bundled SIMULATED example (every output says so; recovery table)",
    "invariance": "grouping column for measurement invariance (configural, metric, scalar, strict), or null",
    "invariance_levels": "the groups (values of the invariance column) to compare; default: all",
    "weights": "a sampling-weight column (positive, never missing): every CB-SEM fit of the run (CFA, invariance, "
               "hypothesis models, mediations) is weighted (lavaan's sampling.weights; robust SEs and test)",
    "cluster": "a cluster column (city, service hall, school): every CB-SEM fit of the run has cluster-robust "
               "standard errors and test (lavaan's cluster=); the item ICCs are reported",
    "compare_cluster": "a cluster column shown BESIDE the plain fits (which ignore it): item ICCs and a table of "
                       "the hypothesis paths with plain and cluster-robust SEs",
    "compare_weights": "a sampling-weight column shown beside the plain fits: weighted, cluster-robust estimates in "
                       "the comparison table (needs cluster or compare_cluster)",
    "signs": "expected signs of hypotheses by label, e.g. {h3: '-'} (default '+', or a '# sign: -' comment on "
             "the path's line of the model file)",
    "method": "cbsem (covariance-based SEM, lavaan), pls (PLS-SEM, seminr), or [cbsem, pls]: both, with a table "
              "of the two solutions side by side per hypothesis",
    "pls": "PLS-SEM settings (method: pls): models, bootstrap, weighting, consistent, missing, folds, reps",
    "ordered": "true (every item of the models' constructs is ordinal) or a list of items: the CFA, invariance "
               "(Wu-Estabrook sequence), hypothesis models and mediations are fitted by WLSMV on thresholds and "
               "polychoric correlations (needs missing: listwise or pairwise)",
    "marker": "the instrument's marker scale (a construct with 'marker: true') for the CFA marker technique and "
              "the Lindell-Whitney correction, or true for its only marker scale; default null (Harman and VIF only)",
    "moderated_mediation": "a moderated mediation {x, m, y, w, stage, values}: the mediation x -> m -> y with w "
                           "moderating its first (x -> m) or second (m -> y) stage through a latent product factor "
                           "(double-mean-centred product indicators); conditional indirect effects at w = values "
                           "(SDs of w, default [-1, 0, 1]) and the index of moderated mediation, with the run's "
                           "bootstrap; true: the example's {x: SG, m: PV, y: PI, w: TI, stage: second}; default null",
}


@dataclass(frozen=True)
class RunConfig:
    """A checked study configuration (see the module docstring for the keys)."""

    raw: Path
    out: Path
    id: str = "id"
    duration: str | None = None
    instrument: Path | None = None
    exclude: Any = "default"
    invalid: str = "error"
    models: tuple[str, ...] = BUNDLED_MODELS
    primary: str | None = None
    estimator: str = "ML"
    missing: str = "fiml"
    bootstrap: int = 0
    bootstrap_models: tuple[str, ...] | None = None
    seed: int = 1
    formats: tuple[str, ...] = TABLE_FORMATS
    lang: str = "en"
    sample: tuple[str, ...] | None = None
    figure_formats: tuple[str, ...] = ("png", "svg", "pdf")
    example: bool = False
    invariance: str | None = None
    invariance_levels: tuple | None = None
    signs: tuple[tuple[str, str], ...] = ()
    weights: str | None = None
    cluster: str | None = None
    compare_cluster: str | None = None
    compare_weights: str | None = None
    marker: str | bool | None = None
    method: tuple[str, ...] = ("cbsem",)
    ordered: bool | tuple[str, ...] = False
    pls: dict = field(default_factory=dict, compare=False)
    moderated_mediation: dict | None = field(default=None, compare=False)
    source: str = "<config>"
    model_paths: dict = field(default_factory=dict, compare=False)

    def model_name(self, m: str) -> str:
        return Path(m).stem if m.endswith(".lav") else m

    @property
    def model_names(self) -> tuple[str, ...]:
        return tuple(self.model_name(m) for m in self.models)

    @property
    def design(self) -> dict[str, str]:
        """The fits' design options (``sampling_weights``, ``cluster``) given by ``weights`` / ``cluster``."""
        return {k: v for k, v in (("sampling_weights", self.weights), ("cluster", self.cluster)) if v}

    @property
    def design_columns(self) -> dict[str, str]:
        """The design columns the cleaning keeps: ``{"weights": col, "cluster": col}`` (fit or comparison)."""
        return {k: v for k, v in (("weights", self.weights or self.compare_weights),
                                  ("cluster", self.cluster or self.compare_cluster)) if v}

    def design_key(self, argument: str) -> str:
        """The config key that named the design column of ``argument`` ('weights' or 'cluster')."""
        if argument == "weights":
            return "weights" if self.weights else "compare_weights"
        return "cluster" if self.cluster else "compare_cluster"

    @property
    def pls_models(self) -> tuple[str, ...]:
        """The models estimated by PLS-SEM (``method`` has pls): ``pls: {models: ...}``, by default the
        primary model; empty without PLS."""
        if "pls" not in self.method:
            return ()
        return tuple(self.pls.get("models") or (self.primary_name,))

    @property
    def primary_name(self) -> str:
        return self.model_name(self.primary) if self.primary else self.model_names[-1]

    def model_text(self, m: str) -> str:
        """The lavaan syntax of model ``m`` (a bundled name or a .lav file)."""
        if m in BUNDLED_MODELS and not m.endswith(".lav"):
            from .example import hypothesis_model

            return hypothesis_model(m)
        from ..io import read_text

        return read_text(self.model_paths.get(m, m), what="model file", argument="models")

    def with_(self, **changes) -> RunConfig:
        """A copy with some keys changed and checked again (e.g. ``out``, fewer ``models``)."""
        d = {k: getattr(self, k) for k in _KEYS if hasattr(self, k)}
        d["models"] = [self.model_paths.get(m, m) for m in self.models]
        d.update(changes)
        return _from_dict(d, base=None, source=self.source)


def _bad(source: str, key: str, what: str, value: Any) -> EgovsemError:
    return EgovsemError(f"The {key!r} key of {source} must be {what}. Got {value!r} instead.")


def _choice(d, key, options, source, default, *, upper=False):
    v = d.get(key, default)
    if not isinstance(v, str) or (v.upper() if upper else v.lower()) not in options:
        raise _bad(source, key, "one of " + ", ".join(repr(o) for o in options), v)
    return v.upper() if upper else v.lower()


def _str_list(d, key, source, default, options=None):
    v = d.get(key, default)
    if v is None:
        return None
    if isinstance(v, str):
        v = [s.strip() for s in v.split(",") if s.strip()]
    if not isinstance(v, (list, tuple)) or not v or not all(isinstance(s, str) and s for s in v):
        raise _bad(source, key, "a non-empty list of names", v)
    if options is not None:
        v = [s.lower().lstrip(".") for s in v]
        bad = [s for s in v if s not in options]
        if bad:
            raise _bad(source, key, "a list drawn from " + ", ".join(repr(o) for o in options), bad[0])
    return tuple(v)


def _path(d, key, source, base, *, required, must_exist=True):
    v = d.get(key)
    if v is None:
        if required:
            raise EgovsemError(f"The {key!r} key of {source} is missing: give {_KEYS[key]}.")
        return None
    if not isinstance(v, (str, Path)) or not str(v).strip():
        raise _bad(source, key, "a file path", v)
    p = Path(v).expanduser()
    if base is not None and not p.is_absolute():
        p = base / p
    if must_exist and not p.exists():
        raise EgovsemError(f"The {key!r} key of {source} names {str(v)!r}, which does not exist"
                           + (f" (looked for {str(p)!r})." if str(p) != str(v) else "."))
    return p


def _from_dict(d: dict, *, base: Path | None, source: str) -> RunConfig:
    if not isinstance(d, dict):
        raise EgovsemError(f"{source} must be a YAML mapping of keys ({', '.join(_KEYS)}). "
                           f"Got {type(d).__name__} instead.")
    unknown = [k for k in d if k not in _KEYS]
    if unknown:
        raise EgovsemError(f"{source} has the unknown key {unknown[0]!r} (value {d[unknown[0]]!r}); "
                           f"the keys are: {', '.join(_KEYS)}.")
    raw = _path(d, "raw", source, base, required=True)
    out = _path(d, "out", source, base, required=True, must_exist=False)
    instrument = _path(d, "instrument", source, base, required=False)
    for key in ("id", "duration"):
        v = d.get(key, "id" if key == "id" else None)
        if v is not None and (not isinstance(v, str) or not v.strip()):
            raise _bad(source, key, "a column name", v)
    models = _str_list(d, "models", source, list(BUNDLED_MODELS))
    model_paths = {}
    for m in models:
        if m.endswith(".lav"):
            p = Path(m) if base is None or Path(m).is_absolute() else base / m
            if not p.is_file():
                raise EgovsemError(f"The 'models' key of {source} names {m!r}, which does not exist"
                                   + (f" (looked for {str(p)!r})." if str(p) != m else "."))
            model_paths[m] = str(p)
        elif m not in BUNDLED_MODELS:
            raise _bad(source, "models", "a list of bundled model names (" + ", ".join(BUNDLED_MODELS)
                       + ") or .lav files", m)
    names = [Path(m).stem if m.endswith(".lav") else m for m in models]
    if len(set(names)) != len(names):
        raise _bad(source, "models", "a list of models with distinct names", list(models))
    primary = d.get("primary")
    if primary is not None and primary not in names and primary not in models:
        raise _bad(source, "primary", "one of the models " + ", ".join(repr(n) for n in names), primary)
    boot = d.get("bootstrap", 0)
    if boot is None:
        boot = 0
    if isinstance(boot, bool) or not isinstance(boot, int) or boot < 0 or 0 < boot < 10:
        raise _bad(source, "bootstrap", "0 (no bootstrap) or a number of draws of at least 10", boot)
    bmodels = _str_list(d, "bootstrap_models", source, None)
    if bmodels:
        bad = [m for m in bmodels if m not in names and m not in models]
        if bad:
            raise _bad(source, "bootstrap_models", "a list of the models " + ", ".join(repr(n) for n in names),
                       bad[0])
        bmodels = tuple(Path(m).stem if m.endswith(".lav") else m for m in bmodels)
    seed = d.get("seed", 1)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise _bad(source, "seed", "a non-negative integer", seed)
    example = d.get("example", False)
    if not isinstance(example, bool):
        raise _bad(source, "example", "true or false", example)
    inv = d.get("invariance")
    if inv is not None and not isinstance(inv, str):
        raise _bad(source, "invariance", "a column name or null", inv)
    levels = d.get("invariance_levels")
    if levels is not None and (not isinstance(levels, (list, tuple)) or len(levels) < 2):
        raise _bad(source, "invariance_levels", "a list of at least two group values", levels)
    signs = d.get("signs") or {}
    if not isinstance(signs, dict) or not all(isinstance(k, str) for k in signs):
        raise _bad(source, "signs", "a mapping of hypothesis labels to '+' or '-' (e.g. {h3: '-'})", signs)
    from ..tables.signs import parse_sign

    try:
        signs = tuple((k, parse_sign(v, f"the label {k!r}")) for k, v in signs.items())
    except EgovsemError as exc:
        raise EgovsemError(f"The 'signs' key of {source}: {exc}") from None
    design = {}
    for key in ("weights", "cluster", "compare_cluster", "compare_weights"):
        v = d.get(key)
        if v is not None and (not isinstance(v, str) or not v.strip()):
            raise _bad(source, key, "a column name or null", v)
        design[key] = v
    for key in ("weights", "cluster", "compare_cluster", "compare_weights"):
        col = design[key]
        if col is not None and col in (d.get("id", "id"), d.get("duration")):
            raise _bad(source, key, "a design column other than the id and the duration columns", col)
    if design["weights"] and design["compare_weights"]:
        raise EgovsemError(f"{source} gives both 'weights' ({design['weights']!r}) and 'compare_weights' "
                           f"({design['compare_weights']!r}); the fits are either weighted or compared with weighted "
                           "fits: keep one.")
    if design["cluster"] and design["compare_cluster"]:
        raise EgovsemError(f"{source} gives both 'cluster' ({design['cluster']!r}) and 'compare_cluster' "
                           f"({design['compare_cluster']!r}); keep one.")
    wcol = design["weights"] or design["compare_weights"]
    ccol = design["cluster"] or design["compare_cluster"]
    if wcol and wcol == ccol:
        raise _bad(source, "cluster" if design["cluster"] else "compare_cluster",
                   f"a column other than the weight column {wcol!r}", ccol)
    if design["compare_weights"] and not ccol:
        raise _bad(source, "compare_weights", "given with 'cluster' or 'compare_cluster' (the comparison table "
                   "sets plain and cluster-robust results side by side)", design["compare_weights"])
    if ccol is not None and ccol == inv:
        raise _bad(source, "cluster" if design["cluster"] else "compare_cluster",
                   f"a column other than the invariance grouping column {inv!r}", ccol)
    marker = d.get("marker")
    if marker is not None and not isinstance(marker, (str, bool)):
        raise _bad(source, "marker", "the code of the instrument's marker scale, true, or null", marker)
    method = d.get("method", "cbsem")
    mlist = [method] if isinstance(method, str) else method
    if not isinstance(mlist, (list, tuple)) or not mlist or not all(isinstance(m, str) for m in mlist) \
            or len({m.lower() for m in mlist}) != len(mlist) or any(m.lower() not in METHODS for m in mlist):
        raise _bad(source, "method", "cbsem, pls, or the list [cbsem, pls]", method)
    methods = tuple(m for m in METHODS if m in {x.lower() for x in mlist})
    from .pls_run import check_pls_settings

    pls = check_pls_settings(d.get("pls"), source=source, models=names, paths=models, methods=methods)
    ordered = d.get("ordered", False)
    if ordered is None:
        ordered = False
    if not isinstance(ordered, bool):
        if isinstance(ordered, str):
            ordered = [ordered]
        if not isinstance(ordered, (list, tuple)) or not ordered or not all(isinstance(x, str) and x.strip()
                                                                           for x in ordered):
            raise _bad(source, "ordered", "true, false, or a list of item names", d.get("ordered"))
        ordered = tuple(ordered)
    missing = _choice(d, "missing", MISSING + (("pairwise",) if ordered else ()), source,
                      "listwise" if ordered else "fiml")
    if ordered and missing == "fiml":
        raise EgovsemError(f"The 'missing' key of {source} is 'fiml', but 'ordered' is given: ordinal items are "
                           "fitted by WLSMV, which has no FIML; set missing: listwise (complete rows) or missing: "
                           "pairwise (every pair of items observed).")
    if ordered and "pls" in methods:
        raise _bad(source, "ordered", "not given with method: pls (PLS-SEM treats the items as continuous)",
                   d.get("ordered"))
    if ordered and (design["weights"] or design["cluster"]):
        key = "weights" if design["weights"] else "cluster"
        raise _bad(source, key, "null with 'ordered' (the run's WLSMV fits take no survey design yet)", design[key])
    if not ordered and str(d.get("estimator")).upper() == "WLSMV":
        raise _bad(source, "estimator", "ML or MLR ('WLSMV' needs 'ordered': the ordinal items)", d.get("estimator"))
    estimator = _choice(d, "estimator", ESTIMATORS + (("WLSMV",) if ordered else ()), source,
                        "WLSMV" if ordered else "ML", upper=True)
    if ordered and estimator != "WLSMV":
        raise _bad(source, "estimator", "WLSMV (or left out) with 'ordered'", d.get("estimator"))
    from .modmed_run import check_modmed_settings

    modmed = check_modmed_settings(d.get("moderated_mediation"), source=source)
    if modmed is not None and "cbsem" not in methods:
        raise _bad(source, "moderated_mediation", "null with method: pls (the moderated mediation is a CB-SEM fit)",
                   d.get("moderated_mediation"))
    exclude = d.get("exclude", "default")
    if not isinstance(exclude, (str, list, tuple)) and exclude is not None:
        raise _bad(source, "exclude", "a rule text such as 'default' or a list of rules", exclude)
    return RunConfig(
        raw=raw, out=out, id=d.get("id", "id"), duration=d.get("duration"), instrument=instrument,
        exclude=exclude if exclude is not None else "none",
        invalid=_choice(d, "invalid", ("error", "missing"), source, "error"),
        models=tuple(models), primary=primary,
        estimator=estimator,
        missing=missing, bootstrap=int(boot), bootstrap_models=bmodels,
        seed=int(seed), formats=_str_list(d, "formats", source, list(TABLE_FORMATS), TABLE_FORMATS),
        lang=_choice(d, "lang", LANGS, source, "en"), sample=_str_list(d, "sample", source, None),
        figure_formats=_str_list(d, "figure_formats", source, ["png", "svg", "pdf"], ("png", "svg", "pdf")),
        example=example, invariance=inv, invariance_levels=tuple(levels) if levels is not None else None,
        signs=signs, weights=design["weights"], cluster=design["cluster"],
        compare_cluster=design["compare_cluster"], compare_weights=design["compare_weights"],
        marker=marker or None, method=methods, ordered=ordered, pls=pls, moderated_mediation=modmed, source=source,
        model_paths=model_paths,
    )


def load_config(path: str | Path, **overrides) -> RunConfig:
    """Read and check ``CONFIG.yaml``; ``overrides`` (e.g. ``out=``) replace keys of the file.

    Relative paths in the file are relative to the file's directory; an ``out`` given as an override is
    relative to the current directory.
    """
    import yaml

    p = Path(path)
    if not p.is_file():
        raise EgovsemError(f"The configuration file {str(path)!r} does not exist.")
    from ..io import read_text

    text = read_text(p, what="configuration file")
    try:
        d = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise EgovsemError(f"{p.name} is not valid YAML: {' '.join(str(exc).split())}") from None
    if d is None:
        d = {}
    source = p.name
    if isinstance(d, dict) and overrides:
        d = dict(d)
        if overrides.get("models") is not None and "bootstrap_models" not in overrides:
            for k in ("bootstrap_models", "primary"):  # every model with ':=' effects; the last model
                if k not in overrides:
                    d.pop(k, None)
        for k, v in overrides.items():
            if v is None:
                continue
            # an override comes from the command line: a path in it is relative to the current directory
            d[k] = str(Path(v).resolve()) if k in ("out", "raw", "instrument") else v
    cfg = _from_dict(d, base=p.resolve().parent, source=source)
    return cfg


def example_config(out: str | Path, **overrides) -> RunConfig:
    """The configuration of ``egovsem run --example``: the bundled SIMULATED raw export and questionnaire,
    the three hypothesis models by FIML (ML), percentile bootstrap CIs (B = 1000, every resample refitted by FIML)
    for the indirect effects of every model, tables in en and zh; the moderated mediation H9a SG -> PV -> PI with
    trust in the platform (TI) moderating its second stage (when the models have these constructs);
    the simulated recruitment cities and design weights are shown beside the plain fits (item ICCs, plain
    vs cluster-robust and weighted SEs), ``compare_cluster: city`` and ``compare_weights: weight``."""
    from ..datasets import path as data_path
    from .example import EXAMPLE_SEED

    d = dict(raw=str(data_path("example/raw_export.csv")), out=str(out), id="id", duration="duration",
             models=list(BUNDLED_MODELS), estimator="ML", missing="fiml", bootstrap=1000,
             bootstrap_models=None, seed=EXAMPLE_SEED, lang="both", example=True,
             sample=["resp_type", "region", "age_group", "education"],
             invariance="resp_type", invariance_levels=[1, 2], compare_cluster="city",
             compare_weights="weight", marker="MK")
    models = overrides.get("models")
    if models is None or {"value_net", "integrated"} & set(models):  # the models that have SG, PV, TI and PI
        from .modmed_run import MODMED_DEFAULT

        d["moderated_mediation"] = {k: v for k, v in MODMED_DEFAULT.items() if k != "values"}
    d.update({k: (list(v) if isinstance(v, tuple) else v) for k, v in overrides.items() if v is not None})
    return _from_dict(d, base=None, source="the example configuration")
