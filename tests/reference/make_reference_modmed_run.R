# Reference values for the moderated mediation of `egovsem run --example` (egovsem.study.modmed_run;
# tests/test_modmed_run.py), written to tests/reference/modmed_run/.
#
# R 4 with lavaan 0.6-14 and semTools 0.5-6. Run from the repository root:
#   Rscript tests/reference/make_reference_modmed_run.R
#
# Data: tests/reference/modmed_run/clean_items.csv, the items of SG, PV, TI and PI of the cleaned example
# data the run fits (SIMULATED: data/example/raw_export.csv cleaned by egovsem.clean with the example's rules,
# 545 rows; written from egovsem run's cleaned data with pandas to_csv, missing cells empty;
# tests/test_modmed_run.py::test_fixture_is_the_runs_cleaned_data checks it is still what the run fits).
# Model: the run's default `moderated_mediation: {x: SG, m: PV, y: PI, w: TI, stage: second}`, i.e. H9a
# SG -> PV -> PI with trust in the platform (TI) moderating the second stage PV -> PI (Hayes model 14),
# the product factor PVxTI measured by semTools::indProd(match = TRUE, meanC = TRUE, doubleMC = TRUE)
# indicators PV1.TI1 + PV2.TI2 + PV3.TI3 + PV4.TI4; missing = "ml" (FIML, the run's setting), fixed.x and
# everything else at lavaan's defaults (sem()).
# Moderator values: TI = 0 -+ 1 SD, SD = sqrt of lavaan's estimated variance of TI (written to values.csv).
#   defined.csv : lhs est se of the ':=' rows (ind_lo, ind_mid, ind_hi, imm), delta-method SEs
#   values.csv  : the moderator values used
#   boot.csv    : se = "bootstrap", B = 1000, set.seed(20261125), percentile intervals (boot.ci.type = "perc")
#                 of the ':=' rows, every resample refitted by FIML as lavaan does; compared within Monte
#                 Carlo error
suppressPackageStartupMessages({ library(lavaan); library(semTools) })
stopifnot(packageVersion("lavaan") == "0.6.14", packageVersion("semTools") == "0.5.6")
OUT <- "tests/reference/modmed_run"
wr <- function(x, f) write.csv(x, file.path(OUT, f), row.names = FALSE)
D <- read.csv(file.path(OUT, "clean_items.csv"))
d <- indProd(D, var1 = paste0("PV", 1:4), var2 = paste0("TI", 1:4), match = TRUE, meanC = TRUE,
             residualC = FALSE, doubleMC = TRUE)
base <- "
SG =~ SG1 + SG2 + SG3 + SG4
PV =~ PV1 + PV2 + PV3 + PV4
PI =~ PI1 + PI2 + PI3 + PI4
TI =~ TI1 + TI2 + TI3 + TI4
PVxTI =~ PV1.TI1 + PV2.TI2 + PV3.TI3 + PV4.TI4
PV ~ a1*SG
PI ~ b1*PV + b2*TI + b3*PVxTI + c1*SG
"
fit0 <- sem(base, data = d, missing = "ml")
sdw <- sqrt(coef(fit0)["TI~~TI"])
w <- c(-sdw, 0, sdw)
wr(data.frame(w = sprintf("%.12g", w)), "values.csv")
mod <- paste0(base, sprintf("
ind_lo := a1*(b1 + b3*%.12g)
ind_mid := a1*(b1 + b3*%.12g)
ind_hi := a1*(b1 + b3*%.12g)
imm := a1*b3", w[1], w[2], w[3]))
fit <- sem(mod, data = d, missing = "ml")
pe <- parameterEstimates(fit)
pe <- pe[pe$op == ":=", c("lhs", "est", "se")]
pe$est <- sprintf("%.10g", pe$est); pe$se <- sprintf("%.10g", pe$se)
wr(pe, "defined.csv")
if (Sys.getenv("MODMED_NO_BOOT") != "1") {
  set.seed(20261125)
  t0 <- proc.time()[["elapsed"]]
  fitb <- sem(mod, data = d, missing = "ml", se = "bootstrap", bootstrap = 1000)
  cat(sprintf("lavaan bootstrap B = 1000 (FIML): %.1f s\n", proc.time()[["elapsed"]] - t0))
  pe <- parameterEstimates(fitb, boot.ci.type = "perc")
  pe <- pe[pe$op == ":=", c("lhs", "est", "se", "ci.lower", "ci.upper")]
  for (j in 2:5) pe[[j]] <- sprintf("%.10g", pe[[j]])
  pe$nboot <- nrow(lavInspect(fitb, "boot"))
  wr(pe, "boot.csv")
}
