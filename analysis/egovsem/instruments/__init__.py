"""Questionnaires as data: a frozen, bilingual (zh-CN / en) :class:`Instrument` read from YAML.

An instrument file (``instruments/*.yaml``) holds the title, version and citation, the response scales,
the constructs, and the items in questionnaire order, each with its text in Chinese and English, the
construct it measures, whether it is reverse-keyed, and the scale it adapts. The file is checked against a
JSON schema and then as a whole (duplicate names, undefined constructs or scales, missing translations,
reverse flags on non-scale items); every error names the file, the item and the problem.

From an Instrument: an XLSForm for ODK/KoboToolbox (:func:`to_xlsform`), a printable questionnaire
(:func:`to_docx`, :func:`to_html`), a codebook (:func:`codebook`, :func:`write_codebook`) and YAML
(:func:`write_yaml`). :func:`read_xlsform` reads any XLSForm back into an Instrument.

Examples
--------
>>> inst = load_instrument()
>>> inst.construct_items("TG")
['TG1', 'TG2', 'TG3', 'TG4']
>>> inst.item("TG4").reverse, inst.scales["agree5"].max
(True, 5)
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from .._errors import InstrumentError
from .checks import instrument_advice, validate_instrument
from .model import (
    LANGUAGES,
    STUDY_FILE,
    Construct,
    Instrument,
    Item,
    MetaColumn,
    Scale,
)
from .yaml_io import instrument_from_dict, instrument_to_dict, read_yaml

__all__ = [
    "Scale", "Construct", "Item", "MetaColumn", "Instrument", "load_instrument", "instrument_from_dict",
    "instrument_to_dict", "validate_instrument", "check_instrument", "write_yaml", "read_xlsform",
    "to_xlsform", "to_docx", "to_html", "codebook", "write_codebook", "InstrumentError", "LANGUAGES",
    "STUDY_FILE", "construct_names", "study_labels",
]


def load_instrument(path: str | Path | None = None) -> Instrument:
    """Read and check an instrument YAML file (``None``: the bundled study questionnaire).

    Parameters
    ----------
    path : str or Path, optional
        A YAML file in the format of ``instruments/egov_study.yaml``; an ``.xlsx`` is read as XLSForm.

    Returns
    -------
    Instrument

    Raises
    ------
    InstrumentError
        Listing every problem found, each naming the file and the item.

    Examples
    --------
    >>> inst = load_instrument()
    >>> len(inst.constructs), len(inst.scale_items())
    (14, 56)
    >>> inst.item("PV4").text_en
    'Using online government services is not worth the effort it takes.'
    """
    if path is not None and Path(path).suffix.lower() in (".xlsx", ".xls"):
        return read_xlsform(path)
    data, where = read_yaml(None if path is None else Path(path))
    return instrument_from_dict(data, source_path=where)


def construct_names(inst: Instrument) -> dict[str, tuple[str, str]]:
    """``{code: (name_en, name_zh)}`` of an instrument's constructs, the ``labels`` of the table builders.

    >>> construct_names(load_instrument())["PV"]
    ('Perceived value', '感知价值')
    """
    return {code: (c.name_en, c.name_zh) for code, c in inst.constructs.items()}


@lru_cache(maxsize=1)
def _study_names() -> tuple[tuple[str, tuple[str, str]], ...]:
    return tuple(construct_names(load_instrument()).items())


def study_labels() -> dict[str, tuple[str, str]]:
    """The construct names of the bundled study questionnaire, for the builders of :mod:`egovsem.tables` and
    :func:`egovsem.figures.path_diagram` (which show codes only unless given names).

    >>> study_labels()["TG"]
    ('Trust in government', '政府信任')
    """
    return dict(_study_names())






def check_instrument(path: str | Path | None) -> list[str]:
    """Check an instrument file (YAML or XLSForm): raise on errors, return a list of softer problems.

    Raises
    ------
    InstrumentError
        If the file cannot be used (schema, duplicates, undefined references, missing translations).

    Examples
    --------
    >>> check_instrument(None)
    []
    """
    return instrument_advice(load_instrument(path))




def write_yaml(inst: Instrument, path: str | Path) -> Path:
    """Write ``inst`` as an instrument YAML file (UTF-8, Chinese kept readable); return the path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "copy.yaml"
    >>> load_instrument(write_yaml(load_instrument(), out)) == load_instrument()
    True
    """
    validate_instrument(inst)
    from ..safe_write import atomic_write_text

    p = Path(path)
    text = yaml.safe_dump(instrument_to_dict(inst), allow_unicode=True, sort_keys=False, width=110)
    atomic_write_text(p, text)
    return p


# ---------------------------------------------------------------------------------------------------
# codebook


def _label(zh: str, en: str, lang: str) -> str:
    if lang == "zh":
        return zh
    if lang == "en":
        return en
    return " / ".join(x for x in (zh, en) if x)


def _values_text(pairs: Iterable[tuple[int, str, str]], lang: str) -> str:
    return "; ".join(f"{v} = {_label(z, e, lang)}" for v, z, e in pairs)


def codebook(inst: Instrument, *, lang: str = "en") -> pd.DataFrame:
    """One row per data column: variable, label, values, reverse, construct (then type, source, identifier).

    Notes are left out; the platform's metadata columns (id, duration, submitted) come last.

    Examples
    --------
    >>> cb = codebook(load_instrument())
    >>> cb.loc[cb.variable == "TG4", ["reverse", "construct"]].values.tolist()
    [[True, 'TG']]
    >>> cb.loc[cb.variable == "resp_type", "values"].item()
    '1 = Citizen; 2 = Firm; 3 = Other organisation'
    """
    from .._errors import check_option

    lang = check_option("lang", lang, ["zh", "en", "both"])
    rows = []
    for it in inst.data_items():
        if it.scale is not None:
            sc = inst.scales[it.scale]
            values = _values_text(zip(sc.values, sc.labels_zh, sc.labels_en), lang)
        else:
            values = _values_text(it.choices, lang) if it.choices else ""
        rows.append({
            "variable": it.name, "label": _label(it.text_zh, it.text_en, lang), "values": values,
            "reverse": it.reverse, "construct": it.construct or "", "type": it.type,
            "source": it.source, "identifier": it.identifier,
        })
    for m in inst.metadata:
        rows.append({
            "variable": m.name, "label": _label(m.label_zh, m.label_en, lang), "values": "",
            "reverse": False, "construct": "", "type": "metadata", "source": "", "identifier": False,
        })
    return pd.DataFrame(rows, columns=["variable", "label", "values", "reverse", "construct", "type",
                                       "source", "identifier"])


def write_codebook(inst: Instrument, path: str | Path, *, lang: str = "en") -> Path:
    """Write the codebook to ``path``: ``.csv`` (UTF-8 with BOM, opens in Excel) or ``.md``.

    The Markdown codebook adds a header (version, citation, missing-value codes, reverse-keyed items)
    and a table of the constructs with their items, seed sections and definitions.

    Parameters
    ----------
    inst : Instrument
    path : str or Path
        Ending in ``.csv`` or ``.md``.
    lang : {"en", "zh", "both"}
        Language of the labels.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> md = write_codebook(load_instrument(), pathlib.Path(tempfile.mkdtemp()) / "codebook.md", lang="zh")
    >>> "| TG4 |" in md.read_text(encoding="utf-8")
    True
    """
    from ..safe_write import atomic_write_text
    from .questionnaire_doc import codebook_markdown

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        atomic_write_text(p, codebook(inst, lang=lang).to_csv(index=False), encoding="utf-8-sig")
    elif suffix == ".md":
        atomic_write_text(p, codebook_markdown(inst, codebook(inst, lang=lang), lang))
    else:
        raise InstrumentError(f"{p}: a codebook is written as .csv or .md, not {suffix or 'no suffix'!r}.")
    return p


# ---------------------------------------------------------------------------------------------------
# XLSForm and printable questionnaires (in helper modules, imported on use)


def read_xlsform(path: str | Path) -> Instrument:
    """Read an XLSForm workbook into an Instrument.

    Only the ``type``, ``name`` and a label column of the survey sheet are required. The custom columns
    ``construct, reverse, expected, source, identifier`` and the settings column ``missing_values`` are
    read when present; ``label::Chinese (zh)`` / ``label::English (en)`` give the two languages (a plain
    ``label`` column is Chinese if it contains Chinese characters, else English). A choice list used by
    an item with a construct or an expected answer becomes a response scale.

    Parameters
    ----------
    path : str or Path
        An ``.xlsx`` XLSForm.

    Returns
    -------
    Instrument

    Raises
    ------
    InstrumentError
        Naming the file, the sheet and row or the item: missing columns or choice lists, non-numeric
        choice codes, unsupported question types, and every problem :func:`validate_instrument` finds.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> form = to_xlsform(load_instrument(), pathlib.Path(tempfile.mkdtemp()) / "study.xlsx")
    >>> inst = read_xlsform(form)
    >>> inst.item("PI4").reverse, inst.scales["agree5"].labels_zh[4]
    (True, '非常同意')
    """
    from .xlsform import read_xlsform as _read

    return _read(path)


def to_xlsform(inst: Instrument, path: str | Path) -> Path:
    """Write ``inst`` as an XLSForm ``.xlsx`` for ODK / KoboToolbox that pyxform's xls2xform converts.

    The survey sheet has ``type, name, label::Chinese (zh), label::English (en)`` and the custom columns
    ``construct, reverse, expected, source, identifier``; the settings sheet has ``missing_values``
    (e.g. ``-99 -98``). Extra sheets (constructs, missing_values, metadata), which pyxform ignores, keep
    the rest, so ``read_xlsform(to_xlsform(inst, p)) == inst``.

    Parameters
    ----------
    inst : Instrument
    path : str or Path
        The ``.xlsx`` file to write.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> form = to_xlsform(load_instrument(), pathlib.Path(tempfile.mkdtemp()) / "study.xlsx")
    >>> [c.value for c in openpyxl.load_workbook(form)["survey"][1]][:4]
    ['type', 'name', 'label::Chinese (zh)', 'label::English (en)']
    """
    from .xlsform import write_xlsform

    return write_xlsform(inst, path)


def to_docx(inst: Instrument, path: str | Path, lang: str = "both") -> Path:
    """Write a printable Word questionnaire: title, introduction, numbered questions, scale grids.

    Parameters
    ----------
    inst : Instrument
    path : str or Path
        The ``.docx`` file to write.
    lang : {"both", "zh", "en"}
        Chinese, English, or both (Chinese first, English below it in grey).

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib, docx
    >>> out = to_docx(load_instrument(), pathlib.Path(tempfile.mkdtemp()) / "q.docx", lang="zh")
    >>> docx.Document(str(out)).paragraphs[0].text
    '网上政务服务价值共创调查问卷'
    """
    from .questionnaire_doc import write_docx

    return write_docx(inst, path, lang=lang)


def to_html(inst: Instrument, path: str | Path, lang: str = "both") -> Path:
    """Write a printable, self-contained HTML questionnaire (same layout as :func:`to_docx`).

    Parameters
    ----------
    inst : Instrument
    path : str or Path
        The ``.html`` file to write.
    lang : {"both", "zh", "en"}

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = to_html(load_instrument(), pathlib.Path(tempfile.mkdtemp()) / "q.html", lang="en")
    >>> "<h1>" in out.read_text(encoding="utf-8")
    True
    """
    from .questionnaire_doc import write_html

    return write_html(inst, path, lang=lang)
