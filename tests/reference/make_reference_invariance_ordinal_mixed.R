# Reference values for egovsem.measure.invariance(..., ordered=[...]) with continuous indicators mixed with
# ordered ones: the Wu & Estabrook (2016) sequence configural -> thresholds -> thresholds + loadings ->
# + intercepts, each model written by semTools 0.5-6 measEq.syntax(ID.fac = "std.lv",
# ID.cat = "Wu.Estabrook.2016", parameterization = ...) and fitted by lavaan 0.6-14 (WLSMV), on
# tests/reference/wlsmv_mg_std/hs5mix_school.csv (HS x1..x6 in 5 categories, ordered; x7..x9 the original
# continuous scores; by school). For the continuous items measEq.syntax writes the ordinary constraints: free
# intercepts and residual variances in every group, their scale factors fixed to 1, the intercepts equal
# from the "intercepts" step on, and nothing in the "thresholds" step. lavTestLRT between consecutive steps
# (WLSMV's default: method = "satorra.2000", scaled.shifted). Plus a partial model: + intercepts with x3's and
# x7's intercepts free (group.partial = c("x3 ~ 1", "x7 ~ 1")). The sequence is also fitted with
# missing = "pairwise" on psych's bfi by gender (A items ordered, C items continuous; both have NAs), delta and
# theta.
#
# Run from the repository root:  Rscript tests/reference/make_reference_invariance_ordinal_mixed.R
# Writes tests/reference/invariance_ordinal_mixed/<case>_<step>_{params,fit}.csv and <case>_lrt.csv.
suppressPackageStartupMessages({library(lavaan); library(semTools)})
OUT <- file.path("tests", "reference", "invariance_ordinal_mixed")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
steps <- list(configural = "configural", thresholds = "thresholds",
              loadings = c("thresholds", "loadings"), intercepts = c("thresholds", "loadings", "intercepts"))

run_sequence <- function(case, M, d, ords, group, par, missing = "listwise", partial = NULL) {
  fits <- list()
  names_ <- c(names(steps), if (!is.null(partial)) "partial")
  for (nm in names_) {
    ge <- if (nm == "partial") steps$intercepts else steps[[nm]]
    args <- list(configural.model = M, data = d, ordered = ords, parameterization = par, ID.fac = "std.lv",
                 ID.cat = "Wu.Estabrook.2016", group = group, group.equal = ge)
    if (nm == "partial") args$group.partial <- partial
    syn <- do.call(measEq.syntax, args)
    fit <- cfa(as.character(syn), data = d, ordered = ords, group = group, estimator = "WLSMV",
               parameterization = par, missing = missing)
    fits[[nm]] <- fit
    pe <- parameterEstimates(fit)
    write_ref(pe[, c("lhs", "op", "rhs", "group", "est", "se")], file.path(OUT, paste0(case, "_", nm, "_params.csv")))
    write_ref(fit_table(fit), file.path(OUT, paste0(case, "_", nm, "_fit.csv")))
  }
  rows <- list()
  pairs <- list(c("thresholds", "configural"), c("loadings", "thresholds"), c("intercepts", "loadings"))
  if (!is.null(partial)) pairs[[4]] <- c("partial", "loadings")
  for (pr in pairs) {
    lrt <- lavTestLRT(fits[[pr[2]]], fits[[pr[1]]])
    rows[[length(rows) + 1]] <- data.frame(restricted = pr[1], free = pr[2], chisq_diff = lrt[2, "Chisq diff"],
                                           df_diff = lrt[2, "Df diff"], pvalue = lrt[2, "Pr(>Chisq)"])
  }
  write_ref(do.call(rbind, rows), file.path(OUT, paste0(case, "_lrt.csv")))
}

d <- read.csv(file.path("tests", "reference", "wlsmv_mg_std", "hs5mix_school.csv"))
M <- "visual =~ x1 + x2 + x3
      textual =~ x4 + x5 + x6
      speed =~ x7 + x8 + x9"
for (par in c("delta", "theta")) {
  run_sequence(par, M, d, paste0("x", 1:6), "school", par, partial = c("x3 ~ 1", "x7 ~ 1"))
}
BFI <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)
MB <- "A =~ A1 + A2 + A3 + A4 + A5
       C =~ C1 + C2 + C3 + C4 + C5"
run_sequence("bfi_pairwise", MB, BFI, paste0("A", 1:5), "gender", "delta", missing = "pairwise")
run_sequence("bfi_pairwise_theta", MB, BFI, paste0("A", 1:5), "gender", "theta", missing = "pairwise")
