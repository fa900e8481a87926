# Reference values from lavaan 0.6-14 for two-level ML (egovsem.sem.twolevel, issue 13).
# Run from the repository root:  Rscript tests/reference/make_reference_twolevel.R
# Data: lavaan's Demo.twolevel (written to tests/reference/twolevel/demo_twolevel.csv, 2500 rows in 200
# clusters of 5/10/15/20) and a deterministic unbalanced subset with small clusters: the first
# 2 + (cluster %% 4) members of every cluster (sizes 2-5, demo_small.csv).
# Cases (sem(..., cluster = "cluster"), lavaan's defaults: ML, observed information, fixed.x = TRUE):
#   tutorial : lavaan's tutorial model (within factor on x1-x3, between factor on w1, w2)
#   cfa      : a two-level one-factor CFA of y1-y6 at each level
#   small    : the tutorial model on the small-cluster subset
# Written per case: <case>_params.csv (every parameterEstimates() row: lhs, op, rhs, block, level, est, se),
# <case>_fit.csv (fitMeasures()), <case>_icc.csv (lavInspect(fit, "icc")), and the two error cases'
# messages (errors.csv).
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "twolevel")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))

D <- Demo.twolevel
write_ref(D, file.path(OUT, "demo_twolevel.csv"))
keep <- unlist(lapply(split(seq_len(nrow(D)), D$cluster), function(ix) {
  k <- 2 + (D$cluster[ix[1]] %% 4)
  ix[seq_len(min(k, length(ix)))]
}))
DS <- D[sort(keep), ]
write_ref(DS, file.path(OUT, "demo_small.csv"))

MODELS <- list(
  tutorial = "
level: 1
  fw =~ y1 + y2 + y3
  fw ~ x1 + x2 + x3
level: 2
  fb =~ y1 + y2 + y3
  fb ~ w1 + w2
",
  cfa = "
level: 1
  fw =~ y1 + y2 + y3 + y4 + y5 + y6
level: 2
  fb =~ y1 + y2 + y3 + y4 + y5 + y6
")

write_case <- function(name, model, data) {
  fit <- sem(model, data = data, cluster = "cluster")
  pe <- parameterEstimates(fit)
  write_ref(pe[, c("lhs", "op", "rhs", "block", "level", "est", "se")],
            file.path(OUT, paste0(name, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(name, "_fit.csv")))
  icc <- lavInspect(fit, "icc")
  write_ref(data.frame(variable = names(icc), icc = as.numeric(icc), stringsAsFactors = FALSE),
            file.path(OUT, paste0(name, "_icc.csv")))
  fit
}
write_case("tutorial", MODELS$tutorial, D)
write_case("cfa", MODELS$cfa, D)
write_case("small", MODELS$tutorial, DS)

# bad input: what lavaan says
msg <- function(expr) tryCatch({ force(expr); "no error" },
                               error = function(e) conditionMessage(e),
                               warning = function(w) paste("warning:", conditionMessage(w)))
one <- D; one$cluster <- 1
single <- D[!(D$cluster == 1 & duplicated(D$cluster)), ]  # cluster 1 keeps one member
errs <- data.frame(case = c("one_cluster", "singleton_cluster"),
                   message = c(msg(sem(MODELS$tutorial, data = one, cluster = "cluster")),
                               msg(sem(MODELS$tutorial, data = single, cluster = "cluster"))),
                   stringsAsFactors = FALSE)
write_ref(errs, file.path(OUT, "errors.csv"))
fs <- sem(MODELS$tutorial, data = single, cluster = "cluster")
write_ref(parameterEstimates(fs)[, c("lhs", "op", "rhs", "block", "level", "est", "se")],
          file.path(OUT, "singleton_params.csv"))
write_ref(fit_table(fs), file.path(OUT, "singleton_fit.csv"))
writeLines(capture.output(sessionInfo()), file.path(OUT, "sessionInfo.txt"))

# FIML (missing = "ml") on Demo.twolevel with 10% of the y1-y3 cells missing (set by R's RNG, seed 13;
# demo_missing10.csv): the tutorial model.
set.seed(13)
DM <- D
for (v in c("y1", "y2", "y3")) DM[[v]][runif(nrow(DM)) < 0.10] <- NA
write_ref(DM, file.path(OUT, "demo_missing10.csv"))
fm <- sem(MODELS$tutorial, data = DM, cluster = "cluster", missing = "ml")
write_ref(parameterEstimates(fm)[, c("lhs", "op", "rhs", "block", "level", "est", "se")],
          file.path(OUT, "fiml_params.csv"))
write_ref(fit_table(fm), file.path(OUT, "fiml_fit.csv"))
print(lavInspect(fm, "options")[c("information", "observed.information")])
