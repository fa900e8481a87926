# Reference values from R lavaan 0.6-14 for WLSMV with missing = "pairwise" in several groups and with
# continuous variables that have missing values (issues 11 and 12): parameterEstimates(fit, standardized =
# TRUE), fitMeasures(fit), and per group lavInspect(fit, "wls.obs") and lavInspect(fit, "gamma"), on psych's
# bfi (data/bfi.csv, written by make_reference_bfi.R; its items have 11 to 36 missing values each; gender
# 1 = male, 2 = female). Items declared ordered are the 6-point ratings; the C items of the mixed cases are
# the same ratings taken as continuous (their means and variances from the available cases, polyserial and
# Pearson correlations over the pairwise-complete rows).
#
# Run from the repository root:  Rscript tests/reference/make_reference_wlsmv_pairwise_mg.R
# Writes tests/reference/wlsmv_pairwise_mg/<case>_{params,fit,info}.csv, <case>_g<k>_{wlsobs,gamma}.csv and
# (lavTestScore) <case>_{scoretest,scoreuni}.csv.
# Numbers: %.10g, NA = empty.
suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "wlsmv_pairwise_mg")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
BFI <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)

# wls.obs and Gamma are written once per data set and set of ordered items (the first stage does not depend on
# the model, group.equal or the parameterisation): for mg_delta_configural, mix_single and mix_mg_configural
write_case <- function(case, fit, first_stage = case %in% c("mg_delta_configural", "mix_single", "mix_mg_configural")) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (is.null(pe$label)) pe$label <- ""
  if (is.null(pe$group)) pe$group <- ifelse(pe$op == ":=", 0L, 1L)
  write_ref(pe[, c("lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue", "std.lv", "std.all",
                   "std.nox")], file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
  wo <- lavInspect(fit, "wls.obs")
  ga <- lavInspect(fit, "gamma")
  if (!is.list(wo)) { wo <- list(wo); ga <- list(ga) }
  for (g in seq_along(wo)[first_stage]) {
    write_ref(data.frame(name = names(wo[[g]]), value = as.numeric(wo[[g]]), stringsAsFactors = FALSE),
              file.path(OUT, paste0(case, "_g", g, "_wlsobs.csv")))
    write_ref(as.data.frame(unname(ga[[g]])), file.path(OUT, paste0(case, "_g", g, "_gamma.csv")))
  }
  write_ref(data.frame(key = c(paste0("nobs", seq_along(wo)), "ntotal", "converged"),
                       value = c(unlist(lavInspect(fit, "nobs")), lavInspect(fit, "ntotal"),
                                 as.numeric(lavInspect(fit, "converged")))),
            file.path(OUT, paste0(case, "_info.csv")))
}

M2 <- "A =~ A1 + A2 + A3 + A4 + A5
       N =~ N1 + N2 + N3 + N4 + N5"
# 1. multi-group, every item ordered: configural, loadings + thresholds (delta), and the theta parameterisation
write_case("mg_delta_configural", cfa(M2, data = BFI, ordered = TRUE, estimator = "WLSMV",
                                      missing = "pairwise", group = "gender"))
write_case("mg_delta_lt", cfa(M2, data = BFI, ordered = TRUE, estimator = "WLSMV", missing = "pairwise",
                              group = "gender", group.equal = c("loadings", "thresholds")))
write_case("mg_theta_lt", cfa(M2, data = BFI, ordered = TRUE, estimator = "WLSMV", missing = "pairwise",
                              group = "gender", group.equal = c("loadings", "thresholds"),
                              parameterization = "theta"))

# 2. continuous variables with missing values: A and N ordered, C continuous; one group and two groups (delta;
#    loadings + thresholds also theta; the one-group model also theta)
M3 <- "A =~ A1 + A2 + A3 + A4 + A5
       C =~ C1 + C2 + C3 + C4 + C5
       N =~ N1 + N2 + N3 + N4 + N5"
ORD <- c(paste0("A", 1:5), paste0("N", 1:5))
write_case("mix_single", cfa(M3, data = BFI, ordered = ORD, estimator = "WLSMV", missing = "pairwise"))
M2C <- "A =~ A1 + A2 + A3 + A4 + A5
        C =~ C1 + C2 + C3 + C4 + C5"
ORDA <- paste0("A", 1:5)
write_case("mix_mg_configural", cfa(M2C, data = BFI, ordered = ORDA, estimator = "WLSMV", missing = "pairwise",
                                    group = "gender"))
write_case("mix_mg_lt", cfa(M2C, data = BFI, ordered = ORDA, estimator = "WLSMV", missing = "pairwise",
                            group = "gender", group.equal = c("loadings", "thresholds")))
write_case("mix_mg_theta_lt", cfa(M2C, data = BFI, ordered = ORDA, estimator = "WLSMV", missing = "pairwise",
                                  group = "gender", group.equal = c("loadings", "thresholds"),
                                  parameterization = "theta"))
write_case("mix_single_theta", cfa(M3, data = BFI, ordered = ORD, estimator = "WLSMV", missing = "pairwise",
                                   parameterization = "theta"))

# 3. lavTestScore() (releasing the group.equal constraints) after the pairwise multi-group fits
for (case in c("mg_delta_lt", "mix_mg_lt")) {
  fit <- if (case == "mg_delta_lt") {
    cfa(M2, data = BFI, ordered = TRUE, estimator = "WLSMV", missing = "pairwise", group = "gender",
        group.equal = c("loadings", "thresholds"))
  } else {
    cfa(M2C, data = BFI, ordered = ORDA, estimator = "WLSMV", missing = "pairwise", group = "gender",
        group.equal = c("loadings", "thresholds"))
  }
  st <- suppressWarnings(lavTestScore(fit))
  write_ref(as.data.frame(st$test), file.path(OUT, paste0(case, "_scoretest.csv")))
  write_ref(as.data.frame(st$uni), file.path(OUT, paste0(case, "_scoreuni.csv")))
}
