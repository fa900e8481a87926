# Reference values from lavaan 0.6-14 for the item intraclass correlations of egovsem.measure.icc (issue 13)
# and for the design comparison of `egovsem run --example` (plain vs cluster-robust vs weighted paths).
# Run from the repository root:  Rscript tests/reference/make_reference_icc.R
# Data: lavaan's Demo.twolevel (written to tests/reference/icc/demo_twolevel.csv) and the cleaned SIMULATED
# example (tests/reference/icc/example_clean.csv, written by tests/reference/icc/make_example_clean.py:
# egovsem.clean of data/example/raw_export.csv, 545 respondents in 30 simulated recruitment cities).
# ICC: for each item y a univariate two-level random-intercept model
#   level: 1  y ~~ y      level: 2  y ~~ y ; y ~ 1
# with cluster = and the rows where y is missing left out. Written: the ML estimates (mu, sigma2_within,
# tau2_between) and icc = tau2_between / (tau2_between + sigma2_within) from them, and icc_h1 =
# lavInspect(fit, "icc"). The latter comes from lavaan's H1 (saturated) fit, which for complete clustered data
# is an EM run stopped at a hard-coded tol = 1e-04 (lav_h1_implied_logl -> lav_mvnorm_cluster_em_sat), so it
# is a little above the ML value (by 3e-4 to 1.5e-3 here); for a univariate model the saturated and the
# restricted models are the same, so the exact ML ICC is the one from the estimates.
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "icc")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))

icc_rows <- function(D, items, cluster) {
  rows <- lapply(items, function(y) {
    d <- D[!is.na(D[[y]]), c(y, cluster)]
    m <- sprintf("level: 1\n  %s ~~ %s\nlevel: 2\n  %s ~~ %s\n  %s ~ 1", y, y, y, y, y)
    fit <- sem(m, data = d, cluster = cluster)
    pe <- parameterEstimates(fit)
    w <- pe$est[pe$op == "~~" & pe$level == 1]
    b <- pe$est[pe$op == "~~" & pe$level == 2]
    mu <- pe$est[pe$op == "~1" & pe$level == 2]
    data.frame(item = y, n = nrow(d), clusters = length(unique(d[[cluster]])), mu = mu,
               sigma2_within = w, tau2_between = b, icc = b / (b + w),
               icc_h1 = unname(lavInspect(fit, "icc")[y]),
               converged = lavInspect(fit, "converged"), stringsAsFactors = FALSE)
  })
  do.call(rbind, rows)
}

D2 <- Demo.twolevel
write_ref(D2[, c("cluster", "y1", "y2", "y3")], file.path(OUT, "demo_twolevel.csv"))
write_ref(icc_rows(D2, c("y1", "y2", "y3"), "cluster"), file.path(OUT, "demo_twolevel_icc.csv"))

EX <- read.csv(file.path(OUT, "example_clean.csv"), stringsAsFactors = FALSE)
items <- setdiff(names(EX), c("id", "city", "weight"))
write_ref(icc_rows(EX, items, "city"), file.path(OUT, "example_icc.csv"))

# the design comparison of the strategic-triangle model (the reduced example run): FIML, plain, cluster-robust,
# weighted and cluster-robust
ST <- paste(readLines(file.path("analysis", "models", "strategic_triangle.lav")), collapse = "\n")
fits <- list(
  plain = sem(ST, data = EX, missing = "ml"),
  cluster = sem(ST, data = EX, missing = "ml", cluster = "city"),
  weighted = sem(ST, data = EX, missing = "ml", cluster = "city", sampling.weights = "weight"))
rows <- lapply(names(fits), function(k) {
  pe <- parameterEstimates(fits[[k]], standardized = TRUE)
  pe <- pe[pe$op == "~", ]
  data.frame(fit = k, lhs = pe$lhs, op = pe$op, rhs = pe$rhs, label = pe$label, est = pe$est, se = pe$se,
             pvalue = pe$pvalue, std.all = pe$std.all, stringsAsFactors = FALSE)
})
write_ref(do.call(rbind, rows), file.path(OUT, "example_design_paths.csv"))
writeLines(capture.output(sessionInfo()), file.path(OUT, "sessionInfo.txt"))
