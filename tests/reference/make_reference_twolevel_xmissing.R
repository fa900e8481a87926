# Reference values from lavaan 0.6-14 for a two-level model with missing values in fixed (exogenous)
# covariates (egovsem.sem.twolevel, issue 13). Run from the repository root:
#   Rscript tests/reference/make_reference_twolevel_xmissing.R
# Data: lavaan's Demo.twolevel with x1 (a level-1 covariate of the tutorial model) missing in data rows 3,
# 50 and 777, and w1 (a level-2 covariate) missing in the second row of cluster 7 (data row 67), written to
# tests/reference/twolevel_xmissing/demo_xmissing.csv.
# lavaan's behaviour (fixed.x = TRUE): missing = "ml" deletes the 4 rows with the warning "4 cases were deleted
# due to missing values in exogenous variable(s), while fixed.x = TRUE."; missing = "listwise" (the default)
# deletes the same rows without a warning. Cases: ml, listwise. Written per case: <case>_params.csv (every
# parameterEstimates() row: lhs, op, rhs, block, level, est, se), <case>_fit.csv (fitMeasures()) and
# warnings.csv (the warnings lavaan gave per case), info.csv (nobs, nclusters per case).
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "twolevel_xmissing")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))

D <- Demo.twolevel
D$x1[c(3, 50, 777)] <- NA
D$w1[which(D$cluster == 7)[2]] <- NA
write_ref(D, file.path(OUT, "demo_xmissing.csv"))
model <- "
level: 1
  fw =~ y1 + y2 + y3
  fw ~ x1 + x2 + x3
level: 2
  fb =~ y1 + y2 + y3
  fb ~ w1 + w2
"
warns <- data.frame(case = character(0), warning = character(0), stringsAsFactors = FALSE)
info <- data.frame(case = character(0), nobs = numeric(0), nclusters = numeric(0), stringsAsFactors = FALSE)
for (case in c("ml", "listwise")) {
  fit <- withCallingHandlers(sem(model, data = D, cluster = "cluster", missing = case),
    warning = function(w) {
      warns[nrow(warns) + 1, ] <<- c(case, gsub("\\s+", " ", conditionMessage(w)))
      invokeRestart("muffleWarning")
    })
  write_ref(parameterEstimates(fit)[, c("lhs", "op", "rhs", "block", "level", "est", "se")],
            file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
  info[nrow(info) + 1, ] <- list(case, nobs(fit), lavInspect(fit, "nclusters"))
}
write_ref(warns, file.path(OUT, "warnings.csv"))
write_ref(info, file.path(OUT, "info.csv"))
writeLines(capture.output(sessionInfo()), file.path(OUT, "sessionInfo.txt"))
