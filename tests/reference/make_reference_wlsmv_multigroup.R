# Reference values from R lavaan 0.6-14 for multi-group WLSMV (egovsem.sem.wls_mg):
# parameterEstimates(fit) (est, se), fitMeasures(fit) and parTable(fit) of
# cfa(..., ordered = TRUE, estimator = "WLSMV", group = "school", group.equal = ...,
# parameterization = "delta" / "theta") on HolzingerSwineford1939's x1..x6 cut into 5 categories at the
# pooled quantiles (so the two schools use the categories unequally).
#
# Run from the repository root:  Rscript tests/reference/make_reference_wlsmv_multigroup.R
# Writes tests/reference/wlsmv_mg/hs5_school.csv (the data) and <case>_{params,fit,partable}.csv.

suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "wlsmv_mg")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))

hs <- HolzingerSwineford1939
d <- data.frame(school = as.character(hs$school))
for (v in paste0("x", 1:6)) {
  br <- quantile(hs[[v]], c(0.15, 0.35, 0.6, 0.85))
  d[[v]] <- as.integer(cut(hs[[v]], c(-Inf, unique(br), Inf)))
}
stopifnot(all(sapply(paste0("x", 1:6), function(v) length(unique(d[[v]])) == 5)))
stopifnot(all(sapply(paste0("x", 1:6), function(v) all(table(d$school, d[[v]]) > 0))))
write.csv(d, file.path(OUT, "hs5_school.csv"), row.names = FALSE)

write_case <- function(case, fit) {
  pe <- parameterEstimates(fit)
  if (is.null(pe$label)) pe$label <- ""
  if (is.null(pe$group)) pe$group <- 1L
  write_ref(pe[, c("lhs", "op", "rhs", "group", "label", "est", "se")],
            file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
  pt <- parTable(fit)
  write_ref(pt[, c("id", "lhs", "op", "rhs", "group", "free", "ustart", "label", "plabel")],
            file.path(OUT, paste0(case, "_partable.csv")))
}

M <- "visual =~ x1 + x2 + x3
      textual =~ x4 + x5 + x6"
eqs <- list(configural = "", thresholds = "thresholds",
            loadings = c("thresholds", "loadings"),
            scalar = c("thresholds", "loadings", "intercepts"))
for (par in c("delta", "theta")) {
  for (nm in names(eqs)) {
    fit <- cfa(M, data = d, ordered = TRUE, estimator = "WLSMV", group = "school",
               group.equal = eqs[[nm]], parameterization = par)
    write_case(paste0(par, "_", nm), fit)
  }
}
# partial: thresholds + loadings, x3's loading and x2's second threshold free across groups
for (par in c("delta", "theta")) {
  fit <- cfa(M, data = d, ordered = TRUE, estimator = "WLSMV", group = "school",
             group.equal = c("thresholds", "loadings", "intercepts"),
             group.partial = c("visual =~ x3", "x2 | t2"), parameterization = par)
  write_case(paste0(par, "_partial"), fit)
}
# more group.equal types: residuals, means, lv.variances, lv.covariances (delta and theta)
for (par in c("delta", "theta")) {
  fit <- cfa(M, data = d, ordered = TRUE, estimator = "WLSMV", group = "school",
             group.equal = c("thresholds", "loadings", "intercepts", "residuals", "means",
                             "lv.variances", "lv.covariances"), parameterization = par)
  write_case(paste0(par, "_strict"), fit)
}
# theta, single group
write_case("theta_single", cfa(M, data = d, ordered = TRUE, estimator = "WLSMV",
                               parameterization = "theta"))
# constraints that keep lavaan's robust (catML) measures: loadings only, lv.variances only
for (ge in c("loadings", "lv.variances")) {
  write_case(paste0("delta_", sub(".", "", ge, fixed = TRUE), "only"),
             cfa(M, data = d, ordered = TRUE, estimator = "WLSMV", group = "school", group.equal = ge))
}
# std.lv = TRUE: with equal loadings lavaan frees the latent variances of group 2
for (par in c("delta", "theta")) {
  write_case(paste0(par, "_stdlvloadings"),
             cfa(M, data = d, ordered = TRUE, estimator = "WLSMV", group = "school", std.lv = TRUE,
                 group.equal = c("thresholds", "loadings"), parameterization = par))
}
