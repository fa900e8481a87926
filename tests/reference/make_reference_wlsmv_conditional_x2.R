# Reference values from lavaan 0.6-14 for the last two WLSMV + exogenous covariate (conditional.x) combinations
# egovsem refused (issue 11 of 12):
# parameterEstimates, fitMeasures and modindices of each case.
# 1. an ordered covariate: `ordered =` names a variable that only predicts. lavaan warns "exogenous variable(s)
#    declared as ordered in data: <x>" and treats it as a numeric covariate (it stays in ov.x, conditional.x
#    stays TRUE, the estimates are those of the fit without the declaration; checked below with stopifnot).
# 2. a covariate that is also predicted (an observed variable regressed on a covariate that predicts something
#    else, e.g. x4 ~ agec; f ~ x4): lavaan keeps conditional.x with only agec in ov.x; x4 is an endogenous
#    indicator-like variable in the first stage (OLS on the covariates if continuous, probit if ordered).
# Data: data/hs_ordinal.csv (x1..x9 cut in 4 categories) with, from data/HolzingerSwineford1939.csv (same rows),
# sex, school, agec = ageyr - 13, agecut = age cut in 3 classes (<= 12, 13, >= 14; 1..3), x4c = the continuous
# x4; psych's bfi (data/bfi.csv) with education (1..5) declared ordered; rows missing an item or a covariate
# deleted listwise.
# Run from the repository root:  Rscript tests/reference/make_reference_wlsmv_conditional_x2.R
# Writes tests/reference/wlsmv_conditional_x2/<case>_{params,fit,mi}.csv and cases.csv.
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "wlsmv_conditional_x2")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
HSO <- read.csv("data/hs_ordinal.csv")
HSX <- cbind(HSO, sex = HS$sex, school = HS$school, agec = HS$ageyr - 13,
             agecut = cut(HS$ageyr, c(0, 12, 13, 99), labels = FALSE), x4c = HS$x4)
BFI <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)[, c(paste0("A", 1:5), "age", "education", "gender")]
DATA <- list(hs = HSX, bfi = BFI)
cases <- data.frame(case = character(0), data = character(0), group = character(0),
                    parameterization = character(0), model = character(0), ordered = character(0),
                    warning = character(0))
write_x2 <- function(case, data, model, ordered, group = NULL, parameterization = "delta") {
  w <- character(0)
  fit <- withCallingHandlers(
    sem(model, data = DATA[[data]], ordered = ordered, estimator = "WLSMV", group = group,
        parameterization = parameterization),
    warning = function(m) { w <<- c(w, conditionMessage(m)); invokeRestart("muffleWarning") })
  stopifnot(lavInspect(fit, "options")$conditional.x, lavInspect(fit, "converged"))
  xw <- grep("declared as ordered", w, value = TRUE)
  if (length(xw)) {  # the same fit as without the declaration of the covariate
    xs <- lavNames(fit, "ov.x")
    stopifnot(!any(xs %in% lavNames(fit, "ov.ord")))
    fit0 <- suppressWarnings(sem(model, data = DATA[[data]], ordered = setdiff(ordered, xs), estimator = "WLSMV",
                                 group = group, parameterization = parameterization))
    stopifnot(isTRUE(all.equal(coef(fit), coef(fit0))),
              isTRUE(all.equal(fitMeasures(fit, "chisq.scaled"), fitMeasures(fit0, "chisq.scaled"))))
  }
  cat(sprintf("%-18s ov.x=%s npar=%d df=%s chisq=%.4f chisq.scaled=%.4f %s\n", case,
              paste(lavNames(fit, "ov.x"), collapse = ","), lavInspect(fit, "npar"), fitMeasures(fit, "df"),
              fitMeasures(fit, "chisq"), fitMeasures(fit, "chisq.scaled"), paste(xw, collapse = "")))
  write_params_fit(fit, case)
  mi <- modindices(fit, sort. = FALSE, minimum.value = 0)
  cols <- c("lhs", "op", "rhs", if (!is.null(mi$group)) "group", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")
  write_ref(mi[, cols], file.path(OUT, paste0(case, "_mi.csv")))
  cases[nrow(cases) + 1, ] <<- c(case, data, if (is.null(group)) "" else group, parameterization,
                                 gsub("\n", "; ", model), paste(ordered, collapse = ","),
                                 sub("^lavaan WARNING: ", "", paste(xw, collapse = "")))
}
X3 <- c("x1", "x2", "x3")
A5 <- paste0("A", 1:5)
# 1. ordered covariates
write_x2("hs_agecut", "hs", "f =~ x1 + x2 + x3\nf ~ agecut + sex", c(X3, "agecut"))
write_x2("hs_agecut_theta", "hs", "f =~ x1 + x2 + x3\nf ~ agecut + sex", c(X3, "agecut"), parameterization = "theta")
write_x2("hs_agecut_mg", "hs", "f =~ x1 + x2 + x3\nf ~ agecut", c(X3, "agecut"), group = "school")
write_x2("bfi_educ", "bfi", "A =~ A1 + A2 + A3 + A4 + A5\nA ~ age + education", c(A5, "education"))
# 2. a covariate that is also predicted (continuous x4c; ordered x4)
write_x2("hs_x4c", "hs", "f =~ x1 + x2 + x3\nx4c ~ agec\nf ~ x4c", X3)
write_x2("hs_x4c_theta", "hs", "f =~ x1 + x2 + x3\nx4c ~ agec\nf ~ x4c", X3, parameterization = "theta")
write_x2("hs_x4c_mg", "hs", "f =~ x1 + x2 + x3\nx4c ~ agec\nf ~ x4c", X3, group = "school")
write_x2("hs_x4c_sex", "hs", "f =~ x1 + x2 + x3\nx4c ~ agec + sex\nf ~ x4c + sex", X3)
write_x2("hs_x4_ord", "hs", "f =~ x1 + x2 + x3\nx4 ~ agec\nf ~ x4", c(X3, "x4"))
write_x2("bfi_educ_pred", "bfi", "A =~ A1 + A2 + A3 + A4 + A5\neducation ~ age\nA ~ education + gender", A5)
# an ordered variable that is predicted and predicts: lavaan's delta residual variances of the items it
# predicts are 1 less their explained variance with every ordered residual variance 0 (so their latent responses
# keep a variance above 1 given the covariates); theta, by school, with a continuous indicator (x4c), and a chain
# x4 -> x5 -> f of two ordered variables
write_x2("hs_x4_ord_theta", "hs", "f =~ x1 + x2 + x3\nx4 ~ agec\nf ~ x4", c(X3, "x4"), parameterization = "theta")
write_x2("hs_x4_ord_mg", "hs", "f =~ x1 + x2 + x3\nx4 ~ agec\nf ~ x4", c(X3, "x4"), group = "school")
write_x2("hs_x4_ord_mixed", "hs", "f =~ x1 + x2 + x3 + x4c\nx5 ~ agec\nf ~ x5", c(X3, "x5"))
write_x2("hs_chain", "hs", "f =~ x1 + x2 + x3\nx4 ~ agec\nx5 ~ x4\nf ~ x5", c(X3, "x4", "x5"))
write_ref(cases, file.path(OUT, "cases.csv"))
