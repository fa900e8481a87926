# Reference values from R lavaan 0.6-14 for the standardized solution, defined parameters and R-squared
# of multi-group WLSMV fits (egovsem.sem.wls_mg): parameterEstimates(fit, standardized = TRUE,
# rsquare = TRUE) and lavInspect(fit, "r2") of
# cfa(M, ordered = TRUE, estimator = "WLSMV", group = "school", group.equal = ..., parameterization = ...)
# on HolzingerSwineford1939's x1..x6 cut into 5 categories at the pooled quantiles (the data file of
# make_reference_wlsmv_multigroup.R, tests/reference/wlsmv_mg/hs5_school.csv).
#
# The model has a label shared by both groups (l2: an equality), per-group labels c(b1, b2) on a
# regression, and ':=' rows built from them (delta-method SEs).
#
# Run from the repository root:  Rscript tests/reference/make_reference_wlsmv_mg_std.R
# Writes tests/reference/wlsmv_mg_std/<case>_{params,r2}.csv.

suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "wlsmv_mg_std")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))

d <- read.csv(file.path("tests", "reference", "wlsmv_mg", "hs5_school.csv"))
M <- "visual =~ x1 + l2*x2 + x3
      textual =~ x4 + x5 + x6
      textual ~ c(b1, b2)*visual
      bdiff := b1 - b2
      l2b := l2*b1
      b2sq := b2^2"
eqs <- list(configural = "", scalar = c("thresholds", "loadings", "intercepts"))
for (par in c("delta", "theta")) {
  for (nm in names(eqs)) {
    fit <- cfa(M, data = d, ordered = TRUE, estimator = "WLSMV", group = "school",
               group.equal = eqs[[nm]], parameterization = par)
    case <- paste0(par, "_", nm)
    pe <- parameterEstimates(fit, standardized = TRUE, rsquare = TRUE)
    if (is.null(pe$label)) pe$label <- ""
    write_ref(pe[, c("lhs", "op", "rhs", "group", "label", "est", "se", "std.lv", "std.all", "std.nox")],
              file.path(OUT, paste0(case, "_params.csv")))
    r2 <- lavInspect(fit, "r2")
    tab <- do.call(rbind, lapply(seq_along(r2), function(g)
      data.frame(group = g, variable = names(r2[[g]]), r2 = as.numeric(r2[[g]]), stringsAsFactors = FALSE)))
    write_ref(tab, file.path(OUT, paste0(case, "_r2.csv")))
  }
}

# lavaan's printed summary(fit, fit.measures = TRUE, standardized = TRUE, rsquare = TRUE) of two cases
for (par in c("delta", "theta")) {
  fit <- cfa(M, data = d, ordered = TRUE, estimator = "WLSMV", group = "school",
             group.equal = eqs[["scalar"]], parameterization = par)
  txt <- capture.output(summary(fit, fit.measures = TRUE, standardized = TRUE, rsquare = TRUE))
  txt <- sub("[[:space:]]+$", "", txt)
  writeLines(c(paste0("# lavaan ", packageVersion("lavaan"), ": ", par, "_scalar"), txt),
             file.path(OUT, paste0(par, "_scalar_summary.txt")))
}

# a category that one group never uses: x1's top category recoded to 4 in Grant-White (group 2 in
# lavaan's order); lavaan stops with an error naming the item, the group and the frequencies
d_empty <- d
d_empty$x1[d_empty$school == "Grant-White" & d_empty$x1 == 5] <- 4
M0 <- "visual =~ x1 + x2 + x3
       textual =~ x4 + x5 + x6"
for (ge in list("", c("thresholds", "loadings"))) {
  msg <- tryCatch({
    cfa(M0, data = d_empty, ordered = TRUE, estimator = "WLSMV", group = "school", group.equal = ge)
    "no error"
  }, error = function(e) conditionMessage(e))
  cat(paste0(paste(ge, collapse = "+"), "\t", msg, "\n"),
      file = file.path(OUT, "empty_category_lavaan.txt"), append = !identical(ge, ""))
}

# per-group fixed values and labels: x5's loading free in group 1 and fixed to 0.9 in group 2, x6's
# labelled a1 and a2 (lavaan reads c(a1, 0.9) as two labels, so values and labels are in separate c()s)
MF <- "visual =~ x1 + x2 + x3
       textual =~ x4 + c(NA, 0.9)*x5 + c(a1, a2)*x6
       d6 := a1 - a2"
fit <- cfa(MF, data = d, ordered = TRUE, estimator = "WLSMV", group = "school")
pe <- parameterEstimates(fit, standardized = TRUE)
if (is.null(pe$label)) pe$label <- ""
write_ref(pe[, c("lhs", "op", "rhs", "group", "label", "est", "se", "std.lv", "std.all", "std.nox")],
          file.path(OUT, "pergroup_fixed_params.csv"))
write_ref(fit_table(fit), file.path(OUT, "pergroup_fixed_fit.csv"))
