# Reference values from lavaan 0.6-14 for std.ov = TRUE with ordered indicators (WLSMV; issue 11). lavaan
# standardises only the continuous observed variables (R's scale(), divisor N - 1, in each group, on the rows
# analysed): with every indicator ordered and no covariate std.ov changes nothing; continuous indicators and
# exogenous covariates (conditional.x) are standardised, the ordered items keep their categories.
# Data: data/hs_ordinal.csv (lavaan's HolzingerSwineford1939 cut into categories) and psych's bfi
# (data/bfi.csv, complete rows on the variables used).
# Run from the repository root:  Rscript tests/reference/make_reference_std_ov_wlsmv.R
# Writes tests/reference/std_ov_wlsmv/<case>_{params,fit}.csv.
suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "std_ov_wlsmv")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
HSO <- read.csv("data/hs_ordinal.csv", stringsAsFactors = FALSE)
BFI <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)
D <- BFI[complete.cases(BFI[, c(paste0("A", 1:5), "age", "gender")]), ]
FM <- c("npar", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled", "cfi", "tli", "rmsea",
        "cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr")

write_std <- function(case, fit) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (is.null(pe$label)) pe$label <- ""
  if (is.null(pe$group)) pe$group <- 1L
  write_ref(pe[, c("lhs", "op", "rhs", "label", "group", "est", "se", "std.lv", "std.all", "std.nox")],
            file.path(OUT, paste0(case, "_params.csv")))
  fm <- fitMeasures(fit, FM)
  write_ref(data.frame(measure = names(fm), value = as.numeric(fm)), file.path(OUT, paste0(case, "_fit.csv")))
  cat(case, "done\n")
}
HS3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
# 1. every indicator ordered, no covariate: std.ov is a no-op (checked here against the fit without it)
a <- cfa(HS3, data = HSO, ordered = TRUE, std.ov = TRUE)
b <- cfa(HS3, data = HSO, ordered = TRUE)
stopifnot(isTRUE(all.equal(parameterEstimates(a), parameterEstimates(b))))
write_std("hs_all_ordered", a)
# 2. MIMIC with continuous covariates (age, gender): conditional.x, the covariates standardised
write_std("bfi_mimic", cfa("A =~ A1 + A2 + A3 + A4 + A5\n A ~ age + gender", data = D, ordered = TRUE,
                           std.ov = TRUE))
# 3. mixed indicators: A1-A3 ordered, A4 and A5 continuous (standardised)
write_std("bfi_mixed", cfa("A =~ A1 + A2 + A3 + A4 + A5", data = D, ordered = c("A1", "A2", "A3"),
                           std.ov = TRUE))
# 4. the same in two groups (gender): each group's continuous columns standardised on its own rows
write_std("bfi_mixed_groups", cfa("A =~ A1 + A2 + A3 + A4 + A5", data = D, ordered = c("A1", "A2", "A3"),
                                  group = "gender", std.ov = TRUE))
# 5. mixed indicators with missing values, missing = "pairwise" (all of bfi's rows): each continuous column
# standardised on the rows observing any model variable, its own observed cells
write_std("bfi_mixed_pairwise", cfa("A =~ A1 + A2 + A3 + A4 + A5", data = BFI, ordered = c("A1", "A2", "A3"),
                                    missing = "pairwise", std.ov = TRUE))
cat("lavaan", as.character(packageVersion("lavaan")), "all done\n")
