# Reference values from lavaan 0.6-14 for multi-group two-level ML (egovsem.sem.twolevel_groups, issue 13).
# Run from the repository root:  Rscript tests/reference/make_reference_twolevel_groups.R
# Data: lavaan's Demo.twolevel split into two groups by a fixed rule on the cluster: g = "odd" for odd
# cluster numbers, "even" for even ones (every cluster lies inside one group, as lavaan requires), written
# to tests/reference/twolevel_groups/demo_groups.csv.
# Cases (sem(..., cluster = "cluster", group = "g"), lavaan's defaults: ML, observed information, fixed.x):
#   tutorial : lavaan's tutorial model, every parameter free in each group
#   cfa      : the two-level one-factor CFA of y1-y6 at each level
# Written per case: <case>_params.csv (every parameterEstimates() row: lhs, op, rhs, block, group, level,
# est, se), <case>_fit.csv (fitMeasures()), <case>_icc.csv (lavInspect(fit, "icc") per group).
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "twolevel_groups")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))

D <- Demo.twolevel
D$g <- ifelse(D$cluster %% 2 == 1, "odd", "even")
write_ref(D, file.path(OUT, "demo_groups.csv"))

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

# lavaan 0.6-14 needs the level blocks of each group under a 'group: <label>' line (the same model text
# for both groups, so every parameter is free in each group)
by_group <- function(model) paste0("group: odd\n", model, "\ngroup: even\n", model)
for (name in names(MODELS)) {
  fit <- sem(by_group(MODELS[[name]]), data = D, cluster = "cluster", group = "g")
  pe <- parameterEstimates(fit)
  write_ref(pe[, c("lhs", "op", "rhs", "block", "group", "level", "est", "se")],
            file.path(OUT, paste0(name, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(name, "_fit.csv")))
  icc <- lavInspect(fit, "icc")
  write_ref(do.call(rbind, lapply(names(icc), function(g)
    data.frame(group = g, variable = names(icc[[g]]), icc = as.numeric(icc[[g]]), stringsAsFactors = FALSE))),
    file.path(OUT, paste0(name, "_icc.csv")))
  print(lavInspect(fit, "group.label"))
}
writeLines(capture.output(sessionInfo()), file.path(OUT, "sessionInfo.txt"))

# missing = "ml" (FIML) with groups: lavaan 0.6-14's results are inconsistent here, which is why egovsem
# refuses this case (tests/test_twolevel_groups.py): the tutorial model on the 10%-missing Demo.twolevel
# (tests/reference/twolevel/demo_missing10.csv) split as above gives chisq = 0, an unrestricted.logl about
# twice a single group's, and the same fixed.x values (w1 ~~ w2) in both groups.
DM <- read.csv(file.path("tests", "reference", "twolevel", "demo_missing10.csv"))
DM$g <- ifelse(DM$cluster %% 2 == 1, "odd", "even")
fm <- suppressWarnings(sem(by_group(MODELS$tutorial), data = DM, cluster = "cluster", group = "g", missing = "ml"))
pe <- parameterEstimates(fm)
write_ref(pe[, c("lhs", "op", "rhs", "block", "group", "level", "est", "se")],
          file.path(OUT, "fiml_params.csv"))
write_ref(fit_table(fm), file.path(OUT, "fiml_fit.csv"))
