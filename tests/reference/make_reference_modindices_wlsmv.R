# Reference values for modification indices after WLSMV (issue 12): lavaan 0.6-14's modindices() on
# cfa(..., ordered = TRUE) fits (estimator WLSMV, delta parameterisation).
# Run from the repository root:  Rscript tests/reference/make_reference_modindices_wlsmv.R
#
# Data: data/hs_ordinal.csv (HolzingerSwineford1939's x1-x9 cut into 4 categories; written by
#   make_reference_ordinal.R) and psych's bfi (data/bfi.csv, 6-point items, complete rows of the items used).
# Cases: <case>_mi.csv = modindices(fit) (all rows lavaan keeps, lavaan's order; columns lhs op rhs mi epc
#   sepc.lv sepc.all sepc.nox), <case>.lav the model.
#   hs3  : the three-factor HS model on the 4-category items
#   bfi2 : A =~ A1..A5, C =~ C1..C5 on bfi (6 categories, reverse-keyed A1/C4/C5)
suppressPackageStartupMessages(library(lavaan))
stopifnot(packageVersion("lavaan") == "0.6.14")
source("tests/reference/_ref_helpers.R")
OUT <- "tests/reference/modindices_wlsmv"
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
BFI <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)
HSO <- read.csv("data/hs_ordinal.csv")
bfi_items <- c(paste0("A", 1:5), paste0("C", 1:5))
cases <- list(
  hs3 = list(model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n", data = HSO),
  bfi2 = list(model = "A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5\n",
              data = BFI[complete.cases(BFI[, bfi_items]), bfi_items]))
for (case in names(cases)) {
  cs <- cases[[case]]
  fit <- cfa(cs$model, data = cs$data, ordered = names(cs$data))
  stopifnot(lavInspect(fit, "converged"))
  mi <- modindices(fit)
  writeLines(cs$model, file.path(OUT, paste0(case, ".lav")))
  write_ref(as.data.frame(mi)[, c("lhs", "op", "rhs", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")],
            file.path(OUT, paste0(case, "_mi.csv")))
  cat(case, nrow(mi), "rows; largest:", format(max(mi$mi)), "\n")
}
