# lavaan's nonparametric bootstrap of a FIML fit (missing = "ml"), B = 1000, for tests/test_bootstrap_fiml.py.
# Run from the repository root:  Rscript tests/reference/make_reference_bootstrap_fiml.R
suppressMessages(library(lavaan))
d <- read.csv("data/hs_missing10.csv")
m <- '
  visual  =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  speed   =~ x7 + x8 + x9
  textual ~ a*visual
  speed ~ b*textual
  ab := a*b
'
set.seed(20261125)
fit <- sem(m, data = d, missing = "ml", se = "bootstrap", bootstrap = 1000)
pe <- parameterEstimates(fit, boot.ci.type = "perc")
if (is.null(pe$label)) pe$label <- ""
out <- pe[, c("lhs", "op", "rhs", "label", "est", "se", "ci.lower", "ci.upper")]
out$rhs[out$op == ":="] <- out$label[out$op == ":="]
write.csv(out, "tests/reference/bootstrap_fiml/hs_fiml_boot.csv", row.names = FALSE)
cat("done; lavaan", as.character(packageVersion("lavaan")), "successful draws:",
    nrow(lavInspect(fit, "boot")), "\n")
