# Reference values from R lavaan 0.6-14 for egovsem's bootstrap (tests/test_bootstrap.py).
#
# Run from the repository root:
#     Rscript tests/reference/make_reference_bootstrap.R
#
# Writes tests/reference/bootstrap/<case>_params.csv (parameterEstimates with every boot.ci.type),
# <case>_info.csv (resamples, failed, nonadmissible, seconds) and bollen_stine.csv.
# lavaan draws the resamples with R's generator (set.seed below), egovsem with numpy's: the two runs
# are independent bootstraps of the same data, so the comparison is within Monte Carlo error.

suppressPackageStartupMessages(library(lavaan))
if (!file.exists("data/PoliticalDemocracy.csv")) stop("run from the repository root")
OUT <- file.path("tests", "reference", "bootstrap")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
PD <- read.csv("data/PoliticalDemocracy.csv")
HS <- read.csv("data/HolzingerSwineford1939.csv")

source(file.path("tests", "reference", "_ref_helpers.R"))  # fmt_num
source(file.path("tests", "reference", "_models.R"))
fmt <- fmt_num
PD_IND <- PD_INDIRECT

PATH_FX <- "
x4 ~ a*x1 + x2
x5 ~ b*x4 + x3
ind := a*b
"

run_case <- function(name, model, data, B, seed) {
  set.seed(seed)
  t0 <- Sys.time()
  fit <- sem(model, data = data, se = "bootstrap", bootstrap = B)
  secs <- as.numeric(Sys.time() - t0, units = "secs")
  pe <- parameterEstimates(fit, boot.ci.type = "perc")
  out <- pe[, c("lhs", "op", "rhs", "label", "est", "se")]
  for (type in c("perc", "bca.simple", "bca", "norm")) {
    # lavaan 0.6-14's "bca" fails with a single := parameter (lm.fit returns a vector): NA then
    p <- tryCatch(parameterEstimates(fit, boot.ci.type = type),
                  error = function(e) data.frame(ci.lower = rep(NA, nrow(pe)), ci.upper = NA))
    out[[paste0(type, ".lower")]] <- p$ci.lower
    out[[paste0(type, ".upper")]] <- p$ci.upper
  }
  for (j in seq_along(out)) if (is.numeric(out[[j]])) out[[j]] <- fmt(out[[j]])
  write.csv(out, file.path(OUT, paste0(name, "_params.csv")), row.names = FALSE)
  boot <- fit@boot$coef
  info <- data.frame(key = c("B", "failed", "nonadmissible", "seconds"),
                     value = c(B, length(attr(boot, "error.idx")), length(attr(boot, "nonadmissible")), secs))
  write.csv(info, file.path(OUT, paste0(name, "_info.csv")), row.names = FALSE)
  cat(name, ": ", secs, " s\n")
}

run_case("pd_indirect_b500", PD_IND, PD, 500L, 1234L)     # the issue's intervals for a*b
run_case("pd_indirect_b1000", PD_IND, PD, 1000L, 2026L)   # bootstrap SEs of := at B = 1000
run_case("path_fixedx_b1000", PATH_FX, HS, 1000L, 2026L)  # fixed.x covariates and a := parameter

set.seed(2026)
fit <- sem(PD_SEM, data = PD, test = "bollen.stine", bootstrap = 1000L)
bs <- fit@test[["bollen.stine"]]
write.csv(data.frame(key = c("chisq", "pvalue", "larger", "length"),
                     value = fmt(c(bs$stat, bs$pvalue, bs$boot.larger, bs$boot.length))),
          file.path(OUT, "bollen_stine.csv"), row.names = FALSE)
cat("bollen.stine p =", bs$pvalue, "\n")
