# Reference values from lavaan 0.6-14 for the model matrices of Results.inspect() when lavaan adds phantom
# ("dummy") latent variables (egovsem.sem.inspect; tests/test_inspect_phantom.py): lavInspect(fit, "est"),
# lavInspect(fit, "free"), "se", "start", and "cov.lv" / "cor.lv" (the phantom variables left out; with one
# latent variable lavaan 0.6-14's "cor.lv" is its variance: cov2cor only when there are two or more) of models where
#   * a '<~' composite's indicators become latent variables (hs_comp, hs_comp_mean),
#   * an observed variable is regressed on, predicts or covaries with a latent variable (hs_mimic with
#     fixed.x = TRUE, hs_mimic_fx with fixed.x = FALSE, hs_y_on_f, hs_cov_f, pd_sem), or
#   * only observed variables are in regressions (pd_path),
# in one group and in two (hs_mimic_mg); with a product term (hs_int, hs_int_endo), a second-order factor
# (hs_2nd_cov), FIML (hs_fiml_mimic, hs_missing.csv) and WLSMV (hs_ord_y_on_f, hs_ordinal.csv; hs_ord_x6_on_x1: an
# ordered predictor, x1 and x6 dummy latents whose psi variances are lavaan's delta rule's).
# Run from the repository root:  Rscript tests/reference/make_reference_inspect_phantom.R
# Writes tests/reference/inspect_phantom/<case>.json in the format of make_reference_inspect.R: a matrix as
# {"rows", "cols", "values" (row by row)}, a list (the model matrices; per group) as {"list": {name: value}}.
suppressMessages(for (p in c("lavaan", "jsonlite")) library(p, character.only = TRUE))
if (!file.exists("data/HolzingerSwineford1939.csv")) stop("run from the repository root")
source(file.path("tests", "reference", "_ref_helpers.R"))
DATA <- list(HS = read.csv("data/HolzingerSwineford1939.csv"), PD = read.csv("data/PoliticalDemocracy.csv"),
             HSM = read.csv("data/hs_missing.csv"), ORD = read.csv("data/hs_ordinal.csv"))
OUT <- file.path("tests", "reference", "inspect_phantom")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)

CASES <- list(
  hs_comp = list("f <~ 1*x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\ntextual ~ f\nspeed ~ f",
                 "HS", list()),
  hs_comp_mean = list("f <~ 1*x1 + x2 + x3\ntextual =~ x4 + x5 + x6\ntextual ~ f", "HS",
                      list(meanstructure = TRUE)),
  hs_mimic = list("visual =~ x1 + x2 + x3\nvisual ~ x4 + x5", "HS", list()),
  hs_mimic_fx = list("visual =~ x1 + x2 + x3\nvisual ~ x4 + x5", "HS", list(fixed.x = FALSE)),
  hs_y_on_f = list("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nx7 ~ visual + textual", "HS", list()),
  hs_cov_f = list("visual =~ x1 + x2 + x3\nx4 ~~ visual", "HS", list()),
  pd_sem = list("ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4\ndem60 ~ ind60\ny5 ~ dem60 + x1\ny1 ~~ y5",
                "PD", list(meanstructure = TRUE)),
  pd_path = list("y1 ~ x1 + x2\ny5 ~ y1 + x1", "PD", list()),
  hs_mimic_mg = list("visual =~ x1 + x2 + x3\nvisual ~ x4\nx7 ~ visual", "HS", list(group = "school")),
  hs_int = list("visual =~ x1 + x2 + x3\nvisual ~ x4 + x5 + x4:x5", "HS", list()),
  hs_int_endo = list("x9 ~ x1 + x2 + x1:x2\nx2 ~ x3", "HS", list()),
  hs_2nd_cov = list("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n
                     g =~ visual + textual + speed\ng ~ ageyr", "HS", list()),
  hs_fiml_mimic = list("visual =~ x1 + x2 + x3\nvisual ~ x4 + x5", "HSM", list(missing = "fiml")),
  hs_ord_y_on_f = list("visual =~ x1 + x2 + x3\nx4 ~ visual", "ORD", list(ordered = TRUE, estimator = "WLSMV")),
  hs_ord_x6_on_x1 = list("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\nx6 ~ x1", "ORD",
                         list(ordered = TRUE, estimator = "WLSMV"))
)

for (case in names(CASES)) {
  m <- CASES[[case]]
  fit <- do.call("sem", c(list(model = m[[1]], data = DATA[[m[[2]]]]), m[[3]]))
  write_inspect_json(fit, c("est", "free", "se", "start", "cov.lv", "cor.lv"), file.path(OUT, paste0(case, ".json")))
  cat(case, ": converged", lavInspect(fit, "converged"), " npar", lavInspect(fit, "npar"), "\n")
}
