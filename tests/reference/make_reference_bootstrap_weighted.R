# What lavaan 0.6-14's bootstrapLavaan(fit, R, FUN = "coef") does with a fit with sampling.weights= or cluster=
# (issue 11; tests/test_bootstrap_weighted.py), on lavaan's HolzingerSwineford1939 with the weight column of
# tests/reference/weights/hs_weights.csv (make_reference_weights.R) and the schools as clusters:
#   * rows are resampled (sample.int(N, replace = TRUE)), never clusters: a single-level fit's clusters do not
#     enter its estimates, and every draw equals the plain fit of the drawn rows;
#   * each drawn row carries its sampling weight (lav_data_update: weights[boot.idx]), the draw's moments are
#     the weighted ones (cov.wt, method "ML"): every draw equals the weighted fit of the drawn rows;
#   * (not written, checked) with several groups lav_data_update resamples the weights of the last group only:
#     the other groups' drawn rows keep the weights of the rows in their original order (egovsem refuses that).
# The same with FIML (cluster and missing = "ml", tests/reference/weights/hs_weights_missing.csv): rows with
# their holes, drawn with FUN = coef (the function): with the default FUN = "coef" (the string) lavaan 0.6-14
# turns h1 off in the refits, whose robust test then stops bootstrapLavaan ("Error in colSums(S): 'x' must be
# an array of at least two dimensions"; checked below). All are checked below on the first resamples (keep.idx = TRUE) against direct fits of the drawn rows.
# The SEs written are the SDs of the R = 1000 draws with divisor R (lavaan's se = "bootstrap" convention).
# Run from the repository root:  Rscript tests/reference/make_reference_bootstrap_weighted.R [CASE ...]
# Writes tests/reference/bootstrap_weighted/<case>_{params,info}.csv.
suppressPackageStartupMessages(library(lavaan))
source(file.path("tests", "reference", "_ref_helpers.R"))  # fmt_num
R <- 1000L  # resamples of each case
OUT <- file.path("tests", "reference", "bootstrap_weighted")
HS <- read.csv(file.path("tests", "reference", "weights", "hs_weights.csv"), stringsAsFactors = FALSE)
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
HSM <- read.csv(file.path("tests", "reference", "weights", "hs_weights_missing.csv"), stringsAsFactors = FALSE)
HS3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
cases <- list(
  weights = list(args = list(sampling.weights = "w"), direct = list(sampling.weights = "w")),
  cluster = list(args = list(cluster = "school", estimator = "MLR"), direct = list(meanstructure = TRUE)),
  cluster_weights = list(args = list(cluster = "school", sampling.weights = "w"),
                         direct = list(sampling.weights = "w", meanstructure = TRUE)),
  cluster_fiml = list(args = list(cluster = "school", estimator = "MLR", missing = "ml"), data = HSM,
                      direct = list(missing = "ml"), FUN = coef))
only <- commandArgs(trailingOnly = TRUE)  # case names to (re)write; none: all
seed <- 2026L
for (case in if (length(only)) only else names(cases)) {
  data <- if (is.null(cases[[case]]$data)) HS else cases[[case]]$data
  fit <- suppressWarnings(do.call("cfa", c(list(HS3, data = data), cases[[case]]$args)))
  set.seed(seed)
  t0 <- Sys.time()
  FUN <- if (is.null(cases[[case]]$FUN)) "coef" else cases[[case]]$FUN
  if (!is.character(FUN)) {  # the default FUN = "coef" fails there
    stopifnot(inherits(try(suppressWarnings(bootstrapLavaan(fit, R = 1L)), silent = TRUE), "try-error"))
    set.seed(seed)
  }
  draws <- suppressWarnings(bootstrapLavaan(fit, R = R, keep.idx = TRUE, FUN = FUN))
  secs <- as.numeric(Sys.time() - t0, units = "secs")
  idx <- attr(draws, "boot.idx")[[1]]
  for (b in 1:5) {  # each draw is the direct fit of its rows (weighted: with their weights; clusters ignored)
    d <- suppressWarnings(do.call("cfa", c(list(HS3, data = data[idx[b, ], ]), cases[[case]]$direct)))
    stopifnot(max(abs(draws[b, ] - coef(d))) < 1e-4)
  }
  ok <- setdiff(seq_len(R), attr(draws, "error.idx"))
  D <- draws[ok, , drop = FALSE]
  se_free <- sqrt(diag(cov(D)) * (nrow(D) - 1) / nrow(D))
  pe <- parTable(fit)  # the rows of parameterEstimates(fit), with their column 'free'
  stopifnot(nrow(pe) == nrow(parameterEstimates(fit)), all(pe$free[pe$free > 0] == seq_along(se_free)))
  pe$se <- 0
  pe$se[pe$free > 0] <- se_free[pe$free[pe$free > 0]]
  out <- pe[, c("lhs", "op", "rhs", "group", "est", "se")]
  out$est <- fmt_num(out$est)
  out$se <- fmt_num(out$se)
  write.csv(out, file.path(OUT, paste0(case, "_params.csv")), row.names = FALSE)
  fm <- fitMeasures(fit, c("chisq", "df"))
  info <- data.frame(key = c("B", "failed", "nonadmissible", "df", "chisq", "seed", "seconds"),
                     value = c(R, length(attr(draws, "error.idx")), length(attr(draws, "nonadmissible")),
                               fm[["df"]], fmt_num(fm[["chisq"]]), seed, secs))
  write.csv(info, file.path(OUT, paste0(case, "_info.csv")), row.names = FALSE)
  cat(case, ":", R, "draws,", length(attr(draws, "error.idx")), "failed,",
      length(attr(draws, "nonadmissible")), "nonadmissible,", secs, "s\n")
}
cat("lavaan", as.character(packageVersion("lavaan")), "all done\n")
