# modindices() of multi-group fits from lavaan 0.6-14 (complete-data ML and FIML), every row.
# Run from the repository root:  Rscript tests/reference/make_reference_modindices_mg.R
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "modindices_mg")
source(file.path("tests", "reference", "_ref_helpers.R"))
M <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6"
HS <- read.csv("data/HolzingerSwineford1939.csv")
MISS <- read.csv("data/hs_missing10.csv")
for (case in c("mg_ml", "mg_fiml")) {
  fit <- if (case == "mg_ml") cfa(M, data = HS, group = "school") else
    cfa(M, data = MISS, group = "school", missing = "ml")
  mi <- as.data.frame(modindices(fit))
  write_ref(mi[, c("lhs", "op", "rhs", "group", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")],
            file.path(OUT, paste0(case, "_modindices.csv")))
}
