"""``egovsem run``: a study from the raw survey export to the paper's tables in one call.

Steps (:func:`run_study`; the CLI's ``run`` verb and the notebooks call it):

1. **instrument**: the questionnaire (:func:`egovsem.instruments.load_instrument`);
2. **clean**: validation, careless-response screening, reverse coding (:func:`egovsem.clean.clean`);
   audit, flags, flow and report go to ``OUT/clean/``;
3. **hypothesis models**: each model fitted by :func:`egovsem.sem` (``estimator``, ``missing``, and the
   survey design ``weights`` / ``cluster`` as ``sampling_weights=`` / ``cluster=``: every CB-SEM fit of the run,
   CFA and invariance steps included, uses them; the tables say so in a note);
4. **measurement**: the CFA of every construct of the models; reliability (alpha, omega, AVE), the
   Fornell-Larcker criterion and HTMT (:mod:`egovsem.measure`);
   With a cluster column (``cluster`` or ``compare_cluster``): item ICCs (:func:`egovsem.measure.icc.icc`) and the
   primary model's paths plain, cluster-robust and (with weights) weighted, side by side (two tables added after
   the others, ``design`` in results.json);
5. **recovery** (the simulated example only): the primary model's estimates beside the population truth;
6. **bootstrap**: ``se="bootstrap"`` fits for the indirect effects (``:=``), when the engine offers it; the
   config's ``moderated_mediation`` (a latent product factor; conditional indirect effects and the index of
   moderated mediation with the same bootstrap, :mod:`egovsem.study.modmed_run`);
7. **tables** (:mod:`egovsem.tables`) in every format and language asked for, and the **path diagram**
   (:mod:`egovsem.figures`);
8. **text**: a draft methods-and-results paragraph in English and Chinese with the numbers filled in;
9. ``results.json`` (the primary model, plus every model and the measurement summary), ``summary.txt``,
   ``README.md`` (what is where).

Everything made from the bundled example says that the data are SIMULATED.
"""
from __future__ import annotations

import dataclasses
import json
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .._errors import EgovsemError, EmptyCategoryError, NotAvailableError
from ..instruments.draft import DRAFT_NOTE, DRAFT_NOTE_ZH
from ..safe_write import atomic_write_text
from .config import RunConfig, example_config, load_config
from .example import EXAMPLE_SEED, SIMULATED_NOTE, SIMULATED_NOTE_EN, SIMULATED_NOTE_ZH, recovery_table
from .fitting import BackgroundBootstraps, fit_collecting
from .titles import model_title

__all__ = ["run_study", "run_example", "RunResult", "load_config", "example_config"]

#: files of ``OUT/clean`` that hold respondent-level data (kept out of ``paper/``)
RESPONDENT_FILES = ("clean.csv", "clean.parquet", "flags.csv", "audit.csv")


@dataclass
class RunResult:
    """What :func:`run_study` returns: the objects of every step and the files written."""

    config: RunConfig
    instrument: Any = None
    clean: Any = None
    fits: dict = field(default_factory=dict)
    cfa: Any = None
    reliability: pd.DataFrame | None = None
    reliability_fit: Any = None
    htmt: pd.DataFrame | None = None
    method_bias: dict | None = None  # Harman, full-collinearity VIF and, with a marker scale, the marker checks
    recovery: pd.DataFrame | None = None
    invariance: pd.DataFrame | None = None
    icc: pd.DataFrame | None = None
    design_comparison: pd.DataFrame | None = None
    bootstrap: dict = field(default_factory=dict)
    tables: list = field(default_factory=list)
    text: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    warnings: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    pls: dict = field(default_factory=dict)  # model -> egovsem.study.pls_run.PLSRun (config method: pls)
    modmed: dict | None = None  # the moderated mediation (config moderated_mediation; egovsem.study.modmed_run)

    @property
    def data(self) -> pd.DataFrame:
        return self.clean.data

    @property
    def primary(self):
        return self.fits[self.config.primary_name]


class _Progress:
    def __init__(self, say: Callable[[str], None] | None, n: int):
        self.say = say or (lambda msg: None)
        self.n, self.i, self.t0 = n, 0, time.perf_counter()
        self.timings: dict[str, float] = {}
        self._last = self.t0

    def step(self, msg: str) -> None:
        now = time.perf_counter()
        self.i += 1
        self.say(f"[{self.i}/{self.n}] {msg} ({now - self.t0:.1f} s)")
        self._last = now

    def done(self, key: str) -> None:
        now = time.perf_counter()
        self.timings[key] = round(now - self._last, 2)
        self._last = now

    def info(self, msg: str) -> None:
        self.say(f"      {msg}")


def _instrument(cfg: RunConfig, texts: dict[str, str]):
    """The study's instrument and whether it is a draft: the config's file; else the bundled questionnaire for
    the example or for models whose indicators are all its scale items; else a draft inferred from the models
    and the raw data (:func:`egovsem.instruments.draft.draft_instrument`)."""
    from ..instruments import load_instrument

    if cfg.instrument is not None:
        return load_instrument(cfg.instrument), False
    bundled = load_instrument()
    if cfg.example:
        return bundled, False
    from ..instruments.draft import draft_instrument, model_blocks

    scale = {it.name for it in bundled.scale_items()}
    indicators = {i for its in model_blocks(texts.values()).values() for i in its}
    if indicators and indicators <= scale:
        return bundled, False
    from ..io import read_data, read_labels

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the cleaning step reports the data's problems
        raw = read_data(cfg.raw)
    return draft_instrument(list(texts.values()), raw, id=cfg.id, duration=cfg.duration,
                            labels=read_labels(cfg.raw)), True


ORDERED_NOTE = ("The items are treated as ordinal: every CB-SEM fit (CFA, invariance, hypothesis models, mediations) "
                "is WLSMV (diagonally weighted least squares on the thresholds and polychoric correlations, robust "
                "standard errors and the mean- and variance-adjusted chi-square).",
                "题项按有序分类变量处理：所有CB-SEM拟合（CFA、测量不变性、假设模型、中介效应）均采用WLSMV估计"
                "（基于阈值与多分格相关的对角加权最小二乘，稳健标准误与均值方差校正卡方）。")


def _ordered_items(cfg: RunConfig, res: RunResult, texts: dict[str, str]) -> bool | list[str]:
    """The ``ordered`` of the config, checked against the instrument and the models' indicators."""
    if cfg.ordered is True:
        return True
    if cfg.ordered is False:
        return False
    names = {it.name for it in res.instrument.items}
    used = {i for t in texts.values() for its in _blocks(t).values() for i in its}
    for item in cfg.ordered:
        if item not in names:
            raise EgovsemError(f"The 'ordered' key of {cfg.source} names {item!r}, which is not an item of the "
                               "instrument.")
        if item not in used:
            raise EgovsemError(f"The 'ordered' key of {cfg.source} names {item!r}, which no construct of the "
                               f"models measures (their indicators: {sorted(used)!r}).")
    return list(cfg.ordered)


def _blocks(model: str) -> dict[str, list[str]]:
    """The ``=~`` blocks of a model (factor -> indicators), in the order written."""
    from ..sem.partable import specify

    pt = specify(model).partable
    out: dict[str, list[str]] = {}
    for r in pt[(pt["op"] == "=~") & (pt["user"] == 1)].itertuples():
        out.setdefault(r.lhs, []).append(r.rhs)
    return out


def _all_blocks(texts: dict[str, str]) -> dict[str, list[str]]:
    """The constructs of all the models (factor -> indicators; the first model that measures a factor)."""
    blocks: dict[str, list[str]] = {}
    for text in texts.values():
        for f, items in _blocks(text).items():
            blocks.setdefault(f, items)
    return blocks


def _default_sample_columns(inst, data: pd.DataFrame) -> list[str]:
    """The instrument's categorical items outside the scales (respondent type, region, ...) with at least two
    observed values, attention checks and identifiers left out."""
    cols = []
    for it in inst.items:
        if it.type not in ("select_one", "integer", "decimal") or it.construct or it.identifier:
            continue
        if it.expected is not None or it.name not in data.columns:  # attention checks have an expected answer
            continue
        if data[it.name].nunique(dropna=True) >= 2:
            cols.append(it.name)
    return cols


# -- the study -------------------------------------------------------------------------------------------
def run_study(config: RunConfig | str | Path, *, progress: Callable[[str], None] | None = None) -> RunResult:
    """Run the study described by ``config`` (a :class:`RunConfig` or the path of ``CONFIG.yaml``).

    Returns a :class:`RunResult`; ``result.files`` maps names to the files written under ``config.out``.
    """
    from ..clean import clean, write_outputs

    cfg = load_config(config) if isinstance(config, (str, Path)) else config
    if not isinstance(cfg, RunConfig):
        raise EgovsemError(f"The 'config' parameter must be a RunConfig or a YAML path. Got {type(config).__name__}.")
    out = Path(cfg.out)
    if out.exists() and not out.is_dir():
        raise EgovsemError(f"The output directory {str(out)!r} ('out') is a file.")
    out.mkdir(parents=True, exist_ok=True)
    note = SIMULATED_NOTE if cfg.example else None
    # the tables' note in each table's own language (an English .tex file stays ASCII for pdflatex)
    table_note = (SIMULATED_NOTE_EN, SIMULATED_NOTE_ZH) if cfg.example else None
    res = RunResult(config=cfg)
    pr = _Progress(progress, 9)
    if cfg.example:
        pr.say("THE DATA ARE SIMULATED (bundled example; no real survey of this study exists yet)")

    # 1-2. instrument and cleaning
    texts = {cfg.model_name(m): cfg.model_text(m) for m in cfg.models}
    if cfg.moderated_mediation is not None:  # before the cleaning: a construct the models lack stops the run now
        from .modmed_run import check_modmed_constructs

        check_modmed_constructs(cfg.moderated_mediation, _all_blocks(texts), source=cfg.source)
    res.instrument, drafted = _instrument(cfg, texts)
    what = "DRAFT inferred from the models and the data" if drafted else "bundled study questionnaire"
    pr.step(f"instrument: {cfg.instrument or what}")
    if drafted:
        pr.info(DRAFT_NOTE)
        res.notes.append(("instrument", (DRAFT_NOTE, DRAFT_NOTE_ZH)))
    pr.done("instrument")
    pr.step(f"cleaning {Path(cfg.raw).name} (id column {cfg.id!r}, duration {cfg.duration!r})")
    from ..clean import DesignColumnError

    try:
        res.clean = clean(cfg.raw, res.instrument, id=cfg.id, duration=cfg.duration, exclude=cfg.exclude,
                          invalid=cfg.invalid, weights=cfg.design_columns.get("weights"),
                          cluster=cfg.design_columns.get("cluster"))
    except DesignColumnError as exc:
        key = cfg.design_key(exc.argument)
        raise EgovsemError(f"The {key!r} key of {cfg.source} names the column {exc.column!r}: {exc}") from None
    paths = write_outputs(res.clean, out / "clean")
    if drafted:
        from ..instruments import write_yaml

        rp = paths["report.md"]
        atomic_write_text(rp, f"> {DRAFT_NOTE}\n>\n> {DRAFT_NOTE_ZH}\n\n" + rp.read_text(encoding="utf-8"))
        paths["instrument_draft.yaml"] = write_yaml(res.instrument, out / "clean" / "instrument_draft.yaml")
    if note:
        rp = paths["report.md"]
        atomic_write_text(rp, f"> {note}\n\n" + rp.read_text(encoding="utf-8"))
        # flow.csv (as every CSV written) stays a plain data file that pandas.read_csv reads; the notice is in
        # the report above, the folder's README.md and manifest.json
    res.files.update({f"clean/{k}": v for k, v in paths.items()})
    flow = res.clean.flow
    data = res.clean.data
    if cfg.moderated_mediation is not None:  # the moderator values inside the data's range, before any fit
        from .modmed_run import check_modmed_values

        check_modmed_values(cfg.moderated_mediation, data, _all_blocks(texts), source=cfg.source)
    pr.info(f"received {int(flow['n'].iloc[0])}, excluded {int(flow['n'].iloc[0] - flow['n'].iloc[-1])}, "
            f"analysed {int(flow['n'].iloc[-1])}")
    pr.done("clean")
    if "cbsem" not in cfg.method:  # method: pls alone (egovsem.study.pls_run)
        from .pls_run import run_pls_only

        run_pls_only(res, texts, pr, table_note)
        res.timings = dict(pr.timings, total=round(time.perf_counter() - pr.t0, 2))
        return res

    # 3. hypothesis models
    if cfg.signs:
        from ..tables.signs import expected_signs

        known = set().union(*(expected_signs(t) for t in texts.values()))
        bad = [k for k, _ in cfg.signs if k not in known]
        if bad:
            raise EgovsemError(f"The 'signs' key of {cfg.source} names the label {bad[0]!r}, which labels no "
                               f"regression path of the models; labelled paths are {sorted(known)!r}.")
    opts: dict[str, Any] = dict(estimator=cfg.estimator, missing=cfg.missing, **cfg.design)
    if cfg.ordered:
        opts["ordered"] = _ordered_items(cfg, res, texts)
        pr.info(ORDERED_NOTE[0])
        res.notes.append(("ordered", ORDERED_NOTE))
    pr.step(f"fitting {len(texts)} hypothesis model(s) ({cfg.estimator}, missing = {cfg.missing}"
            + "".join(f", {k} = {v}" for k, v in cfg.design.items()) + "): " + ", ".join(texts))
    for name, text in texts.items():
        t = time.perf_counter()
        res.fits[name], res.warnings[name] = fit_collecting(text, data, title=name, **opts)
        fm = res.fits[name].fit_measures
        sc = ".scaled" if cfg.ordered else ""
        pr.info(f"{name}: chisq{sc} = {fm['chisq' + sc]:.2f} on {int(fm['df'])} df, CFI{sc} = {fm['cfi' + sc]:.3f}, "
                f"RMSEA{sc} = {fm['rmsea' + sc]:.3f} ({time.perf_counter() - t:.1f} s)")
        for w in res.warnings[name]:
            pr.info(f"warning ({name}): {w}")
    pr.done("models")
    # the bootstraps of step 6 (and of the moderated mediation, fitted now) start in a background process, on
    # the core the measurement step leaves idle
    boot_fits = {m: res.fits[m] for m in _bootstrap_models(res, texts)}
    modmed = _modmed_fitted(res, texts, opts)
    if modmed is not None and cfg.bootstrap > 0 and not cfg.design:
        boot_fits[MODMED_KEY] = modmed[0]
    bg = BackgroundBootstraps(boot_fits, cfg.bootstrap, cfg.seed)
    try:
        _after_models(res, texts, opts, pr, note, table_note, bg, modmed)
    finally:
        bg.close()
    return res


def _after_models(res: RunResult, texts, opts, pr: _Progress, note, table_note, bg: BackgroundBootstraps,
                  modmed: tuple | None) -> None:
    """Steps 4 to 9 of :func:`run_study`, after the hypothesis models are fitted."""
    cfg, out = res.config, Path(res.config.out)
    # 4. measurement
    blocks = _all_blocks(texts)
    if not blocks:
        raise EgovsemError("egovsem run needs latent constructs ('=~' lines) in the models for the measurement "
                           f"model; the models {list(texts)!r} have none.")
    _measurement(res, blocks, opts, pr)
    _invariance(res, texts, opts, pr)
    _design(res, texts, blocks, opts, pr)
    pr.done("measurement")

    # 5. recovery of the truth (simulated example)
    if cfg.example and cfg.ordered:
        msg = ("The recovery table (estimates beside the population values) is not written: the population model "
               "is on the continuous scale, the WLSMV estimates are on the latent-response (ordinal) scale.",
               "未输出总体真值复原表：总体模型为连续尺度，WLSMV估计值为潜在反应（有序）尺度。")
        res.notes.append(("recovery", msg))
        pr.step("recovery: skipped. " + msg[0])
    else:
        pr.step("recovery of the population values" if cfg.example else "recovery: skipped (not the simulated example)")
    if cfg.example and not cfg.ordered:
        res.recovery = recovery_table(res.primary)
        atomic_write_text(out / "recovery.csv", res.recovery.to_csv(index=False, float_format="%.4f",
                                                                     lineterminator="\n"), newline="")
        res.files["recovery"] = out / "recovery.csv"
        paths_ = res.recovery[(res.recovery["op"] == "~") & res.recovery["true"].notna()]
        pr.info(f"{cfg.primary_name}: mean |bias| of the standardised paths {paths_['bias'].abs().mean():.3f}")
    pr.done("recovery")
    # the path diagrams read the point estimates only: drawn while the background bootstraps finish
    t = time.perf_counter()
    _figure(res, note, pr)
    pr.info(f"path diagrams drawn ({time.perf_counter() - t:.1f} s)")
    pr.done("figures")

    # 6. bootstrap
    _bootstrap(res, texts, opts, pr, bg)
    pr.done("bootstrap")
    _moderated_mediation(res, blocks, opts, pr, bg, modmed)
    pr.done("moderated_mediation")
    if cfg.pls_models:  # method: [cbsem, pls] (egovsem.study.pls_run)
        from .pls_run import fit_pls_models

        fit_pls_models(res, texts, pr.info)
        pr.done("pls")

    # 7. tables
    pr.step("tables (" + ", ".join(cfg.formats) + "; " + cfg.lang + "); the path diagrams are drawn in step 5")
    _tables(res, texts, table_note)
    pr.done("tables")

    # 8. text
    pr.step("draft methods-and-results paragraph (en, zh)")
    from .draft_text import methods_paragraph
    from .methods_doc import methods_docx, methods_html

    for lang in ("en", "zh"):
        res.text[lang] = methods_paragraph(res, lang)
        if res.pls:
            from .pls_run import pls_paragraph

            res.text[lang] += pls_paragraph(res, lang)
        p = out / f"methods_{lang}.md"
        atomic_write_text(p, res.text[lang])
        res.files[f"methods_{lang}"] = p
        # the same paragraph for Word and the browser (italic p, n, N; the minus sign U+2212)
        methods_docx(res.text[lang], out / f"methods_{lang}.docx", lang=lang)
        methods_html(res.text[lang], out / f"methods_{lang}.html", lang=lang)
        res.files[f"methods_{lang}.docx"] = out / f"methods_{lang}.docx"
        res.files[f"methods_{lang}.html"] = out / f"methods_{lang}.html"
    pr.done("text")

    # 9. results
    pr.step("results.json, summary.txt, README.md")
    _write_results(res, texts)
    stale = write_manifest(res)
    if stale:
        pr.info(f"{len(stale)} file(s) in {out} were not written by this run (left from an earlier run? not in "
                f"manifest.json): " + ", ".join(stale[:8]) + (" ..." if len(stale) > 8 else ""))
    pr.done("results")
    pr.say(f"done in {time.perf_counter() - pr.t0:.1f} s; files in {out}")
    res.timings = dict(pr.timings, total=round(time.perf_counter() - pr.t0, 2))


def _measurement(res: RunResult, blocks, opts, pr: _Progress) -> None:
    from ..measure import htmt, reliability_table
    from ..tables import cfa_syntax

    data = res.data
    pr.step(f"measurement model: CFA of {len(blocks)} constructs; reliability, validity, HTMT")
    syntax = cfa_syntax(blocks)
    t = time.perf_counter()
    res.cfa, res.warnings["cfa"] = fit_collecting(syntax, data, title="measurement model (CFA of the constructs)", **opts)
    fm = res.cfa.fit_measures
    sc = ".scaled" if "ordered" in opts else ""
    pr.info(f"CFA: chisq{sc} = {fm['chisq' + sc]:.2f} on {int(fm['df'])} df, CFI{sc} = {fm['cfi' + sc]:.3f} "
            f"({time.perf_counter() - t:.1f} s)")
    # omega and AVE come from this fit, whatever its missing-data treatment (FIML: semTools' compRelSEM on a
    # missing = "ml" fit); a fit they are not defined for raises NotAvailableError, never a silent refit
    if opts.get("ordered"):
        # reliability_table has no ordinal version yet: omega, AVE and alpha from an ML CFA of the same items
        # taken as continuous (complete cases), said in the tables' notes and the run log
        base = {k: v for k, v in opts.items() if k not in ("ordered", "estimator")}
        base["missing"] = "listwise"
        rfit, res.warnings["reliability"] = fit_collecting(syntax, data, title="CFA for reliability (items continuous)",
                                                 estimator="ML", **base)
        res.reliability = reliability_table(rfit, data)
        res.reliability_fit = rfit
        msg = (f"Omega (composite reliability) and AVE are from an ML CFA of the {rfit.nobs} complete cases with the "
               "items taken as continuous (the ordinal version is not implemented yet); loadings, fit and paths are "
               "WLSMV.", f"组合信度（ω）与AVE基于{rfit.nobs}个完整个案、题项按连续变量处理的ML CFA计算（有序版本尚未实现）；"
               "载荷、拟合与路径为WLSMV估计。")
        res.notes.append(("reliability_ordered", msg))
        pr.info(msg[0])
    else:
        res.reliability = reliability_table(res.cfa, data)
        res.reliability_fit = res.cfa
    # with FIML the HTMT uses the EM (saturated FIML) correlations of every respondent, as the fit does
    # (semTools::htmt(missing = "ml")); with pairwise deletion (ordered items) the pairwise correlations
    # (semTools::htmt(missing = "pairwise")); else the complete cases (semTools' default)
    hmiss = {"fiml": "ml", "pairwise": "pairwise"}.get(opts["missing"], "listwise")
    res.htmt = htmt(data, blocks, missing=hmiss) if len(blocks) > 1 else None
    _method_bias(res, blocks, pr)


def _method_bias(res: RunResult, blocks, pr: _Progress) -> None:
    """Common-method bias beside the CFA: Harman's single factor and the full-collinearity VIF; with the
    config's ``marker`` (a marker scale of the instrument, ``marker: true``), also the CFA marker technique and
    the Lindell-Whitney correction (:func:`egovsem.measure.method_bias_report`; five more CFAs)."""
    from ..measure import full_collinearity_vif, harman_single_factor, method_bias_report
    from ..measure.report import records as _records

    data = res.data
    items = list(dict.fromkeys(i for v in blocks.values() for i in v))
    mb: dict = {"harman": _records(harman_single_factor(data, items))[0],
                "full_collinearity_vif": _records(full_collinearity_vif(data, blocks)) if len(blocks) > 1 else []}
    want = res.config.marker
    if want:
        markers = res.instrument.marker_constructs()
        if want is True and len(markers) != 1:
            raise EgovsemError(f"The 'marker' key of {res.config.source} is true, but the instrument has "
                               f"{len(markers)} marker scales ({list(markers)!r}); name one.")
        code = next(iter(markers)) if want is True else str(want)
        if code not in markers:
            raise EgovsemError(f"The 'marker' key of {res.config.source} names {code!r}, which is not a marker scale "
                               f"of the instrument (constructs with 'marker: true': {list(markers) or 'none'}).")
        mitems = markers[code]
        _check_marker_outside_models(res, code, mitems, blocks)
        t = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            mb.update(method_bias_report(res.cfa, data, blocks, marker={code: mitems}))
        res.warnings["method_bias"] = sorted({str(w.message) for w in caught})
        tests = {r["comparison"]: r for r in mb["marker_cfa"]["tests"]}
        bc = tests["baseline_vs_method_c"]
        pr.info(f"marker technique ({code}): Baseline vs Method-C delta chisq = {bc['chisq_diff']:.2f} on "
                f"{bc['df_diff']} df; Lindell-Whitney r_M = {mb['lindell_whitney']['r_m']:.3f} "
                f"({time.perf_counter() - t:.1f} s)")
    res.method_bias = mb


def _check_marker_outside_models(res: RunResult, code: str, mitems: list[str], blocks) -> None:
    """The marker scale must stay out of the models: a marker item that loads on a substantive factor, or
    the marker construct itself in a model, is refused naming the config key, the item and the factor."""
    if code in blocks:
        raise EgovsemError(f"The 'marker' key of {res.config.source} names the marker scale {code!r}, which is also a "
                           f"factor of the models ({code} =~ {' + '.join(blocks[code])}). The marker scale is asked "
                           "only for the common-method-bias checks: take it out of the models, or drop 'marker'.")
    owner = {i: f for f, its in blocks.items() for i in its}
    shared = [i for i in mitems if i in owner]
    if shared:
        raise EgovsemError(
            f"The 'marker' key of {res.config.source} names the marker scale {code!r}, but " + ", ".join(
                f"its item {i!r} loads on the substantive factor {owner[i]!r}" for i in shared)
            + " in the models. A marker item must measure only the marker (theoretically unrelated to the "
            "constructs): remove it from that factor's '=~' line, or drop 'marker'.")


def _invariance(res: RunResult, texts, opts, pr: _Progress) -> None:
    """Measurement invariance across the config's groups, on the constructs of the first model."""
    cfg = res.config
    if not cfg.invariance:
        return
    from ..measure import invariance
    from ..tables import cfa_syntax

    data = res.data
    if cfg.invariance not in data.columns:
        raise EgovsemError(f"The 'invariance' key names the column {cfg.invariance!r}, which the cleaned data lack.")
    if cfg.invariance_levels is not None:
        data = data[data[cfg.invariance].isin(list(cfg.invariance_levels))]
    first = list(texts)[0]
    syntax = cfa_syntax(_blocks(texts[first]))
    t = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pr.info(f"invariance by {cfg.invariance}: fitting the " + (
            "configural, thresholds, loadings and intercepts models (WLSMV, Wu-Estabrook sequence)" if cfg.ordered
            else "configural, metric, scalar and strict models"))
        extra: dict[str, Any] = {}
        if cfg.ordered:
            extra = dict(ordered=opts["ordered"], steps=("configural", "thresholds", "loadings", "intercepts"))
        try:
            res.invariance = invariance(syntax, data, cfg.invariance, estimator=opts["estimator"],
                                        missing=opts["missing"], progress=lambda m: pr.info(f"  invariance {m}"),
                                        sampling_weights=cfg.weights, cluster=cfg.cluster, n_jobs=None,
                                        **extra)
        except EmptyCategoryError as e:  # WLSMV across groups needs every category in every group (as lavaan)
            msg = empty_category_note(e)
            res.notes.append(("invariance", msg))
            pr.info(msg[0])
            return
    res.warnings["invariance"] = [str(w.message) for w in caught]
    res.invariance.attrs.pop("fits", None)  # the fitted steps are not kept (attrs are copied with the frame)
    res.invariance.attrs["model"] = first
    res.invariance.attrs["n"] = {str(k): int(v) for k, v in data[cfg.invariance].value_counts().sort_index().items()}
    d = res.invariance
    pr.info(f"invariance by {cfg.invariance} ({first} constructs): " + "; ".join(
        f"{r.step} chisq = {r.chisq:.2f} on {int(r.df)} df, CFI = {r.cfi:.3f}" for r in d.itertuples())
        + f" ({time.perf_counter() - t:.1f} s)")


def empty_category_note(e: EmptyCategoryError) -> tuple[str, str]:
    """The run's note (en, zh) when the ordinal invariance models cannot be fitted: an item's category is
    empty in one group (:class:`egovsem._errors.EmptyCategoryError`)."""
    empty = ", ".join(str(c) for c in e.empty)
    freq = ", ".join(f"{c}: {f}" for c, f in zip(e.categories, e.frequencies))
    return (f"Measurement invariance by {e.group} is not tested: in the group {e.group} = {e.group_label}, no "
            f"respondent chose category {empty} of the ordinal item {e.item} (frequencies {freq}). Multi-group "
            "WLSMV needs every category in every group (lavaan stops there too). To test invariance, collapse "
            "that category with a neighbouring one for all respondents, or compare other groups "
            "(invariance_levels).",
            f"未检验按{e.group}的测量不变性：在{e.group} = {e.group_label}组中，没有受访者选择有序题项{e.item}的类别"
            f"{empty}（频数 {freq}）。多组WLSMV要求每组都使用每个类别（lavaan在此也会停止）。如需检验不变性，请对所有受访者"
            "将该类别与相邻类别合并，或比较其他组（invariance_levels）。")


def _design(res: RunResult, texts, blocks, opts, pr: _Progress) -> None:
    """The survey design: item ICCs by the cluster column, and the primary model's paths plain, with
    cluster-robust SEs and (with weights) weighted, side by side."""
    cfg = res.config
    cols = cfg.design_columns
    ccol, wcol = cols.get("cluster"), cols.get("weights")
    if ccol is None:
        return
    from ..measure.icc import icc

    data = res.data
    items = [i for its in blocks.values() for i in its]
    t = time.perf_counter()
    res.icc = icc(data, items, ccol)
    res.icc.attrs.update(cluster=ccol, clusters=int(data[ccol].nunique()))
    pr.info(f"item ICCs by {ccol} ({res.icc.attrs['clusters']} clusters): median {res.icc['icc'].median():.3f}, "
            f"range {res.icc['icc'].min():.3f}-{res.icc['icc'].max():.3f} ({time.perf_counter() - t:.1f} s)")
    m = cfg.primary_name
    if not (res.fits[m].params["op"] == "~").any():
        return
    if cfg.ordered:
        msg = (f"The table of plain and cluster-robust (weighted) standard errors by {ccol} is not written: the "
               "run's WLSMV fits take no survey design.",
               f"未输出按{ccol}的普通与整群稳健（加权）标准误对比表：本次运行的WLSMV拟合不支持抽样设计。")
        res.notes.append(("design", msg))
        pr.info(msg[0])
        return
    base = {k: v for k, v in opts.items() if k not in ("sampling_weights", "cluster")}
    fits = {}
    for key, design in (("plain", {}), ("cluster", {"cluster": ccol}),
                        ("weighted", {"sampling_weights": wcol, "cluster": ccol} if wcol else None)):
        if design is None:
            continue
        if design == cfg.design:
            fits[key] = res.fits[m]
            continue
        t = time.perf_counter()
        fits[key], res.warnings[f"design_{key}_{m}"] = fit_collecting(texts[m], data, title=f"{m} ({key} comparison)",
                                                            **base, **design)
        pr.info(f"{m} {'plain' if not design else 'with ' + ', '.join(f'{k} = {v}' for k, v in design.items())}"
                f" for the design comparison ({time.perf_counter() - t:.1f} s)")
    keys = ["lhs", "op", "rhs", "label"]
    pick = lambda f: f.params[f.params["op"] == "~"][keys + ["est", "se", "pvalue", "std.all"]]  # noqa: E731
    out = pick(fits["plain"]).rename(columns={"est": "est_plain", "se": "se_plain", "pvalue": "p_plain",
                                              "std.all": "beta_plain"})
    cl = pick(fits["cluster"])[keys + ["se", "pvalue"]].rename(columns={"se": "se_cluster", "pvalue": "p_cluster"})
    out = out.merge(cl, on=keys, how="left")
    out["se_ratio"] = out["se_cluster"] / out["se_plain"]
    if "weighted" in fits:
        w = pick(fits["weighted"]).rename(columns={"est": "est_weighted", "se": "se_weighted",
                                                   "pvalue": "p_weighted", "std.all": "beta_weighted"})
        out = out.merge(w, on=keys, how="left")
    out = out.reset_index(drop=True)
    out.attrs.update(model=m, cluster=ccol, weights=wcol, clusters=res.icc.attrs["clusters"])
    res.design_comparison = out
    pr.info(f"{m}: cluster-robust SEs of the paths are {out['se_ratio'].min():.2f}-{out['se_ratio'].max():.2f} "
            f"times the plain ones (median {out['se_ratio'].median():.2f})")


def design_note(res: RunResult) -> tuple[str, str] | None:
    """The tables' note on the design the fits used (``weights`` / ``cluster`` of the config), or None."""
    cfg = res.config
    if not cfg.design:
        return None
    w, c = cfg.weights, cfg.cluster
    k = int(res.data[c].nunique()) if c else 0
    if w and c:
        return (f"Estimates weighted by {w}; standard errors and test robust to clustering in {c} ({k} clusters).",
                f"估计值以{w}加权；标准误与检验统计量对{c}的整群抽样稳健（{k}个群）。")
    if w:
        return (f"Estimates weighted by {w}; robust (Huber-White) standard errors and test.",
                f"估计值以{w}加权；稳健（Huber-White）标准误与检验统计量。")
    return (f"Standard errors and test robust to clustering in {c} ({k} clusters).",
            f"标准误与检验统计量对{c}的整群抽样稳健（{k}个群）。")


def _bootstrap_models(res: RunResult, texts) -> list[str]:
    """The models whose ``:=`` effects the run bootstraps (step 6): none without draws, with a survey design or
    with ordinal items (:func:`_bootstrap` says why)."""
    cfg = res.config
    if cfg.bootstrap <= 0 or cfg.design or cfg.ordered:
        return []
    return _effect_models(cfg, texts)


def _effect_models(cfg: RunConfig, texts) -> list[str]:
    """The models asked for (``bootstrap_models``, default all) that define ``:=`` effects."""
    return [m for m in (cfg.bootstrap_models or texts) if ":=" in texts[m]]


def _bootstrap(res: RunResult, texts, opts, pr: _Progress, bg: BackgroundBootstraps) -> None:
    cfg = res.config
    want = _effect_models(cfg, texts)
    if cfg.bootstrap <= 0 or not want:
        pr.step("bootstrap: not asked for" if cfg.bootstrap <= 0 else "bootstrap: no model defines ':=' effects")
        if cfg.bootstrap <= 0 and any(":=" in t for t in texts.values()):
            res.notes.append(("bootstrap", ("Indirect effects have delta-method (Wald) confidence intervals "
                                            "(bootstrap = 0).", "间接效应报告delta法（Wald）置信区间（bootstrap = 0）。")))
        return
    if cfg.design:
        msg = ("The indirect effects have delta-method (Wald) intervals with the design-based (robust) standard "
               "errors: a bootstrap of weighted or clustered data is not available (lavaan's se = 'bootstrap' "
               "ignores the design).",
               "间接效应报告基于设计（稳健）标准误的delta法（Wald）置信区间：加权或整群数据的bootstrap尚不可用"
               "（lavaan的se = 'bootstrap'忽略抽样设计）。")
        res.notes.append(("bootstrap", msg))
        pr.step("bootstrap: " + msg[0])
        return
    if cfg.ordered:
        msg = ("The indirect effects have delta-method (Wald) intervals with the WLSMV robust standard errors: the "
               "run does not bootstrap WLSMV fits.",
               "间接效应报告基于WLSMV稳健标准误的delta法（Wald）置信区间：本次运行不对WLSMV拟合进行bootstrap。")
        res.notes.append(("bootstrap", msg))
        pr.step("bootstrap: " + msg[0])
        return
    # under FIML every resample is refitted by FIML, all resamples as one batched problem (egovsem.sem.fiml_batch)
    refit = ", each resample refitted by FIML" if opts.get("missing") == "fiml" else ""
    pr.step(f"bootstrap of the indirect effects ({cfg.bootstrap} draws, seed {cfg.seed}{refit}): " + ", ".join(want))
    for m in want:  # (started after step 3: BackgroundBootstraps)
        try:
            res.bootstrap[m], res.warnings[f"bootstrap_{m}"], secs = bg.result(m)
        except NotAvailableError as exc:
            msg = (f"Bootstrap confidence intervals were asked for but are not available in this version of "
                   f"egovsem ({exc}); the indirect effects have delta-method (Wald) intervals.",
                   f"已要求bootstrap置信区间，但当前版本的egovsem尚不支持（{exc}）；间接效应报告delta法（Wald）置信区间。")
            res.notes.append(("bootstrap", msg))
            pr.info(msg[0])
            return
        pr.info(f"{m}: {cfg.bootstrap} draws in {secs:.1f} s")


MODMED_ORDERED_NOTE = ("The moderated mediation is not estimated: product indicators of ordinal items (WLSMV) are "
                       "not available in the run.",
                       "未估计有调节的中介：本次运行不支持有序题项（WLSMV）的乘积指标。")


#: the key of the moderated mediation's fit among the background bootstraps (no model name has "<" or a space)
MODMED_KEY = "<moderated mediation>"


def _modmed_fitted(res: RunResult, texts, opts) -> tuple | None:
    """The moderated mediation's model, fitted right after the hypothesis models
    (:func:`egovsem.study.modmed_run.fit_modmed_model`); None when the run has none or fits none (ordinal)."""
    spec = res.config.moderated_mediation
    if spec is None or res.config.ordered:
        return None
    from .modmed_run import fit_modmed_model

    return fit_modmed_model(res, spec, _all_blocks(texts), opts)


def _moderated_mediation(res: RunResult, blocks, opts, pr: _Progress, bg: BackgroundBootstraps,
                         fitted: tuple | None) -> None:
    """The config's ``moderated_mediation`` (:func:`egovsem.study.modmed_run.run_moderated_mediation`)."""
    spec = res.config.moderated_mediation
    if spec is None:
        return
    if res.config.ordered:
        res.notes.append(("moderated_mediation", MODMED_ORDERED_NOTE))
        pr.info(MODMED_ORDERED_NOTE[0])
        return
    from .modmed_run import run_moderated_mediation

    run_moderated_mediation(res, spec, blocks, opts, pr, fitted=fitted, boot=lambda: bg.result(MODMED_KEY)[:2])
    if res.modmed is not None:
        res.warnings["moderated_mediation"] = res.modmed["warnings"]


def _bootstrap_record(res: RunResult) -> dict:
    """results.json's ``bootstrap``: how the indirect effects' intervals were made (``method`` None and ``ci``
    delta-method where no bootstrap ran) and each bootstrapped model's account of its resamples."""
    cfg = res.config
    ran = bool(res.bootstrap)
    refit = "FIML" if cfg.missing == "fiml" else "ML (complete cases)"
    return {
        "draws": cfg.bootstrap, "models": sorted(res.bootstrap),
        "note": dict(res.notes).get("bootstrap", ("",))[0],
        "method": (f"nonparametric bootstrap: rows resampled with replacement, each resample refitted by {refit} "
                   "from the full-sample estimates") if ran else None,
        "seed": cfg.seed if ran else None,
        "ci": "percentile" if ran else "delta-method (Wald)",
        "missing": cfg.missing,
        "resamples": {m: {k: int(b.bootstrap_info[k]) for k in ("B", "successful", "failed", "inadmissible")}
                      for m, b in sorted(res.bootstrap.items())},
    }


def _retitle(t, name: str, suffix: tuple[str, str]):
    return dataclasses.replace(t, name=name, title_en=f"{t.title_en}: {suffix[0]}",
                               title_zh=f"{t.title_zh}：{suffix[1]}")


def _tables(res: RunResult, texts, note) -> None:
    from ..tables import (
        correlation_table,
        fit_table,
        htmt_table,
        hypotheses_table,
        indirect_table,
        measurement_table,
        sample_table,
        write_tables,
    )
    from ..tables.signs import expected_signs

    cfg, data = res.config, res.data
    notes = dict(res.notes)
    lab = res.instrument  # construct names (en, zh) from the study's own questionnaire
    tabs = []
    drafted = "instrument" in notes  # a draft instrument does not know which columns describe the sample
    cols = list(cfg.sample) if cfg.sample else ([] if drafted else _default_sample_columns(res.instrument, data))
    if cols:
        tabs.append(sample_table(data, cols, instrument=res.instrument, note=note))
    # the table notes say what was done, for the reader; how to do it otherwise is in the run's output and notes
    rel_note = None
    if notes.get("reliability_ordered"):
        rel_note = notes["reliability_ordered"]
    elif notes.get("reliability"):
        n_rel = res.reliability_fit.nobs
        rel_note = (f"Omega (composite reliability) and AVE are from the CFA of the {n_rel} complete cases (listwise "
                    "deletion); alpha uses pairwise-complete covariances.",
                    f"组合信度（ω）与AVE基于{n_rel}个完整个案（列删）的CFA计算；α系数基于成对完整协方差。")
    t = measurement_table(res.cfa, res.reliability, labels=lab, note=note)
    tabs.append(t.with_note(rel_note) if rel_note else t)
    t = correlation_table(res.cfa, data=data, ave=res.reliability, labels=lab, note=note)
    tabs.append(t.with_note(rel_note) if rel_note else t)
    if res.htmt is not None:
        n_htmt = int(res.htmt.attrs.get("n", len(data)))
        if res.htmt.attrs.get("missing") == "pairwise":
            from ..tables.study import htmt_note

            hnote = htmt_note(res.htmt)
        elif res.htmt.attrs.get("missing") == "ml":
            hnote = (f"HTMT from the correlations of the saturated model estimated by full-information maximum "
                     f"likelihood (EM) over all {n_htmt} respondents, as the models were estimated.",
                     f"HTMT基于以全信息极大似然（EM）估计的饱和模型相关矩阵，纳入全部{n_htmt}名受访者，与模型估计方式一致。")
        else:
            hnote = (f"HTMT from the {n_htmt} cases complete on every item (listwise deletion).",
                     f"HTMT基于所有题项均完整的{n_htmt}个个案（列删）。")
        tabs.append(htmt_table(res.htmt, labels=lab, note=note).with_note(hnote))
    if res.method_bias is not None and "marker_cfa" in res.method_bias:  # config key marker: (issue 14)
        from .method_bias_run import method_bias_run_table

        tabs.append(method_bias_run_table(res.method_bias, note=note))
    fits = {("Measurement model (CFA)", "测量模型（CFA）"): res.cfa}
    fits.update({model_title(m): f for m, f in res.fits.items()})
    tabs.append(fit_table(fits, note=note))
    if res.invariance is not None:
        from ..tables import invariance_table
        from .draft_text import choice_labels

        grp = cfg.invariance
        lab_g = choice_labels(res, str(grp))
        lev = [(lab_g.get(k, (k, k)), v) for k, v in res.invariance.attrs["n"].items()]
        lev_en = ", ".join(f"{a[0]} (n = {v})" for a, v in lev)
        lev_zh = "，".join(f"{a[1]}（n = {v}）" for a, v in lev)
        title = model_title(res.invariance.attrs["model"])
        est = {"ML": ("maximum likelihood", "极大似然估计"), "MLR": ("robust maximum likelihood (MLR)",
                                                              "稳健极大似然估计（MLR）"),
               "WLSMV": ("WLSMV on the ordinal items (thresholds, polychoric correlations); the Wu-Estabrook (2016) "
                         "sequence: configural, equal thresholds, + loadings, + intercepts; scaled-shifted difference "
                         "tests", "有序题项的WLSMV估计（阈值与多分格相关）；Wu-Estabrook（2016）检验序列：形态、阈值等同、"
                         "加载荷等同、加截距等同；均值方差校正差异检验")}[cfg.estimator]
        how = ((f"{est[0]} with full-information maximum likelihood for missing responses", f"{est[1]}，缺失以全信息极大似然处理")
               if cfg.missing == "fiml" else (f"{est[0]}, complete cases", f"{est[1]}，完整个案"))
        # the groups by their names (the instrument's choices); the column only where it has none
        t = invariance_table(res.invariance, group=None if lab_g else grp, note=note).with_note(
            (f"Groups compared: {lev_en}; constructs of the {title[0].lower()}; {how[0]}.",
             f"比较的组：{lev_zh}；{title[1]}的构念；{how[1]}。"))
        tabs.append(t)
    for m, f in res.fits.items():
        signs = expected_signs(texts[m], overrides={k: v for k, v in cfg.signs if _labels_path(texts[m], k)})
        tabs.append(_retitle(hypotheses_table(f, expected=signs or None, labels=lab, note=note), f"hypotheses_{m}",
                             model_title(m)))
    for m, f in res.fits.items():
        if ":=" not in texts[m]:
            continue
        b = res.bootstrap.get(m)
        if b is not None:
            refit = ", each resample refitted by FIML" if cfg.missing == "fiml" else ""
            t = indirect_table(b, labels=lab, note=note,
                               ci_method=f"percentile bootstrap, {cfg.bootstrap} resamples, seed {cfg.seed}{refit}")
        else:
            with warnings.catch_warnings(record=True) as caught:  # the run's notes say why there is no bootstrap
                warnings.simplefilter("always")
                t = indirect_table(f, labels=lab, note=note)
            res.warnings.setdefault("tables", []).extend(str(w.message) for w in caught)
            if notes.get("bootstrap"):
                t = t.with_note(notes["bootstrap"])
        tabs.append(_retitle(t, f"indirect_{m}", model_title(m)))
    if res.modmed is not None:
        from .modmed_run import modmed_table

        tabs.append(modmed_table(res.modmed, note=note))
    if res.recovery is not None:
        tabs.append(_recovery_table(res.recovery, cfg.primary_name))
    if cfg.ordered:  # WLSMV: every fitted table says so, and what the run skipped
        onote = ORDERED_NOTE
        for key in ("design", "recovery"):
            if notes.get(key):
                onote = (onote[0] + " " + notes[key][0], onote[1] + notes[key][1])
        fitted0 = ("measurement", "correlations", "fit", "invariance", "hypotheses", "indirect")
        tabs = [t.with_note(onote) if t.name.split("_")[0] in fitted0 or t.name in fitted0 else t for t in tabs]
    dnote = design_note(res)
    if dnote:
        fitted = ("measurement", "correlations", "fit", "invariance", "hypotheses", "indirect", "moderated")
        tabs = [t.with_note(dnote) if t.name.split("_")[0] in fitted or t.name in fitted else t for t in tabs]
    if res.icc is not None:
        from .design_tables import design_comparison_table, icc_table

        tabs.append(icc_table(res.icc, labels=lab, note=note))
        if res.design_comparison is not None:
            tabs.append(design_comparison_table(res.design_comparison, fitted_design=cfg.design, note=note))
    if res.pls:  # PLS-SEM tables after the others (egovsem.study.pls_run)
        from .pls_run import pls_tables

        tabs += pls_tables(res, note)
    res.tables = [t.with_number(i) for i, t in enumerate(tabs, start=1)]
    langs = ("en", "zh") if cfg.lang == "both" else (cfg.lang,)
    for lang in langs:
        for p in write_tables(res.tables, Path(cfg.out) / "tables" / lang, formats=cfg.formats, lang=lang):
            res.files[f"tables/{lang}/{p.name}"] = p


def _labels_path(model: str, label: str) -> bool:
    """Whether ``label`` labels a regression path of ``model`` (the config's signs apply to the models that
    have the label)."""
    from ..tables.signs import expected_signs

    return label in expected_signs(model)


def _blocks_of(fit) -> list[list[str]]:
    from ..tables import model_constructs

    return list(model_constructs(fit).values())


def _recovery_table(rec: pd.DataFrame, model: str):
    from ..tables import apa_number, apa_p
    from ..tables.table import build

    rows = rec[(rec["op"] == "~") & rec["true"].notna()]
    load = rec[(rec["op"] == "=~") & rec["true"].notna()]
    cols = [("path", "Path", "路径"), ("hypothesis", "Hypothesis", "假设"), ("true", "True \u03b2", "真值\u03b2"),
            ("beta", "Estimated \u03b2", "估计\u03b2"), ("bias", "Bias", "偏差"), ("p", "<i>p</i>", "<i>p</i>"),
            ("covered", "95% CI covers truth", "95% CI覆盖真值")]
    cells, values = [], []
    for r in rows.to_dict("records"):
        path = f"{r['rhs']} \u2192 {r['lhs']}"
        hyp = str(r["label"] or "")
        hyp = f"H{hyp[1:]}" if hyp.startswith("h") and hyp[1:2].isdigit() else hyp
        cov = r["covered"]
        cells.append([path, hyp, apa_number(r["true"], 2, bounded=True), apa_number(r["std.all"], 2, bounded=True),
                      apa_number(r["bias"], 3), apa_p(r["pvalue"]),
                      ("yes", "是") if cov is True else (("no", "否") if cov is False else "\u2014")])
        values.append([path, hyp, float(r["true"]), float(r["std.all"]), float(r["bias"]), float(r["pvalue"]), cov])
    ncov = int((rows["covered"] == True).sum())  # noqa: E712 - object column with None
    lb = load["bias"].abs()
    sent = (f"<i>Note.</i> SIMULATED DATA: completely standardised estimates of the {model_title(model)[0].lower()} "
            f"beside the values of the population model the example data were drawn from. The 95% CI (of the "
            f"unstandardised estimate, rescaled) covers the true value for {ncov} of {len(rows)} paths. Loadings "
            f"(not shown): mean |bias| = {apa_number(lb.mean(), 3)}, largest {apa_number(lb.max(), 3)}.",
            f"<i>注。</i>模拟数据：{model_title(model)[1]}的完全标准化估计值与生成示例数据的总体模型真值对照。"
            f"{len(rows)}条路径中有{ncov}条的95% CI（非标准化估计值的置信区间按比例换算）覆盖真值。"
            f"载荷（未列出）：平均|偏差| = {apa_number(lb.mean(), 3)}，最大{apa_number(lb.max(), 3)}。")
    return build("recovery", ("Recovery of the Population Values (Simulated Example)", "总体真值的复原（模拟示例）"),
                 cols, cells, values, [sent], align=("l", "l", "r", "r", "r", "r", "c"))


def _figure(res: RunResult, note, pr: _Progress) -> None:
    from ..figures import font_families, path_diagram

    cfg = res.config
    _, has_cjk = font_families()
    langs = ["en"] + (["zh"] if cfg.lang in ("zh", "both") and has_cjk else [])
    for m, f in res.fits.items():
        if not (f.params["op"] == "~").any():
            continue
        for lang in langs if m == cfg.primary_name else ["en"]:  # Chinese labels: the primary model only
            stem = f"path_{m}" + ("" if lang == "en" else "_zh")
            # PDF (fonts embedded, slow with a CJK font) for the primary model; the others as PNG and SVG
            fmts = [e for e in cfg.figure_formats if e != "pdf" or m == cfg.primary_name] or ["svg"]
            files = [Path(cfg.out) / "figures" / f"{stem}.{ext}" for ext in fmts]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                path_diagram(f, files, labels=res.instrument, lang=lang, hypotheses=True, note=note)
                # (a Figure without pyplot state)
            for p in files:
                res.files[f"figures/{p.name}"] = p
    if cfg.lang in ("zh", "both") and not has_cjk:
        pr.info("no CJK font installed: the path diagrams are in English only")


def _json_clean(v):
    if isinstance(v, float):
        return None if not math.isfinite(v) else v
    if isinstance(v, dict):
        return {str(k): _json_clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_clean(x) for x in v]
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        try:
            return _json_clean(v.item())
        except (ValueError, AttributeError):
            return str(v)
    return v


def _records(df: pd.DataFrame) -> list[dict]:
    return _json_clean(df.astype(object).where(df.notna(), None).to_dict("records"))


def _dumps(obj, level: int = 0) -> str:
    """JSON with mappings indented and the rows of a table (a list of flat mappings) one per line."""
    pad, inner = "  " * level, "  " * (level + 1)
    if isinstance(obj, dict) and obj:
        body = ",\n".join(f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {_dumps(v, level + 1)}"
                           for k, v in obj.items())
        return "{\n" + body + "\n" + pad + "}"
    if isinstance(obj, list) and obj and all(isinstance(x, dict) for x in obj):
        body = ",\n".join(inner + json.dumps(x, ensure_ascii=False) for x in obj)
        return "[\n" + body + "\n" + pad + "]"
    return json.dumps(obj, ensure_ascii=False)


def _write_results(res: RunResult, texts) -> None:
    cfg = res.config
    out = Path(cfg.out)
    prim = res.primary
    d = prim.to_dict()
    mr = d.get("missing_report")
    if isinstance(mr, dict):
        # the p x p coverage and the pattern list are large; Results.missing_report() has them
        mr.pop("coverage", None)
        if isinstance(mr.get("patterns"), (list, dict)):
            mr["n_patterns"] = len(mr.pop("patterns"))
    d["model"] = cfg.primary_name
    if cfg.example:
        d["note"] = SIMULATED_NOTE
    d["seed"] = cfg.seed
    d["warnings"] = res.warnings.get(cfg.primary_name, [])
    d["clean"] = {"flow": _records(res.clean.flow), "n_analysed": int(len(res.data))}
    if res.invariance is not None:
        d["invariance"] = {"group": cfg.invariance, "n": res.invariance.attrs["n"],
                           "model": res.invariance.attrs["model"], "steps": _records(res.invariance)}
    d["models"] = {}
    for m, f in res.fits.items():
        md = f.to_dict()
        d["models"][m] = {k: md[k] for k in ("converged", "estimator", "missing", "nobs", "fit", "r2")}
        d["models"][m]["syntax"] = texts[m]
        d["models"][m]["params"] = md["params"] if m != cfg.primary_name else "see top-level params"
        d["models"][m]["warnings"] = res.warnings.get(m, [])
    d["measurement"] = {
        "cfa_fit": {k: v for k, v in res.cfa.to_dict()["fit"].items()},
        "reliability": _records(res.reliability),
        "reliability_basis": {"missing": res.reliability_fit.missing, "nobs": int(res.reliability_fit.nobs)},
        "htmt": None if res.htmt is None else _json_clean({r: {c: float(x) for c, x in row.items()}
                                                           for r, row in res.htmt.iterrows()}),
        "htmt_basis": None if res.htmt is None else {"missing": res.htmt.attrs.get("missing"),
                                                     "nobs": res.htmt.attrs.get("n")},
    }
    if res.method_bias is not None:
        d["measurement"]["method_bias"] = _json_clean(res.method_bias)
    d["bootstrap"] = _bootstrap_record(res)
    if res.modmed is not None:
        from .modmed_run import modmed_record

        d["moderated_mediation"] = modmed_record(res.modmed)
    if res.recovery is not None:
        d["recovery"] = _records(res.recovery)
    if cfg.design or res.icc is not None:
        d["design"] = {"weights": cfg.weights, "cluster": cfg.cluster, "compare_weights": cfg.compare_weights,
                       "compare_cluster": cfg.compare_cluster,
                       "clusters": None if res.icc is None else res.icc.attrs["clusters"],
                       "icc": None if res.icc is None else _records(res.icc),
                       "comparison": None if res.design_comparison is None else
                       {"model": res.design_comparison.attrs["model"], "paths": _records(res.design_comparison)}}
    if res.pls:
        from .pls_run import pls_results

        d["pls"] = pls_results(res)
    d["tables"] = [{"number": t.number, "name": t.name, "title": t.title_en} for t in res.tables]
    d["notes"] = [n[1][0] for n in res.notes]
    atomic_write_text(out / "results.json", _dumps(_json_clean(d)) + "\n")
    res.files["json"] = out / "results.json"
    head = (SIMULATED_NOTE + "\n\n") if cfg.example else ""
    parts = [head]
    for m, f in res.fits.items():
        parts.append(f"=== {m} ===\n\n{f.summary()}\n\n")
    parts.append(f"=== measurement model (CFA) ===\n\n{res.cfa.summary()}\n")
    parts += [f"\n=== {m} (PLS-SEM) ===\n\n{r.fit.summary()}\n" for m, r in res.pls.items()]
    atomic_write_text(out / "summary.txt", "".join(parts))
    res.files["summary"] = out / "summary.txt"
    _write_readme(res)


#: files of an output folder that ``egovsem run`` reads or the user keeps there, never listed as stale
_KEPT = (".gitignore", "example_config.yaml")


def write_manifest(res: RunResult) -> list[str]:
    """Write ``OUT/manifest.json``: every file this run wrote (paths relative to ``OUT``, with sizes), the
    egovsem version, the command that rebuilds the folder and, for the example, the SIMULATED notice.

    Returns the files under ``OUT`` that the run did not write (stale files of an earlier run), which are
    left in place and named by the caller.
    """
    cfg = res.config
    out = Path(cfg.out).resolve()
    rel = sorted({Path(p).resolve().relative_to(out).as_posix() for p in res.files.values()
                  if Path(p).is_file() and Path(p).resolve().is_relative_to(out)} | {"manifest.json"})
    d: dict[str, Any] = {"egovsem": _version(), "command": _rebuild_command(cfg)}
    if cfg.example:
        d["note"] = SIMULATED_NOTE
    d["files"] = {f: (out / f).stat().st_size if f != "manifest.json" else None for f in rel}
    atomic_write_text(out / "manifest.json", json.dumps(d, ensure_ascii=False, indent=1) + "\n")
    res.files["manifest"] = out / "manifest.json"
    present = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    return sorted(f for f in present - set(rel) if f not in _KEPT)


def _rebuild_command(cfg) -> str:
    return (f"egovsem run --example --out {cfg.out}" if cfg.example and cfg.source.startswith("the example")
            else f"egovsem run {cfg.source} --out {cfg.out}")


def _write_readme(res: RunResult) -> None:
    cfg = res.config
    out = Path(cfg.out)
    lines = ["# Study outputs (`egovsem run`)", ""]
    if cfg.example:
        lines += [f"> {SIMULATED_NOTE}", ""]
    if "instrument" in dict(res.notes):
        lines += [f"> {dict(res.notes)['instrument'][0]} The draft is `clean/instrument_draft.yaml`.", ""]
    rebuild = _rebuild_command(cfg)
    lines += [f"Built by `{rebuild}` (egovsem {_version()}). Nothing here is edited by hand.", "",
              "| file | what |", "|---|---|",
              "| `methods_<lang>.md`, `.docx`, `.html` | draft methods-and-results paragraph (en, zh), numbers from "
              "the results |",
              "| `tables/<lang>/NN_<name>.<ext>` | one table per file; `tables.<ext>` all tables in one file |",
              "| `figures/path_<model>.<ext>` | path diagram of each hypothesis model (standardised coefficients; "
              "PDF for the primary model) |",
              "| `results.json` | the primary model (lavaan names) plus every model, measurement, bootstrap |",
              "| `summary.txt` | lavaan-like summaries of every model and of the CFA |",
              "| `clean/report.md`, `clean/flow.csv` | the cleaning report and the respondent flow |",
              "| `manifest.json` | every file this run wrote (nothing else here is current), the command, the "
              "version" + (", and the SIMULATED notice" if cfg.example else "") + " |"]
    if res.recovery is not None:
        lines.append("| `recovery.csv` | the primary model's estimates beside the population truth |")
    if res.icc is not None:
        lines.append("| `tables/<lang>/NN_icc.<ext>`, `NN_design_comparison.<ext>` | item ICCs by the cluster "
                     "column; the primary model's paths with plain and design-based (cluster-robust, weighted) "
                     "standard errors (also in `results.json` under `design`) |")
    if res.modmed is not None:
        lines.append("| `tables/<lang>/NN_moderated_mediation.<ext>` | the moderated mediation: conditional indirect "
                     "effects at the moderator's -1 SD, mean and +1 SD and the index of moderated mediation (also in "
                     "`results.json` under `moderated_mediation`) |")
    lines += ["", "Tables:", ""]
    lines += [f"{t.number}. {t.title_en}" for t in res.tables]
    lines += ["", "The respondent-level files of `clean/` (" + ", ".join(f"`{f}`" for f in RESPONDENT_FILES)
              + ") are rebuilt by the same command."]
    if (out / ".gitignore").is_file():
        lines.append("Files matched by `.gitignore` here (respondent-level data, some figure and Word files) are not "
                     "committed; the command above rebuilds them.")
    lines.append("")
    atomic_write_text(out / "README.md", "\n".join(lines))
    res.files["readme"] = out / "README.md"


def _version() -> str:
    from .. import __version__

    return __version__


def run_example(out: str | Path, *, seed: int = EXAMPLE_SEED, progress=None, **overrides) -> dict:
    """Run the bundled SIMULATED example study into ``out``; return a dict of the files written.

    ``overrides`` change keys of :func:`egovsem.study.config.example_config` (e.g. ``bootstrap=200``,
    ``models=["strategic_triangle"]``, ``formats=["md"]``).
    """
    cfg = example_config(out, seed=seed, **overrides)
    return run_study(cfg, progress=progress).files


# public names for other modules (egovsem.study.pls_run)
default_sample_columns = _default_sample_columns
all_blocks = _all_blocks
json_dumps = _dumps
json_clean = _json_clean
