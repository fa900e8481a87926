# Reference values from R lavaan 0.6-14 for WLSMV with missing = "pairwise" (egovsem.sem.ordinal's
# pairwise first stage, issue 11): parameterEstimates(fit, standardized = TRUE), fitMeasures(fit),
# lavInspect(fit, "wls.obs") and lavInspect(fit, "gamma") on psych's bfi (data/bfi.csv, written by
# make_reference_bfi.R), whose items have missing values (11 to 36 per item).
#
# Run from the repository root:  Rscript tests/reference/make_reference_wlsmv_pairwise.R
# Writes tests/reference/wlsmv_pairwise/<case>_{params,fit,wlsobs,gamma,info}.csv. Numbers: %.10g, NA = empty.
suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "wlsmv_pairwise")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
BFI <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)

write_pw <- function(case, fit) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (is.null(pe$label)) pe$label <- ""
  write_ref(pe[, c("lhs", "op", "rhs", "label", "est", "se", "z", "pvalue",
                   "ci.lower", "ci.upper", "std.lv", "std.all", "std.nox")],
            file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
  wo <- lavInspect(fit, "wls.obs")
  write_ref(data.frame(name = names(wo), value = as.numeric(wo), stringsAsFactors = FALSE),
            file.path(OUT, paste0(case, "_wlsobs.csv")))
  g <- lavInspect(fit, "gamma")
  write_ref(as.data.frame(unname(g)), file.path(OUT, paste0(case, "_gamma.csv")))
  write_ref(data.frame(key = c("nobs", "ntotal", "converged"),
                       value = c(lavInspect(fit, "nobs"), lavInspect(fit, "ntotal"),
                                 as.numeric(lavInspect(fit, "converged")))),
            file.path(OUT, paste0(case, "_info.csv")))
}

# 1. three factors of the bfi (agreeableness, conscientiousness, neuroticism), 15 six-point items with NAs
M3 <- "A =~ A1 + A2 + A3 + A4 + A5
       C =~ C1 + C2 + C3 + C4 + C5
       N =~ N1 + N2 + N3 + N4 + N5"
write_pw("bfi3", cfa(M3, data = BFI, ordered = TRUE, estimator = "WLSMV", missing = "pairwise"))

# 2. two factors, a regression, std.lv, a subset of rows (the first 600), so that small tables have
#    empty cells and some items more missing values relative to N
M2 <- "E =~ E1 + E2 + E3 + E4 + E5
       O =~ O1 + O2 + O3 + O4 + O5
       O ~ E"
write_pw("bfi2_sem", sem(M2, data = BFI[1:600, ], ordered = TRUE, estimator = "WLSMV", missing = "pairwise",
                         std.lv = TRUE))
