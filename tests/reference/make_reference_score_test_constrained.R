# Reference values for score tests after ML/MLR fits with explicit constraints (issue 11): lavaan 0.6-14's
# lavTestScore() (expected information; after WLSMV the ordinary score test) when the model has its own `==` constraints (linear and nonlinear),
# alone or with shared labels / group.equal, one group and two. lavaan's constraints are its "==" rows (con.jac:
# the Jacobian at the estimates), the univariate test of one of them uses ginv of the information bordered by the
# others; with an inequality lavaan refuses ("does not handle inequality constraints (yet)").
# Run from the repository root:  Rscript tests/reference/make_reference_score_test_constrained.R
# Data: lavaan's HolzingerSwineford1939 (data/HolzingerSwineford1939.csv; fiml_own: data/hs_missing10.csv, 10%
#   of its values missing, missing = "ml").
# Writes tests/reference/score_test_constrained/<case>.lav, <case>_{total,uni,release1,partable_eq}.csv, refusal.csv,
# and the same files for one-group WLSMV fits in tests/reference/score_test_wlsmv_one/.
suppressPackageStartupMessages(library(lavaan))
stopifnot(packageVersion("lavaan") == "0.6.14")
source("tests/reference/_ref_helpers.R")
OUT <- "tests/reference/score_test_constrained"
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
ONE <- "visual =~ x1 + a*x2 + b*x3\ntextual =~ x4 + c*x5 + d*x6\nspeed =~ x7 + x8 + x9\n"
cases <- list(
  own = list(paste0(ONE, "a == b\n"), list()),
  own_two = list(paste0(ONE, "a == b\nc == d\n"), list()),
  nonlinear = list(paste0(ONE, "d == c^2\n"), list()),
  mixed = list("visual =~ x1 + a*x2 + a*x3\ntextual =~ x4 + c*x5 + d*x6\nspeed =~ x7 + x8 + x9\nd == 0.9*c\n",
               list()),
  mlr_own = list(paste0(ONE, "a == b\n"), list(estimator = "MLR")),
  fiml_own = list(paste0(ONE, "a == b\n"), list(missing = "ml"), "data/hs_missing10.csv"),
  mg_own = list(paste0("visual =~ x1 + c(a1, a2)*x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n",
                       "a1 == a2\n"), list(group = "school", group.equal = "intercepts")))
save_score <- function(fit, folder, nm, model) {
  writeLines(model, file.path(folder, paste0(nm, ".lav")))
  ts <- suppressWarnings(lavTestScore(fit))
  write_ref(as.data.frame(ts$test)[, c("test", "X2", "df", "p.value")], file.path(folder, paste0(nm, "_total.csv")))
  write_ref(as.data.frame(ts$uni)[, c("lhs", "op", "rhs", "X2", "df", "p.value")],
            file.path(folder, paste0(nm, "_uni.csv")))
  t1 <- suppressWarnings(lavTestScore(fit, release = 1))
  write_ref(as.data.frame(t1$test)[, c("test", "X2", "df", "p.value")],
            file.path(folder, paste0(nm, "_release1.csv")))
  pt <- parTable(fit)
  write_ref(pt[pt$op == "==", c("lhs", "op", "rhs")], file.path(folder, paste0(nm, "_partable_eq.csv")))
  cat(sprintf("%-10s X2=%.4f df=%d; uni %s\n", nm, ts$test$X2, ts$test$df, paste(sprintf("%.4f", ts$uni$X2),
                                                                                 collapse = " ")))
}
for (nm in names(cases)) {
  cs <- cases[[nm]]
  dat <- if (length(cs) > 2) read.csv(cs[[3]], stringsAsFactors = FALSE) else HS
  fit <- do.call("cfa", c(list(model = cs[[1]], data = dat), cs[[2]]))
  stopifnot(lavInspect(fit, "converged"))
  save_score(fit, OUT, nm, cs[[1]])
}
# one-group WLSMV (delta) on data/hs_ordinal.csv (HS x1-x9 cut into 4 categories): lavaan's ordinary score test
# (with a warning); written to tests/reference/score_test_wlsmv_one/
OUT_W <- "tests/reference/score_test_wlsmv_one"
dir.create(OUT_W, showWarnings = FALSE, recursive = TRUE)
HSO <- read.csv("data/hs_ordinal.csv", stringsAsFactors = FALSE)
wcases <- list(
  label = "visual =~ x1 + a*x2 + a*x3\ntextual =~ x4 + b*x5 + b*x6\nspeed =~ x7 + x8 + x9\n",
  own = paste0(ONE, "b == 1.3*a\n"),
  own_two = paste0(ONE, "b == 1.3*a\nd == 0.8*c\n"),
  nonlinear = paste0(ONE, "d == c^2\n"),
  mixed = "visual =~ x1 + a*x2 + a*x3\ntextual =~ x4 + c*x5 + d*x6\nspeed =~ x7 + x8 + x9\nd == 0.8*c\n")
for (nm in names(wcases)) {
  fit <- cfa(wcases[[nm]], data = HSO, ordered = TRUE, estimator = "WLSMV")
  stopifnot(lavInspect(fit, "converged"))
  save_score(fit, OUT_W, nm, wcases[[nm]])
}
# one-group WLSMV with exogenous covariates (conditional.x) on psych's bfi (data/bfi.csv): A1-A5 ordered, A on
# age and education; written to tests/reference/score_test_constrained/cx_<case>
BFI <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)
CX <- "A ~ age + education\n"
cxcases <- list(
  cx_label = paste0("A =~ A1 + a*A2 + a*A3 + A4 + A5\n", CX),
  cx_own = paste0("A =~ A1 + a1*A2 + a2*A3 + A4 + A5\n", CX, "a1 == a2\n"),
  cx_mixed = paste0("A =~ A1 + a*A2 + a*A3 + b1*A4 + b2*A5\n", CX, "b2 == 1.2*b1\n"))
for (nm in names(cxcases)) {
  fit <- sem(cxcases[[nm]], data = BFI, ordered = paste0("A", 1:5))
  stopifnot(lavInspect(fit, "converged"))
  save_score(fit, OUT, nm, cxcases[[nm]])
}
fit <- cfa(paste0(ONE, "a == b\nd < 0.8\n"), data = HS)
msg <- tryCatch({ lavTestScore(fit); "" }, error = function(e) conditionMessage(e))
stopifnot(nzchar(msg))
writeLines(paste0(ONE, "a == b\nd < 0.8\n"), file.path(OUT, "ineq.lav"))
write_ref(data.frame(case = "ineq", message = msg, stringsAsFactors = FALSE), file.path(OUT, "refusal.csv"))
