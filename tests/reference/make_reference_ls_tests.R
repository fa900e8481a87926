# Reference values from lavaan 0.6-14 for ULS with the scaled tests spelled out (test = "satorra.bentler",
# "scaled.shifted", "mean.var.adjusted", with the standard or the robust SEs), the robust ULS estimators in
# several groups (ULSM, ULSMV, ULSMVS, ULS with se = "robust"), and GLS/ULS with missing = "pairwise"
# (fitted to the pairwise moments; the scaled ULS tests with lavaan's Gamma of the rows with holes), plus ML's
# test = "yuan.bentler" with pairwise, and ML/MLR with pairwise and cluster= (issue 11). The messages of the combinations lavaan refuses are in
# refusals.csv. Data: HolzingerSwineford1939 (data/HolzingerSwineford1939.csv) and data/hs_missing.csv.
# Run from the repository root:  Rscript tests/reference/make_reference_ls_tests.R
# Writes tests/reference/ls_tests/<case>_{params,fit,info}.csv and refusals.csv.
suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "ls_tests")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
source(file.path("tests", "reference", "_models.R"))
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
HSM <- read.csv("data/hs_missing.csv", stringsAsFactors = FALSE)

write_ls <- function(case, data, ...) {
  res <- run_fit(cfa(HS_CFA, data = data, ...))
  fit <- res$fit
  cat(sprintf("%-22s conv=%s se=%s test=%s chisq=%.4f\n", case, lavInspect(fit, "converged"), fit@Options$se,
              paste(fit@Options$test, collapse = "/"), fitMeasures(fit, "chisq")))
  write_ref(info_table(fit, res$warnings), file.path(OUT, paste0(case, "_info.csv")))
  pe <- params_table(fit)
  if (lavInspect(fit, "ngroups") > 1) pe <- pe[pe$op != "r2", ]  # as make_reference_multigroup.R
  write_ref(pe, file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
}

# 1. ULS with test= spelled out (lavaan keeps the standard test first: test = c("standard", <test>)), and the
# robust ULS estimators by school
write_ls("uls_sb",              HS, estimator = "ULS", test = "satorra.bentler")
write_ls("uls_ss_serobust",     HS, estimator = "ULS", test = "scaled.shifted", se = "robust")
write_ls("uls_mva",             HS, estimator = "ULS", test = "mean.var.adjusted")
write_ls("uls_sb_mg",           HS, estimator = "ULS", test = "satorra.bentler", group = "school")
write_ls("uls_mva_serobust_mg", HS, estimator = "ULS", test = "mean.var.adjusted", se = "robust", group = "school")
write_ls("ulsm_mg",             HS, estimator = "ULSM", group = "school")
write_ls("ulsmv_mg",            HS, estimator = "ULSMV", group = "school")
write_ls("ulsmvs_mg",           HS, estimator = "ULSMVS", group = "school")
write_ls("uls_serobust_mg",     HS, estimator = "ULS", se = "robust", group = "school")

# 2. missing = "pairwise" with GLS and ULS (the pairwise moments, divisor N - 1 as for complete data)
write_ls("pw_uls",          HSM, estimator = "ULS", missing = "pairwise")
write_ls("pw_gls",          HSM, estimator = "GLS", missing = "pairwise")
write_ls("pw_uls_mg",       HSM, estimator = "ULS", missing = "pairwise", group = "school")
write_ls("pw_gls_mg",       HSM, estimator = "GLS", missing = "pairwise", group = "school")
write_ls("pw_uls_sb",       HSM, estimator = "ULS", missing = "pairwise", test = "satorra.bentler")
write_ls("pw_ulsmv",        HSM, estimator = "ULSMV", missing = "pairwise")
write_ls("pw_uls_serobust", HSM, estimator = "ULS", missing = "pairwise", se = "robust")
write_ls("pw_ml_yb",        HSM, missing = "pairwise", test = "yuan.bentler")

# 4. missing = "pairwise" with cluster= (lavaan: robust.cluster SEs from the complete rows' scores, the
# Yuan-Bentler (Mplus) test with its clustered Gamma of the rows with holes); clusters of six consecutive ids
HSC <- HSM
HSC$cl <- HSC$id %/% 6
write_ls("pw_cluster_ml",  HSC, missing = "pairwise", cluster = "cl")
write_ls("pw_cluster_mlr", HSC, missing = "pairwise", cluster = "cl", estimator = "MLR")
write_ls("pw_cluster_mg",  HSC, missing = "pairwise", cluster = "cl", group = "school")

refused <- function(data, ...) {
  w <- character(0)
  msg <- withCallingHandlers(tryCatch({ cfa(HS_CFA, data = data, ...); "" },
                                      error = function(e) conditionMessage(e)),
                             warning = function(x) invokeRestart("muffleWarning"))
  trimws(gsub("[\r\n\t]+", " ", msg))
}
HSW <- HSM
HSW$w <- 0.5 + (HSW$id %% 4) / 2  # a weight column (1, 1.5, 2, 0.5 by id)
refusals <- data.frame(
  case = c("gls_sb", "gls_se_robust", "uls_yb", "uls_ybm", "uls_se_rhw", "pw_ml_ybm", "pw_ml_weights",
           "pw_uls_weights", "uls_fiml", "gls_fiml"),
  message = c(refused(HS, estimator = "GLS", test = "satorra.bentler"),
              refused(HS, estimator = "GLS", se = "robust"),
              refused(HS, estimator = "ULS", test = "yuan.bentler"),
              refused(HS, estimator = "ULS", test = "yuan.bentler.mplus"),
              refused(HS, estimator = "ULS", se = "robust.huber.white"),
              refused(HSM, missing = "pairwise", test = "yuan.bentler.mplus"),
              refused(HSW, missing = "pairwise", sampling.weights = "w"),
              refused(HSW, missing = "pairwise", estimator = "ULS", sampling.weights = "w"),
              refused(HSM, estimator = "ULS", missing = "ml"),
              refused(HSM, estimator = "GLS", missing = "ml")),
  stringsAsFactors = FALSE)
write_ref(refusals, file.path(OUT, "refusals.csv"))
