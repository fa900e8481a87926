# Reference values from lavaan 0.6-14 for the fitting options of issue 11 ("lavaan options"):
# orthogonal, std.ov, group.partial, growth(), lavaan() with explicit specification and its auto.* switches,
# and lavaan-check's hsbmis2 case (missing = "ml" with missing values on the exogenous x).
# Run from the repository root:  Rscript tests/reference/make_reference_options.R
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "options")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
source(file.path("tests", "reference", "_models.R"))

# lavaan's Demo.growth, and lavaan-check's hsbmis2 (readRDS of the lavaan-check file), written out once
if (!file.exists("data/Demo.growth.csv")) write.csv(Demo.growth, "data/Demo.growth.csv", row.names = FALSE)
if (!file.exists("data/hsbmis2.csv")) {
  write.csv(readRDS("/work/shared/reference-data/lavaan-check/hsbmis2.rds"), "data/hsbmis2.csv",
            row.names = FALSE, na = "")
}
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
DG <- read.csv("data/Demo.growth.csv", stringsAsFactors = FALSE)
HSB <- read.csv("data/hsbmis2.csv", stringsAsFactors = FALSE)

opt_case <- function(case, fit) {
  cat(sprintf("%-16s converged=%s chisq=%.4f df=%d nobs=%s\n", case, lavInspect(fit, "converged"),
              fitMeasures(fit, "chisq"), as.integer(fitMeasures(fit, "df")),
              paste(unlist(lavInspect(fit, "nobs")), collapse = "/")))
  write_params_fit(fit, case)
  write_ref(data.frame(group = seq_along(unlist(lavInspect(fit, "nobs"))),
                       nobs = unlist(lavInspect(fit, "nobs"))), file.path(OUT, paste0(case, "_nobs.csv")))
}

# 1. orthogonal CFA; std.ov (scale(): every observed variable centred and divided by its N-1 sd)
opt_case("orthogonal", cfa(HS_CFA, data = HS, orthogonal = TRUE))
opt_case("std_ov", cfa(HS_CFA, data = HS, std.ov = TRUE))
opt_case("std_ov_std_lv", cfa(HS_CFA, data = HS, std.ov = TRUE, std.lv = TRUE, orthogonal = TRUE))

# 2. partial invariance: loadings and intercepts equal across schools except visual =~ x2 and x3 ~ 1
opt_case("partial", cfa(HS_CFA, data = HS, group = "school", group.equal = c("loadings", "intercepts"),
                        group.partial = c("visual =~ x2", "x3 ~ 1")))

# 3. growth(): the lavaan tutorial's linear growth model, without and with time-invariant covariates
GROWTH <- 'i =~ 1*t1 + 1*t2 + 1*t3 + 1*t4
           s =~ 0*t1 + 1*t2 + 2*t3 + 3*t4'
GROWTH_X <- paste(GROWTH, '
           i ~ x1 + x2
           s ~ x1 + x2')
opt_case("growth", growth(GROWTH, data = DG))
opt_case("growth_x", growth(GROWTH_X, data = DG))

# 4. lavaan(): every parameter written out (auto.* switches off, lavaan()'s defaults)
LAV_FULL <- '
  visual  =~ 1*x1 + x2 + x3
  textual =~ 1*x4 + x5 + x6
  speed   =~ 1*x7 + x8 + x9
  x1 ~~ x1
  x2 ~~ x2
  x3 ~~ x3
  x4 ~~ x4
  x5 ~~ x5
  x6 ~~ x6
  x7 ~~ x7
  x8 ~~ x8
  x9 ~~ x9
  visual ~~ visual
  textual ~~ textual
  speed ~~ speed
  visual ~~ textual + speed
  textual ~~ speed
'
opt_case("lavaan_full", lavaan(LAV_FULL, data = HS))
# lavaan() with some switches on: free residual variances, first loadings fixed, no factor covariances
opt_case("lavaan_auto", lavaan(HS_CFA, data = HS, auto.var = TRUE, auto.fix.first = TRUE))
# lavaan() with a mean structure: free intercepts of the indicators, latent means fixed to 0 (int.lv.free off)
opt_case("lavaan_means", lavaan(HS_CFA, data = HS, auto.var = TRUE, auto.fix.first = TRUE,
                                auto.cov.lv.x = TRUE, meanstructure = TRUE, int.ov.free = TRUE))

# 5. lavaan-check hsbmis2 (tests/hsbmis2.R of github.com/lucdw/lavaan-check): missing = "ml" with missing
# values on the exogenous x; with fixed.x = TRUE lavaan 0.6-14 deletes the 124 cases with a missing x
hsb <- sem('write ~ female + read + math', data = HSB, missing = "ml")
opt_case("hsbmis2", hsb)
opt_case("hsbmis2_orthogonal", update(hsb, orthogonal = TRUE))
cat("done; lavaan", as.character(packageVersion("lavaan")), "\n")
