"""The Markdown report of a cleaning run (what was read, changed, flagged, excluded and kept)."""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

SUMMARY_INDICES = ("answered", "longstring", "longstring_avg", "irv", "mahad_d2", "mahad_p", "evenodd",
                   "psychsyn", "psychant", "attention_failed", "seconds_per_item")


def _md_table(df: pd.DataFrame) -> str:
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(_fmt(x) for x in row) + " |")
    return "\n".join(lines)


def _fmt(x) -> str:
    if isinstance(x, (float, np.floating)):
        return "" if np.isnan(x) else f"{x:.3g}"
    return str(x).replace("|", "\\|")


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def render_report(*, export, v, id, duration, invalid, rules, checked, flags, flow, data, audit,
                  hashed, dropped_identifiers, min_answered, critval=0.60, pseudonymised=None,
                  design=None) -> str:
    n_in, n_out = len(flags), len(data)
    out = ["# Data cleaning report", ""]
    if export.path:
        out.append(f"- Input: `{Path(export.path).name}` ({export.format}), sha256 `{_sha256(export.path)}`; "
                   "the file was only read.")
    else:
        out.append("- Input: a DataFrame.")
    out.append(f"- Respondents received: {n_in}; analysed: {n_out}; items checked: {len(v.items)}; "
               f"id column `{id}`; duration column: {f'`{duration}`' if duration else 'none (speed not checked)'}.")
    if export.renamed:
        out.append(f"- Columns renamed by the mapping: {len(export.renamed)}.")
    if checked.renamed:
        out.append("- Columns matched to items ignoring case/spaces: "
                   + ", ".join(f"`{a}` -> `{b}`" for a, b in checked.renamed.items()) + ".")
    design = {k: c for k, c in (design or {}).items() if c}
    dropped = [c for c in checked.dropped if c not in design.values()]
    if dropped:
        out.append("- Columns not in the instrument, not written: "
                   + ", ".join(f"`{c}`" for c in dropped) + ".")
    if design:
        parts = []
        if "weights" in design:
            w = pd.to_numeric(data[design["weights"]])
            parts.append(f"`{design['weights']}` (sampling weights; all positive, none missing; in the analysed rows "
                         f"min {w.min():.4g}, median {w.median():.4g}, max {w.max():.4g})")
        if "cluster" in design:
            parts.append(f"`{design['cluster']}` (cluster; {data[design['cluster']].nunique()} clusters in the "
                         "analysed rows, none missing)")
        out.append("- Design columns kept and not cleaned as items (not in the careless indices; one audit row "
                   "each): " + ", ".join(parts) + ".")
    if v.inferred_scale:
        out.append("- No item has a response scale; these single-choice items share a rating list "
                   "(4+ consecutive codes) and are treated as scale items for the careless indices: "
                   + ", ".join(f"`{c}`" for c in v.inferred_scale) + ".")
    if checked.absent:
        out.append("- Unchecked items without a column (left out): "
                   + ", ".join(f"`{c}`" for c in checked.absent) + ".")
    if pseudonymised:
        out.append(
            f"- The id column `{pseudonymised['column']}` holds personal data ({pseudonymised['kind']} in "
            f"{pseudonymised['n']} row(s)): every id was replaced by a pseudonym, `P-` and 16 hex digits of "
            f"HMAC-SHA256 keyed by the key file `{pseudonymised['key_file']}`"
            f"{' (created by this run)' if pseudonymised['key_created'] else ''}. The same key gives the same "
            "pseudonym (re-runs and later waves link); keep the key file outside the output folder and do not "
            "share it. No id of the raw file is written.")
    if dropped_identifiers:
        out.append("- Identifier items dropped before writing: "
                   + ", ".join(f"`{c}`" for c in dropped_identifiers) + ".")
    if hashed:
        out.append("- Identifier items replaced by a salted SHA-256 (16 hex digits): "
                   + ", ".join(f"`{c}`" for c in hashed) + ".")
    out += ["", "## Flow", "", _md_table(flow), "",
            "Each excluded respondent is counted once, under the first rule that applies; `n_flagged` "
            "counts everyone a rule applies to. Rules: "
            + ("; ".join(f"`{r}`" for r in rules) if rules else "none") + ".", ""]
    cells = audit[(audit["column"] != "") & (audit["old"] != "design column")]
    out += ["## Changed cells", ""]
    if len(cells):
        counts = cells.groupby("reason").size().reset_index(name="cells")
        out += [_md_table(counts), ""]
    else:
        out += ["No cell was changed.", ""]
    out.append(f"Invalid cells: {len(checked.invalid)} (invalid='{invalid}').")
    if v.reverse:
        out.append("Reverse-coded (min + max - x): " + ", ".join(f"`{i}`" for i in v.reverse) + ".")
    if v.constructs:
        out.append("Scale scores `<construct>_mean`: mean of the construct's items, given with at least "
                   + (f"{min_answered}" if min_answered else "half (rounded up)") + " of them answered.")
    out += ["", "## Careless-responding indices (all respondents received)", ""]
    rows = []
    for c in SUMMARY_INDICES:
        x = pd.to_numeric(flags[c], errors="coerce").astype(float)
        rows.append((c, int(x.notna().sum()), x.min(), x.median(), x.max()))
    out += [_md_table(pd.DataFrame(rows, columns=["index", "n", "min", "median", "max"])), ""]
    for col, what in (("psychsyn", f"synonyms (item pairs with r > {critval:g})"),
                      ("psychant", f"antonyms (item pairs with r < {-critval:g})")):
        if n_in and flags[col].isna().all():
            pairs = int(flags[f"{col}_pairs"].max())
            out.append(f"Psychometric {what}: {pairs} pair(s) found; the index needs more than two "
                       f"answered pairs per respondent (as careless), so `{col}` is empty; "
                       "a lower `critval` finds more pairs.")
    out.append("Definitions follow the R package careless (Yentes & Wilhelm); see `egovsem.clean.careless`.")
    return "\n".join(out) + "\n"
