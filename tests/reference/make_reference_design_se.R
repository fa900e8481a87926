# Reference values from lavaan 0.6-14 for se= with a survey design (issue 11: "a combination lavaan accepts is
# never refused"):
# * se = "standard" with sampling.weights= (ML or MLR): the expected information of the weighted fit, the
#   Yuan-Bentler (Mplus) test kept; se = "robust.sem" with MLR and weights: robust.sem, the same test;
# * with cluster=: MLR with se = "standard" or "robust.sem" keeps robust.cluster (the se= is not used), ML with
#   se = "robust" is robust.cluster, MLM with se = "robust.sem" is robust.cluster.sem;
# * refused by lavaan (their messages written to design_se/refusals.csv): se = "standard", "bootstrap",
#   "robust.sem" or "robust.huber.white" with cluster= (ML), se = "bootstrap" with sampling.weights=.
# Data: tests/reference/weights/hs_weights.csv (HolzingerSwineford1939 with the design weight w of
# make_reference_weights.R), clusters id %% 40.
# Run from the repository root:  Rscript tests/reference/make_reference_design_se.R
# Writes tests/reference/design_se/<case>_{info,params,fit}.csv and refusals.csv.
suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "design_se")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
source(file.path("tests", "reference", "_models.R"))
HSW <- hs_weights_data()

write_fit_tables("ml_w_std",   cfa(HS_CFA, data = HSW, se = "standard", sampling.weights = "w"))
write_fit_tables("mlr_w_std",  cfa(HS_CFA, data = HSW, estimator = "MLR", se = "standard", sampling.weights = "w"))
write_fit_tables("mlr_w_rsem", cfa(HS_CFA, data = HSW, estimator = "MLR", se = "robust.sem", sampling.weights = "w"))
write_fit_tables("ml_w_rsem",  cfa(HS_CFA, data = HSW, se = "robust.sem", sampling.weights = "w"))
write_fit_tables("mlr_c_std",  cfa(HS_CFA, data = HSW, estimator = "MLR", se = "standard", cluster = "clu"))
write_fit_tables("mlr_c_rsem", cfa(HS_CFA, data = HSW, estimator = "MLR", se = "robust.sem", cluster = "clu"))
write_fit_tables("ml_c_rob",   cfa(HS_CFA, data = HSW, se = "robust", cluster = "clu"))
write_fit_tables("mlm_c_rsem", cfa(HS_CFA, data = HSW, estimator = "MLM", se = "robust.sem", cluster = "clu"))

refusal <- function(case, ...) {
  msg <- tryCatch({ cfa(HS_CFA, data = HSW, ...); "" }, error = function(e) conditionMessage(e))
  stopifnot(nzchar(msg))
  data.frame(case = case, message = msg, stringsAsFactors = FALSE)
}
write_ref(rbind(refusal("ml_c_std", se = "standard", cluster = "clu"),
                refusal("ml_c_boot", se = "bootstrap", cluster = "clu"),
                refusal("ml_c_rsem", se = "robust.sem", cluster = "clu"),
                refusal("ml_c_rhw", se = "robust.huber.white", cluster = "clu"),
                refusal("ml_w_boot", se = "bootstrap", sampling.weights = "w")),
          file.path(OUT, "refusals.csv"))
