# Reference values from lavaan 0.6-14 for explicit constraints (==, <, >) with WLSMV in one group (issue 11):
# data/hs_ordinal.csv (the nine HolzingerSwineford1939 tests cut into 4 ordered categories), ordered = TRUE,
# estimator = "WLSMV" (DWLS, robust.sem SEs, scaled-shifted test). lavaan's robust sandwich and its U Gamma
# use the augmented (constrained) inverse of Delta' W Delta; npar is the free parameters less the rank of
# the equalities; an inequality never changes npar or df.
# Run from the repository root:  Rscript tests/reference/make_reference_constraints_wlsmv.R
# Writes tests/reference/constraints_wlsmv/<case>_{model.lav,params,fit,info}.csv.
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "constraints_wlsmv")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
HSO <- read.csv("data/hs_ordinal.csv", stringsAsFactors = FALSE)

pe_table <- function(fit) {
  pe <- parameterEstimates(fit, standardized = TRUE, remove.eq = FALSE, remove.ineq = FALSE, remove.def = FALSE)
  if (is.null(pe$label)) pe$label <- ""
  pe$group <- ifelse(pe$op %in% c("==", "<", ">", ":="), 0L, 1L)
  pe[, c("lhs", "op", "rhs", "label", "group", "est", "se", "std.lv", "std.all")]
}
write_cw <- function(case, model) {
  res <- run_fit(cfa(model, data = HSO, ordered = TRUE, estimator = "WLSMV"))
  fit <- res$fit
  cat(sprintf("%-14s conv=%s npar=%d df=%s chisq.scaled=%.4f\n", case, lavInspect(fit, "converged"),
              lavInspect(fit, "npar"), fitMeasures(fit, "df"), fitMeasures(fit, "chisq.scaled")))
  writeLines(model, file.path(OUT, paste0(case, "_model.lav")))
  write_ref(info_table(fit, res$warnings), file.path(OUT, paste0(case, "_info.csv")))
  write_ref(pe_table(fit), file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
}
# linear equalities (one a proportion), a nonlinear equality, and inequalities (one active, one inactive)
write_cw("eq", "visual  =~ x1 + a*x2 + b*x3
textual =~ x4 + c*x5 + c2*x6
speed   =~ x7 + x8 + x9
a == b
c2 == 1.1*c")
write_cw("nonlinear", "visual  =~ x1 + a*x2 + b*x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
a == b^2")
write_cw("ineq", "visual  =~ x1 + a1*x2 + a2*x3
textual =~ x4 + b1*x5 + b2*x6
speed   =~ x7 + c1*x8 + c2*x9
a1 > 1.5
b2 < b1
c2 < 5")
