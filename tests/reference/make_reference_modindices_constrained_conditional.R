# Reference values for modification indices after WLSMV with exogenous covariates (conditional.x) and explicit
# constraints (issue 11): lavaan 0.6-14's modindices() on a one-group fit of psych's bfi (data/bfi.csv).
# Run from the repository root:  Rscript tests/reference/make_reference_modindices_constrained_conditional.R
# Outputs (tests/reference/modindices_constrained/): cx_<case>.lav, cx_<case>_mi.csv (lhs op rhs mi epc sepc.lv
#   sepc.all sepc.nox, lavaan's order), cx_<case>_fit.csv (chisq, df, chisq.scaled).
suppressPackageStartupMessages(library(lavaan))
stopifnot(packageVersion("lavaan") == "0.6.14")
source("tests/reference/_ref_helpers.R")
OUT <- "tests/reference/modindices_constrained"
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
BFI <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)
items <- paste0("A", 1:5)
d <- BFI[, c(items, "age", "education")]
cases <- list(
  eq = "A =~ A1 + a1*A2 + a2*A3 + A4 + A5\nA ~ age + education\na1 == a2\n",
  ineq = "A =~ A1 + a1*A2 + a2*A3 + A4 + A5\nA ~ g1*age + education\ng1 < -0.01\n")
for (case in names(cases)) {
  fit <- sem(cases[[case]], data = d, ordered = items)
  stopifnot(lavInspect(fit, "converged"))
  mi <- as.data.frame(modindices(fit))
  writeLines(cases[[case]], file.path(OUT, paste0("cx_", case, ".lav")))
  write_ref(mi[, c("lhs", "op", "rhs", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")],
            file.path(OUT, paste0("cx_", case, "_mi.csv")))
  fm <- fitMeasures(fit, c("chisq", "df", "chisq.scaled"))
  write_ref(data.frame(measure = names(fm), value = as.numeric(fm), stringsAsFactors = FALSE),
            file.path(OUT, paste0("cx_", case, "_fit.csv")))
  cat(case, nrow(mi), "rows; largest:", format(max(mi$mi)), "; chisq", fm[["chisq"]], "df", fm[["df"]], "\n")
  print(parameterEstimates(fit)[c(2, 3, 6, 7), 1:5])
}
