# Reference values for ordinal reliability (issue 12): categorical omega (Green & Yang 2009) and ordinal
# alpha, as semTools 0.5-6's compRelSEM() computes them on a WLSMV fit (lavaan 0.6-14).
# Run from the repository root:  Rscript tests/reference/make_reference_reliability_ordinal.R
#
# Data: psych's bfi (data/bfi.csv, written by make_reference_bfi.R), complete rows of the items used;
#   6-point Likert items (1-6).
# Cases (cfa(..., ordered = TRUE), estimator WLSMV):
#   ac     : A =~ A1..A5, C =~ C1..C5 (A1, C4, C5 reverse-keyed: negative loadings), delta parameterisation
#   ac_pos : A =~ A2..A5, C =~ C1..C3 (positively keyed items only), delta parameterisation
# For each case <case>.csv has one row per factor and the columns
#   omega          compRelSEM(fit)                         (ord.scale = TRUE: Green & Yang's categorical omega,
#                                                            denominator from the sample polychorics)
#   omega_implied  compRelSEM(fit, obs.var = FALSE)        (denominator from the model-implied correlations)
#   omega_latent   compRelSEM(fit, ord.scale = FALSE)      (omega of the latent responses)
#   alpha_ordinal  compRelSEM(fit, tau.eq = TRUE, ord.scale = FALSE)   (alpha of the polychoric matrix:
#                                                            Zumbo, Gadermann & Zeisser's 2007 ordinal alpha)
#   alpha_raw      compRelSEM(fit, tau.eq = TRUE)          (semTools: coefficient alpha of the item codes)
# (egovsem fits the delta parameterisation only; under parameterization = "theta" semTools' omega was the
# same, 0.7404855, as Green & Yang's omega must be.)
suppressPackageStartupMessages({ library(lavaan); library(semTools) })
stopifnot(packageVersion("lavaan") == "0.6.14", packageVersion("semTools") == "0.5.6")
source("tests/reference/_ref_helpers.R")
OUT <- "tests/reference/reliability_ordinal"
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
BFI <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)

cases <- list(
  ac = list(model = "A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5\n", param = "delta"),
  ac_pos = list(model = "A =~ A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3\n", param = "delta"))
for (case in names(cases)) {
  cs <- cases[[case]]
  items <- lavNames(lavaanify(cs$model), "ov")
  d <- BFI[complete.cases(BFI[, items]), items]
  fit <- cfa(cs$model, data = d, ordered = items, parameterization = cs$param)
  stopifnot(lavInspect(fit, "converged"))
  r <- data.frame(construct = c("A", "C"),
                  n_items = c(sum(grepl("^A", items)), sum(grepl("^C", items))),
                  omega = as.numeric(compRelSEM(fit)),
                  omega_implied = as.numeric(compRelSEM(fit, obs.var = FALSE)),
                  omega_latent = as.numeric(compRelSEM(fit, ord.scale = FALSE)),
                  alpha_ordinal = as.numeric(compRelSEM(fit, tau.eq = TRUE, ord.scale = FALSE)),
                  alpha_raw = as.numeric(compRelSEM(fit, tau.eq = TRUE)),
                  nobs = nobs(fit), stringsAsFactors = FALSE)
  writeLines(cs$model, file.path(OUT, paste0(case, ".lav")))
  write_ref(r, file.path(OUT, paste0(case, ".csv")))
  print(case); print(r)
}
