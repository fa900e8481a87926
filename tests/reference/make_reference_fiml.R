# Reference values from lavaan for FIML (missing = "ml") and MLR (issue 3).
# Run from the repository root:  Rscript tests/reference/make_reference_fiml.R
# Writes data/hs_missing10.csv (HolzingerSwineford1939 with about 10% of the x1-x9 cells deleted
# completely at random, seed 2027) and tests/reference/fiml/<case>_{params,fit,r2,info}.csv.
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "fiml")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
source(file.path("tests", "reference", "_models.R"))

HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
PD <- read.csv("data/PoliticalDemocracy.csv", stringsAsFactors = FALSE)
xv <- paste0("x", 1:9)

set.seed(2027)
HSM <- HS
M <- as.matrix(HSM[, xv])
cells <- sample.int(length(M), round(0.10 * length(M)))
M[cells] <- NA
HSM[, xv] <- M
write.csv(HSM, "data/hs_missing10.csv", row.names = FALSE)
HSM <- read.csv("data/hs_missing10.csv", stringsAsFactors = FALSE)

PD_IND <- '
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + y2 + y3 + y4
  dem65 =~ y5 + y6 + y7 + y8
  dem60 ~ a*ind60
  dem65 ~ c*ind60 + b*dem60
  y1 ~~ y5
  y2 ~~ y4 + y6
  y3 ~~ y7
  y4 ~~ y8
  y6 ~~ y8
  ab := a*b
'
write_fiml_case <- function(case, res) {
  fit <- res$fit
  cat(sprintf("%-18s converged=%s npar=%d\n", case, lavInspect(fit, "converged"), lavInspect(fit, "npar")))
  write_ref(info_table(fit, res$warnings), file.path(OUT, paste0(case, "_info.csv")))
  write_ref(params_table(fit), file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
  write_ref(r2_table(fit), file.path(OUT, paste0(case, "_r2.csv")))
}

write_fiml_case("hs_fiml",      run_fit(cfa(HS_CFA, data = HSM, missing = "ml")))
write_fiml_case("hs_fiml_mlr",  run_fit(cfa(HS_CFA, data = HSM, missing = "ml", estimator = "MLR")))
write_fiml_case("hs_mlr",       run_fit(cfa(HS_CFA, data = HS, estimator = "MLR")))
write_fiml_case("pd_mlr",       run_fit(sem(PD_SEM, data = PD, estimator = "MLR")))
write_fiml_case("pd_ind_mlr",   run_fit(sem(PD_IND, data = PD, estimator = "MLR")))
write_fiml_case("hs_fiml_std",  run_fit(cfa(HS_CFA, data = HSM, missing = "ml", std.lv = TRUE)))
# FIML with an exogenous observed covariate (fixed.x = TRUE; ageyr has no missing values)
HS_X <- '
  visual  =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  visual ~ ageyr
  textual ~ ageyr + visual
'
write_fiml_case("hs_fiml_x",     run_fit(sem(HS_X, data = HSM, missing = "ml")))
write_fiml_case("hs_fiml_x_mlr", run_fit(sem(HS_X, data = HSM, missing = "ml", estimator = "MLR")))

# the missing-data summaries lavaan gives: coverage and patterns; and modindices() after FIML
fit <- cfa(HS_CFA, data = HSM, missing = "ml")
write_ref(as.data.frame(modindices(fit)), file.path(OUT, "hs_fiml_modindices.csv"))
# lavaan's modindices() after MLR fits (expected information, ML score)
write_ref(as.data.frame(modindices(cfa(HS_CFA, data = HS, estimator = "MLR"))), file.path(OUT, "hs_mlr_modindices.csv"))
write_ref(as.data.frame(modindices(cfa(HS_CFA, data = HSM, missing = "ml", estimator = "MLR"))),
          file.path(OUT, "hs_fiml_mlr_modindices.csv"))
cov <- lavInspect(fit, "coverage")
write_ref(data.frame(row = rownames(cov), cov, check.names = FALSE), file.path(OUT, "hs_fiml_coverage.csv"))
pat <- lavInspect(fit, "patterns")
write.csv(data.frame(pat * 1L, check.names = FALSE), file.path(OUT, "hs_fiml_patterns.csv"), row.names = FALSE)
h1 <- lavInspect(fit, "sampstat.h1")
write_ref(data.frame(row = rownames(h1$cov), unclass(h1$cov), check.names = FALSE), file.path(OUT, "hs_fiml_h1_cov.csv"))
write_ref(data.frame(var = names(h1$mean), mean = as.numeric(h1$mean)), file.path(OUT, "hs_fiml_h1_mean.csv"))
cat("done; lavaan", as.character(packageVersion("lavaan")), "\n")

# Little's (1988) MCAR statistic written out in R from lavaan's EM estimates (an implementation of the
# published formula independent of egovsem's), for tests/test_sem_fiml_mlr.py
X <- as.matrix(HSM[, xv])
mu <- h1$mean; S <- h1$cov
R <- is.na(X) * 1L
key <- apply(R, 1, paste, collapse = "")
d2 <- 0; dfl <- -ncol(X)
for (k in unique(key)) {
  rows <- X[key == k, , drop = FALSE]
  o <- which(!is.na(rows[1, ]))
  if (length(o) == 0) next
  dif <- colMeans(rows[, o, drop = FALSE]) - mu[o]
  d2 <- d2 + nrow(rows) * as.numeric(t(dif) %*% solve(S[o, o, drop = FALSE], dif))
  dfl <- dfl + length(o)
}
write_ref(data.frame(statistic = d2, df = dfl, pvalue = pchisq(d2, dfl, lower.tail = FALSE),
                     n_patterns = length(unique(key))), file.path(OUT, "hs_fiml_little_mcar.csv"))
