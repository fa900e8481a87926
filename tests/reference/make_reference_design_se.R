# Reference values from lavaan 0.6-14 for se= with a survey design (issue 11: "a combination lavaan accepts is
# never refused"):
# * se = "standard" with sampling.weights= (ML or MLR): the expected information of the weighted fit, the
#   Yuan-Bentler (Mplus) test kept; se = "robust.sem" with MLR and weights: robust.sem, the same test;
# * MLR with cluster= and se = "standard": lavaan keeps robust.cluster (the se= is not used);
# * refused by lavaan (their messages written to design_se/refusals.csv): se = "standard" or "bootstrap" with
#   cluster= (ML), se = "bootstrap" with sampling.weights=.
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

refusal <- function(case, ...) {
  msg <- tryCatch({ cfa(HS_CFA, data = HSW, ...); "" }, error = function(e) conditionMessage(e))
  stopifnot(nzchar(msg))
  data.frame(case = case, message = msg, stringsAsFactors = FALSE)
}
write_ref(rbind(refusal("ml_c_std", se = "standard", cluster = "clu"),
                refusal("ml_c_boot", se = "bootstrap", cluster = "clu"),
                refusal("ml_w_boot", se = "bootstrap", sampling.weights = "w")),
          file.path(OUT, "refusals.csv"))
