# Reference values from R lavaan 0.6-14 for egovsem's Monte Carlo power analysis (tests/test_power.py).
#
# Run from the repository root:
#     Rscript tests/reference/make_reference_power.R
#
# The loop lavaan users write: simulateData() from the population model, sem() of the analysis model,
# count p < .05. Writes tests/reference/power/three_factor.csv (one row per parameter and N: power,
# mean estimate, coverage of the 95% CI, share converged, replications, seconds per replication).
# Every population value is written, so lavaan's and egovsem's populations are the same by construction.

suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "power")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)

POP <- "
f1 =~ 0.7*y1 + 0.7*y2 + 0.7*y3
f2 =~ 0.7*y4 + 0.7*y5 + 0.7*y6
f3 =~ 0.7*y7 + 0.7*y8 + 0.7*y9
f2 ~ 0.3*f1
f3 ~ 0.2*f2 + 0*f1
y1 ~~ 0.51*y1
y2 ~~ 0.51*y2
y3 ~~ 0.51*y3
y4 ~~ 0.51*y4
y5 ~~ 0.51*y5
y6 ~~ 0.51*y6
y7 ~~ 0.51*y7
y8 ~~ 0.51*y8
y9 ~~ 0.51*y9
f1 ~~ 1*f1
f2 ~~ 0.91*f2
f3 ~~ 0.96*f3
"
MODEL <- "
f1 =~ y1 + y2 + y3
f2 =~ y4 + y5 + y6
f3 =~ y7 + y8 + y9
f2 ~ a*f1
f3 ~ b*f2 + c*f1
ab := a*b
"
TRUE_VALUES <- c(a = 0.3, b = 0.2, c = 0, ab = 0.06)
REPS <- 1000L
set.seed(2026)
rows <- list()
for (N in c(150L, 300L)) {
  hits <- cover <- est <- matrix(NA_real_, REPS, 4, dimnames = list(NULL, names(TRUE_VALUES)))
  conv <- logical(REPS)
  t0 <- Sys.time()
  for (r in seq_len(REPS)) {
    d <- simulateData(POP, sample.nobs = N)
    fit <- tryCatch(sem(MODEL, data = d), error = function(e) NULL)
    conv[r] <- !is.null(fit) && lavInspect(fit, "converged")
    if (!conv[r]) next
    pe <- parameterEstimates(fit)
    pe <- pe[match(names(TRUE_VALUES), pe$label), ]
    hits[r, ] <- pe$pvalue < 0.05
    est[r, ] <- pe$est
    cover[r, ] <- pe$ci.lower <= TRUE_VALUES & TRUE_VALUES <= pe$ci.upper
  }
  secs <- as.numeric(Sys.time() - t0, units = "secs") / REPS
  for (k in names(TRUE_VALUES)) {
    rows[[length(rows) + 1]] <- data.frame(
      label = k, n = N, power = mean(hits[, k], na.rm = TRUE), mean_est = mean(est[, k], na.rm = TRUE),
      coverage = mean(cover[, k], na.rm = TRUE), converged = mean(conv), reps = REPS,
      seconds_per_rep = secs)
  }
  cat("N =", N, ":", secs, "s per replication\n")
}
out <- do.call(rbind, rows)
out[] <- lapply(out, function(x) if (is.numeric(x)) sprintf("%.10g", x) else x)
write.csv(out, file.path(OUT, "three_factor.csv"), row.names = FALSE)
