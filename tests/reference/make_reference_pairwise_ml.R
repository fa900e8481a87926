# Reference values from lavaan 0.6-14 for ML with missing = "pairwise" (issue 11): the sample covariance is
# R's cov(X, use = "pairwise") rescaled by (N - 1) / N, the means the available-case means, N every row that
# observes a model variable; the model is then fitted by ML to those moments (standard SEs, expected or
# observed information; the standard test). data/hs_missing.csv (HolzingerSwineford1939 with holes).
# lavaan refuses estimator = "MLR" and se = "robust.huber.white" with pairwise ("infinite or missing values in
# 'x'": the casewise scores need complete rows); see the _refusals.csv rows.
# Run from the repository root:  Rscript tests/reference/make_reference_pairwise_ml.R
# Writes tests/reference/pairwise_ml/<case>_{model.lav,params,fit,info}.csv and refusals.csv.
suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "pairwise_ml")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
HSM <- read.csv("data/hs_missing.csv", stringsAsFactors = FALSE)
HS3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
REG <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\ntextual ~ visual + x7"
write_pw <- function(case, model, ...) {
  res <- run_fit(sem(model, data = HSM, missing = "pairwise", ...))
  fit <- res$fit
  cat(sprintf("%-12s conv=%s nobs=%d chisq=%.4f\n", case, lavInspect(fit, "converged"), lavInspect(fit, "nobs"),
              fitMeasures(fit, "chisq")))
  writeLines(model, file.path(OUT, paste0(case, "_model.lav")))
  write_ref(info_table(fit, res$warnings), file.path(OUT, paste0(case, "_info.csv")))
  write_ref(params_table(fit), file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
}
write_pw("cfa", HS3)
write_pw("cfa_observed", HS3, information = "observed")
write_pw("reg_fixedx", REG)
refused <- function(...) tryCatch({ sem(HS3, data = HSM, missing = "pairwise", ...); "" },
                                  error = function(e) conditionMessage(e))
write_ref(data.frame(option = c("estimator=MLR", "se=robust.huber.white"),
                     lavaan_error = c(refused(estimator = "MLR"), refused(se = "robust.huber.white"))),
          file.path(OUT, "refusals.csv"))
# several groups: each group's own pairwise moments (lavaan's samplestats per group)
res <- run_fit(cfa(HS3, data = HSM, missing = "pairwise", group = "school"))
fit <- res$fit
writeLines(HS3, file.path(OUT, "groups_model.lav"))
write_ref(info_table(fit, res$warnings), file.path(OUT, "groups_info.csv"))
write_ref(params_table(fit), file.path(OUT, "groups_params.csv"))
write_ref(fit_table(fit), file.path(OUT, "groups_fit.csv"))
# the Satorra-Bentler family with pairwise moments: lavaan's Gamma of the rows with holes (each product's
# available rows, its crossproduct over the rows both observe, divided by N)
for (cc in list(list("mlm", list(estimator = "MLM")), list("serobust", list(se = "robust")),
                list("ss", list(se = "robust", test = "scaled.shifted")),
                list("mva", list(test = "mean.var.adjusted")), list("mlmv", list(estimator = "MLMV")))) {
  res <- run_fit(do.call("cfa", c(list(HS3, data = HSM, missing = "pairwise"), cc[[2]])))
  fit <- res$fit
  case <- paste0("cfa_", cc[[1]])
  cat(sprintf("%-12s se=%s test=%s chisq=%.4f\n", case, fit@Options$se, paste(fit@Options$test, collapse = "/"),
              fitMeasures(fit, "chisq")))
  writeLines(HS3, file.path(OUT, paste0(case, "_model.lav")))
  write_ref(info_table(fit, res$warnings), file.path(OUT, paste0(case, "_info.csv")))
  write_ref(params_table(fit), file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
}
