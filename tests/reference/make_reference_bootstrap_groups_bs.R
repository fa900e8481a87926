# Reference values from lavaan 0.6-14: Bollen-Stine bootstrap p-values, B = 1000, for
# tests/test_bootstrap_groups.py: of multi-group fits (each group's rows transformed by its own
# S^-1/2 Sigma^1/2, resampled within the group), and of a fit with an explicit constraint; models that fit
# moderately (p between 0.01 and 0.1), so that the p-values are informative. lavaan 0.6-14 refuses Bollen-Stine for missing data ("bollen.stine/yuan
# bootstrap not available for missing data"), and egovsem with it.
# Run from the repository root:  Rscript tests/reference/make_reference_bootstrap_groups_bs.R
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "bootstrap_groups")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
HS3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
set.seed(2026)
fit <- cfa(HS3, data = HS, group = "school", group.equal = "loadings", test = "bollen.stine", bootstrap = 1000L)
bs <- fit@test[["bollen.stine"]]
write_ref(data.frame(key = c("chisq", "pvalue", "B", "successful"),
                     value = c(fitMeasures(fit, "chisq"), bs$pvalue, 1000L, sum(!is.na(bs$boot.T)))),
          file.path(OUT, "mg_bollen_stine.csv"))
write_bs <- function(case, fit) {
  bs <- fit@test[["bollen.stine"]]
  write_ref(data.frame(key = c("chisq", "pvalue", "B", "successful"),
                       value = c(fitMeasures(fit, "chisq"), bs$pvalue, 1000L, sum(!is.na(bs$boot.T)))),
            file.path(OUT, paste0(case, "_bollen_stine.csv")))
}
TS <- "textual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
set.seed(2026)
write_bs("mg_ts", cfa(TS, data = HS, group = "school", group.equal = "loadings", test = "bollen.stine",
                      bootstrap = 1000L))
TSC <- "textual =~ x4 + c*x5 + c2*x6\nspeed =~ x7 + b*x8 + b2*x9\ntextual ~~ 0.2*speed\nc2 == 0.9*c"
writeLines(TSC, file.path(OUT, "tsc_model.lav"))
set.seed(2026)
write_bs("tsc", cfa(TSC, data = HS, test = "bollen.stine", bootstrap = 1000L))
cat("lavaan", as.character(packageVersion("lavaan")), "done\n")
