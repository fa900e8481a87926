# Reference values from lavaan 0.6-14 for WLSMV with exogenous observed covariates (conditional.x = TRUE) and
# missing = "pairwise" (issues 11 and 12): rows with a missing covariate are deleted (with lavaan's warning), then
# each item's probit regression uses the rows where that item is observed, each residual polychoric the rows where
# both items are observed (lavaan's muthen1984). psych's bfi (data/bfi.csv), all rows: five agreeableness items
# (with their own missing values) on age and education (education has 223 missing values).
# Run from the repository root:  Rscript tests/reference/make_reference_ordinal_conditional_pairwise.R
# Writes tests/reference/ordinal_conditional/bfi_mimic_pairwise_{wlsobs,gamma,params,fit,nobs,mi}.csv and
# bfi_mimic_pairwise_empty_{params,fit,nobs}.csv.
suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "ordinal_conditional")
source(file.path("tests", "reference", "_ref_helpers.R"))
BFI <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)
fit <- cfa("A =~ A1 + A2 + A3 + A4 + A5\n A ~ age + education", data = BFI, ordered = paste0("A", 1:5),
           estimator = "WLSMV", missing = "pairwise")
case <- "bfi_mimic_pairwise"
wo <- lavInspect(fit, "wls.obs")
write_ref(data.frame(name = names(wo), value = as.numeric(wo), stringsAsFactors = FALSE),
          file.path(OUT, paste0(case, "_wlsobs.csv")))
write_ref(as.data.frame(unname(lavInspect(fit, "gamma"))), file.path(OUT, paste0(case, "_gamma.csv")))
pe <- parameterEstimates(fit, standardized = TRUE)
pe$label <- ""
write_ref(pe[, c("lhs", "op", "rhs", "label", "est", "se", "std.lv", "std.all", "std.nox")],
          file.path(OUT, paste0(case, "_params.csv")))
write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
write_ref(data.frame(what = c("nobs", "norig"), value = c(lavInspect(fit, "nobs"), lavInspect(fit, "norig"))),
          file.path(OUT, paste0(case, "_nobs.csv")))
mi <- modindices(fit, sort. = FALSE, minimum.value = 0)
write_ref(mi[, c("lhs", "op", "rhs", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")],
          file.path(OUT, paste0(case, "_mi.csv")))
# a row missing every item (A1-A5 set missing on rows 5, 17, 300; rows 5 and 17 also miss education):
# lavaan ignores it ("some cases are empty and will be ignored: 300")
E <- BFI
E[c(5, 17, 300), paste0("A", 1:5)] <- NA
fit <- cfa("A =~ A1 + A2 + A3 + A4 + A5\n A ~ age + education", data = E, ordered = paste0("A", 1:5),
           estimator = "WLSMV", missing = "pairwise")
case <- "bfi_mimic_pairwise_empty"
pe <- parameterEstimates(fit, standardized = TRUE)
pe$label <- ""
write_ref(pe[, c("lhs", "op", "rhs", "label", "est", "se", "std.lv", "std.all", "std.nox")],
          file.path(OUT, paste0(case, "_params.csv")))
write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
write_ref(data.frame(what = c("nobs", "norig"), value = c(lavInspect(fit, "nobs"), lavInspect(fit, "norig"))),
          file.path(OUT, paste0(case, "_nobs.csv")))
