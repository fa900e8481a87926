# Reference values from lavaan 0.6-14 for an equality between groups written two ways, with exogenous covariates
# (conditional.x) in two groups: a shared label (c(a, a)*A2) and explicit constraints (c(a1, a2)*A2 with
# a1 == a2). lavaan gives both the same fit; egovsem fits both (the second by its constrained optimiser;
# tests/test_wlsmv_mg_conditional.py).
# Data: psych's bfi (data/bfi.csv). Run from the repository root:
#   Rscript tests/reference/make_reference_wlsmv_mg_conditional_labels.R
# Writes tests/reference/wlsmv_mg_conditional/{shared_label,explicit_eq}_{params,fit}.csv.
suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "wlsmv_mg_conditional")
source(file.path("tests", "reference", "_ref_helpers.R"))
BFI <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)
write_case <- function(case, model) {
  fit <- suppressWarnings(cfa(model, data = BFI, ordered = paste0("A", 1:5), estimator = "WLSMV", group = "gender"))
  pe <- parameterEstimates(fit, standardized = TRUE)
  pe <- pe[pe$op != "==", ]
  write_ref(pe[, c("lhs", "op", "rhs", "group", "label", "est", "se", "std.lv", "std.all", "std.nox")],
            file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
  cat(sprintf("%-13s chisq=%.4f df=%d\n", case, fitMeasures(fit, "chisq"), as.integer(fitMeasures(fit, "df"))))
}
write_case("shared_label", "A =~ A1 + c(a,a)*A2 + A3 + A4 + A5\n A ~ age + education")
write_case("explicit_eq", "A =~ A1 + c(a1,a2)*A2 + A3 + A4 + A5\n A ~ age + education\n a1 == a2")
