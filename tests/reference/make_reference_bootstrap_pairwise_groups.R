# Reference values from lavaan 0.6-14 for se = "bootstrap" with missing = "pairwise" and several groups
# (issue 11). lavaan resamples within each group (the group sizes kept) and refits every resample to its own
# pairwise moments (each group's cov(use = "pairwise") * (n_g - 1) / n_g and available-case means). lavaan
# draws with R's generator and egovsem with numpy's: independent bootstraps of the same data, compared within
# Monte Carlo error (tests/test_bootstrap_pairwise_groups.py, as tests/test_bootstrap_groups.py).
# Run from the repository root:  Rscript tests/reference/make_reference_bootstrap_pairwise_groups.R
# Writes tests/reference/bootstrap_pairwise_groups/<case>_{params,info}.csv.
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "bootstrap_pairwise_groups")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
HSM <- read.csv("data/hs_missing.csv", stringsAsFactors = FALSE)
HS3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"

write_case <- write_boot_case  # tests/reference/_ref_helpers.R

# 1. two schools, loadings equal, pairwise moments, B = 1000
set.seed(2026)
fit <- cfa(HS3, data = HSM, group = "school", group.equal = "loadings", missing = "pairwise",
           se = "bootstrap", bootstrap = 1000L)
write_case("mg_pairwise", fit, 1000L)

cat("lavaan", as.character(packageVersion("lavaan")), "all done\n")
