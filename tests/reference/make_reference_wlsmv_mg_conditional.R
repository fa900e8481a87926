# Reference values from lavaan 0.6-14 for multi-group WLSMV with exogenous observed covariates
# (conditional.x = TRUE, lavaan's default for ordered items; issues 11 and 12): a MIMIC model with the five
# agreeableness items of psych's bfi (data/bfi.csv; 6 categories, ordered) regressed through the factor on
# age and education, in two groups (gender). education has missing values in both groups: lavaan deletes
# those rows listwise (and the rows with a missing item).
# Cases: configural; group.equal = c("thresholds", "loadings"); the same with group.partial; in the delta
# parameterisation and (configural, equal) in the theta parameterisation. Then modindices() after the
# single-group MIMIC (A ~ age + gender, tests/reference/ordinal_conditional) and after the multi-group fits.
# Run from the repository root:  Rscript tests/reference/make_reference_wlsmv_mg_conditional.R
# Writes tests/reference/wlsmv_mg_conditional/<case>_{params,fit,partable,mi,nobs}.csv.
suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "wlsmv_mg_conditional")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
BFI <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)
M <- "A =~ A1 + A2 + A3 + A4 + A5\n A ~ age + education"

write_mi <- function(case, fit) {
  mi <- modindices(fit, sort. = FALSE, minimum.value = 0)
  if (is.null(mi$group)) mi$group <- 1L
  write_ref(mi[, c("lhs", "op", "rhs", "group", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")],
            file.path(OUT, paste0(case, "_mi.csv")))
}
write_case <- function(case, fit) {
  write_params_fit(fit, case)
  pt <- parTable(fit)
  write_ref(pt[, c("id", "lhs", "op", "rhs", "group", "free", "ustart", "label", "plabel")],
            file.path(OUT, paste0(case, "_partable.csv")))
  lab <- lavInspect(fit, "group.label")
  if (!length(lab)) lab <- "1"
  write_ref(data.frame(group = lab, nobs = unlist(lavInspect(fit, "nobs"))),
            file.path(OUT, paste0(case, "_nobs.csv")))
  write_mi(case, fit)
}
eqs <- list(configural = "", equal = c("thresholds", "loadings"))
for (par in c("delta", "theta")) {
  for (nm in names(eqs)) {
    fit <- cfa(M, data = BFI, ordered = TRUE, estimator = "WLSMV", group = "gender",
               group.equal = eqs[[nm]], parameterization = par)
    write_case(paste0(par, "_", nm), fit)
  }
  fit <- cfa(M, data = BFI, ordered = TRUE, estimator = "WLSMV", group = "gender",
             group.equal = c("thresholds", "loadings"), group.partial = c("A =~ A3", "A2 | t3"),
             parameterization = par)
  write_case(paste0(par, "_partial"), fit)
}
# modindices after the single-group MIMIC of tests/reference/make_reference_ordinal_conditional.R
D <- BFI[complete.cases(BFI[, c(paste0("A", 1:5), "age", "gender")]), ]
write_mi("single_mimic", cfa("A =~ A1 + A2 + A3 + A4 + A5\n A ~ age + gender", data = D, ordered = TRUE,
                             estimator = "WLSMV"))
# the single-group MIMIC in the theta parameterisation (parameters, fit measures, modindices)
fit <- cfa("A =~ A1 + A2 + A3 + A4 + A5\n A ~ age + gender", data = D, ordered = TRUE, estimator = "WLSMV",
           parameterization = "theta")
write_case("single_theta", fit)
# modindices after the MIMIC with a direct effect (A3 ~ gender) of tests/reference/ordinal_conditional
write_mi("single_direct", cfa("A =~ A1 + A2 + A3 + A4 + A5\n A ~ age\n A3 ~ gender", data = D, ordered = TRUE,
                              estimator = "WLSMV"))
# two factors with covariates, two groups, thresholds and loadings equal
M2 <- "A =~ A1 + A2 + A3 + A4 + A5\n C =~ C1 + C2 + C3 + C4 + C5\n A ~ age\n C ~ age + education"
write_case("two_factor_equal", cfa(M2, data = BFI, ordered = TRUE, estimator = "WLSMV", group = "gender",
                                   group.equal = c("thresholds", "loadings")))
# lavTestLRT (Satorra 2000 scaled difference, lavaan's default after WLSMV): equal against configural
f0 <- cfa(M, data = BFI, ordered = TRUE, estimator = "WLSMV", group = "gender", group.equal = c("thresholds", "loadings"))
f1 <- cfa(M, data = BFI, ordered = TRUE, estimator = "WLSMV", group = "gender")
lrt <- lavTestLRT(f1, f0)
write_ref(data.frame(chisq_diff = lrt[["Chisq diff"]][2], df_diff = lrt[["Df diff"]][2],
                     pvalue = lrt[["Pr(>Chisq)"]][2]), file.path(OUT, "delta_lrt.csv"))
# lavTestScore: releasing the equality constraints of the equal model (total and univariate tests)
sc <- lavTestScore(f0)
write_ref(sc$test[, c("test", "X2", "df", "p.value")], file.path(OUT, "delta_equal_score_total.csv"))
write_ref(sc$uni[, c("lhs", "op", "rhs", "X2", "df", "p.value")], file.path(OUT, "delta_equal_score_uni.csv"))
# more group.equal types with covariates (delta): scalar; regressions (the covariates' effects), lv.variances, means
write_case("delta_scalar", cfa(M, data = BFI, ordered = TRUE, estimator = "WLSMV", group = "gender",
                               group.equal = c("thresholds", "loadings", "intercepts")))
write_case("delta_regressions", cfa(M, data = BFI, ordered = TRUE, estimator = "WLSMV", group = "gender",
                                    group.equal = c("thresholds", "loadings", "regressions", "lv.variances",
                                                    "means")))
