# Reference values from lavaan 0.6-14 for estimator = "MLR" with another se= (issue 11: "a combination lavaan
# accepts is never refused"):
# * se = "standard": lavaan's information becomes "expected" with complete data (MLR's "observed" default
#   comes with robust.huber.white) and stays "observed" under missing = "ml"; the test stays
#   "yuan.bentler.mplus" (complete data: the same numbers as estimator = "ML", test = "yuan.bentler.mplus");
# * se = "robust.sem": expected information, the test "yuan.bentler.mplus"; under missing = "ml" lavaan sets
#   missing to "listwise" ("missing will be set to listwise for se = robust.sem"), as it does for ML with
#   se = "robust.sem".
# Data: lavaan's HolzingerSwineford1939 (data/HolzingerSwineford1939.csv) and data/hs_missing.csv.
# Run from the repository root:  Rscript tests/reference/make_reference_mlr_se.R
# Writes tests/reference/mlr_se/<case>_{info,params,fit}.csv.
suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "mlr_se")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
source(file.path("tests", "reference", "_models.R"))
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
HSM <- read.csv("data/hs_missing.csv", stringsAsFactors = FALSE)
MIMIC <- 'visual =~ x1 + x2 + x3
          textual =~ x4 + x5 + x6
          visual ~ ageyr + sex'

write_fit_tables("cfa_std",       cfa(HS_CFA, data = HS, estimator = "MLR", se = "standard"))
write_fit_tables("cfa_rsem",      cfa(HS_CFA, data = HS, estimator = "MLR", se = "robust.sem"))
write_fit_tables("mimic_std",     sem(MIMIC, data = HS, estimator = "MLR", se = "standard"))
write_fit_tables("mimic_rsem",    sem(MIMIC, data = HS, estimator = "MLR", se = "robust.sem"))
write_fit_tables("mg_std",        cfa(HS_CFA, data = HS, estimator = "MLR", se = "standard", group = "school"))
write_fit_tables("mg_rsem",       cfa(HS_CFA, data = HS, estimator = "MLR", se = "robust.sem", group = "school"))
write_fit_tables("fiml_std",      cfa(HS_CFA, data = HSM, estimator = "MLR", se = "standard", missing = "ml"))
write_fit_tables("fiml_rsem",     cfa(HS_CFA, data = HSM, estimator = "MLR", se = "robust.sem", missing = "ml"))
write_fit_tables("fiml_ml_rsem",  cfa(HS_CFA, data = HSM, se = "robust.sem", missing = "ml"))
