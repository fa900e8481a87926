# Reference values for modification indices of models with explicit constraints (issue 11): lavaan 0.6-14's
# modindices() on fits with `==` (linear and nonlinear) and `<`/`>` constraints. lavaan uses the augmented
# (bordered) inverse of the model's information, i.e. Z (Z' I Z)^-1 Z' with Z a basis of the null space of the
# Jacobian of the equalities and the active inequalities (inactive ones dropped), in V = I_ee - I_em I^-1 I_me.
# Run from the repository root:  Rscript tests/reference/make_reference_modindices_constrained.R
#
# Data: lavaan's HolzingerSwineford1939 (data/HolzingerSwineford1939.csv), data/hs_missing10.csv (FIML),
#   data/hs_ordinal.csv (HS x1-x9 cut into 4 categories), lavaan's PoliticalDemocracy.
# mg_ineq: lavaan's optimiser under inequalities (nlminb.constr) stops early at its default tolerance: with it,
#   mi of x8 ~~ x9 (group 1) is 0.94093 where the equality-only fit with the same optimum (mg_eq) gives 0.93963
#   (chisq equal to 1e-9; the index is sensitive to the last digits of the estimates); control rel.tol = 1e-14
#   gives 0.93993, within the tolerance of egovsem's 0.93968.
# Outputs: <case>.lav (the model), <case>_mi.csv = modindices(fit) (lhs op rhs [group] mi epc sepc.lv sepc.all
#   sepc.nox, lavaan's order), <case>_fit.csv (chisq, df of the fit, to check the constrained fit itself).
suppressPackageStartupMessages(library(lavaan))
stopifnot(packageVersion("lavaan") == "0.6.14")
source("tests/reference/_ref_helpers.R")
OUT <- "tests/reference/modindices_constrained"
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
HS <- read.csv("data/HolzingerSwineford1939.csv")
HSM <- read.csv("data/hs_missing10.csv")
HSO <- read.csv("data/hs_ordinal.csv")
PD <- read.csv("data/PoliticalDemocracy.csv")
hs3 <- function(extra) paste0("visual =~ x1 + a*x2 + b*x3\ntextual =~ x4 + c*x5 + d*x6\nspeed =~ x7 + x8 + x9\n",
                              extra)
pd <- paste0("ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4\ndem65 =~ y5 + y6 + y7 + y8\n",
             "dem60 ~ g1*ind60\ndem65 ~ g2*ind60 + dem60\ny1 ~~ y5\n")
cases <- list(
  ml_eq = list(model = hs3("a == b\n"), data = HS, args = list()),
  ml_two = list(model = hs3("a == b\nc == d\n"), data = HS, args = list()),
  ml_nonlinear = list(model = hs3("d == c^2\n"), data = HS, args = list()),
  ml_ineq = list(model = hs3("a > 0.8\nb > 0\n"), data = HS, args = list()),
  ml_eq_ineq = list(model = hs3("a == b\nd < 0.8\n"), data = HS, args = list()),
  mlr_eq = list(model = hs3("a == b\n"), data = HS, args = list(estimator = "MLR")),
  fiml_eq = list(model = hs3("a == b\n"), data = HSM, args = list(missing = "ml")),
  pd_eq = list(model = paste0(pd, "g1 == g2\n"), data = PD, args = list()),
  mg_eq = list(model = paste0("visual =~ x1 + c(a1, a2)*x2 + x3\ntextual =~ x4 + x5 + x6\n",
                              "speed =~ x7 + x8 + x9\na1 == a2\n"),
               data = HS, args = list(group = "school")),
  mg_fiml_eq = list(model = paste0("visual =~ x1 + c(a1, a2)*x2 + x3\ntextual =~ x4 + x5 + x6\n",
                                   "speed =~ x7 + x8 + x9\na1 == a2\n"),
                    data = HSM, args = list(group = "school", missing = "ml")),
  mg_ineq = list(model = paste0("visual =~ x1 + c(a1, a2)*x2 + x3\ntextual =~ x4 + x5 + x6\n",
                                "speed =~ x7 + x8 + x9\na1 == a2\nx1 ~~ c(v1, v2)*x1\nv2 > 0.6\n"),
                 data = HS, args = list(group = "school", control = list(rel.tol = 1e-14))),
  wlsmv_eq = list(model = hs3("a == b\n"), data = HSO, args = list(ordered = paste0("x", 1:9))),
  wlsmv_ineq = list(model = hs3("a > 1\n"), data = HSO, args = list(ordered = paste0("x", 1:9)))
)
for (case in names(cases)) {
  cs <- cases[[case]]
  fit <- do.call("sem", c(list(model = cs$model, data = cs$data), cs$args))
  stopifnot(lavInspect(fit, "converged"))
  mi <- as.data.frame(modindices(fit))
  cols <- intersect(c("lhs", "op", "rhs", "group", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox"), names(mi))
  writeLines(cs$model, file.path(OUT, paste0(case, ".lav")))
  write_ref(mi[, cols], file.path(OUT, paste0(case, "_mi.csv")))
  fm <- fitMeasures(fit, c("chisq", "df"))
  write_ref(data.frame(measure = names(fm), value = as.numeric(fm), stringsAsFactors = FALSE),
            file.path(OUT, paste0(case, "_fit.csv")))
  cat(case, nrow(mi), "rows; largest:", format(max(mi$mi)), "; chisq", fm[["chisq"]], "df", fm[["df"]], "\n")
}
