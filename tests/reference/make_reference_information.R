# Reference values from lavaan 0.6-14 for the information= / se= / test= combinations of issue 11 ("a
# combination lavaan accepts is never refused; one lavaan refuses is refused with lavaan's reason"):
# * estimator = "MLR" with information = "expected" (complete data, missing = "ml", group = "school"): the
#   Huber-White sandwich with the expected information as its bread and the Yuan-Bentler (Mplus) traces with
#   it; information = "first.order" with MLR is refused by lavaan (refusals.csv);
# * missing = "ml" (estimator ML) with information = "expected" / "first.order";
# * estimator = "GLS" with information = "observed" (the Hessian of GLS's objective); "ULS" with it (lavaan
#   warns and sets information to "expected"); GLS with "first.order" is refused by lavaan (refusals.csv);
# * se = "robust.huber.white" with estimator ML (complete data): MLR's SEs with the standard test;
# * estimator = "MLR" with test = "standard", "satorra.bentler", "yuan.bentler": lavaan keeps
#   "yuan.bentler.mplus" first (test = c("yuan.bentler.mplus", <test>)) and sets observed.information to
#   c("hessian", "h1") ("observed.information for ALL test statistics is set to h1"), so fitMeasures() report
#   the Yuan-Bentler (Mplus) test with the h1 information in its trace; with missing = "ml" and a
#   Satorra-Bentler style test lavaan sets missing to "listwise";
# * missing = "ml" with se = "robust.sem": lavaan sets missing to "listwise" ("missing will be set to listwise
#   for se = robust.sem");
# * ML with test = "yuan.bentler.mplus" and information = "observed": the observed.information of the test is
#   set to "h1" (as with MLR and another test=); MLM with information = "first.order" is refused.
# Model: HolzingerSwineford1939, visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6.
# Data: data/HolzingerSwineford1939.csv and data/hs_missing.csv.
# Run from the repository root:  Rscript tests/reference/make_reference_information.R
# Writes tests/reference/information/<case>_{params,fit,info}.csv, <case>_tests.csv (every test in fit@test)
# and refusals.csv.
suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "information")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
HSM <- read.csv("data/hs_missing.csv", stringsAsFactors = FALSE)
HS_CFA2 <- '
  visual  =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
'

write_info_case <- function(case, data, ...) {
  res <- run_fit(cfa(HS_CFA2, data = data, ...))
  fit <- res$fit
  o <- lavInspect(fit, "options")
  cat(sprintf("%-18s conv=%s missing=%s se=%s test=%s information=%s obs.info=%s chisq=%.4f warnings=%s\n",
              case, lavInspect(fit, "converged"), o$missing, o$se, paste(o$test, collapse = "/"),
              paste(o$information, collapse = "/"), paste(o$observed.information, collapse = "/"),
              fitMeasures(fit, "chisq"), paste(res$warnings, collapse = " | ")))
  write_info_tests(case, fit, res$warnings)
}

write_info_case("mlr_exp",        HS,  estimator = "MLR", information = "expected")
write_info_case("mlr_exp_fiml",   HSM, estimator = "MLR", missing = "ml", information = "expected")
write_info_case("mlr_exp_group",  HS,  estimator = "MLR", group = "school", information = "expected")
write_info_case("mlr_exp_fiml_group", HSM, estimator = "MLR", missing = "ml", group = "school",
                information = "expected")
write_info_case("fiml_exp",       HSM, missing = "ml", information = "expected")
write_info_case("fiml_fo_group",  HSM, missing = "ml", group = "school", information = "first.order")
write_info_case("fiml_fo",        HSM, missing = "ml", information = "first.order")
write_info_case("gls_obs",        HS,  estimator = "GLS", information = "observed")
write_info_case("gls_obs_group",  HS,  estimator = "GLS", group = "school", information = "observed")
write_info_case("uls_obs",        HS,  estimator = "ULS", information = "observed")
write_info_case("ml_rhw",         HS,  se = "robust.huber.white")
write_info_case("mlr_standard",   HS,  estimator = "MLR", test = "standard")
write_info_case("mlr_sb",         HS,  estimator = "MLR", test = "satorra.bentler")
write_info_case("mlr_yb",         HS,  estimator = "MLR", test = "yuan.bentler")
write_info_case("mlr_ss",         HS,  estimator = "MLR", test = "scaled.shifted")
write_info_case("mlr_mva",        HS,  estimator = "MLR", test = "mean.var.adjusted")
write_info_case("mlr_fiml_standard", HSM, estimator = "MLR", missing = "ml", test = "standard")
write_info_case("mlr_fiml_yb",    HSM, estimator = "MLR", missing = "ml", test = "yuan.bentler")
write_info_case("mlr_fiml_sb",    HSM, estimator = "MLR", missing = "ml", test = "satorra.bentler")
write_info_case("fiml_rsem",      HSM, missing = "ml", se = "robust.sem")
write_info_case("ml_ybm_obs",     HS,  test = "yuan.bentler.mplus", information = "observed")
# se = "robust.huber.white" with ML and a scaled test (observed information; the test's is h1), and FIML with
# test = "yuan.bentler.mplus" (lavaan: test = c("standard", "yuan.bentler.mplus"), the trace with h1)
for (t in c("yuan.bentler.mplus", "satorra.bentler", "yuan.bentler", "scaled.shifted", "mean.var.adjusted"))
  write_info_case(paste0("ml_rhw_", gsub(".", "_", t, fixed = TRUE)), HS, se = "robust.huber.white", test = t)
write_info_case("fiml_rhw_ybm",   HSM, missing = "ml", se = "robust.huber.white", test = "yuan.bentler.mplus")
write_info_case("fiml_ybm",       HSM, missing = "ml", test = "yuan.bentler.mplus")

# lavaan's own refusals (their messages, quoted by egovsem)
refuse <- function(case, ...) {
  msg <- tryCatch({cfa(HS_CFA2, ...); "accepted"}, error = function(e) conditionMessage(e))
  data.frame(case = case, message = gsub("[\r\n]+", " ", msg), stringsAsFactors = FALSE)
}
write_ref(rbind(refuse("mlr_fo",       data = HS,  estimator = "MLR", information = "first.order"),
                refuse("mlr_fo_fiml",  data = HSM, estimator = "MLR", missing = "ml", information = "first.order"),
                refuse("mlr_fo_group", data = HS,  estimator = "MLR", group = "school", information = "first.order"),
                refuse("ml_rhw_fo",    data = HS,  se = "robust.huber.white", information = "first.order"),
                refuse("gls_fo",       data = HS,  estimator = "GLS", information = "first.order"),
                refuse("mlm_fo",       data = HS,  estimator = "MLM", information = "first.order")),
          file.path(OUT, "refusals.csv"))
