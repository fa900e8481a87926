# Reference values from lavaan 0.6-14 for the Gamma-based options (MLM, MLMV, ULSM, se = "robust.sem", the
# Satorra-Bentler style tests) with fixed.x exogenous observed covariates (issue 11: "a combination lavaan
# accepts is never refused"). lavaan then computes Gamma (NACOV) conditional on the covariates
# (lav_samplestats_Gamma with fixed.x = TRUE: each row's moments less those of the row with its outcomes
# replaced by their least-squares prediction from the covariates) and zeroes the covariates' own moments in
# the h1 information (lav_mvnorm_information_expected with x.idx).
# Data: lavaan's HolzingerSwineford1939 (data/HolzingerSwineford1939.csv).
# Run from the repository root:  Rscript tests/reference/make_reference_mlm_fixed_x.R
# Writes tests/reference/mlm_fixed_x/<case>_{info,params,fit}.csv.
suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "mlm_fixed_x")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)

MIMIC <- 'visual =~ x1 + x2 + x3
          textual =~ x4 + x5 + x6
          visual ~ ageyr + sex'
# a path model: two outcomes, three covariates (one of them only in the second equation)
PATH <- 'x1 ~ ageyr + sex
         x4 ~ x1 + ageyr + grade
         x1 ~~ x4'

write_fit_tables("mlm",        sem(MIMIC, data = HS, estimator = "MLM"))
write_fit_tables("mlm_ms",     sem(MIMIC, data = HS, estimator = "MLM", meanstructure = TRUE))
write_fit_tables("mlm_obs",    sem(MIMIC, data = HS, estimator = "MLM", information = "observed"))
write_fit_tables("mlmv",       sem(MIMIC, data = HS, estimator = "MLMV"))
# (lavaan's default for the ULS family is fixed.x = FALSE: asked for here)
write_fit_tables("ulsm",       sem(MIMIC, data = HS, estimator = "ULSM", fixed.x = TRUE))
write_fit_tables("ml_rsem_sb", sem(MIMIC, data = HS, se = "robust.sem", test = "satorra.bentler"))
write_fit_tables("ml_rob_ss",  sem(MIMIC, data = HS, se = "robust", test = "scaled.shifted"))
write_fit_tables("ml_mva",     sem(MIMIC, data = HS, test = "mean.var.adjusted"))
write_fit_tables("ml_rsem",    sem(MIMIC, data = HS, se = "robust.sem"))
write_fit_tables("path_mlm",   sem(PATH, data = HS[complete.cases(HS[, c("grade")]), ], estimator = "MLM"))
write_fit_tables("mg_mlm",     sem(MIMIC, data = HS, estimator = "MLM", group = "school"))
write_fit_tables("mg_mlm_eq",  sem(MIMIC, data = HS, estimator = "MLM", group = "school",
                                   group.equal = c("loadings", "intercepts")))
write_fit_tables("mg_mlmv",    sem(MIMIC, data = HS, estimator = "MLMV", group = "school"))

# GLS and ULS: lavaan 0.6-14's fixed.x default is FALSE for them (TRUE for the ML family and conditional.x);
# with fixed.x = TRUE the covariates' (co)variances are fixed at those of divisor N - 1, which GLS and ULS
# are fitted to
write_fit_tables("uls_default", sem(MIMIC, data = HS, estimator = "ULS"))
write_fit_tables("gls_default", sem(MIMIC, data = HS, estimator = "GLS"))
write_fit_tables("uls_fx",      sem(MIMIC, data = HS, estimator = "ULS", fixed.x = TRUE))
write_fit_tables("gls_fx",      sem(MIMIC, data = HS, estimator = "GLS", fixed.x = TRUE))

# lavaan's refusal: MLM with missing = "pairwise" and fixed.x covariates when an outcome has missing values (its
# conditional Gamma regresses the rows' outcomes on the covariates, qr() stops on the NA); written for the test
HSM <- read.csv("data/hs_missing.csv", stringsAsFactors = FALSE)
msg <- tryCatch({ sem(MIMIC, data = HSM, estimator = "MLM", missing = "pairwise"); "" },
                error = function(e) conditionMessage(e))
stopifnot(nzchar(msg))
write_ref(data.frame(case = "mlm_pairwise_fixed_x", message = msg, stringsAsFactors = FALSE),
          file.path(OUT, "refusals.csv"))
