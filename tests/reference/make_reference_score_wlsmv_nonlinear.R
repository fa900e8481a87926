# Reference values from lavaan 0.6-14 for lavTestScore() after multi-group and theta WLSMV fits with nonlinear
# equality constraints (b2 == b1^2), and what lavTestScore() / lavTestLRT() do with inequality and nonlinear
# constraints (issue 11). Data: tests/reference/wlsmv_mg/hs5_school.csv (HolzingerSwineford1939 x1..x6 cut into
# 5 categories, by school) and data/hs_ordinal.csv (the nine tests in 4 categories, one group);
# ordered = TRUE, estimator = "WLSMV".
# lavTestScore: lavaan's constraints are the "==" rows of its parTable (shared labels as .pN. == .pM., then the
# model's own); R is con.jac, the Jacobian of the constraints at the estimates (for b2 == b1^2: -2 b1 and 1).
# Writes tests/reference/score_wlsmv_nonlinear/<case>_{model.lav,test,uni,release1,fit}.csv, and refusals.csv:
# lavaan's error message for each combination it refuses (lavTestScore with inequalities; lavTestLRT's default
# method = "satorra.2000", A.method = "delta", which fails when a model has nonlinear equalities or
# inequalities: its Delta reduction uses only eq.constraints.K, which lavaan forms for linear equalities alone).
# Run from the repository root:  Rscript tests/reference/make_reference_score_wlsmv_nonlinear.R
suppressPackageStartupMessages(library(lavaan))
stopifnot(packageVersion("lavaan") == "0.6.14")
OUT <- file.path("tests", "reference", "score_wlsmv_nonlinear")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
HS5 <- read.csv(file.path("tests", "reference", "wlsmv_mg", "hs5_school.csv"), stringsAsFactors = FALSE)
HSO <- read.csv("data/hs_ordinal.csv", stringsAsFactors = FALSE)
MG <- "visual  =~ x1 + c(a1, a2)*x2 + c(b1, b2)*x3\ntextual =~ x4 + x5 + x6\n"
ONE <- "visual  =~ x1 + a*x2 + b*x3\ntextual =~ x4 + c*x5 + d*x6\nspeed   =~ x7 + x8 + x9\n"
fit_of <- function(model, parameterization = "delta", one_group = FALSE) {
  if (one_group) return(cfa(model, data = HSO, ordered = TRUE, estimator = "WLSMV",
                            parameterization = parameterization))
  cfa(model, data = HS5, ordered = TRUE, estimator = "WLSMV", group = "school", parameterization = parameterization)
}
cases <- list(
  mg_nl = list(paste0(MG, "b2 == b1^2\n"), "delta", FALSE),
  mg_nl_lin = list(paste0(MG, "a1 == a2\nb2 == b1^2\n"), "delta", FALSE),
  theta_mg_nl = list(paste0(MG, "b2 == b1^2\n"), "theta", FALSE),
  theta_nl = list(paste0(ONE, "d == c^2\n"), "theta", TRUE),
  theta_nl_lin = list(paste0(ONE, "a == b\nd == c^2\n"), "theta", TRUE))
for (nm in names(cases)) {
  cs <- cases[[nm]]
  fit <- fit_of(cs[[1]], cs[[2]], cs[[3]])
  stopifnot(lavInspect(fit, "converged"))
  writeLines(cs[[1]], file.path(OUT, paste0(nm, "_model.lav")))
  st <- suppressWarnings(lavTestScore(fit))
  write_ref(as.data.frame(st$test), file.path(OUT, paste0(nm, "_test.csv")))
  write_ref(as.data.frame(st$uni), file.path(OUT, paste0(nm, "_uni.csv")))
  st1 <- suppressWarnings(lavTestScore(fit, release = 1))
  write_ref(as.data.frame(st1$test), file.path(OUT, paste0(nm, "_release1.csv")))
  fm <- fitMeasures(fit, c("chisq", "df", "chisq.scaled"))
  write_ref(data.frame(measure = names(fm), value = as.numeric(fm), stringsAsFactors = FALSE),
            file.path(OUT, paste0(nm, "_fit.csv")))
  cat(sprintf("%-12s chisq=%.4f df=%d score X2=%.4f df=%d\n", nm, fm[["chisq"]], fm[["df"]], st$test$X2,
              st$test$df))
}
# what lavaan refuses
err <- function(expr) tryCatch({ force(expr); "" }, error = function(e) conditionMessage(e))
MG_INEQ <- "visual  =~ x1 + c(a1, a2)*x2 + x3\ntextual =~ x4 + c(t1, t2)*x5 + x6\na1 > 0.9\nt2 < t1\n"
f_ineq <- fit_of(MG_INEQ)
f_ineq_a2 <- fit_of(paste0(MG_INEQ, "a2 == 1\n"))
f_nl <- fit_of(paste0(MG, "b2 == b1^2\n"))
f_free <- fit_of(MG)
f_theta_nl <- fit_of(paste0(ONE, "d == c^2\n"), "theta", TRUE)
f_theta_free <- fit_of(ONE, "theta", TRUE)
refusals <- data.frame(
  case = c("score_mg_ineq", "lrt_mg_ineq", "lrt_mg_nl", "lrt_theta_nl"),
  message = c(err(lavTestScore(f_ineq)), err(lavTestLRT(f_ineq_a2, f_ineq)), err(lavTestLRT(f_nl, f_free)),
              err(lavTestLRT(f_theta_nl, f_theta_free))), stringsAsFactors = FALSE)
print(refusals)
stopifnot(all(nzchar(refusals$message)))
write_ref(refusals, file.path(OUT, "refusals.csv"))
# lavTestLRT(restricted, free, A.method = "exact"): lavaan's A as the Jacobian of the restricted model's extra
# constraints at the free model's estimates (lav_test_diff_af_h1), which works where the default stops; lrt_exact.csv
lrt_exact <- function(case, restricted, free) {
  r <- lavTestLRT(restricted, free, A.method = "exact")
  data.frame(case = case, chisq_diff = r[["Chisq diff"]][2], df_diff = r[["Df diff"]][2],
             pvalue = r[["Pr(>Chisq)"]][2], stringsAsFactors = FALSE)
}
f_mg_lin <- fit_of(paste0(MG, "a1 == a2\n"))
f_mg_nl_lin <- fit_of(paste0(MG, "a1 == a2\nb2 == b1^2\n"))
f_theta_mg_nl <- fit_of(paste0(MG, "b2 == b1^2\n"), "theta")
f_theta_mg_free <- fit_of(MG, "theta")
f_mg_eq <- fit_of(paste0(MG, "a1 == a2\nb2 == 1.1*b1\n"))
exact <- rbind(lrt_exact("mg_nl", f_nl, f_free), lrt_exact("mg_nl_lin_vs_lin", f_mg_nl_lin, f_mg_lin),
               lrt_exact("theta_mg_nl", f_theta_mg_nl, f_theta_mg_free),
               lrt_exact("theta_nl", f_theta_nl, f_theta_free),
               lrt_exact("mg_eq_linear", f_mg_eq, f_free), lrt_exact("mg_ineq_a2", f_ineq_a2, f_ineq))
print(exact)
write_ref(exact, file.path(OUT, "lrt_exact.csv"))

