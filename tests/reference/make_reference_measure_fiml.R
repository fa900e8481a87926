# semTools reliability after a FIML fit (missing = "ml"): compRelSEM and AVE use the EM (h1) covariance.
# Run from the repository root:  Rscript tests/reference/make_reference_measure_fiml.R
suppressMessages({library(lavaan); library(semTools)})
d <- read.csv("data/hs_missing10.csv")
fit <- cfa("visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9", data = d, missing = "ml")
om <- compRelSEM(fit)
av <- AVE(fit)
out <- data.frame(construct = names(om), omega = sprintf("%.10g", as.numeric(om)),
                  ave = sprintf("%.10g", as.numeric(av[names(om)])))
write.csv(out, "tests/reference/measure_fiml/hs_fiml_reliability.csv", row.names = FALSE, quote = FALSE)
