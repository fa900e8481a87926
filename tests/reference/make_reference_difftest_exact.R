# Reference values from lavaan 0.6-14 for lavTestLRT(restricted, free, A.method = "exact") after WLSMV when the
# two models differ by more than their "==" lines (issue 11): group.equal (configural vs loadings vs
# thresholds + loadings), a label shared across groups or within one group, a value fixed in the restricted
# model, in the delta and theta parameterisations, by school and in one group. lavaan's A (lav_test_diff_af_h1)
# is the Jacobian, at the free model's estimates, of the restricted model's equality constraints (its own "=="
# rows and those group.equal and shared labels write, mapped to the free model's parameters by
# lhs/op/rhs/group; those the free model has too are dropped) and of "x = value" for each parameter the
# restricted model fixes and the free one frees. A parameter the free model fixes and the restricted one frees
# (e.g. the delta scale factors and latent means of group 2 once thresholds are equal) is passed over with
# lavaan's warning "fixed parameter in H1 is free in H0".
# Data: data/hs_ordinal.csv (HolzingerSwineford1939's nine tests cut into 4 categories) with school from
# data/HolzingerSwineford1939.csv; ordered = TRUE, estimator = "WLSMV".
# Writes tests/reference/difftest_exact/difftest_exact.csv: per case the scaled difference (Chisq diff), its df,
# p-value, lavaan's scaling a = sqrt(m / tr((UG)^2)) and shift b = m - a tr(UG) (from
# lav_test_diff_Satorra2000, the function lavTestLRT calls), the two models' chisq / df, and the warnings lavaan
# gave (none: a row the free model fixes takes the free model's value in lavaan's map, so the restricted
# model's freed delta scale factors and latent means of group 2 pass silently); and refusals.csv.
# Run from the repository root:  Rscript tests/reference/make_reference_difftest_exact.R
suppressPackageStartupMessages(library(lavaan))
stopifnot(packageVersion("lavaan") == "0.6.14")
OUT <- file.path("tests", "reference", "difftest_exact")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
HSO <- read.csv("data/hs_ordinal.csv", stringsAsFactors = FALSE)
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
HSO$school <- HS$school
HSO$sex <- HS$sex
M3 <- "visual  =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed   =~ x7 + x8 + x9\n"
M3_LAB <- "visual  =~ x1 + c(a, a)*x2 + x3\ntextual =~ x4 + x5 + c(b, b)*x6\nspeed   =~ x7 + x8 + x9\n"
M3_FIX <- "visual  =~ x1 + c(1, 1)*x2 + x3\ntextual =~ x4 + x5 + x6\nspeed   =~ x7 + x8 + x9\n"
M3_EQ <- "visual  =~ x1 + x2 + x3\ntextual =~ x4 + c(t1, t2)*x5 + x6\nspeed   =~ x7 + x8 + x9\nt1 == t2\n"
ONE <- "visual  =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed   =~ x7 + x8 + x9\n"
ONE_LAB <- "visual  =~ x1 + a*x2 + x3\ntextual =~ x4 + a*x5 + x6\nspeed   =~ x7 + x8 + x9\n"
ONE_FIX <- "visual  =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed   =~ x7 + x8 + x9\nvisual ~~ 0.3*speed\n"
M3_X <- paste0(M3, "visual + speed ~ sex\n")
fit_of <- function(model, group.equal = "", parameterization = "delta", one_group = FALSE, group.partial = "") {
  if (one_group) return(cfa(model, data = HSO, ordered = TRUE, estimator = "WLSMV",
                            parameterization = parameterization))
  cfa(model, data = HSO, ordered = TRUE, estimator = "WLSMV", group = "school", group.equal = group.equal,
      group.partial = group.partial, parameterization = parameterization)
}
# case: restricted model, its group.equal, free model, its group.equal, parameterization, one group[, the
# restricted model's group.partial]
cases <- list(
  cfg_vs_loadings = list(M3, "loadings", M3, "", "delta", FALSE),
  loadings_vs_thresholds = list(M3, c("thresholds", "loadings"), M3, "loadings", "delta", FALSE),
  cfg_vs_thresholds = list(M3, c("thresholds", "loadings"), M3, "", "delta", FALSE),
  cfg_vs_shared_labels = list(M3_LAB, "", M3, "", "delta", FALSE),
  cfg_vs_fixed = list(M3_FIX, "", M3, "", "delta", FALSE),
  eq_vs_loadings = list(M3, "loadings", M3_EQ, "", "delta", FALSE),
  theta_cfg_vs_loadings = list(M3, "loadings", M3, "", "theta", FALSE),
  theta_loadings_vs_thresholds = list(M3, c("thresholds", "loadings"), M3, "loadings", "theta", FALSE),
  theta_cfg_vs_shared_labels = list(M3_LAB, "", M3, "", "theta", FALSE),
  theta_one_label = list(ONE_LAB, "", ONE, "", "theta", TRUE),
  theta_one_fixed = list(ONE_FIX, "", ONE, "", "theta", TRUE),
  one_label = list(ONE_LAB, "", ONE, "", "delta", TRUE),
  cfg_vs_loadings_partial = list(M3, "loadings", M3, "", "delta", FALSE, c("visual =~ x2", "speed =~ x9")),
  cov_cfg_vs_loadings = list(M3_X, "loadings", M3_X, "", "delta", FALSE),
  theta_cov_cfg_vs_loadings = list(M3_X, "loadings", M3_X, "", "theta", FALSE))
rows <- list()
for (nm in names(cases)) {
  cs <- cases[[nm]]
  f0 <- fit_of(cs[[1]], cs[[2]], cs[[5]], cs[[6]], if (length(cs) > 6) cs[[7]] else "")
  f1 <- fit_of(cs[[3]], cs[[4]], cs[[5]], cs[[6]])
  stopifnot(lavInspect(f0, "converged"), lavInspect(f1, "converged"))
  warn <- character(0)
  r <- withCallingHandlers(lavTestLRT(f1, f0, A.method = "exact"),
                           warning = function(w) { warn <<- c(warn, conditionMessage(w));
                                                   invokeRestart("muffleWarning") })
  # lavaan's a and b: the same computation lavTestLRT does (lav_test_diff_Satorra2000, A.method = "exact")
  sd <- lavaan:::lav_test_diff_Satorra2000(f1, f0, H1 = TRUE, A.method = "exact", Satterthwaite = TRUE,
                                            scaled.shifted = TRUE)
  stopifnot(abs(sd$T.delta - r[["Chisq diff"]][2]) < 1e-8)
  rows[[nm]] <- data.frame(case = nm, chisq_diff = r[["Chisq diff"]][2], df_diff = r[["Df diff"]][2],
                           pvalue = r[["Pr(>Chisq)"]][2], a = sd$a, b = sd$b,
                           chisq0 = fitMeasures(f0, "chisq"), df0 = fitMeasures(f0, "df"),
                           chisq1 = fitMeasures(f1, "chisq"), df1 = fitMeasures(f1, "df"),
                           warnings = paste(unique(gsub("\\s+", " ", warn)), collapse = " | "),
                           stringsAsFactors = FALSE)
  cat(sprintf("%-30s diff=%.4f df=%d p=%.4g a=%.4f b=%.4f  %s\n", nm, rows[[nm]]$chisq_diff, rows[[nm]]$df_diff,
              rows[[nm]]$pvalue, sd$a, sd$b, rows[[nm]]$warnings))
}
write_ref(do.call(rbind, rows), file.path(OUT, "difftest_exact.csv"))
# a shared label and a nonlinear equality together, against the free model (tests/reference/wlsmv_mg/hs5_school.csv,
# x1..x6 in 5 categories, as make_reference_score_wlsmv_nonlinear.R): refused by egovsem before issue 11
HS5 <- read.csv(file.path("tests", "reference", "wlsmv_mg", "hs5_school.csv"), stringsAsFactors = FALSE)
MG <- "visual  =~ x1 + c(a1, a2)*x2 + c(b1, b2)*x3\ntextual =~ x4 + x5 + x6\n"
MG_SHARED_NL <- "visual  =~ x1 + c(a, a)*x2 + c(b1, b2)*x3\ntextual =~ x4 + x5 + x6\nb2 == b1^2\n"
h0 <- cfa(MG_SHARED_NL, data = HS5, ordered = TRUE, estimator = "WLSMV", group = "school")
h1 <- cfa(MG, data = HS5, ordered = TRUE, estimator = "WLSMV", group = "school")
r <- lavTestLRT(h1, h0, A.method = "exact")
sd <- lavaan:::lav_test_diff_Satorra2000(h1, h0, H1 = TRUE, A.method = "exact", Satterthwaite = TRUE,
                                          scaled.shifted = TRUE)
shared <- data.frame(case = "hs5_shared_nl", chisq_diff = r[["Chisq diff"]][2], df_diff = r[["Df diff"]][2],
                     pvalue = r[["Pr(>Chisq)"]][2], a = sd$a, b = sd$b, stringsAsFactors = FALSE)
print(shared)
write_ref(shared, file.path(OUT, "hs5_shared_nl.csv"))
# what lavaan refuses: models whose parameter rows differ ("unconstrained parameter set is not the same")
err <- function(expr) tryCatch({ force(expr); "" }, error = function(e) conditionMessage(e))
f_extra <- fit_of(paste0(M3, "x1 ~~ x4\n"))
f_cfg <- fit_of(M3)
refusals <- data.frame(case = "extra_row", message = err(lavTestLRT(f_extra, f_cfg, A.method = "exact")),
                       stringsAsFactors = FALSE)
print(refusals)
write_ref(refusals, file.path(OUT, "refusals.csv"))
# ML with the Satorra-Bentler test (estimator = "MLM") on HolzingerSwineford1939 (continuous x1..x9):
# lavTestLRT(free, restricted, method = "satorra.2000", A.method = "exact"), scaled and shifted (lavTestLRT's
# default scaled.shifted = TRUE: a, b) and, with scaled.shifted = FALSE, the mean-scaled difference
# (T0 - T1) / cd with cd = tr(UG) / m (lavaan's "scaling.factor"), and A.method = "delta" (scaled and
# shifted: chisq_diff_delta, a_delta, b_delta); ml_satorra2000.csv
HSC <- HS
ml_of <- function(model, group = NULL, group.equal = "")
  cfa(model, data = HSC, estimator = "MLM", group = group, group.equal = group.equal)
ml_cases <- list(
  ml_cfg_vs_loadings = list(ml_of(M3, "school", "loadings"), ml_of(M3, "school")),
  ml_loadings_vs_intercepts = list(ml_of(M3, "school", c("loadings", "intercepts")), ml_of(M3, "school", "loadings")),
  ml_one_label = list(ml_of(ONE_LAB), ml_of(M3)),
  ml_one_fixed = list(ml_of(ONE_FIX), ml_of(M3)))
ml_rows <- list()
for (nm in names(ml_cases)) {
  f0 <- ml_cases[[nm]][[1]]; f1 <- ml_cases[[nm]][[2]]
  stopifnot(lavInspect(f0, "converged"), lavInspect(f1, "converged"))
  ss <- lavTestLRT(f1, f0, method = "satorra.2000", A.method = "exact")
  sc <- lavTestLRT(f1, f0, method = "satorra.2000", A.method = "exact", scaled.shifted = FALSE)
  sd <- lavaan:::lav_test_diff_Satorra2000(f1, f0, H1 = TRUE, A.method = "exact", Satterthwaite = FALSE,
                                            scaled.shifted = FALSE)
  sh <- lavaan:::lav_test_diff_Satorra2000(f1, f0, H1 = TRUE, A.method = "exact", scaled.shifted = TRUE)
  dl <- lavaan:::lav_test_diff_Satorra2000(f1, f0, H1 = TRUE, A.method = "delta", scaled.shifted = TRUE)
  sd_ <- lavTestLRT(f1, f0, method = "satorra.2000")  # A.method = "delta", lavTestLRT's default
  stopifnot(abs(dl$T.delta - sd_[["Chisq diff"]][2]) < 1e-8)
  ml_rows[[nm]] <- data.frame(case = nm, chisq_diff = ss[["Chisq diff"]][2], df_diff = ss[["Df diff"]][2],
                              pvalue = ss[["Pr(>Chisq)"]][2], a = sh$a, b = sh$b, chisq_diff_scaled = sc[["Chisq diff"]][2],
                              pvalue_scaled = sc[["Pr(>Chisq)"]][2], scaling_factor = sd$scaling.factor,
                              chisq_diff_delta = dl$T.delta, pvalue_delta = sd_[["Pr(>Chisq)"]][2], a_delta = dl$a,
                              b_delta = dl$b,
                              chisq0 = fitMeasures(f0, "chisq"), df0 = fitMeasures(f0, "df"),
                              chisq1 = fitMeasures(f1, "chisq"), df1 = fitMeasures(f1, "df"), stringsAsFactors = FALSE)
  stopifnot(abs(sd$T.delta - sc[["Chisq diff"]][2]) < 1e-8, abs(sh$T.delta - ss[["Chisq diff"]][2]) < 1e-8)
}
ml <- do.call(rbind, ml_rows)
print(ml)
write_ref(ml, file.path(OUT, "ml_satorra2000.csv"))
