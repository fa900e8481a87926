"""Measurement quality of survey scales: what reviewers check before the structural model.

pingouin-style functions (DataFrame in, DataFrame out) whose numbers match R:

* :func:`item_descriptives` (psych::describe), :func:`corrected_item_total` (psych::alpha item statistics);
* :func:`cronbach_alpha` (psych::alpha, Feldt CI), :func:`composite_reliability` (semTools::compRelSEM; on a
  WLSMV fit categorical omega and ordinal alpha),
  :func:`ave` (semTools::AVE);
* :func:`htmt` (semTools::htmt), :func:`fornell_larcker`, :func:`harman_single_factor`,
  :func:`full_collinearity_vif` (Kock 2015);
* :func:`marker_cfa` (Williams, Hartman & Cavazotte 2010 CFA marker technique), :func:`ulmc` (unmeasured
  latent method construct) and :func:`lindell_whitney` (marker-variable correlation correction);
* :func:`efa` with :func:`parallel_analysis` (psych::fa minres/oblimin via factor_analyzer);
* :func:`reliability_table` and :func:`measure_report` (the JSON of ``egovsem measure``).
"""
from .descriptives import corrected_item_total, item_descriptives
from .efa import EFAResult, efa, parallel_analysis
from .invariance import invariance
from .method_bias import MarkerResult, ULMCResult, lindell_whitney, marker_cfa, ulmc
from .reliability import ave, composite_reliability, cronbach_alpha
from .report import measure_report, method_bias_report, reliability_table
from .validity import fornell_larcker, full_collinearity_vif, harman_single_factor, htmt

__all__ = [
    "invariance",
    "item_descriptives", "corrected_item_total", "cronbach_alpha", "composite_reliability", "ave", "htmt",
    "fornell_larcker", "harman_single_factor", "full_collinearity_vif", "efa", "parallel_analysis", "EFAResult",
    "reliability_table", "measure_report",
    "marker_cfa", "ulmc", "lindell_whitney", "MarkerResult", "ULMCResult", "method_bias_report",
]
