# Reference values from lavaan 0.6-14 for the mean-and-variance adjusted (Satterthwaite) test, lavaan's
# test = "mean.var.adjusted" (issue 11): ML with test = "mean.var.adjusted" (one group and by school), the
# estimator MLMV (lavaan 0.6-14: robust.sem SEs with the scaled-shifted test), WLSMVS (DWLS on ordered items
# with the mean-and-variance adjusted test) and ULSMV (unit weights on ordered items, robust.sem, scaled-shifted).
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
