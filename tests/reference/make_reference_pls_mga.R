# Reference numbers for egovsem's PLS multi-group analysis (tests/test_pls_mga.py), base R only.
#
# seminr's test-pls-mga.R (sem-in-r/seminr, commit ae2524a) splits the mobi data with
#   set.seed(798234); rand_cond <- sample(c(TRUE, FALSE), nrow(mobi), replace = TRUE)
# and stores estimate_pls_mga(mobi_pls, rand_cond, nboot = 100) in tests/fixtures/V_3_6_0/pls-mga-mobi-100.RDS.
# This script rebuilds that grouping (base R's sample, R >= 3.6 "Rejection" sampling) and copies the numbers of
# the fixture (a data frame: one row per path) to CSV; the RDS itself is not committed.
#
# usage: Rscript tests/reference/make_reference_pls_mga.R PATH/TO/pls-mga-mobi-100.RDS
args <- commandArgs(trailingOnly = TRUE)
out <- "tests/reference/pls_mga"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
set.seed(798234)
rand_cond <- sample(c(TRUE, FALSE), 250, replace = TRUE)
write.csv(data.frame(row = 1:250, group1 = rand_cond), file.path(out, "condition.csv"), row.names = FALSE)
mga <- readRDS(args[1])
df <- as.data.frame(lapply(mga, function(v) v))
write.csv(df, file.path(out, "pls_mga_mobi_100.csv"), row.names = FALSE)
