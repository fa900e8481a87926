# Reference values from lavaan 0.6-14 for what follows a constrained WLSMV fit with exogenous observed covariates
# (conditional.x) in several groups or with parameterization = "theta" (issue 11): lavTestScore() after the
# nonlinear equality fits, and modindices() after the equality and inequality fits. The fits are those of
# make_reference_constraints_wlsmv_conditional.R (its <case>_model.lav files and cases.csv; data/hs_ordinal.csv
# with ageyr and sex of data/HolzingerSwineford1939.csv, by school).
# Run from the repository root:  Rscript tests/reference/make_reference_constraints_wlsmv_conditional_mi.R
# Writes tests/reference/constraints_wlsmv_conditional/<case>_{score_total,score_uni}.csv (nonlinear cases) and
# <case>_modindices.csv.
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "constraints_wlsmv_conditional")
source(file.path("tests", "reference", "_ref_helpers.R"))
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
HSX <- cbind(read.csv("data/hs_ordinal.csv"), HS[, c("ageyr", "sex", "school")])
cases <- read.csv(file.path(OUT, "cases.csv"), stringsAsFactors = FALSE, na.strings = character(0))
refit <- function(case, control = list()) {
  r <- cases[cases$case == case, ]
  group <- if (is.na(r$group) || r$group == "") NULL else r$group
  ge <- if (is.na(r$group_equal) || r$group_equal == "") "" else strsplit(r$group_equal, ",")[[1]]
  fit <- cfa(readLines(file.path(OUT, paste0(case, "_model.lav"))), data = HSX, ordered = paste0("x", 1:9),
             estimator = "WLSMV", group = group, parameterization = r$parameterization, group.equal = ge,
             control = control)
  stopifnot(lavInspect(fit, "converged"), lavInspect(fit, "options")$conditional.x)
  fit
}
# lavTestScore releasing the nonlinear equality (its Jacobian at the estimates)
sc <- lavTestScore(refit("hs_mg_nonlinear"))
write_ref(sc$test[, c("test", "X2", "df", "p.value")], file.path(OUT, "hs_mg_nonlinear_score_total.csv"))
write_ref(sc$uni[, c("lhs", "op", "rhs", "X2", "df", "p.value")], file.path(OUT, "hs_mg_nonlinear_score_uni.csv"))
cat("hs_mg_nonlinear score X2 =", sc$test$X2, "\n")
# modification indices after equality and inequality fits (lavaan: on the null space of the equalities and the
# active inequalities)
for (case in c("hs_mg_eq", "hs_mg_ineq", "hs_theta_ineq", "hs_theta_mg_eq")) {
  mi <- modindices(refit(case))
  if (is.null(mi$group)) mi$group <- 1L
  write_ref(mi[, c("lhs", "op", "rhs", "group", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")],
            file.path(OUT, paste0(case, "_modindices.csv")))
  cat(case, nrow(mi), "rows; max mi", max(mi$mi), "\n")
}
