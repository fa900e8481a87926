# Fit one model with lavaan and write parameterEstimates() and fitMeasures() (used by the live tests).
# Usage: Rscript tests/reference/live_fit.R MODEL.lav DATA.csv OUTDIR [key=value ...]  (lavaan arguments)
suppressMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
OUT <- args[3]
source(file.path("tests", "reference", "_ref_helpers.R"))
opts <- list()
for (kv in args[-(1:3)]) {
  p <- strsplit(kv, "=", fixed = TRUE)[[1]]
  v <- p[2]
  opts[[p[1]]] <- if (v %in% c("TRUE", "FALSE")) as.logical(v) else v
}
d <- read.csv(args[2])
fit <- do.call("sem", c(list(model = readLines(args[1]), data = d), opts))
write_ref(params_table(fit), file.path(OUT, "params.csv"))
write_ref(fit_table(fit), file.path(OUT, "fit.csv"))
