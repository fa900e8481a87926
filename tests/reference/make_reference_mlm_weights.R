# Reference values from lavaan 0.6-14 for estimator = "MLM" / "MLMV" with sampling.weights= and cluster= (issue 11: "a
# combination lavaan accepts is never refused"). lavaan fits them to the weighted moments (cov.wt, divisor the
# sum of the normalised weights) and keeps robust.sem and the Satorra-Bentler / scaled-shifted test; its Gamma
# (NACOV) is that of the rows unweighted (lavInspect(fit, "gamma") equals the one of the fit without weights:
# the check below stops otherwise).
# Data: tests/reference/weights/hs_weights.csv (HolzingerSwineford1939 with the deterministic design weight w
# of make_reference_weights.R).
# Run from the repository root:  Rscript tests/reference/make_reference_mlm_weights.R
# Writes tests/reference/mlm_weights/<case>_{info,params,fit}.csv.
suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "mlm_weights")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
source(file.path("tests", "reference", "_models.R"))
HSW <- hs_weights_data()
MIMIC <- 'visual =~ x1 + x2 + x3
          textual =~ x4 + x5 + x6
          visual ~ sex'

fit <- write_fit_tables("cfa_mlm", cfa(HS_CFA, data = HSW, estimator = "MLM", sampling.weights = "w"))
stopifnot(isTRUE(all.equal(lavInspect(fit, "gamma"), lavInspect(cfa(HS_CFA, data = HSW, estimator = "MLM"), "gamma"))))
write_fit_tables("cfa_mlmv",    cfa(HS_CFA, data = HSW, estimator = "MLMV", sampling.weights = "w"))
write_fit_tables("mimic_mlm",   sem(MIMIC, data = HSW, estimator = "MLM", sampling.weights = "w"))
write_fit_tables("mg_mlm",      cfa(HS_CFA, data = HSW, estimator = "MLM", sampling.weights = "w", group = "school"))
write_fit_tables("mg_mlm_grp",  cfa(HS_CFA, data = HSW, estimator = "MLM", sampling.weights = "w", group = "school",
                                    sampling.weights.normalization = "group"))

# cluster= (40 clusters made of id %% 40): lavaan's se "robust.cluster.sem", Gamma summed within clusters
# and multiplied by C / (C - 1); and with a fixed.x covariate. (MLMV with cluster=, and MLM or MLMV with
# cluster= and sampling.weights= together: lavaan 0.6-14 switches to se "robust.cluster" and adds the
# "yuan.bentler.mplus" test with observed information, and MLM with both keeps robust.cluster.sem: their
# references are written by make_reference_design_estimators.R.)
write_fit_tables("cfa_mlm_clu",    cfa(HS_CFA, data = HSW, estimator = "MLM", cluster = "clu"))
write_fit_tables("mimic_mlm_clu",  sem(MIMIC, data = HSW, estimator = "MLM", cluster = "clu"))
