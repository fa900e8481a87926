# Reference values from lavaan 0.6-14 for explicit constraints (==, <, >, nonlinear ==) with WLSMV and exogenous
# observed covariates (conditional.x = TRUE, lavaan's default for ordered items) in several groups and with
# parameterization = "theta" (issue 11 of 12). Data:
#   hs   data/hs_ordinal.csv (the nine HolzingerSwineford1939 tests cut into 4 ordered categories) with the
#        covariates ageyr and sex of data/HolzingerSwineford1939.csv (same rows), groups by school;
#   bfi  psych's bfi (data/bfi.csv), A1..A5 ordered, covariates age and education, groups by gender (rows
#        missing education or an item deleted listwise).
# As without covariates (make_reference_constraints_wlsmv_mg.R) lavaan's sandwich and its U Gamma use the
# augmented (constrained) inverse of Delta' W Delta; npar is the free parameters less the rank of the
# equalities; an inequality never changes npar or df.
# Run from the repository root:  Rscript tests/reference/make_reference_constraints_wlsmv_conditional.R
# Writes tests/reference/constraints_wlsmv_conditional/<case>_{model.lav,params,fit,info}.csv, cases.csv and, for
# the linear equality fits, <case>_{score_total,score_uni}.csv (lavTestScore).
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "constraints_wlsmv_conditional")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
HSX <- cbind(read.csv("data/hs_ordinal.csv"), HS[, c("ageyr", "sex", "school")])
BFI <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)[, c(paste0("A", 1:5), "age", "education", "gender")]
DATA <- list(hs = HSX, bfi = BFI)

pe_table <- function(fit) {
  pe <- parameterEstimates(fit, standardized = TRUE, remove.eq = FALSE, remove.ineq = FALSE, remove.def = FALSE)
  if (is.null(pe$label)) pe$label <- ""
  if (is.null(pe$group)) pe$group <- ifelse(pe$op %in% c("==", "<", ">", ":="), 0L, 1L)
  pe[, c("lhs", "op", "rhs", "label", "group", "est", "se", "std.lv", "std.all", "std.nox")]
}
cases <- data.frame(case = character(0), data = character(0), group = character(0),
                    parameterization = character(0), group_equal = character(0))
write_cc <- function(case, data, model, group = NULL, parameterization = "delta", group.equal = "",
                     control = list()) {
  pt <- lavaanify(model, ngroups = if (is.null(group)) 1L else 2L)
  ords <- setdiff(lavNames(pt, "ov"), lavNames(pt, "ov.x"))
  res <- run_fit(cfa(model, data = DATA[[data]], ordered = ords, estimator = "WLSMV", group = group,
                     parameterization = parameterization, group.equal = group.equal, control = control))
  fit <- res$fit
  stopifnot(lavInspect(fit, "options")$conditional.x)
  cat(sprintf("%-16s conv=%s npar=%d df=%s chisq.scaled=%.4f\n", case, lavInspect(fit, "converged"),
              lavInspect(fit, "npar"), fitMeasures(fit, "df"), fitMeasures(fit, "chisq.scaled")))
  writeLines(model, file.path(OUT, paste0(case, "_model.lav")))
  write_ref(info_table(fit, res$warnings), file.path(OUT, paste0(case, "_info.csv")))
  write_ref(pe_table(fit), file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
  cases[nrow(cases) + 1, ] <<- c(case, data, if (is.null(group)) "" else group, parameterization,
                                 paste(group.equal, collapse = ","))
}
HS_EQ <- "visual  =~ x1 + c(a1, a2)*x2 + c(b1, b2)*x3
textual =~ x4 + x5 + x6
visual ~ ageyr + sex
textual ~ ageyr + sex
a1 == a2
b2 == 1.1*b1"
HS_NL <- "visual  =~ x1 + c(a1, a2)*x2 + x3
textual =~ x4 + x5 + x6
visual ~ ageyr + sex
textual ~ ageyr + sex
a2 == a1^2"
HS_INEQ <- "visual  =~ x1 + c(a1, a2)*x2 + x3
textual =~ x4 + c(t1, t2)*x5 + x6
visual ~ ageyr + sex
textual ~ ageyr
a1 > 0.9
t2 < t1"
HS_INEQ1 <- "visual  =~ x1 + a1*x2 + a2*x3
textual =~ x4 + b1*x5 + b2*x6
visual ~ ageyr + sex
textual ~ sex
a1 > 1.5
b2 < b1"
BFI_MG <- "A =~ A1 + c(a1, a2)*A2 + A3 + A4 + A5
A ~ age + education
a1 == a2"
BFI_TH <- "A =~ A1 + a1*A2 + a2*A3 + A4 + A5
A ~ age + education
a1 == a2"
write_cc("hs_mg_eq", "hs", HS_EQ, group = "school")
write_cc("hs_mg_nonlinear", "hs", HS_NL, group = "school")
write_cc("hs_mg_ineq", "hs", HS_INEQ, group = "school")
write_cc("hs_theta_mg_eq", "hs", HS_EQ, group = "school", parameterization = "theta")
write_cc("hs_theta_ineq", "hs", HS_INEQ1, parameterization = "theta")
# with group.equal: thresholds and loadings equal, and a constraint on the residual latent variances
write_cc("hs_mg_ge", "hs", "visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
visual ~ ageyr + sex
textual ~ ageyr + sex
visual ~~ c(v1, v2)*visual
v2 == 1.2*v1", group = "school", group.equal = c("thresholds", "loadings"))
write_cc("bfi_mg_eq", "bfi", BFI_MG, group = "gender")
write_cc("bfi_theta_eq", "bfi", BFI_TH, parameterization = "theta")
# theta with the nonlinear equality: lavaan's constrained optimiser (nlminb.constr) stops at its default
# rel.tol where the objective is flat in a few thresholds of group 2 (x4|t2 1.6601, fmin 0.0436459016);
# with rel.tol = 1e-14 it goes on towards the minimum (x4|t2 1.6578), which egovsem finds (1.6574, fmin
# 0.0436458944)
write_cc("hs_theta_mg_nl", "hs", HS_NL, group = "school", parameterization = "theta",
         control = list(rel.tol = 1e-14, eval.max = 20000, iter.max = 20000))
write_ref(cases, file.path(OUT, "cases.csv"))
# lavTestScore (releasing the explicit linear equalities) after the equality fits
for (case in c("hs_mg_eq", "hs_theta_mg_eq")) {
  r <- cases[cases$case == case, ]
  fit <- cfa(readLines(file.path(OUT, paste0(case, "_model.lav"))), data = HSX, ordered = paste0("x", 1:9),
             estimator = "WLSMV", group = "school", parameterization = r$parameterization)
  sc <- lavTestScore(fit)
  write_ref(sc$test[, c("test", "X2", "df", "p.value")], file.path(OUT, paste0(case, "_score_total.csv")))
  write_ref(sc$uni[, c("lhs", "op", "rhs", "X2", "df", "p.value")], file.path(OUT, paste0(case, "_score_uni.csv")))
}
