# Reference values from lavaan 0.6-14 for the model matrices of inspect() after WLSMV with exogenous observed
# covariates (lavaan's conditional.x; egovsem.sem.inspect_conditional, tests/test_inspect_conditional.py):
# lavInspect(fit, "est"), "free", "se" and "start": lambda, theta, psi, beta (when there is one), nu, alpha,
# tau, delta, gamma (the regressions on the covariates, latent variables x covariates), cov.x and mean.x (the
# covariates' sample moments, fixed.x), of
#   * bfi_mimic: A =~ A1 + ... + A5; A ~ age + education (psych's bfi, all items ordered, delta),
#   * bfi_direct_theta: the same with A3 ~ age (A3 becomes a phantom latent variable), theta parameterisation,
#   * bfi_mg: bfi_direct_theta's model in the two genders (delta), bfi_mg_theta: theta with
#     group.equal = c("loadings", "thresholds") (free residual variances in the second group),
#   * bfi_mixed: A1-A3 ordered, A4 and A5 continuous (one group), bfi_mixed_mg: the same by gender, theta,
#   * hs_ord: two factors of data/hs_ordinal.csv regressed on ageyr and sex of HolzingerSwineford1939 (same rows)
#     with a regression between the factors (beta); hs_ord_theta: the same, theta parameterisation; hs_ord_y: an
#     ordered outcome of a factor and a covariate (x4 ~ visual + ageyr, a phantom that is not an indicator),
#   * bfi_cov_theta: a residual covariance A1 ~~ A2 (theta); bfi_labels: two loadings equal by a shared label;
#     bfi_pairwise: bfi_mimic with missing = "pairwise" (rows with a missing covariate deleted, items pairwise).
# Run from the repository root:  Rscript tests/reference/make_reference_inspect_conditional.R
# Writes tests/reference/inspect_conditional/<case>.json in the format of make_reference_inspect.R: a matrix as
# {"rows", "cols", "values" (row by row)}, a list (the model matrices; per group) as {"list": {name: value}}.
suppressMessages(for (p in c("lavaan", "jsonlite")) library(p, character.only = TRUE))
if (!file.exists("data/HolzingerSwineford1939.csv")) stop("run from the repository root")
source(file.path("tests", "reference", "_ref_helpers.R"))
HS <- read.csv("data/HolzingerSwineford1939.csv")
DATA <- list(BFI = read.csv("data/bfi.csv"), ORD = cbind(read.csv("data/hs_ordinal.csv"), HS[c("ageyr", "sex")]))
OUT <- file.path("tests", "reference", "inspect_conditional")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)

A <- paste0("A", 1:5)
MIMIC <- "A =~ A1 + A2 + A3 + A4 + A5\nA ~ age + education"
DIRECT <- paste0(MIMIC, "\nA3 ~ age")
HSM <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ ageyr + sex\ntextual ~ sex + visual"
CASES <- list(
  bfi_mimic = list(MIMIC, "BFI", list(ordered = A)),
  bfi_direct_theta = list(DIRECT, "BFI", list(ordered = A, parameterization = "theta")),
  bfi_mg = list(DIRECT, "BFI", list(ordered = A, group = "gender")),
  bfi_mg_theta = list(DIRECT, "BFI", list(ordered = A, group = "gender", parameterization = "theta",
                                          group.equal = c("loadings", "thresholds"))),
  bfi_mixed = list(MIMIC, "BFI", list(ordered = A[1:3])),
  bfi_mixed_mg = list(MIMIC, "BFI", list(ordered = A[1:3], group = "gender", parameterization = "theta")),
  hs_ord = list(HSM, "ORD", list(ordered = paste0("x", 1:6))),
  hs_ord_theta = list(HSM, "ORD", list(ordered = paste0("x", 1:6), parameterization = "theta")),
  hs_ord_y = list("visual =~ x1 + x2 + x3\nx4 ~ visual + ageyr\nvisual ~ sex", "ORD",
                  list(ordered = paste0("x", 1:4))),
  bfi_cov_theta = list(paste0(MIMIC, "\nA1 ~~ A2"), "BFI", list(ordered = A, parameterization = "theta")),
  bfi_labels = list("A =~ A1 + a*A2 + a*A3 + A4 + A5\nA ~ age + education", "BFI", list(ordered = A)),
  bfi_pairwise = list(MIMIC, "BFI", list(ordered = A, missing = "pairwise"))
)

for (case in names(CASES)) {
  m <- CASES[[case]]
  fit <- do.call("sem", c(list(model = m[[1]], data = DATA[[m[[2]]]], estimator = "WLSMV"), m[[3]]))
  stopifnot(lavInspect(fit, "options")$conditional.x)
  write_inspect_json(fit, c("est", "free", "se", "start"), file.path(OUT, paste0(case, ".json")))
  cat(case, ": converged", lavInspect(fit, "converged"), " npar", lavInspect(fit, "npar"), "\n")
}
