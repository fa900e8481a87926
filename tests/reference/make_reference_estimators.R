# Reference values from lavaan 0.6-14 for the estimators MLM, GLS, ULS, robust SEs and scaled tests with ML,
# and the information= option (issue 11). Run from the repository root:
#   Rscript tests/reference/make_reference_estimators.R
# Writes tests/reference/estimators/<case>_{params,fit,info}.csv, the data of lavaan-check's mplus_5_12 case
# (mplus_ex5_12.csv, from /work/shared/reference-data/lavaan-check/mplus_ex5_12.RDS) and errors.csv (the
# messages lavaan gives for refused options).
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "estimators")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
source(file.path("tests", "reference", "_models.R"))

HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)

write_est_case <- function(case, res) {
  fit <- res$fit
  cat(sprintf("%-22s converged=%s npar=%d se=%s test=%s information=%s\n", case, lavInspect(fit, "converged"),
              lavInspect(fit, "npar"), fit@Options$se, paste(fit@Options$test, collapse = "/"),
              paste(fit@Options$information, collapse = "/")))
  write_ref(info_table(fit, res$warnings), file.path(OUT, paste0(case, "_info.csv")))
  pe <- params_table(fit)
  if (lavInspect(fit, "ngroups") > 1) pe <- pe[pe$op != "r2", ]  # as make_reference_multigroup.R
  write_ref(pe, file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
  # lavInspect(fit, "information"): the information matrix per observation of the fit's kind
  info <- lavInspect(fit, "information")
  write_ref(data.frame(name = rownames(info), unclass(info), check.names = FALSE, stringsAsFactors = FALSE),
            file.path(OUT, paste0(case, "_information.csv")))
}

write_est_case("hs_mlm",        run_fit(cfa(HS_CFA, data = HS, estimator = "MLM")))
write_est_case("hs_mlm_mg",     run_fit(cfa(HS_CFA, data = HS, estimator = "MLM", group = "school")))
write_est_case("hs_gls",        run_fit(cfa(HS_CFA, data = HS, estimator = "GLS")))
write_est_case("hs_uls",        run_fit(cfa(HS_CFA, data = HS, estimator = "ULS")))
write_est_case("hs_ml_serobust", run_fit(cfa(HS_CFA, data = HS, se = "robust")))
write_est_case("hs_ml_sb",      run_fit(cfa(HS_CFA, data = HS, test = "satorra.bentler")))
write_est_case("hs_ml_ss",      run_fit(cfa(HS_CFA, data = HS, test = "scaled.shifted")))
write_est_case("hs_ml_yb",      run_fit(cfa(HS_CFA, data = HS, test = "yuan.bentler")))
write_est_case("hs_ml_ybm",     run_fit(cfa(HS_CFA, data = HS, test = "yuan.bentler.mplus")))
write_est_case("hs_ml_obs",     run_fit(cfa(HS_CFA, data = HS, information = "observed")))
write_est_case("hs_ml_fo",      run_fit(cfa(HS_CFA, data = HS, information = "first.order")))
write_est_case("hs_mlm_obs",    run_fit(cfa(HS_CFA, data = HS, estimator = "MLM", information = "observed")))
write_est_case("hs_ml_serobust_ybm", run_fit(cfa(HS_CFA, data = HS, se = "robust", test = "yuan.bentler.mplus")))
write_est_case("hs_ml_serobust_yb_mg", run_fit(cfa(HS_CFA, data = HS, se = "robust", test = "yuan.bentler",
                                                   group = "school")))
write_est_case("hs_gls_mg",     run_fit(cfa(HS_CFA, data = HS, estimator = "GLS", group = "school")))
write_est_case("hs_uls_mg",     run_fit(cfa(HS_CFA, data = HS, estimator = "ULS", group = "school")))

# se = "robust" under FIML is robust.huber.white (data/hs_missing10.csv from make_reference_fiml.R)
HSM10 <- read.csv("data/hs_missing10.csv", stringsAsFactors = FALSE)
write_est_case("hs_fiml_serobust", run_fit(cfa(HS_CFA, data = HSM10, missing = "ml", se = "robust")))

# lavaan-check, tests/mplus_5_12.R: ML with the observed information, a mean structure and a := effect
M512 <- readRDS("/work/shared/reference-data/lavaan-check/mplus_ex5_12.RDS")
write.csv(M512, file.path(OUT, "mplus_ex5_12.csv"), row.names = FALSE)
M512 <- read.csv(file.path(OUT, "mplus_ex5_12.csv"))
MPLUS_5_12 <- '
f1 =~ y1 + y2 + y3
f2 =~ y4 + y5 + y6
f3 =~ y7 + y8 + y9
f4 =~ y10 + y11 + y12
f3 ~ f3f1 * f1 + f3f2 * f2
f4 ~ f4f3 * f3
ind := f4f3 * f3f1
'
write_est_case("mplus_5_12", run_fit(sem(data = M512, estimator = "ML", information = "observed",
                                         meanstructure = TRUE, model = MPLUS_5_12)))

# messages of refused options
HSM <- HS
HSM$x1[1:20] <- NA
err <- function(expr) {
  r <- tryCatch({ expr; "" }, error = function(e) gsub("[\r\n\t]+", " ", conditionMessage(e)))
  trimws(r)
}
errors <- data.frame(
  case = c("mlm_missing_ml", "estimator_mlmx", "information_obs", "gls_se_robust"),
  message = c(err(cfa(HS_CFA, data = HSM, estimator = "MLM", missing = "ml")),
              err(cfa(HS_CFA, data = HS, estimator = "MLMX")),
              err(cfa(HS_CFA, data = HS, information = "obs")),
              err(cfa(HS_CFA, data = HS, estimator = "GLS", se = "robust"))),
  stringsAsFactors = FALSE)
write_ref(errors, file.path(OUT, "errors.csv"))
