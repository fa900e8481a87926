# Reference values from lavaan 0.6-14 for WLSMV with exogenous observed covariates (conditional.x = TRUE) and
# missing = "pairwise" in several groups and in the theta parameterisation (issues 11 and 12): psych's bfi
# (data/bfi.csv), the five agreeableness items on age and education; rows with a missing covariate are deleted
# (lavaan's warning, fixed.x = TRUE), the first stage of each group is pairwise (lavaan's muthen1984).
# Cases: two groups (gender) configural and group.equal = c("thresholds", "loadings") (delta), and one group
# in the theta parameterisation.
# Run from the repository root:  Rscript tests/reference/make_reference_wlsmv_mg_conditional_pairwise.R
# Writes tests/reference/wlsmv_mg_conditional/pairwise_<case>_{params,fit,nobs,mi}.csv.
suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "wlsmv_mg_conditional")
source(file.path("tests", "reference", "_ref_helpers.R"))
BFI <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)
M <- "A =~ A1 + A2 + A3 + A4 + A5\n A ~ age + education"
write_case <- function(case, fit) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  pe$label <- ""
  if (is.null(pe$group)) pe$group <- 1L
  write_ref(pe[, c("lhs", "op", "rhs", "group", "label", "est", "se", "std.lv", "std.all", "std.nox")],
            file.path(OUT, paste0("pairwise_", case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0("pairwise_", case, "_fit.csv")))
  lab <- lavInspect(fit, "group.label")
  if (!length(lab)) lab <- "1"
  write_ref(data.frame(group = lab, nobs = unlist(lavInspect(fit, "nobs"))),
            file.path(OUT, paste0("pairwise_", case, "_nobs.csv")))
  mi <- modindices(fit, sort. = FALSE, minimum.value = 0)
  if (is.null(mi$group)) mi$group <- 1L
  write_ref(mi[, c("lhs", "op", "rhs", "group", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")],
            file.path(OUT, paste0("pairwise_", case, "_mi.csv")))
}
IT <- paste0("A", 1:5)
write_case("delta_configural", cfa(M, data = BFI, ordered = IT, estimator = "WLSMV", group = "gender",
                                   missing = "pairwise"))
write_case("delta_equal", cfa(M, data = BFI, ordered = IT, estimator = "WLSMV", group = "gender",
                              group.equal = c("thresholds", "loadings"), missing = "pairwise"))
write_case("single_theta", cfa(M, data = BFI, ordered = IT, estimator = "WLSMV", parameterization = "theta",
                               missing = "pairwise"))
