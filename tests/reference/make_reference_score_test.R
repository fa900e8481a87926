# Reference values for score tests of equality constraints (issue 12: ranking which parameters to free for
# partial invariance): lavaan 0.6-14's lavTestScore() (expected information, its default).
# Run from the repository root:  Rscript tests/reference/make_reference_score_test.R
#
# Cases (<case>_total.csv = $test, <case>_uni.csv = $uni with lavaan's plabels):
#   hs_scalar   : HS 3-factor CFA by school, group.equal = c("loadings", "intercepts")   (ML)
#   hs_metric   : the same with group.equal = "loadings"
#   hs_release  : hs_scalar with release = c(7, 8, 9) (the intercepts of x1-x3 released together)
#   hs_fiml     : hs_scalar on data/hs_missing10.csv with missing = "ml"
#   hs_label    : one group, visual =~ x1 + a*x2 + a*x3 and textual =~ x4 + b*x5 + b*x6 (labels shared
#                 within a group)
#   bfi_age3    : A =~ A1..A5 on psych's bfi (data/bfi.csv, complete rows of A1-A5), three age groups
#                 cut(age, c(0, 25, 35, 100)) labelled "a" (<= 25), "b" (26-35), "c" (> 35);
#                 group.equal = c("loadings", "intercepts")
suppressPackageStartupMessages(library(lavaan))
stopifnot(packageVersion("lavaan") == "0.6.14")
source("tests/reference/_ref_helpers.R")
OUT <- "tests/reference/score_test"
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
HSM <- read.csv("data/hs_missing10.csv", stringsAsFactors = FALSE)
BFI <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)
HS3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
A <- paste0("A", 1:5)
bfi <- BFI[complete.cases(BFI[, A]), c(A, "age")]
bfi$agegrp <- as.character(cut(bfi$age, c(0, 25, 35, 100), labels = c("a", "b", "c")))

save <- function(case, ts) {
  write_ref(as.data.frame(ts$test)[, c("test", "X2", "df", "p.value")], file.path(OUT, paste0(case, "_total.csv")))
  write_ref(as.data.frame(ts$uni)[, c("lhs", "op", "rhs", "X2", "df", "p.value")],
            file.path(OUT, paste0(case, "_uni.csv")))
  cat(case, "total", ts$test$X2, "on", ts$test$df, "\n")
}
fit <- cfa(HS3, HS, group = "school", group.equal = c("loadings", "intercepts"))
save("hs_scalar", lavTestScore(fit))
save("hs_release", lavTestScore(fit, release = c(7, 8, 9)))
save("hs_metric", lavTestScore(cfa(HS3, HS, group = "school", group.equal = "loadings")))
save("hs_fiml", lavTestScore(cfa(HS3, HSM, group = "school", group.equal = c("loadings", "intercepts"),
                                 missing = "ml")))
lab <- "visual =~ x1 + a*x2 + a*x3\ntextual =~ x4 + b*x5 + b*x6\nspeed =~ x7 + x8 + x9\n"
writeLines(lab, file.path(OUT, "hs_label.lav"))
save("hs_label", lavTestScore(cfa(lab, HS)))
save("bfi_age3", lavTestScore(cfa("A =~ A1 + A2 + A3 + A4 + A5", bfi, group = "agegrp",
                                  group.equal = c("loadings", "intercepts"))))
