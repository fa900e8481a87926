# Reference values for egovsem.measure.invariance(..., ordered=...) with exogenous observed covariates (lavaan's
# conditional.x; issue 11 of 12): the Wu & Estabrook (2016) sequence configural -> thresholds -> thresholds +
# loadings -> + intercepts of the MIMIC A =~ A1 + ... + A5; A ~ age + education on psych's bfi (data/bfi.csv)
# by gender. Each step's measurement model is written by semTools 0.5-6 measEq.syntax(ID.fac = "std.lv",
# ID.cat = "Wu.Estabrook.2016", parameterization = ...) from the measurement part, the regression
# "A ~ age + education" is appended (measEq.syntax's latent variance and mean rows become the residual variance
# and intercept of A), and lavaan 0.6-14 fits it (WLSMV, conditional.x; rows missing education or an item
# deleted listwise). lavTestLRT between consecutive steps (method = "satorra.2000", scaled.shifted).
# Run from the repository root:  Rscript tests/reference/make_reference_invariance_ordinal_conditional.R
# Writes tests/reference/invariance_ordinal_conditional/<parameterization>_<step>_{params,fit}.csv and
# <parameterization>_lrt.csv.
suppressPackageStartupMessages({library(lavaan); library(semTools)})
OUT <- file.path("tests", "reference", "invariance_ordinal_conditional")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
BFI <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)[, c(paste0("A", 1:5), "age", "education", "gender")]
ORD <- paste0("A", 1:5)
steps <- list(configural = "configural", thresholds = "thresholds",
              loadings = c("thresholds", "loadings"), intercepts = c("thresholds", "loadings", "intercepts"))
for (prm in c("delta", "theta")) {
  fits <- list()
  for (nm in names(steps)) {
    syn <- measEq.syntax(configural.model = "A =~ A1 + A2 + A3 + A4 + A5", data = BFI, ordered = ORD,
                         parameterization = prm, ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group = "gender",
                         group.equal = steps[[nm]])
    fit <- suppressWarnings(cfa(paste(as.character(syn), "A ~ age + education", sep = "\n"), data = BFI,
                                ordered = ORD, group = "gender", estimator = "WLSMV", parameterization = prm))
    stopifnot(lavInspect(fit, "options")$conditional.x)
    cat(sprintf("%s %-10s conv=%s npar=%d df=%s chisq.scaled=%.4f\n", prm, nm, lavInspect(fit, "converged"),
                lavInspect(fit, "npar"), fitMeasures(fit, "df"), fitMeasures(fit, "chisq.scaled")))
    fits[[nm]] <- fit
    pe <- parameterEstimates(fit)
    write_ref(pe[, c("lhs", "op", "rhs", "group", "est", "se")], file.path(OUT, paste0(prm, "_", nm, "_params.csv")))
    write_ref(fit_table(fit), file.path(OUT, paste0(prm, "_", nm, "_fit.csv")))
  }
  rows <- list()
  for (pr in list(c("thresholds", "configural"), c("loadings", "thresholds"), c("intercepts", "loadings"))) {
    lrt <- lavTestLRT(fits[[pr[2]]], fits[[pr[1]]])
    rows[[length(rows) + 1]] <- data.frame(step = pr[1], chisq_diff = lrt[["Chisq diff"]][2],
                                           df_diff = lrt[["Df diff"]][2], pvalue = lrt[["Pr(>Chisq)"]][2])
  }
  write_ref(do.call(rbind, rows), file.path(OUT, paste0(prm, "_lrt.csv")))
}
