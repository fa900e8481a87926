# Reference values from lavaan on psych's bfi (issue 10, item 2): models whose first indicators are
# reverse-keyed (A1, E1, C4/C5, O2/O5 load negatively), where the start values decide whether a fit
# converges, and lavaan's own start values for those models and for the HS/PD models of the other tests.
# Run from the repository root:  Rscript tests/reference/make_reference_bfi.R
# Writes data/bfi.csv (psych::bfi, written as write.csv(psych::bfi, row.names = FALSE); the row names,
# SAPA respondent ids, are left out) and tests/reference/bfi/<case>_{params,fit,info,start}.csv.
suppressMessages({
  library(lavaan)
  library(psych)
})
OUT <- file.path("tests", "reference", "bfi")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
source(file.path("tests", "reference", "_models.R"))

write.csv(psych::bfi, "data/bfi.csv", row.names = FALSE)
BFI <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
HSM <- read.csv("data/hs_missing10.csv", stringsAsFactors = FALSE)
PD <- read.csv("data/PoliticalDemocracy.csv", stringsAsFactors = FALSE)

# the five factors with the items in their natural order: A1 and E1 (reverse-keyed) are the markers
BFI5 <- '
  A =~ A1 + A2 + A3 + A4 + A5
  C =~ C1 + C2 + C3 + C4 + C5
  E =~ E1 + E2 + E3 + E4 + E5
  N =~ N1 + N2 + N3 + N4 + N5
  O =~ O1 + O2 + O3 + O4 + O5
'
# a second-order factor; every marker freed (NA*), the scales set by unit (residual) variances of the
# factors, user start values on two loadings, and intercepts requested with ~ 1 (a mean structure)
BFI_2ND <- '
  g =~ NA*A + start(1)*C + E + N + O
  g ~~ 1*g
  A =~ NA*A1 + start(0.5)*A2 + A3 + A4 + A5
  C =~ NA*C1 + C2 + C3 + C4 + C5
  E =~ NA*E1 + E2 + E3 + E4 + E5
  N =~ NA*N1 + N2 + N3 + N4 + N5
  O =~ NA*O1 + O2 + O3 + O4 + O5
  A ~~ 1*A
  C ~~ 1*C
  E ~~ 1*E
  N ~~ 1*N
  O ~~ 1*O
  A1 + C1 ~ 1
'
# a path model without latent variables (lavaan starts its regressions at OLS)
PATH_OLS <- '
  x3 ~ x1 + x2
  x6 ~ x3 + x4
'

# parameterEstimates() with a group column (single group: 1), fitMeasures(), info (iterations, nobs)
bfi_case <- function(case, res) {
  fit <- res$fit
  cat(sprintf("%-14s converged=%s iterations=%d chisq=%.3f df=%d\n", case, lavInspect(fit, "converged"),
              lavInspect(fit, "iterations"), fitMeasures(fit, "chisq"), as.integer(fitMeasures(fit, "df"))))
  if (length(res$warnings)) cat("   warnings:", res$warnings, sep = "\n   ")
  write_ref(info_table(fit, res$warnings), file.path(OUT, paste0(case, "_info.csv")))
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (is.null(pe$label)) pe$label <- ""
  if (is.null(pe$group)) pe$group <- 1L
  write_ref(pe[, c("lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue", "ci.lower", "ci.upper",
                   "std.lv", "std.all", "std.nox")], file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
  start_case(case, fit)
  invisible(fit)
}

# lavaan's start values: parTable(fit)$start, per row (the '==' rows of group.equal left out)
start_case <- function(case, fit) {
  pt <- parTable(fit)
  keep <- pt$op != "=="
  write_ref(data.frame(lhs = pt$lhs, op = pt$op, rhs = pt$rhs, group = pt$group, free = pt$free,
                       start = pt$start, stringsAsFactors = FALSE)[keep, ],
            file.path(OUT, paste0(case, "_start.csv")))
}

bfi_case("bfi_ml",   run_fit(cfa(BFI5, data = BFI)))
bfi_case("bfi_mlr",  run_fit(cfa(BFI5, data = BFI, estimator = "MLR")))
bfi_case("bfi_fiml", run_fit(cfa(BFI5, data = BFI, missing = "ml")))
mg <- bfi_case("bfi_mg", run_fit(cfa(BFI5, data = BFI, group = "gender", group.equal = c("loadings", "intercepts"))))
write_ref(data.frame(group = lavInspect(mg, "group.label"), nobs = unlist(lavInspect(mg, "nobs"))),
          file.path(OUT, "bfi_mg_groups.csv"))
bfi_case("bfi_2nd",  run_fit(sem(BFI_2ND, data = BFI)))

# start values only (no fit needed): the models of the other reference tests
start_case("bfi_stdlv", cfa(BFI5, data = BFI, std.lv = TRUE, do.fit = FALSE))
start_case("hs_cfa",    cfa(HS_CFA, data = HS, do.fit = FALSE))
start_case("hs_stdlv",  cfa(HS_CFA, data = HS, std.lv = TRUE, do.fit = FALSE))
start_case("hs_fiml",   cfa(HS_CFA, data = HSM, missing = "ml", do.fit = FALSE))
start_case("hs_scalar", cfa(HS_CFA, data = HS, group = "school", group.equal = c("loadings", "intercepts"),
                            do.fit = FALSE))
start_case("pd_sem",    sem(PD_SEM, data = PD, do.fit = FALSE))
start_case("hs_2ind",   cfa('visual =~ x1 + x2 + x3\n speed =~ x7 + x9\n single =~ x5', data = HS, do.fit = FALSE))
start_case("path_ols",  sem(PATH_OLS, data = HS, do.fit = FALSE))
cat("done; lavaan", as.character(packageVersion("lavaan")), "psych", as.character(packageVersion("psych")), "\n")
