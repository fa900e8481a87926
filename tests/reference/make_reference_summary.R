# lavaan's printed fit section of summary(fit, fit.measures = TRUE) for robust estimators (issue 16, item 3):
# the "Standard" and "Scaled" columns, the scaling correction factor / shift parameter and the robust
# CFI/TLI/RMSEA rows that egovsem's text summary reproduces. Run from the repository root:
#   Rscript tests/reference/make_reference_summary.R
# Writes tests/reference/summary/<case>.txt (the lines from "Model Test User Model:" up to "Parameter
# Estimates:"; the model and data of each case are those of the make_reference_*.R scripts named beside it).
suppressPackageStartupMessages(library(lavaan))
OUT <- file.path("tests", "reference", "summary")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_models.R"))

HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
HSM <- read.csv("data/hs_missing10.csv", stringsAsFactors = FALSE)
ORD4 <- read.csv("data/hs_ordinal.csv")

write_summary <- function(case, fit) {
  txt <- capture.output(summary(fit, fit.measures = TRUE))
  from <- grep("^Model Test User Model:", txt)[1]
  to <- grep("^Parameter Estimates:", txt)[1] - 1
  txt <- sub("[[:space:]]+$", "", txt[from:to])
  while (length(txt) && txt[length(txt)] == "") txt <- txt[-length(txt)]
  writeLines(c(paste0("# lavaan ", packageVersion("lavaan"), ": ", case), txt), file.path(OUT, paste0(case, ".txt")))
}

write_summary("hs_mlr", cfa(HS_CFA, data = HS, estimator = "MLR"))                          # fiml/hs_mlr
write_summary("hs_fiml_mlr", cfa(HS_CFA, data = HSM, missing = "ml", estimator = "MLR"))    # fiml/hs_fiml_mlr
write_summary("configural_mlr", cfa(HS_CFA, data = HS, group = "school", estimator = "MLR"))  # mg/configural_mlr
write_summary("hs_ord4_wlsmv", cfa(HS_CFA, data = ORD4, ordered = TRUE, estimator = "WLSMV"))  # wlsmv/hs_ord4
write_summary("hs_ml", cfa(HS_CFA, data = HS))                                                # ml: one column
