# Reference values from lavaan 0.6-14 for the mean-and-variance adjusted (Satterthwaite) test, lavaan's
# test = "mean.var.adjusted" (issue 11): ML with test = "mean.var.adjusted" (one group and by school), the
# estimator MLMV (lavaan 0.6-14: robust.sem SEs with the scaled-shifted test), WLSMVS (DWLS on ordered items
# with the mean-and-variance adjusted test), ULSMV (unit weights on ordered items, robust.sem, scaled-shifted) and
# the robust ULS variants on continuous data (ULSM, ULSMV, ULSMVS, ULS with se = "robust").
# Run from the repository root:  Rscript tests/reference/make_reference_mva.R
# Writes tests/reference/mva/<case>_{params,fit,info}.csv.
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "mva")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
source(file.path("tests", "reference", "_models.R"))
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
ORD <- read.csv("data/hs_ordinal.csv", stringsAsFactors = FALSE)

write_mva <- function(case, res) {
  fit <- res$fit
  cat(sprintf("%-16s se=%s test=%s\n", case, fit@Options$se, paste(fit@Options$test, collapse = "/")))
  write_ref(info_table(fit, res$warnings), file.path(OUT, paste0(case, "_info.csv")))
  pe <- params_table(fit)
  if (lavInspect(fit, "ngroups") > 1) pe <- pe[pe$op != "r2", ]
  write_ref(pe, file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
}
write_mva("hs_ml_mva",    run_fit(cfa(HS_CFA, data = HS, test = "mean.var.adjusted")))
write_mva("hs_ml_mva_mg", run_fit(cfa(HS_CFA, data = HS, test = "mean.var.adjusted", group = "school")))
write_mva("hs_mlmv",      run_fit(cfa(HS_CFA, data = HS, estimator = "MLMV")))
write_mva("hs_wlsmvs",    run_fit(cfa(HS_CFA, data = ORD, ordered = TRUE, estimator = "WLSMVS")))

# ULSMV: ULS on the polychoric correlations (unit weights), robust.sem SEs; and ULS with ordered items
write_mva("hs_ulsmv",     run_fit(cfa(HS_CFA, data = ORD, ordered = TRUE, estimator = "ULSMV")))

# ULS on continuous data with lavaan's robust variants: ULSM (robust.sem, satorra.bentler), ULSMV (robust.sem,
# scaled.shifted), ULSMVS (robust.sem, mean.var.adjusted) and ULS with se = "robust"
write_mva("hs_ulsm",        run_fit(cfa(HS_CFA, data = HS, estimator = "ULSM")))
write_mva("hs_ulsmv_cont",  run_fit(cfa(HS_CFA, data = HS, estimator = "ULSMV")))
write_mva("hs_ulsmvs",      run_fit(cfa(HS_CFA, data = HS, estimator = "ULSMVS")))
write_mva("hs_uls_serobust", run_fit(cfa(HS_CFA, data = HS, estimator = "ULS", se = "robust")))
