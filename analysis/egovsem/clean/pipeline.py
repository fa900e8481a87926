"""From a raw survey export to analysis-ready data: :func:`clean` and :func:`write_outputs`."""
from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .._errors import DataError, EgovsemError
from ..safe_write import atomic_path, atomic_write_text
from . import audit as _audit
from .careless import indices
from .pseudonym import load_or_create_key, personal_kind, pseudonym
from .readers import RawExport, apply_mapping, read_export
from .recode import reverse_code, scale_scores
from .report import render_report
from .rules import DEFAULT_RULES, apply_rules, as_rules
from .spec import view
from .validate import cell_text, validate

OUTPUT_FILES = ("clean.csv", "clean.parquet", "audit.csv", "flags.csv", "flow.csv", "report.md")


@dataclass(frozen=True)
class CleanResult:
    """What :func:`clean` returns.

    Attributes
    ----------
    data : DataFrame
        Kept respondents: id, item columns (reverse-keyed items recoded, identifiers dropped or hashed),
        duration, and ``<construct>_mean`` scale scores.
    audit : DataFrame
        ``id, column, old, new, reason``: one row per changed cell, one per excluded respondent.
    flags : DataFrame
        Every careless-responding index for every respondent received, with ``excluded`` and ``reason``.
    flow : DataFrame
        ``step, reason, n, n_flagged``: received, excluded per rule (first rule that applies), analysed.
    report : str
        Markdown report of all of the above.
    source : str or None
        The raw file read (never written), or None for a DataFrame.
    pseudonymised : dict or None
        When the id column held personal data: ``kind`` ('e-mail addresses' or 'phone numbers'), ``n``
        (ids of that kind), ``key_file`` (the HMAC key, outside the output folder) and ``key_created``.
    """

    data: pd.DataFrame
    audit: pd.DataFrame
    flags: pd.DataFrame
    flow: pd.DataFrame
    report: str
    source: str | None = None
    pseudonymised: dict | None = None

    def __str__(self) -> str:
        return self.report

    def _repr_markdown_(self) -> str:  # pragma: no cover - Jupyter
        return self.report


def _load_instrument(instrument):
    if isinstance(instrument, (str, Path)):
        from ..instruments import load_instrument

        return load_instrument(instrument)
    if instrument is None or not hasattr(instrument, "items"):
        raise EgovsemError(
            f"The 'instrument' parameter must be an Instrument or the path of an instrument file. "
            f"Got {instrument!r} instead."
        )
    return instrument


def _hash(value, salt: str) -> str:
    return hashlib.sha256(f"{salt}\x00{value}".encode()).hexdigest()[:16]


def clean(raw, instrument, *, id: str, duration: str | None = None, invalid: str = "error",
          exclude=DEFAULT_RULES, mapping=None, hash_identifiers: bool = False,
          salt: str | None = None, min_answered: int | None = None, critval: float = 0.60,
          id_key: str | Path | None = None, sheet: str | int | None = None, weights: str | None = None,
          cluster: str | None = None) -> CleanResult:
    """Clean a raw survey export against an instrument.

    Parameters
    ----------
    raw : path or DataFrame
        The raw export (CSV UTF-8/BOM/GBK, XLSX, SAV, DTA, Qualtrics CSV) or a DataFrame of it. Only read.
    instrument : Instrument or path
        The questionnaire (``egovsem.instruments``): items, scales, missing-value codes, reverse keys,
        attention checks, identifiers.
    id : str
        The respondent id column.
    duration : str, optional
        The completion-time column in seconds (for the speeder rule).
    invalid : {'error', 'missing'}
        Invalid cells stop the run with a list of every one ('error'), or become missing, audited.
    exclude : sequence of Rule, text or None
        Exclusion rules (default :data:`DEFAULT_RULES`; text as :func:`egovsem.clean.parse_rules`).
    mapping : path or dict, optional
        Raw column -> item name.
    hash_identifiers : bool
        Keep identifier items as a salted SHA-256 (16 hex digits) instead of dropping them.
    salt : str
        The secret salt; required with ``hash_identifiers``.
    min_answered : int, optional
        Items needed for a scale score (default: half the construct's items, rounded up).
    critval : float
        Correlation an item pair needs to count as psychometric synonyms (|r| for antonyms); careless'
        default .60.
    id_key : path, optional
        Key file for pseudonymous ids (:mod:`egovsem.clean.pseudonym`): when the id column holds e-mail
        addresses or phone numbers, every id becomes ``P-`` + 16 hex digits of HMAC-SHA256 keyed by this
        file (created if absent; default ``<user config dir>/egovsem/id_key``), so that no personal data
        reaches an output. The report names the key file.
    sheet : str or int, optional
        The sheet of an .xlsx export (default: the first, with a warning naming the others).
    weights : str, optional
        A design-weight column (the survey's sampling weights). Kept in the data as read, never an item
        (not validated against the instrument, not in the careless indices); every weight must be a
        positive number (:class:`DesignColumnError` names the column and the rows otherwise).
    cluster : str, optional
        A cluster column (city, service hall, region; a questionnaire item such as ``region`` is allowed if
        it is not a scale item): kept, never cleaned as a scale item; every row needs a value.

    The audit has one row per design column saying it was kept and not cleaned as an item; the report
    lists the design columns.
    """
    rules = as_rules(exclude)
    if hash_identifiers and (not isinstance(salt, str) or not salt):
        raise EgovsemError(
            "hash_identifiers=True needs a secret 'salt' (a non-empty string): an unsalted hash of a "
            f"phone number can be reversed by trying every number. Got salt={salt!r}."
        )
    inst = _load_instrument(instrument)
    v = view(inst)
    if id in v.identifiers:
        raise DataError(
            f"The id column {id!r} is an identifier item (personal data) of the instrument; use the "
            "platform's response id as 'id' so that no personal data is written."
        )
    if isinstance(raw, pd.DataFrame):
        export = RawExport(raw.copy().reset_index(drop=True), None, "DataFrame")
        if mapping is not None:
            export = apply_mapping(export, mapping)
    elif isinstance(raw, (str, Path)):
        export = read_export(raw, mapping=mapping, sheet=sheet)
    else:
        raise EgovsemError(f"The 'raw' parameter must be a file path or a DataFrame. Got {type(raw).__name__} instead.")
    pseudo = None
    if isinstance(id, str) and id in export.frame.columns:
        found = personal_kind(cell_text(x) for x in export.frame[id])
        if found:
            key, key_path, created = load_or_create_key(id_key)
            frame = export.frame.copy()
            frame[id] = [x if cell_text(x).strip() == "" else pseudonym(cell_text(x), key) for x in frame[id]]
            export = dataclasses.replace(export, frame=frame)
            pseudo = {"kind": found[0], "n": found[1], "key_file": str(key_path), "key_created": created,
                      "column": id}
    design = check_design_columns(export.frame, v, id=id, duration=duration, weights=weights, cluster=cluster)
    checked = validate(export.frame, v, id=id, duration=duration, invalid=invalid,
                       user_missing=export.user_missing)
    frame = export.frame.rename(columns=checked.renamed)
    idents = frame[[c for c in v.identifiers if c in frame.columns]]
    flags = indices(checked.data, v, id=id, duration=duration, identifiers=idents, critval=critval)
    excluded, reasons, flow = apply_rules(flags, rules)
    flags["excluded"], flags["reason"] = excluded, reasons.to_numpy()

    data = reverse_code(checked.data, v)
    if hash_identifiers:
        assert salt is not None  # checked above
        for col in idents.columns:
            data[col] = [None if pd.isna(x) or str(x).strip() == "" else _hash(str(x).strip(), salt)
                         for x in idents[col]]
    for col, values in design.items():
        if col not in data.columns:
            data[col] = values.to_numpy()
    order = [id] + [c for c in _item_order(inst) if c in data.columns] + ([duration] if duration else [])
    order += [c for c in design if c not in order]
    data = data[order]
    data = data[~excluded].reset_index(drop=True)
    data = pd.concat([data, scale_scores(data, v, min_answered=min_answered)], axis=1)
    audit = _audit.combine(checked.audit, _audit.exclusion_rows(flags["id"], reasons),
                           _audit.design_rows({c: r for c, r in (("weights", weights), ("cluster", cluster)) if r}))
    report = render_report(export=export, v=v, id=id, duration=duration, invalid=invalid, rules=rules,
                           checked=checked, flags=flags, flow=flow, data=data, audit=audit,
                           hashed=tuple(idents.columns) if hash_identifiers else (),
                           dropped_identifiers=() if hash_identifiers else tuple(idents.columns),
                           min_answered=min_answered, critval=critval, pseudonymised=pseudo,
                           design={"weights": weights, "cluster": cluster})
    return CleanResult(data, audit, flags, flow, report, export.path, pseudo)



class DesignColumnError(DataError):
    """A design column (``weights`` or ``cluster``) is absent, is a scale item, or has bad values;
    ``argument`` and ``column`` say which."""

    def __init__(self, message: str, argument: str, column):
        super().__init__(message)
        self.argument, self.column = argument, column


def _rows(ids, mask, k: int = 5) -> str:
    hit = [f"{i + 1} (id {ids[i]!r})" for i in mask.nonzero()[0][:k]]
    more = int(mask.sum()) - k
    return ", ".join(hit) + (f" and {more} more" if more > 0 else "")


def check_design_columns(frame: pd.DataFrame, v, *, id: str, duration: str | None, weights: str | None,
                         cluster: str | None) -> dict[str, pd.Series]:
    """The design columns of the raw export (column -> values), checked: present, not the id, the duration
    or a scale item; weights numeric, positive and non-missing; clusters non-missing. Rows are data rows
    (1 = the first row after the header)."""
    import numpy as np

    out: dict[str, pd.Series] = {}
    if weights is not None and weights == cluster:
        raise DesignColumnError(f"weights and cluster name the same column {weights!r}.", "cluster", cluster)
    ids = [str(x) for x in frame[id]] if id in frame.columns else [str(i + 1) for i in range(len(frame))]
    for arg, col in (("weights", weights), ("cluster", cluster)):
        if col is None:
            continue
        what = "sampling-weight" if arg == "weights" else "cluster"
        if not isinstance(col, str) or not col:
            raise DesignColumnError(f"The {arg!r} argument must be a column name. Got {col!r} instead.", arg, col)
        if col not in frame.columns:
            raise DesignColumnError(f"The {arg!r} argument names the column {col!r}, which the raw export lacks; "
                                    f"its columns are: {', '.join(map(str, frame.columns))}.", arg, col)
        if col in (id, duration):
            raise DesignColumnError(f"The {what} column {col!r} ({arg!r}) is also the "
                                    f"{'id' if col == id else 'duration'} column.", arg, col)
        if col in v.items and v.rules[col].kind != "free" and (col in v.scale_items or arg == "weights"):
            kind = "a scale item" if col in v.scale_items else "an item"
            raise DesignColumnError(f"The {what} column {col!r} ({arg!r}) is {kind} of the instrument; a design "
                                    "column is never an item (name the survey's own weight or cluster column).",
                                    arg, col)
        s = frame[col]
        if arg == "weights":
            num = pd.to_numeric(s, errors="coerce")
            text = (num.isna() & s.notna() & (s.astype(str).str.strip() != "")).to_numpy()
            if text.any():
                raise DesignColumnError(f"The sampling-weight column {col!r} ('weights') must be numeric; text at "
                                        f"row(s) {_rows(ids, text)}.", arg, col)
            x = num.to_numpy(dtype=float)
            miss = np.isnan(x)
            if miss.any():
                raise DesignColumnError(f"The sampling-weight column {col!r} ('weights') has {int(miss.sum())} "
                                        f"missing weight(s), at row(s) {_rows(ids, miss)}; every respondent needs a "
                                        "weight.", arg, col)
            bad = ~np.isfinite(x) | (x <= 0)
            if bad.any():
                raise DesignColumnError(f"The sampling-weight column {col!r} ('weights') has {int(bad.sum())} zero, "
                                        f"negative or infinite weight(s), at row(s) {_rows(ids, bad)}; weights must "
                                        "be positive.", arg, col)
            out[col] = num  # as read (whole numbers stay integers)
        else:
            blank = (s.isna() | (s.astype(str).str.strip() == "")).to_numpy()
            if blank.any():
                raise DesignColumnError(f"The cluster column {col!r} ('cluster') has {int(blank.sum())} missing "
                                        f"value(s), at row(s) {_rows(ids, blank)}; every respondent needs a "
                                        "cluster.", arg, col)
            out[col] = s
    return out


def _item_order(inst) -> list[str]:
    return [it.name for it in inst.items]


def write_outputs(result: CleanResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``clean.csv``, ``clean.parquet`` (if pyarrow is installed), ``audit.csv``, ``flags.csv``,
    ``flow.csv`` and ``report.md`` into ``out_dir`` (created if needed); return name -> path.

    Refuses to write over the raw file the result was made from, and into a folder that holds the id key
    file (the key must stay outside the outputs that are shared).
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise DataError(f"The output directory {str(out)!r} (argument 'out_dir') is a file.")
    if result.pseudonymised:
        key_file = Path(result.pseudonymised["key_file"]).resolve()
        if key_file.is_relative_to(out.resolve()):
            raise DataError(
                f"The id key file {str(key_file)!r} lies inside the output directory {str(out)!r} "
                "(argument 'out_dir'); keep the key outside the folder of outputs that are shared."
            )
    if result.source is not None:
        src = Path(result.source).resolve()
        for name in OUTPUT_FILES:
            if (out / name).resolve() == src:
                raise DataError(
                    f"The output {str(out / name)!r} would overwrite the raw input {result.source!r}; "
                    "choose another output directory."
                )
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, frame in (("clean.csv", result.data), ("audit.csv", result.audit),
                        ("flags.csv", result.flags), ("flow.csv", result.flow)):
        paths[name] = out / name
        atomic_write_text(paths[name], frame.to_csv(index=False, lineterminator="\n"), newline="")
    files = ["- `clean.csv`: the analysis-ready data (UTF-8)"]
    if importlib.util.find_spec("pyarrow") is not None:
        paths["clean.parquet"] = out / "clean.parquet"
        with atomic_path(paths["clean.parquet"]) as tmp:
            result.data.to_parquet(tmp, index=False)
        files.append("- `clean.parquet`: the same data with column types")
    else:
        files.append("- `clean.parquet`: not written, because pyarrow is not installed "
                     "(`pip install pyarrow` to get it)")
    files += ["- `audit.csv`: every changed cell and every excluded respondent",
              "- `flags.csv`: every index for every respondent received",
              "- `flow.csv`: received, excluded per reason, analysed", "- `report.md`: this report"]
    paths["report.md"] = out / "report.md"
    atomic_write_text(paths["report.md"], result.report + "\n## Output files\n\n" + "\n".join(files) + "\n")
    return paths
