# Reference values from lavaan 0.6-14 for estimator = "MLMV" with another test= (issue 11): lavaan keeps MLMV's
# scaled-shifted test first (lavInspect(fit, "options")$test is c("scaled.shifted", <test>)) and its
# parameterEstimates() and fitMeasures() are those of plain MLMV; the script checks both and writes the tables.
# Data: data/HolzingerSwineford1939.csv (lavaan's HolzingerSwineford1939), the three-factor CFA.
# Run from the repository root:  Rscript tests/reference/make_reference_mlmv_test.R
# Writes tests/reference/mlmv_test/<test>_{params,fit,options}.csv.
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "mlmv_test")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
HS <- read.csv("data/HolzingerSwineford1939.csv")
m <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
f0 <- cfa(m, HS, estimator = "MLMV")
for (t in c("standard", "satorra.bentler", "yuan.bentler", "yuan.bentler.mplus", "mean.var.adjusted")) {
  f <- suppressWarnings(cfa(m, HS, estimator = "MLMV", test = t))
  o <- lavInspect(f, "options")
  stopifnot(o$test[1] == "scaled.shifted", isTRUE(all.equal(fitMeasures(f), fitMeasures(f0))),
            isTRUE(all.equal(parameterEstimates(f)$se, parameterEstimates(f0)$se)))
  pe <- parameterEstimates(f, standardized = TRUE)
  write_ref(pe[, c("lhs", "op", "rhs", "est", "se", "std.all")], file.path(OUT, paste0(t, "_params.csv")))
  fm <- fitMeasures(f)
  write_ref(data.frame(measure = names(fm), value = as.numeric(fm)), file.path(OUT, paste0(t, "_fit.csv")))
  write_ref(data.frame(key = c("test", "se"), value = c(paste(o$test, collapse = "/"), o$se)),
            file.path(OUT, paste0(t, "_options.csv")))
  cat(t, "chisq.scaled", fm[["chisq.scaled"]], "\n")
}
