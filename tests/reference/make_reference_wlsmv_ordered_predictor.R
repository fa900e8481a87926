# Reference values from lavaan 0.6-14 for WLSMV with an ordered variable as a predictor and no exogenous
# covariate (issue 11 of 12: egovsem refused it): parameterEstimates (est, se, std.all), fitMeasures and
# modindices of each case, one group and two groups (school), delta and theta parameterisations.
# lavaan puts an observed variable that predicts or is predicted in its LISREL eta ("dummy" latent): its
# residual variance is then a psi element, set in the delta parameterisation by the delta rule
# (1/delta^2 - the explained variance with every ordered residual variance 0) and treated as fixed in
# lavaan's Delta (computeDelta: no derivative through these derived variances).
# Data: data/hs_ordinal.csv (x1..x9 cut in 4 categories; school from data/HolzingerSwineford1939.csv, same
# rows); psych's bfi (data/bfi.csv) A1-A3 and C1-C3 (and gender for two groups), rows missing one of them
# deleted listwise; A1-A5 (bfi5), rows missing one of them deleted listwise.
# Run from the repository root:  Rscript tests/reference/make_reference_wlsmv_ordered_predictor.R
# In the delta parameterisation lavaan 0.6-14 does not converge (nlminb stops: its gradient, from that Delta,
# is not the objective's) for a factor regressed on an ordered indicator (visual ~ x4, consc ~ A1); those cases
# are listed in nonconverged.csv and have no reference values.
# Writes tests/reference/wlsmv_ordered_predictor/<case>_{params,fit,mi}.csv, cases.csv, nonconverged.csv and
# score_eq_{delta,theta}_{test,uni}.csv (lavTestScore of hs_x6x1_eq's l5 == l6).
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "wlsmv_ordered_predictor")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
HSO <- cbind(read.csv("data/hs_ordinal.csv"), school = HS$school)
BFI <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)[, c(paste0("A", 1:3), paste0("C", 1:3), "gender")]
BFI <- BFI[complete.cases(BFI), ]
BFI5 <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)[, paste0("A", 1:5)]
BFI5 <- BFI5[complete.cases(BFI5), ]
DATA <- list(hs = HSO, bfi = BFI, bfi5 = BFI5)
cases <- data.frame(case = character(0), data = character(0), group = character(0),
                    parameterization = character(0), model = character(0), ordered = character(0))
nonconv <- data.frame(case = character(0), model = character(0), parameterization = character(0))
write_op <- function(case, data, model, ordered, group = NULL, parameterization = "delta") {
  fit <- sem(model, data = DATA[[data]], ordered = ordered, estimator = "WLSMV", group = group,
             parameterization = parameterization)
  stopifnot(!lavInspect(fit, "options")$conditional.x)
  if (!lavInspect(fit, "converged")) {  # nothing to compare: listed in nonconverged.csv
    cat(sprintf("%-18s NOT CONVERGED (lavaan)\n", case))
    nonconv[nrow(nonconv) + 1, ] <<- c(case, gsub("\n", "; ", model), parameterization)
    return(invisible(NULL))
  }
  cat(sprintf("%-18s npar=%d df=%s chisq=%.4f chisq.scaled=%.4f\n", case, lavInspect(fit, "npar"),
              fitMeasures(fit, "df"), fitMeasures(fit, "chisq"), fitMeasures(fit, "chisq.scaled")))
  write_params_fit(fit, case)
  mi <- modindices(fit, sort. = FALSE, minimum.value = 0)
  cols <- c("lhs", "op", "rhs", if (!is.null(mi$group)) "group", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")
  write_ref(mi[, cols], file.path(OUT, paste0(case, "_mi.csv")))
  cases[nrow(cases) + 1, ] <<- c(case, data, if (is.null(group)) "" else group, parameterization,
                                 gsub("\n", "; ", model), paste(ordered, collapse = ","))
}
X9 <- paste0("x", 1:9)
M_X6X1 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\nx6 ~ x1"
M_VISX4 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\nvisual ~ x4"
M_VISX4_2F <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ x4"
M_X6X1_2F <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nx6 ~ x1"
ITEMS <- c(paste0("A", 1:3), paste0("C", 1:3))
M_BFI2 <- "agree =~ A1 + A2 + A3\nconsc =~ C1 + C2 + C3\nC1 ~ A1"
M_BFI <- "agree =~ A1 + A2 + A3\nconsc =~ C1 + C2 + C3\nconsc ~ A1"
for (p in c("delta", "theta")) {
  sfx <- if (p == "delta") "" else "_theta"
  write_op(paste0("hs_x6x1", sfx), "hs", M_X6X1, X9, parameterization = p)
  write_op(paste0("hs_visx4", sfx), "hs", M_VISX4, X9, parameterization = p)
  write_op(paste0("hs_school_x6x1", sfx), "hs", M_X6X1, X9, group = "school", parameterization = p)
  write_op(paste0("hs_visx4_2f", sfx), "hs", M_VISX4_2F, X9[1:6], parameterization = p)
  write_op(paste0("hs_school_visx4", sfx), "hs", M_VISX4, X9, group = "school", parameterization = p)
  write_op(paste0("bfi_consc_a1", sfx), "bfi", M_BFI, ITEMS, parameterization = p)
  write_op(paste0("bfi_c1_a1", sfx), "bfi", M_BFI2, ITEMS, parameterization = p)
  write_op(paste0("bfi_gender_c1_a1", sfx), "bfi", M_BFI2, ITEMS, group = "gender", parameterization = p)
  write_op(paste0("bfi5_a5_a1", sfx), "bfi5", "f =~ A1 + A2 + A3 + A4 + A5\nA5 ~ A1", names(BFI5),
           parameterization = p)
  write_op(paste0("bfi5_g_a2", sfx), "bfi5", "f =~ A2 + A3 + A4\ng =~ A1 + A5\ng ~ A2", names(BFI5),
           parameterization = p)
  write_op(paste0("hs_school_x6x1_2f", sfx), "hs", M_X6X1_2F, X9[1:6], group = "school", parameterization = p)
}
# an explicit equality constraint (lavaan: ceq; egovsem: steps in the null space of its Jacobian)
write_op("hs_x6x1_eq", "hs", sub("x4 + x5 + x6", "x4 + l5*x5 + l6*x6", paste(M_X6X1, "l5 == l6", sep = "\n"), fixed = TRUE), X9)
# lavTestScore() of that constraint ($test, $uni), delta and theta
for (p in c("delta", "theta")) {
  fit <- sem(cases[cases$case == "hs_x6x1_eq", "model"], data = HSO, ordered = X9, estimator = "WLSMV",
             parameterization = p)
  st <- lavTestScore(fit)
  cat(sprintf("score test %s: X2 = %.5f\n", p, st$test$X2))
  write_ref(st$test[, c("test", "X2", "df", "p.value")], file.path(OUT, paste0("score_eq_", p, "_test.csv")))
  write_ref(st$uni[, c("lhs", "op", "rhs", "X2", "df", "p.value")], file.path(OUT, paste0("score_eq_", p, "_uni.csv")))
}
write_ref(cases, file.path(OUT, "cases.csv"))
write_ref(nonconv, file.path(OUT, "nonconverged.csv"))
