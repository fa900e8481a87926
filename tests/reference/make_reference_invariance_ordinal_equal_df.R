# Reference for egovsem.measure.invariance(..., ordered=True) when two consecutive steps have the same df:
# with 3-category items the thresholds step of Wu & Estabrook (2016) is only a reparameterisation of the
# configural model (semTools::measEq.syntax(ID.cat = "Wu.Estabrook.2016") then frees the intercepts and
# the latent-response variances as the equal thresholds fix them), so both models have the same df.
# lavaan 0.6-14's lavTestLRT(configural, thresholds) then gives: Df diff = 0, "Chisq diff" = the plain
# (unscaled) difference of the two DWLS statistics, T(thresholds) - T(configural) (lav_test_diff_Satorra2000
# returns T0 - T1 without scaling when m = 0), Pr(>Chisq) = NA, and the warning
# "lavaan WARNING: some models have the same degrees of freedom".
# Data: HolzingerSwineford1939 x1..x9 cut into 3 categories at their terciles (written to hs3_school.csv).
#
# Run from the repository root:  Rscript tests/reference/make_reference_invariance_ordinal_equal_df.R
# Writes tests/reference/invariance_ordinal/hs3_school.csv, hs3_{configural,thresholds}_fit.csv, hs3_lrt.csv.
suppressPackageStartupMessages({library(lavaan); library(semTools)})
OUT <- file.path("tests", "reference", "invariance_ordinal")
source(file.path("tests", "reference", "_ref_helpers.R"))
d <- HolzingerSwineford1939[, c("school", paste0("x", 1:9))]
d$school <- as.character(d$school)
for (v in paste0("x", 1:9))
  d[[v]] <- as.integer(cut(d[[v]], quantile(d[[v]], c(0, 1/3, 2/3, 1)), include.lowest = TRUE))
write.csv(d, file.path(OUT, "hs3_school.csv"), row.names = FALSE)
M <- "visual =~ x1 + x2 + x3
      textual =~ x4 + x5 + x6
      speed =~ x7 + x8 + x9"
ords <- paste0("x", 1:9)
fits <- list()
for (nm in c("configural", "thresholds")) {
  syn <- measEq.syntax(configural.model = M, data = d, ordered = ords, parameterization = "delta",
                       ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group = "school", group.equal = nm)
  fits[[nm]] <- cfa(as.character(syn), data = d, ordered = ords, group = "school", estimator = "WLSMV")
  fm <- fitMeasures(fits[[nm]], c("chisq", "df", "chisq.scaled", "df.scaled", "cfi.scaled", "rmsea.scaled"))
  write_ref(data.frame(measure = names(fm), value = as.numeric(fm)), file.path(OUT, paste0("hs3_", nm, "_fit.csv")))
}
warn <- character(0)
lrt <- withCallingHandlers(lavTestLRT(fits$configural, fits$thresholds),
                           warning = function(w) { warn <<- c(warn, conditionMessage(w)); invokeRestart("muffleWarning") })
write_ref(data.frame(restricted = "thresholds", free = "configural", chisq_diff = lrt[2, "Chisq diff"],
                     df_diff = lrt[2, "Df diff"], pvalue = lrt[2, "Pr(>Chisq)"],
                     warning = paste(warn, collapse = " | ")),
          file.path(OUT, "hs3_lrt.csv"))
