# Reference values from lavaan 0.6-14 for lavTestScore() and lavTestLRT() after multi-group WLSMV fits with
# explicit equality constraints, delta and theta (issues 11 and 12). Data: tests/reference/wlsmv_mg/hs5_school.csv
# (HolzingerSwineford1939 x1..x6 cut into 5 categories, by school), and theta_eq in one group on
# data/hs_ordinal.csv (the nine tests in 4 categories); ordered = TRUE, estimator = "WLSMV".
# The constrained models are those of make_reference_constraints_wlsmv_mg.R (tests/reference/constraints_wlsmv_mg).
# lavTestScore: $test (all constraints released) and $uni (one released at a time), and release = 1;
# the constraints are lavaan's "==" rows in parTable order (shared labels and group.equal as .pN. == .pM.,
# then the model's own), written to <case>_partable_eq.csv.
# lavTestLRT(constrained, unconstrained): lavaan's default after WLSMV, method = "satorra.2000" (the A matrix
# from Delta, scaled.shifted): the "Chisq diff", "Df diff" and "Pr(>Chisq)" of the second row.
# Run from the repository root:  Rscript tests/reference/make_reference_score_lrt_wlsmv_mg.R
# lrt.csv: <case> against the model without its "==" lines; mg_eq_vs_a: mg_eq against mg_eq without b2 == 1.1*b1.
# Writes tests/reference/score_lrt_wlsmv_mg/<case>_{test,uni,release1,partable_eq}.csv and lrt.csv.
suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "score_lrt_wlsmv_mg")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
HS5 <- read.csv(file.path("tests", "reference", "wlsmv_mg", "hs5_school.csv"), stringsAsFactors = FALSE)
MODELS <- file.path("tests", "reference", "constraints_wlsmv_mg")
model_of <- function(case) paste(readLines(file.path(MODELS, paste0(case, "_model.lav"))), collapse = "\n")
HSO <- read.csv("data/hs_ordinal.csv", stringsAsFactors = FALSE)
fit_of <- function(model, parameterization = "delta", group.equal = "", one_group = FALSE) {
  if (one_group) return(cfa(model, data = HSO, ordered = TRUE, estimator = "WLSMV",
                            parameterization = parameterization))
  cfa(model, data = HS5, ordered = TRUE, estimator = "WLSMV", group = "school",
      parameterization = parameterization, group.equal = group.equal)
}
# the model without its constraint lines (the labels stay: c(a1, a2) are distinct per group)
free_model <- function(model) {
  l <- strsplit(model, "\n")[[1]]
  paste(l[!grepl("==", l, fixed = TRUE)], collapse = "\n")
}
cases <- list(mg_eq = list("delta", ""), theta_mg_eq = list("theta", ""), mg_shared = list("delta", ""),
              mg_ge = list("delta", c("thresholds", "loadings")), theta_eq = list("theta", "", TRUE))
lrt <- data.frame(case = character(0), chisq_diff = numeric(0), df_diff = integer(0), pvalue = numeric(0))
for (nm in names(cases)) {
  model <- model_of(nm)
  one <- length(cases[[nm]]) > 2  # theta_eq: one group, data/hs_ordinal.csv
  fit <- fit_of(model, cases[[nm]][[1]], cases[[nm]][[2]], one)
  st <- suppressWarnings(lavTestScore(fit))
  write_ref(as.data.frame(st$test), file.path(OUT, paste0(nm, "_test.csv")))
  write_ref(as.data.frame(st$uni), file.path(OUT, paste0(nm, "_uni.csv")))
  st1 <- suppressWarnings(lavTestScore(fit, release = 1))
  write_ref(as.data.frame(st1$test), file.path(OUT, paste0(nm, "_release1.csv")))
  pt <- parTable(fit)
  write_ref(pt[pt$op == "==", c("lhs", "op", "rhs")], file.path(OUT, paste0(nm, "_partable_eq.csv")))
  fit1 <- fit_of(free_model(model), cases[[nm]][[1]], cases[[nm]][[2]], one)
  r <- lavTestLRT(fit, fit1)
  cat(sprintf("%-12s score X2=%.4f df=%d  LRT %.4f on %d\n", nm, st$test$X2, st$test$df,
              r[["Chisq diff"]][2], r[["Df diff"]][2]))
  lrt[nrow(lrt) + 1, ] <- list(nm, r[["Chisq diff"]][2], r[["Df diff"]][2], r[["Pr(>Chisq)"]][2])
}
# the less restricted model with an explicit constraint of its own (a1 == a2; lavaan's augmented inverse of
# its information and its A times K'), delta and theta
for (par in c("delta", "theta")) {
  model <- model_of("mg_eq")
  l <- strsplit(model, "\n")[[1]]
  fit1 <- fit_of(paste(l[!grepl("b2 ==", l, fixed = TRUE)], collapse = "\n"), par)
  r <- lavTestLRT(fit_of(model, par), fit1)
  nm <- paste0(if (par == "theta") "theta_" else "", "mg_eq_vs_a")
  cat(sprintf("%-12s LRT %.4f on %d\n", nm, r[["Chisq diff"]][2], r[["Df diff"]][2]))
  lrt[nrow(lrt) + 1, ] <- list(nm, r[["Chisq diff"]][2], r[["Df diff"]][2], r[["Pr(>Chisq)"]][2])
}
write_ref(lrt, file.path(OUT, "lrt.csv"))
