# Reference values from lavaan 0.6-14 for explicit constraints (issue 11): equality constraints (linear and
# nonlinear), inequality constraints (inactive and active), ':=' parameters of constrained labels, labels
# across groups, and lavaan-check's social_constraints case.
# Run from the repository root:  Rscript tests/reference/make_reference_constraints.R
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "constraints")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))

HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
PD <- read.csv("data/PoliticalDemocracy.csv", stringsAsFactors = FALSE)
SOC <- readRDS("/work/shared/reference-data/lavaan-check/social.rds")
write_ref(SOC, file.path(OUT, "social.csv"))

pe_table <- function(fit) {
  pe <- parameterEstimates(fit, standardized = TRUE, remove.eq = FALSE, remove.ineq = FALSE, remove.def = FALSE)
  if (is.null(pe$label)) pe$label <- ""
  if (is.null(pe$group)) pe$group <- ifelse(pe$op %in% c("==", "<", ">", ":="), 0L, 1L)
  pe[, c("lhs", "op", "rhs", "label", "group", "est", "se", "std.lv", "std.all")]
}
FM <- c("npar", "df", "chisq", "pvalue", "cfi", "tli", "rmsea", "srmr", "logl", "aic", "bic")
# each case's model (and lavaan's constraints= argument) is written beside its tables for the Python tests
write_con_case <- function(case, fit, model, constraints = NULL, group = NULL) {
  writeLines(model, file.path(OUT, paste0(case, "_model.lav")))
  if (!is.null(constraints)) writeLines(constraints, file.path(OUT, paste0(case, "_constraints.txt")))
  fm <- fitMeasures(fit, FM)
  cat(sprintf("%-18s npar=%s df=%s chisq=%.4f conv=%s\n", case, fm["npar"], fm["df"], fm["chisq"],
              lavInspect(fit, "converged")))
  write_ref(pe_table(fit), file.path(OUT, paste0(case, "_params.csv")))
  write_ref(data.frame(measure = names(fm), value = as.numeric(fm)), file.path(OUT, paste0(case, "_fit.csv")))
}

PD_MODEL <- '
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + a*y2 + b*y3 + c*y4
dem65 =~ y5 + d*y6 + e*y7 + f*y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
a == d
b == e
c == f
'
CASES <- list(
  # lavaan's PoliticalDemocracy example with the loadings equal over time written as '=='
  pd_linear = list(model = PD_MODEL, data = PD),
  # linear constraints with coefficients and a constant
  hs_linear_sum = list(model = '
visual  =~ x1 + a1*x2 + a2*x3
textual =~ x4 + b1*x5 + b2*x6
speed   =~ x7 + c1*x8 + c2*x9
a1 + a2 == 1.5
b1 == 2*c1
', data = HS),
  # a nonlinear equality
  hs_nonlinear = list(model = '
visual  =~ x1 + a1*x2 + a2*x3
textual =~ x4 + b1*x5 + b2*x6
speed   =~ x7 + c1*x8 + c2*x9
b1 == b2^2
', data = HS),
  # inequalities that hold at the unconstrained optimum (both inactive: lavaan's fit is the unconstrained one)
  hs_ineq_inactive = list(model = '
visual  =~ x1 + a1*x2 + a2*x3
textual =~ x4 + b1*x5 + b2*x6
speed   =~ x7 + c1*x8 + c2*x9
a1 > 0
c2 < c1
', data = HS),
  # a bound the unconstrained optimum violates (active at the solution) and one that holds (inactive)
  hs_ineq_active = list(model = '
visual  =~ x1 + a1*x2 + a2*x3
textual =~ x4 + b1*x5 + b2*x6
speed   =~ x7 + c1*x8 + c2*x9
a1 > 0.7
b2 < b1
', data = HS),
  # ':=' of constrained labels: an indirect effect with two equal paths
  pd_defined = list(model = '
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ a*ind60
dem65 ~ c*ind60 + b*dem60
b == 4*c
a > 1.5
ab := a*b
total := a*b + c
', data = PD),
  # labels across groups, constrained by '=='
  hs_groups = list(model = '
visual  =~ x1 + c(v2a, v2b)*x2 + c(v3a, v3b)*x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
v2a == v2b
v3b == v3a + 0.1
dv2 := v2a - v2b
', data = HS, group = "school")
)
for (nm in names(CASES)) {
  cs <- CASES[[nm]]
  fit <- if (is.null(cs$group)) sem(cs$model, data = cs$data) else sem(cs$model, data = cs$data, group = cs$group)
  write_con_case(nm, fit, cs$model)
}
# FIML (missing = "ml") with a nonlinear equality and an active bound: data/hs_missing.csv
HSM <- read.csv("data/hs_missing.csv", stringsAsFactors = FALSE)
FIML_MODEL <- '
visual  =~ x1 + a1*x2 + a2*x3
textual =~ x4 + b1*x5 + b2*x6
speed   =~ x7 + c1*x8 + c2*x9
b1 == b2^2
a1 > 0.7
'
fit <- sem(FIML_MODEL, data = HSM, missing = "ml")
write_con_case("hs_fiml", fit, FIML_MODEL)
# lavaan-check's social_constraints (test.social_constraints.R): the constraints passed as 'constraints ='
SOC_MODEL <- 'anti ~ b1*pos + b2*neg + b3*dis'
fit <- sem(SOC_MODEL, data = SOC, constraints = ' b1 < b3; b2 < b3')
write_con_case("social_constraints", fit, SOC_MODEL, constraints = ' b1 < b3; b2 < b3')
fit <- sem(SOC_MODEL, data = SOC)
write_con_case("social_base", fit, SOC_MODEL)
