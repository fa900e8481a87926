"""The audit trail: one row per changed cell and one per excluded respondent.

Columns ``id, column, old, new, reason`` (all text). A cell change names the item column, the value as
it was in the raw file and the new value ('' for missing). An exclusion has ``column`` '' , ``old`` the
respondent's data row (``row 12``: ids can repeat in a raw export), ``new`` 'excluded' and ``reason`` the
exclusion rules that applied, separated by '; '. Values of identifier items never enter the audit.
A design column (sampling weights, clusters) has one row: ``id`` '', ``column`` the column, ``old``
'design column', ``new`` 'kept' and ``reason`` saying it was kept as read and not cleaned as an item.
Whole-column transformations (reverse coding, hashing identifiers) are not cell corrections: the report
lists them.
"""
from __future__ import annotations

import pandas as pd

AUDIT_COLUMNS = ["id", "column", "old", "new", "reason"]


def exclusion_rows(ids: pd.Series, reasons: pd.Series) -> pd.DataFrame:
    """Audit rows for the respondents whose ``reasons`` (text, '' = kept) is not empty."""
    hit = reasons != ""
    return pd.DataFrame({
        "id": ids[hit].to_numpy(),
        "column": "",
        "old": [f"row {i + 1}" for i in hit.to_numpy().nonzero()[0]],
        "new": "excluded",
        "reason": reasons[hit].to_numpy(),
    }, columns=AUDIT_COLUMNS)


DESIGN_REASON = {"weights": "design column (sampling weights): kept as read, not cleaned as an item; checked "
                            "positive and non-missing",
                 "cluster": "design column (cluster): kept, not cleaned as a scale item; checked non-missing"}


def design_rows(columns: dict[str, str]) -> pd.DataFrame:
    """Audit rows for the design columns (``{"weights": col, "cluster": col}``)."""
    return pd.DataFrame({"id": "", "column": list(columns.values()), "old": "design column", "new": "kept",
                         "reason": [DESIGN_REASON[k] for k in columns]}, columns=AUDIT_COLUMNS)


def combine(*parts: pd.DataFrame) -> pd.DataFrame:
    """Stack audit tables, all cells as text."""
    nonempty = [p for p in parts if len(p)]
    if not nonempty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in AUDIT_COLUMNS})
    return pd.concat(nonempty, ignore_index=True)[AUDIT_COLUMNS].astype(object)
