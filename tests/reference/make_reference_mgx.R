# Reference values from lavaan 0.6-14 for two-group models with observed covariates and df > 0, the
# combination the unified fit measures (sem/fitmeasures.py) were not tuned on: every fitMeasures() and
# parameterEstimates() row, by ML, MLR, FIML and FIML + MLR, fixed.x TRUE and FALSE.
# Run from the repository root:  Rscript tests/reference/make_reference_mgx.R
# Data: data/HolzingerSwineford1939.csv and data/hs_missing10.csv (written by make_reference_fiml.R).
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "mgx")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
HSM <- read.csv("data/hs_missing10.csv", stringsAsFactors = FALSE)

# two factors, regressed on two covariates (age in years, sex); df = 2 x 9 - ... > 0
CFAX <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ ageyr + sex\ntextual ~ sex"

mgx_case <- function(case, res) {
  fit <- res$fit
  cat(sprintf("%-18s converged=%s chisq=%.3f df=%d\n", case, lavInspect(fit, "converged"),
              fitMeasures(fit, "chisq"), as.integer(fitMeasures(fit, "df"))))
  write_ref(info_table(fit, res$warnings), file.path(OUT, paste0(case, "_info.csv")))
  write_ref(params_table(fit), file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
}

mgx_case("mgx_ml",           run_fit(sem(CFAX, data = HS, group = "school")))
mgx_case("mgx_mlr",          run_fit(sem(CFAX, data = HS, group = "school", estimator = "MLR")))
mgx_case("mgx_ml_fxf",       run_fit(sem(CFAX, data = HS, group = "school", fixed.x = FALSE)))
mgx_case("mgx_mlr_fxf",      run_fit(sem(CFAX, data = HS, group = "school", estimator = "MLR", fixed.x = FALSE)))
mgx_case("mgx_fiml",         run_fit(sem(CFAX, data = HSM, group = "school", missing = "ml")))
mgx_case("mgx_fiml_mlr",     run_fit(sem(CFAX, data = HSM, group = "school", missing = "ml", estimator = "MLR")))
mgx_case("mgx_fiml_mlr_fxf", run_fit(sem(CFAX, data = HSM, group = "school", missing = "ml", estimator = "MLR",
                                         fixed.x = FALSE)))
mgx_case("mgx_fiml_fxf",     run_fit(sem(CFAX, data = HSM, group = "school", missing = "ml", fixed.x = FALSE)))
# the same model in one group by FIML with fixed.x = FALSE, ML and MLR (FIML-C V6 and V3 for G = 1)
mgx_case("x_fiml_fxf",       run_fit(sem(CFAX, data = HSM, missing = "ml", fixed.x = FALSE)))
mgx_case("x_fiml_mlr_fxf",   run_fit(sem(CFAX, data = HSM, missing = "ml", estimator = "MLR", fixed.x = FALSE)))
cat("done; lavaan", as.character(packageVersion("lavaan")), "\n")
