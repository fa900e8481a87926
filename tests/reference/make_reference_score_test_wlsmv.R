# lavTestScore() after multi-group WLSMV (lavaan 0.6-14): $test and $uni for releasing the group.equal
# constraints, on tests/reference/wlsmv_mg/hs5_school.csv (HS x1..x6 in 5 categories, by school).
# Run from the repository root:  Rscript tests/reference/make_reference_score_test_wlsmv.R
# Writes tests/reference/score_test_wlsmv/<case>_{test,uni,partable}.csv.
suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "score_test_wlsmv")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
d <- read.csv(file.path("tests", "reference", "wlsmv_mg", "hs5_school.csv"))
M <- "visual =~ x1 + x2 + x3
      textual =~ x4 + x5 + x6"
cases <- list(delta_loadings = list(c("thresholds", "loadings"), "delta"),
              theta_loadings = list(c("thresholds", "loadings"), "theta"),
              delta_loadingsonly = list("loadings", "delta"))
for (nm in names(cases)) {
  fit <- cfa(M, data = d, ordered = TRUE, estimator = "WLSMV", group = "school",
             group.equal = cases[[nm]][[1]], parameterization = cases[[nm]][[2]])
  st <- lavTestScore(fit)
  write_ref(as.data.frame(st$test), file.path(OUT, paste0(nm, "_test.csv")))
  write_ref(as.data.frame(st$uni), file.path(OUT, paste0(nm, "_uni.csv")))
  pt <- parTable(fit)
  write_ref(pt[, c("id", "lhs", "op", "rhs", "group", "free", "plabel")], file.path(OUT, paste0(nm, "_partable.csv")))
}
