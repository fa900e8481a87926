# Reference values from lavaan 0.6-14 for the bootstrap of multi-group fits, of FIML fits with explicit
# constraints, Bollen-Stine with constraints, and ML se = "bootstrap" with the Yuan-Bentler test (issues 11, 14).
# lavaan resamples within each group (group sizes kept); the SE of a free parameter is the SD of its draws
# (divisor B). lavaan draws with R's generator and egovsem with numpy's: independent bootstraps of the same
# data, compared within Monte Carlo error (tests/test_bootstrap_groups.py).
# Run from the repository root:  Rscript tests/reference/make_reference_bootstrap_groups.R
# Writes tests/reference/bootstrap_groups/<case>_{params,info}.csv.
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "bootstrap_groups")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
HSM <- read.csv("data/hs_missing10.csv", stringsAsFactors = FALSE)
HS3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
EQ <- "visual  =~ x1 + a*x2 + b*x3
textual =~ x4 + c*x5 + c2*x6
speed   =~ x7 + x8 + x9
a == b
c2 == 1.1*c"

write_case <- write_boot_case  # tests/reference/_ref_helpers.R

# 1. multi-group ML, loadings equal across schools, B = 2000
set.seed(2026)
fit <- cfa(HS3, data = HS, group = "school", group.equal = "loadings", se = "bootstrap", bootstrap = 2000L)
write_case("mg_ml", fit, 2000L)

# 2. multi-group FIML (10% missing), loadings equal, B = 1000
set.seed(2026)
fit <- cfa(HS3, data = HSM, group = "school", group.equal = "loadings", missing = "ml", se = "bootstrap",
           bootstrap = 1000L)
write_case("mg_fiml", fit, 1000L)

# 3. explicit constraints under FIML, B = 1000
set.seed(2026)
fit <- cfa(EQ, data = HSM, missing = "ml", se = "bootstrap", bootstrap = 1000L)
write_case("eq_fiml", fit, 1000L)

# 4. Bollen-Stine with explicit constraints (complete data), B = 1000
set.seed(2026)
fit <- cfa(EQ, data = HS, test = "bollen.stine", bootstrap = 1000L)
bs <- fit@test[["bollen.stine"]]
write_ref(data.frame(key = c("chisq", "pvalue", "B", "successful"),
                     value = c(fitMeasures(fit, "chisq"), bs$pvalue, 1000L, sum(!is.na(bs$boot.T)))),
          file.path(OUT, "eq_bollen_stine.csv"))
cat("bollen.stine done\n")

# 5. ML with se = "bootstrap" and the Yuan-Bentler test (lavaan refuses estimator = "MLR" with se = "bootstrap":
# "use ML estimator for bootstrap"); the fit measures do not depend on the resamples
set.seed(2026)
fit <- cfa(HS3, data = HSM, missing = "ml", se = "bootstrap", test = "yuan.bentler.mplus", bootstrap = 50L)
fm <- fitMeasures(fit, c("chisq", "df", "chisq.scaled", "chisq.scaling.factor", "cfi.scaled", "tli.scaled",
                         "rmsea.scaled", "cfi.robust", "rmsea.robust", "srmr"))
write_ref(data.frame(key = names(fm), value = as.numeric(fm)), file.path(OUT, "yb_fiml_fit.csv"))
fit <- cfa(HS3, data = HS, se = "bootstrap", test = "yuan.bentler", bootstrap = 50L)
fm <- fitMeasures(fit, c("chisq", "df", "chisq.scaled", "chisq.scaling.factor", "cfi.scaled", "tli.scaled",
                         "rmsea.scaled", "cfi.robust", "rmsea.robust", "srmr"))
write_ref(data.frame(key = names(fm), value = as.numeric(fm)), file.path(OUT, "yb_ml_fit.csv"))
cat("lavaan", as.character(packageVersion("lavaan")), "all done\n")

# 6. the same with two groups (loadings equal): se = "bootstrap" with test = "yuan.bentler.mplus"
set.seed(2026)
fit <- cfa(HS3, data = HSM, group = "school", group.equal = "loadings", missing = "ml", se = "bootstrap",
           test = "yuan.bentler.mplus", bootstrap = 20L)
fm <- fitMeasures(fit, c("chisq", "df", "chisq.scaled", "chisq.scaling.factor", "cfi.scaled", "tli.scaled",
                         "rmsea.scaled", "cfi.robust", "rmsea.robust", "srmr"))
write_ref(data.frame(key = names(fm), value = as.numeric(fm)), file.path(OUT, "yb_mg_fiml_fit.csv"))
cat("yb groups done\n")

# 7. se = "bootstrap" with the Satorra-Bentler style tests (complete data; lavaan then takes observed information)
for (t in c("satorra.bentler", "scaled.shifted", "mean.var.adjusted")) {
  set.seed(2026)
  fit <- cfa(HS3, data = HS, se = "bootstrap", test = t, bootstrap = 20L)
  keys <- c("chisq", "df", "chisq.scaled", "chisq.scaling.factor", "cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr")
  if (t != "mean.var.adjusted") keys <- c(keys, "cfi.robust", "rmsea.robust")
  fm <- fitMeasures(fit, keys)
  write_ref(data.frame(key = names(fm), value = as.numeric(fm)), file.path(OUT, paste0("sb_", t, "_fit.csv")))
}
cat("satorra-bentler done\n")
