# Reference values from lavaan 0.6-14 for the design combinations issue 11 found refused ("a combination lavaan
# accepts is never refused"):
#  1. estimator = "MLMV" with cluster= (with and without sampling.weights=), and "MLM" with cluster= and
#     sampling.weights= together. lavInspect(fit, "options") says what lavaan makes of them:
#     - MLM + cluster + weights: se "robust.cluster.sem", test "satorra.bentler", information "expected" (as MLM
#       with cluster= alone), fitted to the weighted moments; Gamma is the clustered Gamma of the rows
#       unweighted (the check below stops otherwise).
#     - MLMV + cluster (+ weights): se "robust.cluster" (the sandwich of the cluster-summed scores with the
#       expected information as its bread: the SEs are those of estimator = "MLR", information = "expected";
#       checked below), test c("scaled.shifted", "yuan.bentler.mplus"), information c("expected", "observed"),
#       observed.information c("hessian", "h1") ("observed.information for ALL test statistics is set to
#       h1"). fitMeasures() reports the first test, scaled.shifted, whose traces lav_test_satorra_bentler()
#       computes with the second information (observed, h1: Delta' H1 Delta, H1 the observed information of
#       the unrestricted model) and the clustered, unweighted Gamma.
#  2. GLS and the ULS family (ULS, ULSM, ULSMV, ULSMVS) with sampling.weights= on continuous data. lavaan fits
#     them to cov.wt(method = "ML") (divisor the sum of the normalised weights, N), not rescaled to N - 1 as it
#     does without weights, while its statistic stays (N - 1) F (lav_model_objective: fx = 0.5 (N - 1) / N F
#     for every least-squares estimator; chisq = 2 N fx). GLS's weight is the inverse of that weighted S; the
#     Gamma of ULSM/ULSMV/ULSMVS is that of the rows unweighted (checked below). Hence lavaan's fit with unit
#     weights is not its fit without weights: ULS's chisq differs by ((N - 1) / N)^2, GLS's variances by
#     (N - 1) / N (the cases *_w1 below, weight 1 for every row, record it). That is lavaan's own convention;
#     egovsem follows it.
#  3. The options beside them that lavaan accepts: ULS with sampling weights and test= (c("standard", <test>)),
#     MLM with sampling weights and test= (c("satorra.bentler", <test>), the first reported), MLM with cluster=
#     and test= (dropped: "satorra.bentler" alone), se = "standard" with MLM / MLMV and sampling weights (the
#     information-based SEs beside the scaled test) and MLMV without weights, MLM with cluster= and se =
#     "standard" (robust.cluster.sem kept); and what it refuses (refusals.csv): GLS and the ULS family with
#     cluster= (lavaan asks for the Yuan-Bentler test and the first-order information), MLMV with cluster= and
#     se = "standard".
# Data: tests/reference/weights/hs_weights.csv (HolzingerSwineford1939 with the design weight w of
# make_reference_weights.R), 40 clusters clu = id %% 40.
# Run from the repository root:  Rscript tests/reference/make_reference_design_estimators.R
# Writes tests/reference/design_estimators/<case>_{info,params,fit}.csv and refusals.csv.
suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "design_estimators")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
source(file.path("tests", "reference", "_models.R"))
HSW <- hs_weights_data()
HSW$one <- 1
MIMIC <- 'visual =~ x1 + x2 + x3
          textual =~ x4 + x5 + x6
          visual ~ sex'
same <- function(a, b) isTRUE(all.equal(a, b, tolerance = 1e-10))

# 1. MLM / MLMV with cluster=
f <- write_fit_tables("cfa_mlm_clu_w", cfa(HS_CFA, data = HSW, estimator = "MLM", cluster = "clu",
                                           sampling.weights = "w"))
stopifnot(same(lavInspect(f, "gamma"), lavInspect(cfa(HS_CFA, data = HSW, estimator = "MLM", cluster = "clu"),
                                                  "gamma")))
write_fit_tables("mimic_mlm_clu_w", sem(MIMIC, data = HSW, estimator = "MLM", cluster = "clu",
                                        sampling.weights = "w"))
f <- write_fit_tables("cfa_mlmv_clu", cfa(HS_CFA, data = HSW, estimator = "MLMV", cluster = "clu"))
stopifnot(same(parameterEstimates(f)$se, parameterEstimates(cfa(HS_CFA, data = HSW, estimator = "MLR",
                                                                cluster = "clu", information = "expected"))$se))
f <- write_fit_tables("cfa_mlmv_clu_w", cfa(HS_CFA, data = HSW, estimator = "MLMV", cluster = "clu",
                                            sampling.weights = "w"))
stopifnot(same(parameterEstimates(f)$se, parameterEstimates(cfa(HS_CFA, data = HSW, estimator = "MLR",
                                                                cluster = "clu", sampling.weights = "w",
                                                                information = "expected"))$se))
write_fit_tables("mimic_mlmv_clu", sem(MIMIC, data = HSW, estimator = "MLMV", cluster = "clu"))

# 2. GLS and the ULS family with sampling weights
for (est in c("GLS", "ULS", "ULSM", "ULSMV", "ULSMVS")) {
  f <- write_fit_tables(paste0("cfa_", tolower(est), "_w"), cfa(HS_CFA, data = HSW, estimator = est,
                                                                 sampling.weights = "w"))
  # the sample covariance lavaan fits: the weighted one with divisor N (cov.wt normalises the weights)
  stopifnot(same(unname(lavInspect(f, "sampstat")$cov)[, ], unname(cov.wt(HSW[, paste0("x", 1:9)], wt = HSW$w,
                                                                      method = "ML")$cov)))
}
f <- cfa(HS_CFA, data = HSW, estimator = "ULSM", sampling.weights = "w")
stopifnot(same(lavInspect(f, "gamma"), lavInspect(cfa(HS_CFA, data = HSW, estimator = "ULSM"), "gamma")))
write_fit_tables("mg_uls_w", cfa(HS_CFA, data = HSW, estimator = "ULS", sampling.weights = "w", group = "school"))
write_fit_tables("mg_gls_w", cfa(HS_CFA, data = HSW, estimator = "GLS", sampling.weights = "w", group = "school"))
write_fit_tables("mimic_ulsmv_w", sem(MIMIC, data = HSW, estimator = "ULSMV", sampling.weights = "w"))
# unit weights: lavaan's weighted branch (S divisor N), not its unweighted fit (S divisor N - 1)
f1 <- write_fit_tables("cfa_uls_w1", cfa(HS_CFA, data = HSW, estimator = "ULS", sampling.weights = "one"))
f0 <- cfa(HS_CFA, data = HSW, estimator = "ULS")
stopifnot(abs(fitMeasures(f1, "chisq") / fitMeasures(f0, "chisq") - (300 / 301)^2) < 1e-8)
write_fit_tables("cfa_gls_w1", cfa(HS_CFA, data = HSW, estimator = "GLS", sampling.weights = "one"))

# 3. the options beside them
for (t in c("satorra.bentler", "scaled.shifted", "mean.var.adjusted"))
  write_fit_tables(paste0("cfa_uls_w_", t), cfa(HS_CFA, data = HSW, estimator = "ULS", sampling.weights = "w", test = t))
write_fit_tables("cfa_mlm_w_yb", cfa(HS_CFA, data = HSW, estimator = "MLM", sampling.weights = "w", test = "yuan.bentler"))
write_fit_tables("cfa_mlm_clu_ss", cfa(HS_CFA, data = HSW, estimator = "MLM", cluster = "clu", test = "scaled.shifted"))
write_fit_tables("cfa_mlm_w_std", cfa(HS_CFA, data = HSW, estimator = "MLM", sampling.weights = "w", se = "standard"))
write_fit_tables("cfa_mlmv_w_std", cfa(HS_CFA, data = HSW, estimator = "MLMV", sampling.weights = "w", se = "standard"))
write_fit_tables("cfa_mlmv_std", cfa(HS_CFA, data = HSW, estimator = "MLMV", se = "standard"))
write_fit_tables("cfa_mlm_clu_w_std", cfa(HS_CFA, data = HSW, estimator = "MLM", cluster = "clu", sampling.weights = "w",
                                          se = "standard"))
for (e in c("ULSM", "ULSMV", "ULSMVS")) {
  write_fit_tables(paste0("cfa_", tolower(e), "_std"), cfa(HS_CFA, data = HSW, estimator = e, se = "standard"))
  write_fit_tables(paste0("cfa_", tolower(e), "_w_std"), cfa(HS_CFA, data = HSW, estimator = e, se = "standard",
                                                              sampling.weights = "w"))
}
# several groups (lavaan's robust ULS: vcov = E^-1 meat E^-1 with both on N - G)
write_fit_tables("mg_ulsmv_w", cfa(HS_CFA, data = HSW, estimator = "ULSMV", sampling.weights = "w", group = "school"))
write_fit_tables("mg_ulsmv", cfa(HS_CFA, data = HSW, estimator = "ULSMV", group = "school"))
write_fit_tables("mg_mlmv_clu", cfa(HS_CFA, data = HSW, estimator = "MLMV", cluster = "clu", group = "school"))
write_fit_tables("mg_mlmv_clu_w", cfa(HS_CFA, data = HSW, estimator = "MLMV", cluster = "clu", sampling.weights = "w",
                                      group = "school"))
# ULSM's vcov in one group: (Delta' Delta)^-1 Delta' Gamma Delta (Delta' Delta)^-1 / (N - 1)
for (w in list(NULL, "w")) {
  f <- cfa(HS_CFA, data = HSW, estimator = "ULSM", sampling.weights = w)
  D <- lavInspect(f, "delta"); B <- solve(crossprod(D))
  stopifnot(same(unname(vcov(f))[, ], unname(B %*% t(D) %*% lavInspect(f, "gamma") %*% D %*% B / 300)))
}
refused <- function(...) {
  msg <- withCallingHandlers(tryCatch({ cfa(HS_CFA, data = HSW, ...); "" }, error = function(e) conditionMessage(e)),
                             warning = function(x) invokeRestart("muffleWarning"))
  trimws(gsub("[\r\n\t]+", " ", msg))
}
refusals <- data.frame(
  case = c("gls_clu", "uls_clu_w", "ulsm_clu", "ulsmv_clu", "mlmv_clu_w_std"),
  message = c(refused(estimator = "GLS", cluster = "clu"),
              refused(estimator = "ULS", cluster = "clu", sampling.weights = "w"),
              refused(estimator = "ULSM", cluster = "clu"),
              refused(estimator = "ULSMV", cluster = "clu"),
              refused(estimator = "MLMV", cluster = "clu", sampling.weights = "w", se = "standard")),
  stringsAsFactors = FALSE)
stopifnot(all(nzchar(refusals$message)))
write_ref(refusals, file.path(OUT, "refusals.csv"))
