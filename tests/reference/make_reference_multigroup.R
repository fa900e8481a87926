# Reference values from lavaan for multi-group models and measurement invariance (issue 7, part 2).
# Run from the repository root:  Rscript tests/reference/make_reference_multigroup.R
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "mg")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
source(file.path("tests", "reference", "_models.R"))
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
mg_case <- function(case, fit) {
  cat(sprintf("%-14s converged=%s chisq=%.3f df=%d\n", case, lavInspect(fit, "converged"),
              fitMeasures(fit, "chisq"), as.integer(fitMeasures(fit, "df"))))
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (is.null(pe$label)) pe$label <- ""
  write_ref(pe[, c("lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue", "ci.lower", "ci.upper",
                   "std.lv", "std.all", "std.nox")], file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
  write_ref(data.frame(group = lavInspect(fit, "group.label"), nobs = unlist(lavInspect(fit, "nobs"))),
            file.path(OUT, paste0(case, "_groups.csv")))
}
configural <- cfa(HS_CFA, data = HS, group = "school")
metric <- cfa(HS_CFA, data = HS, group = "school", group.equal = "loadings")
scalar <- cfa(HS_CFA, data = HS, group = "school", group.equal = c("loadings", "intercepts"))
strict <- cfa(HS_CFA, data = HS, group = "school", group.equal = c("loadings", "intercepts", "residuals"))
mg_case("configural", configural)
mg_case("metric", metric)
mg_case("scalar", scalar)
mg_case("strict", strict)
lrt <- lavTestLRT(configural, metric, scalar, strict)
write_ref(data.frame(model = rownames(lrt), df = lrt$Df, chisq = lrt$Chisq, chisq_diff = lrt[["Chisq diff"]],
                     df_diff = lrt[["Df diff"]], pvalue = lrt[["Pr(>Chisq)"]]), file.path(OUT, "invariance_lrt.csv"))
cat("done; lavaan", as.character(packageVersion("lavaan")), "\n")

# MLR: multi-group fits and the Satorra-Bentler (2001) scaled difference tests of lavTestLRT
configural_mlr <- cfa(HS_CFA, data = HS, group = "school", estimator = "MLR")
metric_mlr <- cfa(HS_CFA, data = HS, group = "school", group.equal = "loadings", estimator = "MLR")
scalar_mlr <- cfa(HS_CFA, data = HS, group = "school", group.equal = c("loadings", "intercepts"), estimator = "MLR")
mg_case("configural_mlr", configural_mlr)
mg_case("metric_mlr", metric_mlr)
mg_case("scalar_mlr", scalar_mlr)
lrt <- lavTestLRT(configural_mlr, metric_mlr, scalar_mlr)
write_ref(data.frame(model = rownames(lrt), df = lrt$Df, chisq = lrt$Chisq, chisq_diff = lrt[["Chisq diff"]],
                     df_diff = lrt[["Df diff"]], pvalue = lrt[["Pr(>Chisq)"]]), file.path(OUT, "invariance_mlr_lrt.csv"))

# modification indices of multi-group fits (lavaan lists them per group; equality constraints are ignored)
write_ref(as.data.frame(modindices(configural)), file.path(OUT, "configural_modindices.csv"))
write_ref(as.data.frame(modindices(scalar)), file.path(OUT, "scalar_modindices.csv"))

# multi-group FIML (missing = "ml"), ML and MLR: HS with 10% missing cells, metric invariance
HSM <- read.csv("data/hs_missing10.csv", stringsAsFactors = FALSE)
mg_case("metric_fiml", cfa(HS_CFA, data = HSM, group = "school", group.equal = "loadings", missing = "ml"))
mg_case("metric_fiml_mlr", cfa(HS_CFA, data = HSM, group = "school", group.equal = "loadings", missing = "ml",
                               estimator = "MLR"))
