# Reference values for modification indices after multi-group and theta-parameterised WLSMV fits (issue 11):
# lavaan 0.6-14's modindices() on cfa(..., ordered = TRUE, estimator = "WLSMV") of
# tests/reference/wlsmv_mg/hs5_school.csv (HolzingerSwineford1939 x1..x6 cut into 5 categories, by school) and,
# in one group with parameterization = "theta", data/hs_ordinal.csv; with and without explicit constraints;
# pw_mg_eq: psych's bfi (data/bfi.csv, A1-A5 and N1-N5 with their missing values) by gender, missing = "pairwise".
# Run from the repository root:  Rscript tests/reference/make_reference_modindices_wlsmv_mg.R
# Outputs (tests/reference/modindices_wlsmv_mg/): <case>.lav, <case>_mi.csv (lhs op rhs [group] mi epc sepc.lv
#   sepc.all sepc.nox, lavaan's order), <case>_fit.csv (chisq, df).
suppressPackageStartupMessages(library(lavaan))
stopifnot(packageVersion("lavaan") == "0.6.14")
source("tests/reference/_ref_helpers.R")
OUT <- "tests/reference/modindices_wlsmv_mg"
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
DATA <- lapply(c(HS5 = "tests/reference/wlsmv_mg/hs5_school.csv", HSO = "data/hs_ordinal.csv", BFI = "data/bfi.csv"),
               read.csv, stringsAsFactors = FALSE)
M2 <- "A =~ A1 + A2 + A3 + A4 + A5\nN =~ N1 + c(n1, n2)*N2 + N3 + N4 + N5\n"
MG <- "visual  =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\n"
MGC <- "visual  =~ x1 + c(a1, a2)*x2 + c(b1, b2)*x3\ntextual =~ x4 + x5 + x6\n"
ONE <- "visual  =~ x1 + a*x2 + b*x3\ntextual =~ x4 + x5 + x6\nspeed   =~ x7 + x8 + x9\n"
cases <- list(
  mg = list(MG, "delta", "school", ""),
  mg_ge = list(MG, "delta", "school", c("thresholds", "loadings")),
  mg_eq = list(paste0(MGC, "a1 == a2\nb2 == 1.1*b1\n"), "delta", "school", ""),
  theta_mg = list(MG, "theta", "school", ""),
  theta_mg_eq = list(paste0(MGC, "a1 == a2\n"), "theta", "school", ""),
  theta = list(ONE, "theta", NULL, ""),
  theta_eq = list(paste0(ONE, "a == b\n"), "theta", NULL, ""),
  pw_mg_eq = list(paste0(M2, "n1 == n2\n"), "delta", "gender", ""))
for (case in names(cases)) {
  cs <- cases[[case]]
  pw <- startsWith(case, "pw_")  # psych's bfi (data/bfi.csv), missing = "pairwise", by gender
  fit <- cfa(cs[[1]], data = DATA[[if (pw) "BFI" else if (is.null(cs[[3]])) "HSO" else "HS5"]], ordered = TRUE,
             estimator = "WLSMV", group = cs[[3]], parameterization = cs[[2]], group.equal = cs[[4]],
             missing = if (pw) "pairwise" else "listwise")
  stopifnot(lavInspect(fit, "converged"))
  mi <- as.data.frame(modindices(fit))
  cols <- intersect(c("lhs", "op", "rhs", "group", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox"), names(mi))
  writeLines(cs[[1]], file.path(OUT, paste0(case, ".lav")))
  write_ref(mi[, cols], file.path(OUT, paste0(case, "_mi.csv")))
  fm <- fitMeasures(fit, c("chisq", "df"))
  write_ref(data.frame(measure = names(fm), value = as.numeric(fm), stringsAsFactors = FALSE),
            file.path(OUT, paste0(case, "_fit.csv")))
  cat(case, nrow(mi), "rows; largest:", format(max(mi$mi)), "; chisq", fm[["chisq"]], "df", fm[["df"]], "\n")
}
