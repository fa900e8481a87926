# Reference values from lavaan 0.6-14 for WLSMV with exogenous observed covariates (conditional.x = TRUE) when
# a covariate has missing values (issue 11): lavaan's listwise default deletes every row with a missing item or
# covariate, without a message (nobs 2493 of 2800 for the case below). psych's bfi (data/bfi.csv), all rows:
# five agreeableness items on age and education (education has 223 missing values).
# Run from the repository root:  Rscript tests/reference/make_reference_ordinal_conditional_missing.R
# Writes tests/reference/ordinal_conditional/bfi_mimic_educ_{params,fit,nobs}.csv.
suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "ordinal_conditional")
source(file.path("tests", "reference", "_ref_helpers.R"))
BFI <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)
fit <- cfa("A =~ A1 + A2 + A3 + A4 + A5\n A ~ age + education", data = BFI, ordered = TRUE,
           estimator = "WLSMV")
pe <- parameterEstimates(fit, standardized = TRUE)
pe$label <- ""
write_ref(pe[, c("lhs", "op", "rhs", "label", "est", "se", "std.lv", "std.all", "std.nox")],
          file.path(OUT, "bfi_mimic_educ_params.csv"))
write_ref(fit_table(fit), file.path(OUT, "bfi_mimic_educ_fit.csv"))
write_ref(data.frame(what = c("nobs", "norig"), value = c(lavInspect(fit, "nobs"), lavInspect(fit, "norig"))),
          file.path(OUT, "bfi_mimic_educ_nobs.csv"))

# explicit constraints with the covariates (complete rows of A1-A5, age, gender): an equality and an active bound
D <- BFI[complete.cases(BFI[, c(paste0("A", 1:5), "age", "gender")]), ]
for (cc in list(c("bfi_mimic_eq", "A =~ A1 + l2*A2 + l3*A3 + A4 + A5\n A ~ age + gender\n l3 == 1.1*l2"),
                c("bfi_mimic_ineq", "A =~ A1 + l2*A2 + l3*A3 + A4 + A5\n A ~ age + gender\n l2 > -1.5"))) {
  fit <- cfa(cc[2], data = D, ordered = TRUE, estimator = "WLSMV")
  pe <- parameterEstimates(fit, standardized = TRUE, remove.eq = FALSE, remove.ineq = FALSE)
  if (is.null(pe$label)) pe$label <- ""
  writeLines(cc[2], file.path(OUT, paste0(cc[1], "_model.lav")))
  write_ref(pe[, c("lhs", "op", "rhs", "label", "est", "se", "std.lv", "std.all", "std.nox")],
            file.path(OUT, paste0(cc[1], "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(cc[1], "_fit.csv")))
}
