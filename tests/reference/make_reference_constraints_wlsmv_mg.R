# Reference values from lavaan 0.6-14 for explicit constraints (==, <, >) with WLSMV in several groups and with
# parameterization = "theta" (one group and several) (issue 11): data/hs_ordinal.csv (the nine
# HolzingerSwineford1939 tests cut into 4 ordered categories) in one group and
# tests/reference/wlsmv_mg/hs5_school.csv (six of them cut into 5 categories, written by
# make_reference_wlsmv_multigroup.R) by school; ordered = TRUE, estimator = "WLSMV". As in one group (make_reference_constraints_wlsmv.R) lavaan's sandwich and its
# U Gamma use the augmented (constrained) inverse of Delta' W Delta; npar is the free parameters less the rank
# of the equalities; an inequality never changes npar or df.
# Run from the repository root:  Rscript tests/reference/make_reference_constraints_wlsmv_mg.R
# Writes tests/reference/constraints_wlsmv_mg/<case>_{model.lav,params,fit,info}.csv and cases.csv.
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "constraints_wlsmv_mg")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
HSO <- read.csv("data/hs_ordinal.csv", stringsAsFactors = FALSE)
HS5 <- read.csv(file.path("tests", "reference", "wlsmv_mg", "hs5_school.csv"), stringsAsFactors = FALSE)

pe_table <- function(fit) {
  pe <- parameterEstimates(fit, standardized = TRUE, remove.eq = FALSE, remove.ineq = FALSE, remove.def = FALSE)
  if (is.null(pe$label)) pe$label <- ""
  if (is.null(pe$group)) pe$group <- ifelse(pe$op %in% c("==", "<", ">", ":="), 0L, 1L)
  pe[, c("lhs", "op", "rhs", "label", "group", "est", "se", "std.lv", "std.all")]
}
cases <- data.frame(case = character(0), group = character(0), parameterization = character(0),
                    group_equal = character(0))
write_cw <- function(case, model, group = NULL, parameterization = "delta", group.equal = "") {
  res <- run_fit(cfa(model, data = if (is.null(group)) HSO else HS5, ordered = TRUE, estimator = "WLSMV", group = group,
                     parameterization = parameterization, group.equal = group.equal))
  fit <- res$fit
  cat(sprintf("%-14s conv=%s npar=%d df=%s chisq.scaled=%.4f\n", case, lavInspect(fit, "converged"),
              lavInspect(fit, "npar"), fitMeasures(fit, "df"), fitMeasures(fit, "chisq.scaled")))
  writeLines(model, file.path(OUT, paste0(case, "_model.lav")))
  write_ref(info_table(fit, res$warnings), file.path(OUT, paste0(case, "_info.csv")))
  write_ref(pe_table(fit), file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
  cases[nrow(cases) + 1, ] <<- c(case, if (is.null(group)) "" else group, parameterization,
                                 paste(group.equal, collapse = ","))
}
MG_EQ <- "visual  =~ x1 + c(a1, a2)*x2 + c(b1, b2)*x3
textual =~ x4 + x5 + x6
a1 == a2
b2 == 1.1*b1"
MG_INEQ <- "visual  =~ x1 + c(a1, a2)*x2 + x3
textual =~ x4 + c(t1, t2)*x5 + x6
a1 > 0.9
t2 < t1"
EQ1 <- "visual  =~ x1 + a*x2 + b*x3
textual =~ x4 + c*x5 + c2*x6
speed   =~ x7 + x8 + x9
a == b
c2 == 1.1*c"
INEQ1 <- "visual  =~ x1 + a1*x2 + a2*x3
textual =~ x4 + b1*x5 + b2*x6
speed   =~ x7 + c1*x8 + c2*x9
a1 > 1.5
b2 < b1"
write_cw("mg_eq", MG_EQ, group = "school")
write_cw("mg_ineq", MG_INEQ, group = "school")
# a label written once names the row in every group (lavaan: equal across groups), then a == b
write_cw("mg_shared", "visual  =~ x1 + a*x2 + b*x3
textual =~ x4 + x5 + x6
a == b", group = "school")
write_cw("theta_eq", EQ1, parameterization = "theta")
write_cw("theta_ineq", INEQ1, parameterization = "theta")
write_cw("theta_mg_eq", MG_EQ, group = "school", parameterization = "theta")
# with group.equal: thresholds and loadings equal (free scale factors and latent means in group 2), and a
# constraint on the latent variances of the two groups
write_cw("mg_ge", "visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
visual ~~ c(v1, v2)*visual
v2 == 1.2*v1", group = "school", group.equal = c("thresholds", "loadings"))
write_ref(cases, file.path(OUT, "cases.csv"))
