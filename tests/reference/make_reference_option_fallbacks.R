# Reference values from lavaan 0.6-14 for two combinations it accepts by changing another option (issue 11:
# "a combination lavaan accepts is never refused"):
# * estimator = "MLM" with another test= ("scaled.shifted", "mean.var.adjusted"): lavaan keeps the
#   Satorra-Bentler test first (test = c("satorra.bentler", <test>)) and its parameterEstimates() and
#   fitMeasures() are those of plain MLM; the second test is in fit@test only;
# * missing = "ml" with a Satorra-Bentler style test: lavaan sets missing = "listwise" with a warning
#   ("missing will be set to listwise for satorra.bentler style test").
# Data: HolzingerSwineford1939 (data/HolzingerSwineford1939.csv) and data/hs_missing.csv.
# Run from the repository root:  Rscript tests/reference/make_reference_option_fallbacks.R
# Writes tests/reference/option_fallbacks/<case>_{params,fit,info}.csv and <case>_test2.csv (the second test).
suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "option_fallbacks")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
source(file.path("tests", "reference", "_models.R"))
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
HSM <- read.csv("data/hs_missing.csv", stringsAsFactors = FALSE)

write_case <- function(case, data, ...) {
  res <- run_fit(cfa(HS_CFA, data = data, ...))
  fit <- res$fit
  cat(sprintf("%-14s conv=%s missing=%s test=%s chisq=%.4f warnings=%s\n", case, lavInspect(fit, "converged"),
              fit@Options$missing, paste(fit@Options$test, collapse = "/"), fitMeasures(fit, "chisq"),
              paste(res$warnings, collapse = " | ")))
  write_ref(info_table(fit, res$warnings), file.path(OUT, paste0(case, "_info.csv")))
  write_ref(params_table(fit), file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
  tt <- fit@test[[length(fit@test)]]
  keep <- intersect(c("test", "stat", "stat.group", "df", "pvalue", "scaling.factor", "shift.parameter", "trace.UGamma"),
                    names(tt))
  v <- unlist(lapply(keep, function(k) if (k == "test") NA else as.numeric(tt[[k]])[1]))
  write_ref(data.frame(name = keep[keep != "test"], value = v[keep != "test"]), file.path(OUT, paste0(case, "_test2.csv")))
}

write_case("mlm_ss",  HS,  estimator = "MLM", test = "scaled.shifted")
write_case("mlm_mva", HS,  estimator = "MLM", test = "mean.var.adjusted")
write_case("fiml_sb", HSM, missing = "ml", test = "satorra.bentler")
write_case("fiml_ss", HSM, missing = "ml", test = "scaled.shifted")

# lavaan's own refusal of the WLSMV bootstrap (its message, quoted by egovsem)
HSO <- read.csv("data/hs_ordinal.csv", stringsAsFactors = FALSE)
msg <- tryCatch({cfa(HS_CFA, data = HSO, ordered = TRUE, se = "bootstrap", bootstrap = 10); "accepted"},
                error = function(e) conditionMessage(e))
write_ref(data.frame(case = "wlsmv_bootstrap", message = msg), file.path(OUT, "refusals.csv"))
