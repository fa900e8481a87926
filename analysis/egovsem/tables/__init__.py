"""APA-7 tables of a survey-SEM paper: one builder per table, one renderer per format.

Builders (each returns a frozen :class:`Table` with English and Chinese titles, headers and cells, the raw
numbers behind every cell, and notes):

* :func:`sample_table` (sample characteristics), :func:`correlation_table` (descriptives and latent
  correlations, square root of AVE on the diagonal), :func:`measurement_table` (standardised loadings,
  alpha, CR/omega, AVE), :func:`htmt_table`, :func:`fit_table` (fit of compared models),
  :func:`hypotheses_table` (paths, supported or not), :func:`indirect_table` (``:=`` effects, bootstrap CIs),
  :func:`effects_table` (direct/indirect/total decomposition from :func:`egovsem.sem.mediation.effects`),
  :func:`invariance_table` (configural, metric, scalar, strict steps), :func:`method_bias_table` (CFA marker
  technique and ULMC model sequence, Harman, VIF, Lindell-Whitney) and :func:`marker_reliability_table`;
* :func:`standard_tables` builds the standard set in paper order from a fitted model, its fitted CFA and
  their reliability and HTMT; :func:`model_tables` (the study layer's
  :func:`egovsem.study.model_tables.model_tables`, forwarded lazily) fits the model and its CFA first.

Builders take plain inputs: they fit nothing and load no questionnaire. Construct names come from ``labels``
(a mapping or an instrument; codes only without it); :func:`egovsem.instruments.study_labels` gives the
bundled study questionnaire's names.

Renderers: :func:`to_docx` (real Word tables), :func:`to_latex` (booktabs), :func:`to_markdown`,
:func:`to_html`, :func:`to_csv`, and :func:`write_tables` for all formats at once.
Number style: :func:`apa_number`, :func:`apa_p`, :func:`apa_ci`, :func:`stars`.

Examples
--------
>>> import egovsem, egovsem.datasets as ds
>>> from egovsem.tables import fit_table, to_markdown
>>> fit = egovsem.cfa("visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9",
...                   ds.load("HolzingerSwineford1939"))
>>> # In R: fitMeasures(fit, c("chisq", "df", "cfi", "rmsea")) -> 85.306 24 0.931 0.092
>>> fit_table({"Three-factor CFA": fit}).rows_en[0][:6]
('Three-factor CFA', '85.31', '24', '< .001', '3.55', '.931')
"""
from ._format import apa_ci, apa_int, apa_number, apa_p, stars, typeset_minus
from .builders import (
    correlation_table,
    effects_table,
    fit_table,
    htmt_table,
    hypotheses_table,
    indirect_table,
    invariance_table,
    latent_correlations,
    measurement_table,
    model_constructs,
    sample_table,
)
from .method_bias import marker_reliability_table, method_bias_table
from .render import FORMATS, to_csv, to_docx, to_html, to_latex, to_markdown, write_tables
from .study import cfa_syntax, standard_tables
from .table import Table

__all__ = [
    "Table", "apa_number", "apa_p", "apa_ci", "apa_int", "stars", "typeset_minus",
    "sample_table", "correlation_table", "measurement_table", "htmt_table", "fit_table", "hypotheses_table",
    "indirect_table", "effects_table", "invariance_table", "model_constructs", "latent_correlations",
    "model_tables", "standard_tables", "cfa_syntax", "method_bias_table", "marker_reliability_table",
    "to_docx", "to_latex", "to_markdown", "to_html", "to_csv", "write_tables", "FORMATS",
]


def __getattr__(name: str):
    # model_tables fits models, so it lives in the study layer; imported on first use, so that this package
    # imports no fitting code at module level
    if name == "model_tables":
        from ..study.model_tables import model_tables

        return model_tables
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
