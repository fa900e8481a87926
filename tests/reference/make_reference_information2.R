# Reference values from lavaan 0.6-14 for the second batch of information= / se= / test= combinations of
# issue 11 ("a combination lavaan accepts is never refused; one lavaan refuses is refused with lavaan's reason"):
# * ML with information = "observed" and test = "yuan.bentler" (complete data): test = c("standard",
#   "yuan.bentler"), observed.information c("hessian", "h1"): the Yuan-Bentler trace tr(U Omega) with the h1
#   observed information (complete data: the Satorra-Bentler statistic with that information);
# * missing = "ml" with test = "yuan.bentler" (information observed or expected; se standard or
#   robust.huber.white); with se = "robust.huber.white" and test = "satorra.bentler" lavaan deletes listwise;
# * ML with information = "first.order" and any robust test: lavaan refuses it ("information must be either
#   "expected" or "observed" if robust test statistics are requested"; refusals.csv);
# * se = "bootstrap" with information = "expected" / "first.order": lavaan sets information to "observed"
#   (lav_options_set: se = "bootstrap" -> information[1] = "observed"); the traces of a scaled test use it;
# * estimator = "MLR" (or ML, which sampling weights turn into MLR) with sampling.weights and another test=:
#   as without weights, test = c("yuan.bentler.mplus", <test>) and observed.information c("hessian", "h1");
#   with cluster= lavaan replaces test by "yuan.bentler.mplus" (clustered MLR), the test= given is dropped;
#   ML with cluster= and test = "standard" (robust.cluster SEs, the unscaled test only), "satorra.bentler" or
#   "yuan.bentler" (test = c("standard", <test>), the Gamma of the cluster sums);
# * se = "standard" with sampling.weights (no clusters): information = "expected" (the SEs of the weighted
#   fit from the expected information at the weighted moments), the Yuan-Bentler (Mplus) test with the expected
#   information in its traces; with missing = "ml" the observed information (lavaan's default under FIML); MLR
#   with weights, missing = "ml" and a Satorra-Bentler style test deletes listwise.
# Models: HolzingerSwineford1939 two- and three-factor CFAs; lavaan's Demo.twolevel with a single-level
# regression (f =~ y1 + y2 + y3; f ~ x1 + x2).
# Data: data/HolzingerSwineford1939.csv, data/hs_missing.csv, tests/reference/weights/hs_weights.csv (design
# weight w; hs_weights_missing.csv with holes) and tests/reference/weights/demo_twolevel.csv (cluster, weight wc), as make_reference_weights.R.
# Run from the repository root:  Rscript tests/reference/make_reference_information2.R
# Writes tests/reference/information2/<case>_{params,fit,info,tests}.csv and refusals.csv.
suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "information2")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
HSM <- read.csv("data/hs_missing.csv", stringsAsFactors = FALSE)
HSW <- read.csv(file.path("tests", "reference", "weights", "hs_weights.csv"), stringsAsFactors = FALSE)
HSWM <- read.csv(file.path("tests", "reference", "weights", "hs_weights_missing.csv"), stringsAsFactors = FALSE)
D2 <- read.csv(file.path("tests", "reference", "weights", "demo_twolevel.csv"), stringsAsFactors = FALSE)
CFA2 <- 'visual =~ x1 + x2 + x3
         textual =~ x4 + x5 + x6'
CFA3 <- 'visual =~ x1 + x2 + x3
         textual =~ x4 + x5 + x6
         speed =~ x7 + x8 + x9'
D_SEM <- 'f =~ y1 + y2 + y3
          f ~ x1 + x2'

write_info2_case <- function(case, model, data, ...) {
  set.seed(1)
  res <- run_fit(sem(model, data = data, ...))
  fit <- res$fit
  o <- lavInspect(fit, "options")
  cat(sprintf("%-18s se=%s test=%s information=%s obs.info=%s chisq=%.4f warnings=%s\n", case, o$se,
              paste(o$test, collapse = "/"), paste(o$information, collapse = "/"),
              paste(o$observed.information, collapse = "/"), fitMeasures(fit, "chisq"),
              paste(res$warnings, collapse = " | ")))
  write_info_tests(case, fit, res$warnings)
}

write_info2_case("ml_obs_yb",      CFA2, HS,  information = "observed", test = "yuan.bentler")
write_info2_case("ml_obs_yb_group", CFA2, HS, information = "observed", test = "yuan.bentler", group = "school")
# missing = "ml" with test = "yuan.bentler": test = c("standard", "yuan.bentler"), observed.information
# c("hessian", "h1"); the trace tr(U Omega) with the h1 information of the missing-data likelihood at the model's
# moments (observed, or expected with information = "expected") and Omega = A1^-1 B1 A1^-1 of the unrestricted
# (EM) moments
write_info2_case("fiml_yb",        CFA2, HSM, missing = "ml", test = "yuan.bentler")
write_info2_case("fiml_exp_yb",    CFA2, HSM, missing = "ml", test = "yuan.bentler", information = "expected")
write_info2_case("fiml_yb_group",  CFA2, HSM, missing = "ml", test = "yuan.bentler", group = "school")
# with se = "robust.huber.white" (the same trace); with a Satorra-Bentler style test lavaan deletes listwise
write_info2_case("fiml_rhw_yb",    CFA2, HSM, missing = "ml", se = "robust.huber.white", test = "yuan.bentler")
write_info2_case("fiml_rhw_sb",    CFA2, HSM, missing = "ml", se = "robust.huber.white", test = "satorra.bentler")
# se = "bootstrap": the bootstrap SEs are lavaan's resamples (not compared); the information becomes "observed"
for (i in c("expected", "first.order")) {
  tag <- gsub(".", "_", i, fixed = TRUE)
  write_info2_case(paste0("boot_", tag), CFA2, HS, se = "bootstrap", bootstrap = 20, information = i)
  write_info2_case(paste0("boot_sb_", tag), CFA2, HS, se = "bootstrap", bootstrap = 20, information = i,
                   test = "satorra.bentler")
  write_info2_case(paste0("boot_ybm_", tag), CFA2, HS, se = "bootstrap", bootstrap = 20, information = i,
                   test = "yuan.bentler.mplus")
}
write_info2_case("bootfiml_exp", CFA2, HSM, missing = "ml", se = "bootstrap", bootstrap = 20,
                 information = "expected")
for (t in c("standard", "satorra.bentler", "yuan.bentler", "scaled.shifted", "mean.var.adjusted"))
  write_info2_case(paste0("mlr_w_", gsub(".", "_", t, fixed = TRUE)), CFA3, HSW, estimator = "MLR",
                   sampling.weights = "w", test = t)
write_info2_case("ml_w_sb",        CFA3, HSW, sampling.weights = "w", test = "satorra.bentler")
write_info2_case("mlr_w_sb_group", CFA3, HSW, estimator = "MLR", sampling.weights = "w", group = "school",
                 test = "satorra.bentler")
write_info2_case("mlr_cl_sb",      D_SEM, D2, estimator = "MLR", cluster = "cluster", test = "satorra.bentler")
write_info2_case("mlr_cl_standard", D_SEM, D2, estimator = "MLR", cluster = "cluster", test = "standard")
write_info2_case("mlr_cl_ss",      D_SEM, D2, estimator = "MLR", cluster = "cluster", test = "scaled.shifted")
write_info2_case("mlr_clw_yb",     D_SEM, D2, estimator = "MLR", cluster = "cluster", sampling.weights = "wc",
                 test = "yuan.bentler")
write_info2_case("ml_cl_standard", D_SEM, D2, cluster = "cluster", test = "standard")
write_info2_case("ml_cl_sb",       D_SEM, D2, cluster = "cluster", test = "satorra.bentler")
write_info2_case("ml_cl_yb",       D_SEM, D2, cluster = "cluster", test = "yuan.bentler")
write_info2_case("w_se_std",       CFA3, HSW, sampling.weights = "w", se = "standard")
write_info2_case("w_se_std_mlr",   CFA3, HSW, estimator = "MLR", sampling.weights = "w", se = "standard")
write_info2_case("w_se_std_d2",    D_SEM, D2, sampling.weights = "wc", se = "standard")
write_info2_case("w_se_std_fiml",  CFA3, HSWM, sampling.weights = "w", missing = "ml", se = "standard")
write_info2_case("mlr_w_fiml_sb",  CFA3, HSWM, estimator = "MLR", sampling.weights = "w", missing = "ml",
                 test = "satorra.bentler")
write_info2_case("w_se_std_group", CFA3, HSW, sampling.weights = "w", se = "standard", group = "school")

refuse <- function(case, model, ...) {
  msg <- tryCatch({sem(model, ...); "accepted"}, error = function(e) conditionMessage(e))
  data.frame(case = case, message = gsub("[\r\n]+", " ", msg), stringsAsFactors = FALSE)
}
write_ref(rbind(
  refuse("ml_fo_sb",   CFA2, data = HS,  information = "first.order", test = "satorra.bentler"),
  refuse("ml_fo_ss",   CFA2, data = HS,  information = "first.order", test = "scaled.shifted"),
  refuse("ml_fo_mva",  CFA2, data = HS,  information = "first.order", test = "mean.var.adjusted"),
  refuse("ml_fo_yb",   CFA2, data = HS,  information = "first.order", test = "yuan.bentler"),
  refuse("ml_fo_ybm",  CFA2, data = HS,  information = "first.order", test = "yuan.bentler.mplus"),
  refuse("fiml_fo_yb", CFA2, data = HSM, missing = "ml", information = "first.order", test = "yuan.bentler"),
  refuse("ml_cl_ss",   D_SEM, data = D2, cluster = "cluster", test = "scaled.shifted"),
  refuse("ml_cl_mva",  D_SEM, data = D2, cluster = "cluster", test = "mean.var.adjusted")),
  file.path(OUT, "refusals.csv"))
