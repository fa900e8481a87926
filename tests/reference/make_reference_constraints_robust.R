# Reference values from lavaan 0.6-14 for explicit constraints (==, <, >) combined with robust standard errors
# and scaled tests (issue 11): MLM, MLR, se = "robust", test = "scaled.shifted" | "mean.var.adjusted", on
# HolzingerSwineford1939 (complete data) and data/hs_missing10.csv (MLR under FIML). lavaan's robust sandwich
# uses the augmented (constrained) inverse information as its bread, and its U Gamma traces the same inverse.
# Run from the repository root:  Rscript tests/reference/make_reference_constraints_robust.R
# Writes tests/reference/constraints_robust/<case>_{params,fit,info}.csv.
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "constraints_robust")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
HSM10 <- read.csv("data/hs_missing10.csv", stringsAsFactors = FALSE)

pe_table <- function(fit) {
  pe <- parameterEstimates(fit, standardized = TRUE, remove.eq = FALSE, remove.ineq = FALSE, remove.def = FALSE)
  if (is.null(pe$label)) pe$label <- ""
  if (is.null(pe$group)) pe$group <- ifelse(pe$op %in% c("==", "<", ">", ":="), 0L, 1L)
  pe[, c("lhs", "op", "rhs", "label", "group", "est", "se", "std.lv", "std.all")]
}
write_cr <- function(case, res) {
  fit <- res$fit
  cat(sprintf("%-22s conv=%s se=%s test=%s npar=%d df=%s\n", case, lavInspect(fit, "converged"), fit@Options$se,
              paste(fit@Options$test, collapse = "/"), lavInspect(fit, "npar"), fitMeasures(fit, "df")))
  write_ref(info_table(fit, res$warnings), file.path(OUT, paste0(case, "_info.csv")))
  write_ref(pe_table(fit), file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
}
EQ <- "visual  =~ x1 + a*x2 + b*x3
       textual =~ x4 + c*x5 + c2*x6
       speed   =~ x7 + x8 + x9
       a == b
       c2 == 1.1*c"
INEQ <- "visual  =~ x1 + a1*x2 + a2*x3
         textual =~ x4 + b1*x5 + b2*x6
         speed   =~ x7 + c1*x8 + c2*x9
         a1 > 0.7
         b2 < b1"
write_cr("eq_mlm",      run_fit(cfa(EQ, data = HS, estimator = "MLM")))
write_cr("eq_mlr",      run_fit(cfa(EQ, data = HS, estimator = "MLR")))
write_cr("eq_serobust", run_fit(cfa(EQ, data = HS, se = "robust")))
write_cr("eq_ss",       run_fit(cfa(EQ, data = HS, se = "robust", test = "scaled.shifted")))
write_cr("eq_mva",      run_fit(cfa(EQ, data = HS, test = "mean.var.adjusted")))
write_cr("eq_mlr_fiml", run_fit(cfa(EQ, data = HSM10, estimator = "MLR", missing = "ml")))
write_cr("ineq_mlm",    run_fit(cfa(INEQ, data = HS, estimator = "MLM")))
write_cr("ineq_mlr",    run_fit(cfa(INEQ, data = HS, estimator = "MLR")))
