"""The questionnaire model: frozen dataclasses Scale, Construct, Item, MetaColumn and Instrument.

Public through :mod:`egovsem.instruments`; this module has no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .._errors import InstrumentError

#: languages an instrument can carry, with the names used in XLSForm column headers
LANGUAGES = {"zh": "Chinese (zh)", "en": "English (en)"}
#: the bundled study questionnaire (package egovsem.study_instruments, directory instruments/)
STUDY_FILE = "egov_study.yaml"
INLINE_SOURCE = "<instrument>"


@dataclass(frozen=True)
class Scale:
    """A response scale: integer values with a Chinese and an English label each.

    Examples
    --------
    >>> s = Scale("yesno", (0, 1), ("否", "是"), ("No", "Yes"))
    >>> s.min, s.max, s.label(1, "zh")
    (0, 1, '是')
    """

    name: str
    values: tuple[int, ...]
    labels_zh: tuple[str, ...]
    labels_en: tuple[str, ...]

    @property
    def min(self) -> int:
        return min(self.values)

    @property
    def max(self) -> int:
        return max(self.values)

    def label(self, value: int, lang: str = "en") -> str:
        """The label of ``value`` in ``lang`` ("zh" or "en")."""
        labels = self.labels_zh if lang == "zh" else self.labels_en
        return labels[self.values.index(value)]


@dataclass(frozen=True)
class Construct:
    """A latent construct measured by several items (``seed_section`` says where its idea comes from).

    ``marker`` marks a marker scale: a construct theoretically unrelated to the substantive ones, asked only
    to estimate common-method variance (``egovsem.measure.marker_cfa``, ``lindell_whitney``); it is not part
    of the hypothesis models.
    """

    code: str
    name_zh: str
    name_en: str
    definition_en: str = ""
    definition_zh: str = ""
    seed_section: str = ""
    marker: bool = False


@dataclass(frozen=True)
class Item:
    """One question of the questionnaire.

    ``type`` is "scale" (answered on ``scale``), "select_one" / "select_multiple" (own ``choices``, tuples
    of (value, label_zh, label_en)), "integer", "decimal", "text", "date", or "note" (text only, no answer).
    ``expected`` is the instructed answer of an attention check; ``identifier`` marks personal data.
    """

    name: str
    type: str
    text_zh: str = ""
    text_en: str = ""
    construct: str | None = None
    scale: str | None = None
    choices: tuple[tuple[int, str, str], ...] = ()
    reverse: bool = False
    source: str = ""
    expected: int | None = None
    identifier: bool = False

    def text(self, lang: str = "en") -> str:
        """The item text in ``lang`` ("zh" or "en")."""
        return self.text_zh if lang == "zh" else self.text_en


@dataclass(frozen=True)
class MetaColumn:
    """A column the survey platform adds to the data (respondent id, duration, time stamp); not an item."""

    name: str
    label_zh: str = ""
    label_en: str = ""


@dataclass(frozen=True, repr=False)
class Instrument:
    """A questionnaire: metadata, scales, constructs and items in questionnaire order.

    The ``scales`` and ``constructs`` dicts are read-only by convention; build a new Instrument
    (``dataclasses.replace``) to change one.

    Examples
    --------
    >>> from egovsem.instruments import load_instrument
    >>> inst = load_instrument()
    >>> [i.name for i in inst.attention_checks()], inst.item("ATT1").expected
    (['ATT1'], 4)
    >>> [i.name for i in inst.identifiers()]
    ['phone']
    >>> inst.missing_values
    (-99, -98)
    >>> inst
    Instrument('Survey on value co-creation in online government services', version '1.0': 71 items, 14 constructs, 1 scales, languages zh/en)
    """

    title_zh: str
    title_en: str
    version: str
    scales: dict[str, Scale]
    constructs: dict[str, Construct]
    items: tuple[Item, ...]
    citation: str = ""
    missing_values: tuple[int, ...] = ()
    missing_labels: dict[int, tuple[str, str]] = field(default_factory=dict)
    languages: tuple[str, ...] = ("zh", "en")
    intro_zh: str = ""
    intro_en: str = ""
    metadata: tuple[MetaColumn, ...] = ()
    source_path: str | None = field(default=None, compare=False)

    def __repr__(self) -> str:
        return (f"Instrument({self.title_en or self.title_zh!r}, version {self.version!r}: "
                f"{len(self.items)} items, {len(self.constructs)} constructs, {len(self.scales)} scales, "
                f"languages {'/'.join(self.languages)})")

    def title(self, lang: str = "en") -> str:
        """The title in ``lang`` ("zh" or "en")."""
        return self.title_zh if lang == "zh" else self.title_en

    def item(self, name: str) -> Item:
        """The item called ``name``; raises InstrumentError naming the file if there is none."""
        for it in self.items:
            if it.name == name:
                return it
        raise InstrumentError(f"{self._where()}: there is no item {name!r}.")

    def scale_items(self) -> tuple[Item, ...]:
        """Items answered on a scale, in questionnaire order (attention checks included)."""
        return tuple(it for it in self.items if it.scale is not None)

    def construct_items(self, code: str) -> list[str]:
        """Names of the items measuring construct ``code``, in questionnaire order."""
        if code not in self.constructs:
            raise InstrumentError(
                f"{self._where()}: there is no construct {code!r}; "
                f"constructs are {', '.join(self.constructs)}."
            )
        return [it.name for it in self.items if it.construct == code]

    def marker_constructs(self) -> dict[str, list[str]]:
        """The marker scales (constructs with ``marker: true``) and their items, in questionnaire order."""
        return {c: self.construct_items(c) for c, con in self.constructs.items() if con.marker}

    def attention_checks(self) -> tuple[Item, ...]:
        """Items with an instructed (``expected``) answer."""
        return tuple(it for it in self.items if it.expected is not None)

    def identifiers(self) -> tuple[Item, ...]:
        """Items holding personal data (``identifier: true``), to drop before sharing data."""
        return tuple(it for it in self.items if it.identifier)

    def data_items(self) -> tuple[Item, ...]:
        """Items that make a data column (every item but notes)."""
        return tuple(it for it in self.items if it.type != "note")

    def reverse_items(self) -> tuple[Item, ...]:
        """Reverse-keyed items (recode as ``min + max - x`` of their scale)."""
        return tuple(it for it in self.items if it.reverse)

    def _where(self) -> str:
        return self.source_path or INLINE_SOURCE
