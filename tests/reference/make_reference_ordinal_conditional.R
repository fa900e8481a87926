# Reference values from lavaan 0.6-14 for the first stage of WLSMV with exogenous observed covariates
# (conditional.x = TRUE, lavaan's default for categorical data; issue 11): the probit regressions of each item
# on the covariates (thresholds and slopes), the residual polychoric correlations, and Gamma (NACOV), from
# lavInspect(fit, "wls.obs") and lavInspect(fit, "gamma") of a MIMIC model on psych's bfi (data/bfi.csv):
# five agreeableness items, covariates age (continuous) and gender (binary, 1/2), complete rows.
# Run from the repository root:  Rscript tests/reference/make_reference_ordinal_conditional.R
# Writes tests/reference/ordinal_conditional/<case>_{wlsobs,gamma,params,fit}.csv.
suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "ordinal_conditional")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
BFI <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)
D <- BFI[complete.cases(BFI[, c(paste0("A", 1:5), "age", "gender")]), ]

write_cond <- function(case, fit) {
  wo <- lavInspect(fit, "wls.obs")
  write_ref(data.frame(name = names(wo), value = as.numeric(wo), stringsAsFactors = FALSE),
            file.path(OUT, paste0(case, "_wlsobs.csv")))
  write_ref(as.data.frame(unname(lavInspect(fit, "gamma"))), file.path(OUT, paste0(case, "_gamma.csv")))
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (is.null(pe$label)) pe$label <- ""
  write_ref(pe[, c("lhs", "op", "rhs", "label", "est", "se", "std.lv", "std.all", "std.nox")],
            file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
}
# the MIMIC model; then a direct effect of a covariate on an item (A3 ~ gender)
write_cond("bfi_mimic", cfa("A =~ A1 + A2 + A3 + A4 + A5\n A ~ age + gender", data = D, ordered = TRUE,
                            estimator = "WLSMV"))
write_cond("bfi_mimic_direct", cfa("A =~ A1 + A2 + A3 + A4 + A5\n A ~ age\n A3 ~ gender", data = D,
                                   ordered = TRUE, estimator = "WLSMV"))
