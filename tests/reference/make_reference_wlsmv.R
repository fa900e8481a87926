# Reference values from R lavaan 0.6-14 for the DWLS second stage of WLSMV (egovsem.sem.wls):
# parameterEstimates(fit, standardized = TRUE), fitMeasures(fit), inspect(fit, "r2") and parTable(fit) of
# cfa()/sem(..., ordered = ..., estimator = "WLSMV") on several models and data sets.
#
# Run from the repository root (after make_reference_ordinal.R, which writes data/hs_ordinal*.csv):
#     Rscript tests/reference/make_reference_wlsmv.R
#
# Writes tests/reference/wlsmv/<case>_{params,fit,r2,partable}.csv, the simulated
# data tests/reference/wlsmv/sim_likert.csv (seeded), and info.csv. Numbers: sprintf("%.10g"), NA = empty.

suppressPackageStartupMessages(library(lavaan))

if (!file.exists("data/hs_ordinal.csv")) {
  stop("run from the repository root (data/hs_ordinal.csv not found)")
}
OUT <- file.path("tests", "reference", "wlsmv")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)

source(file.path("tests", "reference", "_ref_helpers.R"))  # write_ref(), fit_table(), r2_table()

write_case <- function(case, fit) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (is.null(pe$label)) pe$label <- ""
  write_ref(pe[, c("lhs", "op", "rhs", "label", "est", "se", "z", "pvalue",
                  "ci.lower", "ci.upper", "std.lv", "std.all", "std.nox")],
           file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
  write_ref(r2_table(fit), file.path(OUT, paste0(case, "_r2.csv")))
  pt <- parTable(fit)
  write_ref(pt[, c("id", "lhs", "op", "rhs", "user", "free", "ustart", "label", "est")],
           file.path(OUT, paste0(case, "_partable.csv")))
}

HS.model <- "visual  =~ x1 + x2 + x3
             textual =~ x4 + x5 + x6
             speed   =~ x7 + x8 + x9"

ord4   <- read.csv("data/hs_ordinal.csv")
varcat <- read.csv("data/hs_ordinal_varcat.csv")
binary <- read.csv("data/hs_ordinal_binary.csv")

# 1. HS model, 4 categories (the case of tests/reference/ordinal/hs_ord4_*), with its parTable
write_case("hs_ord4", cfa(HS.model, data = ord4, ordered = TRUE, estimator = "WLSMV"))

# 2. HS model, 2 to 7 categories per item, one unused code
write_case("hs_varcat", cfa(HS.model, data = varcat, ordered = TRUE, estimator = "WLSMV"))

# 3. binary items, plus x10 with an empty cell; lavaan warns of a negative residual variance
fit <- suppressWarnings(cfa(paste(HS.model, "\n visual =~ x10"), data = binary, ordered = TRUE,
                            estimator = "WLSMV"))
write_case("hs_binary", fit)

# 4. structural model with std.lv, labels, an equality constraint, a defined parameter and a residual
#    covariance among ordered items
SEM.model <- "visual  =~ x1 + x2 + x3
              textual =~ x4 + a*x5 + a*x6
              speed   =~ x7 + x8 + x9
              speed ~ b1*visual + b2*textual
              x2 ~~ x3
              total := b1 + b2"
write_case("hs_sem_stdlv", sem(SEM.model, data = ord4, ordered = TRUE, estimator = "WLSMV", std.lv = TRUE))

# 5. a subset of items declared ordered by name (all model variables): ordered = c(...)
write_case("hs_two_factor", cfa("f1 =~ x1 + x2 + x3 + x4\n f2 =~ x5 + x6 + x7 + x8 + x9", data = ord4,
                                ordered = paste0("x", 1:9), estimator = "WLSMV"))

# 6. simulated 5-point Likert survey: 3 correlated factors, 12 items, N = 500, skewed thresholds, seeded
set.seed(20261125)
N <- 500
Phi <- matrix(c(1, .4, .3, .4, 1, .5, .3, .5, 1), 3)
F <- matrix(rnorm(N * 3), N) %*% chol(Phi)
lam <- c(.8, .7, .6, .75, .65, .7, .8, .55, .6, .7, .75, .5)
fac <- rep(1:3, each = 4)
Y <- sapply(1:12, function(j) lam[j] * F[, fac[j]] + sqrt(1 - lam[j]^2) * rnorm(N))
cuts <- rbind(c(-1.8, -0.9, 0.1, 1.2), c(-1.5, -0.5, 0.4, 1.4), c(-2.2, -1.2, -0.3, 0.8))
sim <- as.data.frame(sapply(1:12, function(j) findInterval(Y[, j], cuts[(j %% 3) + 1, ]) + 1L))
names(sim) <- paste0("q", 1:12)
write.csv(sim, file.path(OUT, "sim_likert.csv"), row.names = FALSE)
sim <- read.csv(file.path(OUT, "sim_likert.csv"))
LIK.model <- "trust =~ q1 + q2 + q3 + q4
              use   =~ q5 + q6 + q7 + q8
              sat   =~ q9 + q10 + q11 + q12
              sat ~ trust + use"
write_case("sim_likert", sem(LIK.model, data = sim, ordered = TRUE, estimator = "WLSMV"))

# 7. some items ordered: x1-x6 (4 categories) with the continuous x7-x9 of HolzingerSwineford1939
HS <- read.csv("data/HolzingerSwineford1939.csv")
mixed <- cbind(ord4[paste0("x", 1:6)], HS[c("x7", "x8", "x9")])
write_case("hs_mixed", cfa(HS.model, data = mixed, ordered = paste0("x", 1:6), estimator = "WLSMV"))

# 8. the Likert survey with q9-q12 treated as continuous, std.lv
write_case("sim_mixed", sem(LIK.model, data = sim, ordered = paste0("q", 1:8), estimator = "WLSMV",
                            std.lv = TRUE))

# 9. just identified (df = 0): one factor, three items
write_case("hs_df0", cfa("f =~ x1 + x2 + x3", data = ord4, ordered = TRUE, estimator = "WLSMV"))

# 10. the Likert survey with 3% of the answers deleted at random (seeded): listwise deletion
set.seed(3)
simna <- sim
simna[matrix(runif(prod(dim(sim))) < 0.03, nrow(sim))] <- NA
write.csv(simna, file.path(OUT, "sim_likert_missing.csv"), row.names = FALSE, na = "")
simna <- read.csv(file.path(OUT, "sim_likert_missing.csv"))
write_case("sim_missing", sem(LIK.model, data = simna, ordered = TRUE, estimator = "WLSMV"))

info <- data.frame(key = c("R", "lavaan", "date"),
                   value = c(R.version.string, as.character(packageVersion("lavaan")),
                             format(Sys.time(), "%Y-%m-%d")), stringsAsFactors = FALSE)
write.csv(info, file.path(OUT, "info.csv"), row.names = FALSE)
