# Reference values from R lavaan 0.6-14 for multi-group WLSMV with continuous and ordered indicators mixed
# (egovsem.sem.wls_mg): parameterEstimates(fit, standardized = TRUE) and fitMeasures(fit) of
# cfa(M, ordered = c("x1", ..., "x6"), estimator = "WLSMV", group = "school", group.equal = ...,
# parameterization = ...) on HolzingerSwineford1939: x1..x6 cut into 5 categories at the pooled quantiles
# (as make_reference_wlsmv_multigroup.R), x7..x9 continuous (the original scores).
#
# Run from the repository root:  Rscript tests/reference/make_reference_wlsmv_mg_mixed.R
# Writes tests/reference/wlsmv_mg_std/hs5mix_school.csv (the data) and mixed_<case>_{params,fit}.csv.

suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "wlsmv_mg_std")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))

hs <- HolzingerSwineford1939
d <- read.csv(file.path("tests", "reference", "wlsmv_mg", "hs5_school.csv"))
stopifnot(all(d$school == as.character(hs$school)))
for (v in c("x7", "x8", "x9")) d[[v]] <- round(hs[[v]], 6)
write.csv(d, file.path(OUT, "hs5mix_school.csv"), row.names = FALSE)

M <- "visual =~ x1 + x2 + x3
      textual =~ x4 + x5 + x6
      speed =~ x7 + x8 + x9"
ords <- paste0("x", 1:6)
eqs <- list(configural = "", scalar = c("thresholds", "loadings", "intercepts"))
for (par in c("delta", "theta")) {
  for (nm in names(eqs)) {
    fit <- cfa(M, data = d, ordered = ords, estimator = "WLSMV", group = "school",
               group.equal = eqs[[nm]], parameterization = par)
    case <- paste0("mixed_", par, "_", nm)
    pe <- parameterEstimates(fit, standardized = TRUE)
    if (is.null(pe$label)) pe$label <- ""
    write_ref(pe[, c("lhs", "op", "rhs", "group", "label", "est", "se", "std.lv", "std.all", "std.nox")],
              file.path(OUT, paste0(case, "_params.csv")))
    write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
    pt <- parTable(fit)
    write_ref(pt[, c("id", "lhs", "op", "rhs", "group", "free", "ustart", "label", "plabel")],
              file.path(OUT, paste0(case, "_partable.csv")))
  }
}
