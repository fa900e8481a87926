# Reference values from R lavaan (ML, single group) for the egovsem engine.
#
# Run from the repository root:
#     Rscript tests/reference/make_reference_ml.R
#
# Reads the datasets from data/*.csv (so that Python and R use exactly the
# same bytes) and writes tests/reference/ml/<case>_{params,fit,modindices,
# r2,info}.csv.  All numbers are written with sprintf("%.10g"); NA is written
# as an empty field.  Also (re)writes data/hs_missing.csv (seeded).

suppressPackageStartupMessages(library(lavaan))

if (!file.exists("data/HolzingerSwineford1939.csv")) {
  stop("run from the repository root (data/HolzingerSwineford1939.csv not found)")
}

OUT <- file.path("tests", "reference", "ml")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)

HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
PD <- read.csv("data/PoliticalDemocracy.csv", stringsAsFactors = FALSE)

source(file.path("tests", "reference", "_ref_helpers.R"))
source(file.path("tests", "reference", "_models.R"))

# ------------------------------------------------------------------ models --

# equality labels use d/e/f so they do not clash with the path labels a/b/c
PD_INDIRECT_EQ <- '
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + d*y2 + e*y3 + f*y4
  dem65 =~ y5 + d*y6 + e*y7 + f*y8
  dem60 ~ a*ind60
  dem65 ~ c*ind60 + b*dem60
  y1 ~~ y5
  y2 ~~ y4 + y6
  y3 ~~ y7
  y4 ~~ y8
  y6 ~~ y8
  ab := a*b
  total := c + a*b
'

PATH_FIXEDX <- '
  x4 ~ x1 + x2
  x5 ~ x4 + x3
  x6 ~ x5
'

PATH_TWO_Y <- '
  x4 ~ x1 + x2
  x5 ~ x1 + x3
'

SEM_TWO_ENDO_LV <- '
  visual  =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  speed   =~ x7 + x8 + x9
  textual ~ visual
  speed   ~ visual
'

# 'speed' measured by only two indicators (x7, x9), full sample
# -> negative residual variance of x9 (Heywood case)
HS_HEYWOOD <- '
  visual =~ x1 + x2 + x3
  speed  =~ x7 + x9
'

HS_ORDERED_EXO <- '
  visual  =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  visual  ~ ageyr
  textual ~ ageyr + visual
'

# ------------------------------------------------------------------- cases --

write_case("hs_cfa",       run_fit(cfa(HS_CFA, data = HS)))
write_case("hs_cfa_stdlv", run_fit(cfa(HS_CFA, data = HS, std.lv = TRUE)))
write_case("hs_cfa_means", run_fit(cfa(HS_CFA, data = HS, meanstructure = TRUE)))
write_case("pd_sem",         run_fit(sem(PD_SEM, data = PD)))
write_case("pd_indirect",    run_fit(sem(PD_INDIRECT, data = PD)))
write_case("pd_indirect_eq", run_fit(sem(PD_INDIRECT_EQ, data = PD)))
write_case("path_fixedx",     run_fit(sem(PATH_FIXEDX, data = HS)))
write_case("path_two_y",      run_fit(sem(PATH_TWO_Y, data = HS)))
write_case("sem_two_endo_lv", run_fit(sem(SEM_TWO_ENDO_LV, data = HS)))
write_case("hs_nonconv",
           run_fit(cfa(HS_CFA, data = HS, control = list(iter.max = 2))),
           info_only = TRUE)

write_case("hs_heywood", run_fit(cfa(HS_HEYWOOD, data = HS)))

write_case("hs_ordered_exo", run_fit(sem(HS_ORDERED_EXO, data = HS)))

# -- missing data (listwise): damage ~5% of the x1-x9 cells, seeded
set.seed(2026)
HSM <- HS
xv <- paste0("x", 1:9)
ncell <- nrow(HSM) * length(xv)
nmiss <- round(0.05 * ncell)
cells <- sample.int(ncell, nmiss)
M <- as.matrix(HSM[, xv])
M[cells] <- NA
HSM[, xv] <- M
write.csv(HSM, "data/hs_missing.csv", row.names = FALSE)
HSM <- read.csv("data/hs_missing.csv", stringsAsFactors = FALSE)
n_complete <- sum(complete.cases(HSM[, xv]))
res <- run_fit(cfa(HS_CFA, data = HSM, missing = "listwise"))
write_case("hs_missing_listwise", res,
           extra = list(n_rows_data = nrow(HSM),
                        n_missing_cells = sum(is.na(HSM[, xv])),
                        n_complete_rows = n_complete,
                        n_dropped_rows = nrow(HSM) - lavInspect(res$fit, "nobs")))

cat("done; lavaan", as.character(packageVersion("lavaan")), "\n")
