# Reference values from lavaan 0.6-14 for explicit constraints (==, <, >) with se = "bootstrap" (issue 11):
# lavaan refits every resample with the constraints; the SE of a parameter is the SD of its draws (divisor
# B), the percentile intervals order statistics of the draws. HolzingerSwineford1939, B = 1000, set.seed(2026).
# lavaan draws with R's generator and egovsem with numpy's: independent bootstraps of the same data, compared
# within Monte Carlo error (tests/test_constraints_bootstrap.py).
# Run from the repository root:  Rscript tests/reference/make_reference_constraints_bootstrap.R
# Writes tests/reference/constraints_bootstrap/<case>_{model.lav,params,info}.csv.
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "constraints_bootstrap")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
EQ <- "visual  =~ x1 + a*x2 + b*x3
textual =~ x4 + c*x5 + c2*x6
speed   =~ x7 + x8 + x9
a == b
c2 == 1.1*c"
INEQ <- "visual  =~ x1 + a1*x2 + a2*x3
textual =~ x4 + b1*x5 + b2*x6
speed   =~ x7 + c1*x8 + c2*x9
a1 > 0.7
b2 < b1"
run_case <- function(case, model, B = 1000L, seed = 2026L) {
  set.seed(seed)
  fit <- cfa(model, data = HS, se = "bootstrap", bootstrap = B)
  pe <- parameterEstimates(fit, boot.ci.type = "perc", remove.eq = FALSE, remove.ineq = FALSE)
  if (is.null(pe$label)) pe$label <- ""
  writeLines(model, file.path(OUT, paste0(case, "_model.lav")))
  write_ref(pe[, c("lhs", "op", "rhs", "label", "est", "se", "ci.lower", "ci.upper")],
            file.path(OUT, paste0(case, "_params.csv")))
  boot <- fit@boot$coef
  write_ref(data.frame(key = c("B", "failed", "npar", "df"),
                       value = c(B, length(attr(boot, "error.idx")), lavInspect(fit, "npar"), fitMeasures(fit, "df"))),
            file.path(OUT, paste0(case, "_info.csv")))
  cat(case, "done\n")
}
run_case("eq", EQ)
run_case("ineq", INEQ)

# missing = "pairwise" with se = "bootstrap": lavaan recomputes each resample's pairwise moments and refits
HSM <- read.csv("data/hs_missing.csv", stringsAsFactors = FALSE)
set.seed(2026)
HS3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
fit <- cfa(HS3, data = HSM, missing = "pairwise", se = "bootstrap", bootstrap = 1000L)
pe <- parameterEstimates(fit, boot.ci.type = "perc")
pe$label <- ""
writeLines(HS3, file.path(OUT, "pairwise_model.lav"))
write_ref(pe[, c("lhs", "op", "rhs", "label", "est", "se", "ci.lower", "ci.upper")],
          file.path(OUT, "pairwise_params.csv"))
boot <- fit@boot$coef
write_ref(data.frame(key = c("B", "failed", "npar", "df"),
                     value = c(1000L, length(attr(boot, "error.idx")), lavInspect(fit, "npar"), fitMeasures(fit, "df"))),
          file.path(OUT, "pairwise_info.csv"))
cat("pairwise done\n")
