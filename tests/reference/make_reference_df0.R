# Reference values from lavaan 0.6-14 for models with df = 0 (issue 10, item 4): regressions, a saturated
# path model and a just-identified factor model with covariates, fitted by FIML (ML and MLR; fixed.x TRUE
# and FALSE) and by complete-data ML/MLR. Every parameterEstimates() and fitMeasures() row is written.
# Run from the repository root:  Rscript tests/reference/make_reference_df0.R
# Data: data/hs_missing10.csv (HolzingerSwineford1939 with 10% of x1-x9 deleted, written by
# make_reference_fiml.R), data/HolzingerSwineford1939.csv and psych's bfi (its own missing values), written
# as data/bfi.csv by write.csv(psych::bfi, row.names = FALSE) when that file does not exist.
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "df0")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))

if (!file.exists("data/bfi.csv")) write.csv(psych::bfi, "data/bfi.csv", row.names = FALSE)
HSM <- read.csv("data/hs_missing10.csv", stringsAsFactors = FALSE)
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
BFI <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)

REG <- "x1 ~ x2 + x3"
PATH <- "x3 ~ ageyr + sex\nx6 ~ x3 + ageyr + sex"
JID <- "visual =~ x1 + x2 + x3\nvisual ~ ageyr + sex\nx1 ~ ageyr + sex\nx2 ~ ageyr + sex"
BFI_REG <- "A3 ~ A1 + A2"

write_df0_case <- function(case, res) {
  fit <- res$fit
  cat(sprintf("%-22s converged=%s npar=%d df=%g\n", case, lavInspect(fit, "converged"),
              lavInspect(fit, "npar"), fitMeasures(fit, "df")))
  write_ref(info_table(fit, res$warnings), file.path(OUT, paste0(case, "_info.csv")))
  write_ref(params_table(fit), file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
}

write_df0_case("fiml_reg",          run_fit(sem(REG, data = HSM, missing = "ml")))
write_df0_case("fiml_reg_fxf",      run_fit(sem(REG, data = HSM, missing = "ml", fixed.x = FALSE)))
write_df0_case("fiml_reg_mlr",      run_fit(sem(REG, data = HSM, missing = "ml", estimator = "MLR")))
write_df0_case("fiml_reg_fxf_mlr",  run_fit(sem(REG, data = HSM, missing = "ml", fixed.x = FALSE, estimator = "MLR")))
write_df0_case("fiml_path",         run_fit(sem(PATH, data = HSM, missing = "ml")))
write_df0_case("fiml_path_mlr",     run_fit(sem(PATH, data = HSM, missing = "ml", estimator = "MLR")))
write_df0_case("fiml_jid_x",        run_fit(sem(JID, data = HSM, missing = "ml")))
write_df0_case("fiml_jid_x_fxf",    run_fit(sem(JID, data = HSM, missing = "ml", fixed.x = FALSE)))
write_df0_case("fiml_bfi_fxf",      run_fit(sem(BFI_REG, data = BFI, missing = "ml", fixed.x = FALSE)))
write_df0_case("fiml_bfi_fxf_mlr",  run_fit(sem(BFI_REG, data = BFI, missing = "ml", fixed.x = FALSE, estimator = "MLR")))
write_df0_case("ml_reg",            run_fit(sem(REG, data = HS)))
write_df0_case("ml_reg_mlr",        run_fit(sem(REG, data = HS, estimator = "MLR")))
write_df0_case("ml_reg_fxf",        run_fit(sem(REG, data = HS, fixed.x = FALSE)))
write_df0_case("ml_jid_x",          run_fit(sem(JID, data = HS)))


# two groups (school), df = 0
MG_REG <- "x1 ~ ageyr + sex"
write_df0_case("mg_fiml_reg",       run_fit(sem(MG_REG, data = HSM, missing = "ml", group = "school")))
write_df0_case("mg_fiml_reg_mlr",   run_fit(sem(MG_REG, data = HSM, missing = "ml", group = "school", estimator = "MLR")))
write_df0_case("mg_ml_reg_mlr",     run_fit(sem(MG_REG, data = HS, group = "school", estimator = "MLR")))
cat("done; lavaan", as.character(packageVersion("lavaan")), "\n")
