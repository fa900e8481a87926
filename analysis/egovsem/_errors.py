"""One place for egovsem's exceptions, warnings and message helpers.

Every message names the argument, the offending value and, where there is one, the row or line,
in the style of scikit-learn's parameter checks.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class EgovsemError(ValueError):
    """Base class of every error egovsem raises on bad input."""


class ModelSyntaxError(EgovsemError):
    """The model syntax cannot be read (the message names the line and the text)."""


class DataError(EgovsemError):
    """The data do not fit the model or the instrument (the message names column and row)."""


class EmptyCategoryError(DataError):
    """An ordered item has a category that one group never uses: multi-group WLSMV cannot fit it (lavaan
    0.6-14 stops too: "some categories of variable are empty in group").

    Attributes
    ----------
    item : str
        The ordered item.
    group, group_label
        The grouping column and the group's value; ``group_index`` its number (1-based, lavaan's order).
    categories, frequencies : list
        The item's categories over all groups and their counts in that group.
    empty : list
        The categories that group never uses.
    """

    def __init__(self, message: str, *, item: str, group: str, group_label: Any, group_index: int,
                 categories: list, frequencies: list[int]) -> None:
        super().__init__(message)
        self.item = item
        self.group = group
        self.group_label = group_label
        self.group_index = group_index
        self.categories = list(categories)
        self.frequencies = list(frequencies)
        self.empty = [c for c, f in zip(categories, frequencies) if f == 0]

    def __reduce__(self):  # picklable with its keyword arguments (parallel runs)
        return (_empty_category_error, (str(self), self.item, self.group, self.group_label, self.group_index,
                                        self.categories, self.frequencies))


def _empty_category_error(message, item, group, group_label, group_index, categories, frequencies):
    return EmptyCategoryError(message, item=item, group=group, group_label=group_label, group_index=group_index,
                              categories=categories, frequencies=frequencies)


class InstrumentError(EgovsemError):
    """A questionnaire file is invalid (the message names the file, the item and the problem)."""


class IdentificationError(EgovsemError):
    """The model is not identified (negative degrees of freedom or singular information)."""


class OutputError(EgovsemError):
    """An output path cannot be written, or it is one of the run's input files."""


class NotConvergedError(EgovsemError):
    """A fit that did not converge was given where its estimates would be used (a table, a measure, a run)."""


class NotAvailableError(EgovsemError):
    """An option that a later release implements; never silently ignored."""


class EgovsemWarning(UserWarning):
    """Base class of egovsem's warnings."""


class TextEncodingWarning(EgovsemWarning):
    """A text file was not UTF-8 and was read in another encoding (the message names file and encoding)."""


class DataWarning(EgovsemWarning):
    """Something in a data file may not be what the analysis assumes (an ignored sheet, a missing code)."""


class ConvergenceWarning(EgovsemWarning):
    """The optimiser stopped before the convergence criterion was met."""


class HeywoodWarning(EgovsemWarning):
    """A variance estimate is negative or a correlation exceeds one (a Heywood case)."""


class MissingDataWarning(EgovsemWarning):
    """Rows were removed because of missing values (the message gives the count)."""


def check_option(name: str, value: Any, allowed: Iterable[Any], *, casefold: bool = False) -> Any:
    """Return ``value`` (canonical spelling) if it is one of ``allowed``; else raise.

    >>> check_option("estimator", "ml", ["ML", "MLR"], casefold=True)
    'ML'
    >>> check_option("estimator", "ml2", ["ML", "MLR"])
    Traceback (most recent call last):
    ...
    egovsem._errors.EgovsemError: The 'estimator' parameter must be one of 'ML', 'MLR'. Got 'ml2' instead.
    """
    allowed = list(allowed)
    if casefold and isinstance(value, str):
        for a in allowed:
            if isinstance(a, str) and a.casefold() == value.casefold():
                return a
    elif value in allowed:
        return value
    choices = ", ".join(repr(a) for a in allowed)
    raise EgovsemError(f"The '{name}' parameter must be one of {choices}. Got {value!r} instead.")


def caller_stacklevel() -> int:
    """The ``stacklevel`` for :func:`warnings.warn` that points at the first frame outside egovsem (the user's
    line), however deep inside the package the warning is raised; call it in the ``warn`` call itself."""
    import os
    import sys

    pkg = os.path.dirname(os.path.abspath(__file__))
    frame: Any = sys._getframe(1)  # the function that calls warnings.warn
    level = 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(pkg + os.sep):
        frame = frame.f_back
        level += 1
    return level
