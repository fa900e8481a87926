# What lavaan 0.6-14 does with se = "bootstrap" (and se = "standard" with clusters) and sampling.weights= or
# cluster= (ML and MLR; issue 11), on
# lavaan's HolzingerSwineford1939 with the weight column of tests/reference/weights/hs_weights.csv
# (make_reference_weights.R) and the schools as clusters:
#   * sampling weights (ML or MLR): refused, "use ML estimator for bootstrap" (sampling weights make ML MLR);
#   * cluster with ML: refused, "`se' argument must one of ... in the clustered case" (se = "standard" too);
#   * cluster with MLR, or cluster and sampling weights: accepted, se replaced by "robust.cluster" without a
#     word (se = "standard" too): the fit is that without se= (checked here with all.equal), written row by row.
# Run from the repository root:  Rscript tests/reference/make_reference_bootstrap_design.R
# Writes tests/reference/bootstrap_design/{refusals.csv, <case>_{params,fit,options}.csv}.
suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "bootstrap_design")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
HS <- read.csv(file.path("tests", "reference", "weights", "hs_weights.csv"), stringsAsFactors = FALSE)
HS3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
boot <- function(...) cfa(HS3, data = HS, se = "bootstrap", bootstrap = 20L, ...)
refused <- list(weights_ml = quote(boot(sampling.weights = "w", estimator = "ML")),
                weights_mlr = quote(boot(sampling.weights = "w", estimator = "MLR")),
                weights_default = quote(boot(sampling.weights = "w")),
                cluster_ml = quote(boot(cluster = "school")),
                cluster_ml_standard = quote(cfa(HS3, data = HS, cluster = "school", se = "standard")))
msg <- vapply(refused, function(e) tryCatch({ eval(e); "" }, error = function(err) conditionMessage(err)),
              character(1))
stopifnot(all(nzchar(msg)))
write_ref(data.frame(case = names(msg), message = unname(msg), stringsAsFactors = FALSE),
          file.path(OUT, "refusals.csv"))
write_accepted <- function(case, fit, plain) {
  stopifnot(isTRUE(all.equal(parameterEstimates(fit), parameterEstimates(plain))))
  write_ref(params_table(fit), file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
  op <- lavInspect(fit, "options")
  write_ref(data.frame(key = c("estimator", "se", "test"), value = c(op$estimator, op$se, op$test[1]),
                       stringsAsFactors = FALSE), file.path(OUT, paste0(case, "_options.csv")))
  cat(case, "done\n")
}
write_accepted("cluster_mlr", suppressWarnings(boot(cluster = "school", estimator = "MLR")),
               suppressWarnings(cfa(HS3, data = HS, cluster = "school", estimator = "MLR")))
write_accepted("cluster_weights", suppressWarnings(boot(cluster = "school", sampling.weights = "w")),
               suppressWarnings(cfa(HS3, data = HS, cluster = "school", sampling.weights = "w")))
# se = "standard" is replaced by "robust.cluster" as well
for (args in list(list(cluster = "school", estimator = "MLR"), list(cluster = "school", sampling.weights = "w"))) {
  st <- suppressWarnings(cfa(HS3, data = HS, cluster = "school", estimator = if (is.null(args$estimator)) "ML"
                             else "MLR", sampling.weights = args$sampling.weights, se = "standard"))
  stopifnot(lavInspect(st, "options")$se == "robust.cluster")
}
cat("lavaan", as.character(packageVersion("lavaan")), "all done\n")
