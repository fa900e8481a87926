# Reference values from lavaan 0.6-14 for the one fit-measures implementation (issue 10, item 1): multi-group
# fits the fit-measure code was not tuned on (FIML with MLR and fixed.x covariates, with and without fixed.x,
# in one and two groups;
# FIML with MLR under scalar invariance; complete-data ML without fixed.x; three groups under FIML).
# Every row of fitMeasures() is compared by tests/test_fit_measures_unified.py.
# Run from the repository root:  Rscript tests/reference/make_reference_fit_measures.R
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "fitm")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
source(file.path("tests", "reference", "_models.R"))
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
HSM <- read.csv("data/hs_missing10.csv", stringsAsFactors = FALSE)
# three age groups, in order of appearance (the Python test derives the same column)
HSM$agegrp <- ifelse(HSM$ageyr <= 12, "young", ifelse(HSM$ageyr == 13, "mid", "old"))

MIMIC <- '
  visual  =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  visual ~ ageyr + sex
  textual ~ ageyr
'
fitm_case <- function(case, res) {
  fit <- res$fit
  cat(sprintf("%-24s converged=%s chisq=%.3f df=%d\n", case, lavInspect(fit, "converged"),
              fitMeasures(fit, "chisq"), as.integer(fitMeasures(fit, "df"))))
  if (length(res$warnings)) cat("   warnings:", res$warnings, sep = "\n   ")
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (is.null(pe$label)) pe$label <- ""
  if (is.null(pe$group)) pe$group <- 1L
  write_ref(pe[, c("lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue", "ci.lower", "ci.upper",
                   "std.lv", "std.all", "std.nox")], file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
}
fitm_case("mg_fiml_mlr_mimic",
          run_fit(sem(MIMIC, data = HSM, group = "school", missing = "ml", estimator = "MLR")))
fitm_case("mg_fiml_mlr_mimic_fxf",
          run_fit(sem(MIMIC, data = HSM, group = "school", missing = "ml", estimator = "MLR", fixed.x = FALSE)))
fitm_case("mg_fiml_mlr_scalar",
          run_fit(cfa(HS_CFA, data = HSM, group = "school", missing = "ml", estimator = "MLR",
                      group.equal = c("loadings", "intercepts"))))
# one group (G = 1 of the same code): FIML without fixed.x, df > 0 (ML: FIML-C V6; MLR: V3)
fitm_case("fiml_mimic_fxf", run_fit(sem(MIMIC, data = HSM, missing = "ml", fixed.x = FALSE)))
fitm_case("fiml_mlr_mimic_fxf", run_fit(sem(MIMIC, data = HSM, missing = "ml", estimator = "MLR", fixed.x = FALSE)))
fitm_case("mg_ml_mimic_fxf", run_fit(sem(MIMIC, data = HS, group = "school", fixed.x = FALSE)))
fitm_case("g3_fiml_metric",
          run_fit(cfa(HS_CFA, data = HSM, group = "agegrp", missing = "ml", group.equal = "loadings")))
fitm_case("g3_fiml_mlr_metric",
          run_fit(cfa(HS_CFA, data = HSM, group = "agegrp", missing = "ml", estimator = "MLR",
                      group.equal = "loadings")))
cat("done; lavaan", as.character(packageVersion("lavaan")), "\n")
