# Reference values for egovsem.measure.invariance(..., ordered=...): the Wu & Estabrook (2016) sequence
# configural -> thresholds -> thresholds + loadings -> + intercepts, each model written by
# semTools::measEq.syntax(ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", parameterization = ...) and fitted
# by lavaan 0.6-14 (WLSMV), on tests/reference/wlsmv_mg/hs5_school.csv (HS x1..x6 in 5 categories, by school);
# lavTestLRT between consecutive steps (WLSMV's default: method = "satorra.2000", scaled.shifted).
# Plus a partial model: + intercepts with x3's intercept free (group.partial = "x3 ~ 1").
#
# Run from the repository root:  Rscript tests/reference/make_reference_invariance_ordinal.R
# Writes tests/reference/invariance_ordinal/<par>_<step>_{params,fit}.csv and <par>_lrt.csv.
suppressPackageStartupMessages({library(lavaan); library(semTools)})
OUT <- file.path("tests", "reference", "invariance_ordinal")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
d <- read.csv(file.path("tests", "reference", "wlsmv_mg", "hs5_school.csv"))
M <- "visual =~ x1 + x2 + x3
      textual =~ x4 + x5 + x6"
ords <- paste0("x", 1:6)
steps <- list(configural = "configural", thresholds = "thresholds",
              loadings = c("thresholds", "loadings"), intercepts = c("thresholds", "loadings", "intercepts"))
for (par in c("delta", "theta")) {
  fits <- list()
  for (nm in c(names(steps), "partial")) {
    ge <- if (nm == "partial") steps$intercepts else steps[[nm]]
    args <- list(configural.model = M, data = d, ordered = ords, parameterization = par, ID.fac = "std.lv",
                 ID.cat = "Wu.Estabrook.2016", group = "school", group.equal = ge)
    if (nm == "partial") args$group.partial <- "x3 ~ 1"
    syn <- do.call(measEq.syntax, args)
    fit <- cfa(as.character(syn), data = d, ordered = ords, group = "school", estimator = "WLSMV",
               parameterization = par)
    fits[[nm]] <- fit
    pe <- parameterEstimates(fit)
    write_ref(pe[, c("lhs", "op", "rhs", "group", "est", "se")], file.path(OUT, paste0(par, "_", nm, "_params.csv")))
    write_ref(fit_table(fit), file.path(OUT, paste0(par, "_", nm, "_fit.csv")))
  }
  rows <- list()
  pairs <- list(c("thresholds", "configural"), c("loadings", "thresholds"), c("intercepts", "loadings"),
                c("partial", "loadings"))
  for (pr in pairs) {
    lrt <- lavTestLRT(fits[[pr[2]]], fits[[pr[1]]])
    rows[[length(rows) + 1]] <- data.frame(restricted = pr[1], free = pr[2], chisq_diff = lrt[2, "Chisq diff"],
                                           df_diff = lrt[2, "Df diff"], pvalue = lrt[2, "Pr(>Chisq)"])
  }
  write_ref(do.call(rbind, rows), file.path(OUT, paste0(par, "_lrt.csv")))
}
