# semTools::htmt with missing = "ml": the correlations are lavCor()'s EM (saturated FIML) estimates, every row
# with an observed item kept. HTMT2 (semTools 0.5-6's default, htmt2 = TRUE) and the original HTMT. Also
# missing = "pairwise": lavCor()'s pairwise covariances, cov2cor(cov(use = "pairwise")).
# Run from the repository root:  Rscript tests/reference/make_reference_htmt_fiml.R
suppressMessages({library(lavaan); library(semTools)})
d <- read.csv("data/hs_missing.csv")
m <- "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9"
out <- NULL
for (h2 in c(TRUE, FALSE)) for (miss in c("ml", "listwise", "pairwise")) {
  h <- htmt(m, data = d, missing = miss, htmt2 = h2)
  for (i in seq_len(nrow(h))) for (j in seq_len(ncol(h))) if (i > j)
    out <- rbind(out, data.frame(htmt2 = h2, missing = miss, row = rownames(h)[i], col = colnames(h)[j],
                                 value = sprintf("%.10g", h[i, j])))
}
write.csv(out, "tests/reference/measure_fiml/hs_missing_htmt.csv", row.names = FALSE, quote = FALSE)
cat(sprintf("complete cases: %d of %d\n", sum(complete.cases(d[, paste0("x", 1:9)])), nrow(d)))
