# Reference values for WLSMV (ordered indicators) with a survey design: sampling.weights= and cluster=
# (egovsem.sem.ordinal / egovsem.sem.wls, issue 11).
#
# Run from the repository root:
#     Rscript tests/reference/make_reference_wlsmv_design.R
#
# Writes tests/reference/wlsmv_design/<case>_{params,fit}.csv (parameterEstimates(fit, standardized = TRUE)
# and fitMeasures(fit)), <case>_modindices.csv (modindices(fit)) for hs_w and hs_w_none, and info.csv. Numbers: sprintf("%.10g"), NA = empty.
#
# Data (public): data/hs_ordinal.csv (the 9 HolzingerSwineford1939 items cut into 4 categories, written by
# make_reference_ordinal.R) with columns of lavaan's HolzingerSwineford1939 (same row order): id, ageyr,
# agemo, school; psych's bfi (data/bfi.csv): A1-A5, C1-C5, gender, age. The weights are built here,
# deterministically:
#     HS:  w = 0.5 + (id %% 7) / 4                                        (0.5 .. 2)
#     bfi: w = ifelse(gender == 2, 0.8, 1.3) * (1 + (age %% 3) / 2)          (0.8 .. 2.6)
# Clusters: HS: age in months (12 * ageyr + agemo, 47 clusters) or school within it; bfi: age (in years).
#
# Two lavaan versions:
# * sampling weights: lavaan 0.6-14 (the project's oracle): weighted thresholds and polychorics, the
#   weighted NACOV (weights normalised to sum to N, sampling.weights.normalization = "total").
# * cluster: lavaan 0.6-14 accepts cluster= with ordered data (se becomes "robust.cluster.sem") but its
#   categorical NACOV ignores the clusters: every number equals the unclustered fit's (case hs_cl_0614,
#   written here to show it). lavaan 0.7 computes the cluster-robust NACOV (GitHub yrosseel/lavaan, commit
#   26740e47 "cluster-robust SEs/test for categorical data (TYPE=COMPLEX); fix #254"; casewise influence
#   rows summed within clusters, times C / (C - 1)). The cluster cases (*_cl) are written by that lavaan,
#   installed from the GitHub snapshot (commit 828e6ec0bef80a36a02c5324fa43230a38ed486b, version
#   0.7-2.3170) into a private library:
#       git archive 828e6ec0 | tar -x -C /tmp/lav07 && R CMD INSTALL -l /tmp/rlib07 /tmp/lav07
#   and found through the environment variable LAVAAN_DEV_LIB (default /tmp/rlib07); without it the
#   cluster cases are not rewritten. lavaan 0.7's fitMeasures() differ from 0.6-14's where the clusters
#   play no part: it reports no p-value for the unscaled statistic (pvalue, baseline.pvalue) and has new
#   GFI measures (gfi, gfi.robust, gfi.ci.*, gfi_lisrel, agfi_lisrel; no agfi); those are compared with
#   lavaan 0.6-14's fit of the same call (*_cl_0614: the clusters ignored, the statistic and the GFI are
#   the same as lavaan 0.7's unscaled ones). With several groups lavaan 0.7's robust RMSEA and its interval
#   (rmsea.robust, rmsea.ci.*.robust, rmsea.*pvalue.robust) differ from 0.6-14's even without clusters
#   (hs_mg_plain_07 vs hs_mg_plain_0614), and neither lavaan computes 0.6-14's for clustered data.

args <- commandArgs(trailingOnly = TRUE)
part <- if (length(args)) args[1] else "weights"
dev_lib <- Sys.getenv("LAVAAN_DEV_LIB", "/tmp/rlib07")
if (part == "cluster") {
  suppressPackageStartupMessages(library(lavaan, lib.loc = dev_lib))
} else {
  suppressPackageStartupMessages(library(lavaan))
}

if (!file.exists("data/hs_ordinal.csv")) {
  stop("run from the repository root (data/hs_ordinal.csv not found)")
}
OUT <- file.path("tests", "reference", "wlsmv_design")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))  # write_ref(), fit_table()

write_case <- function(case, fit) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (is.null(pe$label)) pe$label <- ""
  cols <- c("lhs", "op", "rhs", if (!is.null(pe$group)) "group", "label", "est", "se", "z", "pvalue",
            "ci.lower", "ci.upper", "std.lv", "std.all")
  write_ref(pe[, cols],
           file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
}

write_mi <- function(case, fit) {
  mi <- modindices(fit)
  write_ref(mi[, c("lhs", "op", "rhs", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")],
            file.path(OUT, paste0(case, "_modindices.csv")))
}

HS.model <- "visual  =~ x1 + x2 + x3
             textual =~ x4 + x5 + x6
             speed   =~ x7 + x8 + x9"
BFI.model <- "agree =~ A1 + A2 + A3 + A4 + A5
              consc =~ C1 + C2 + C3 + C4 + C5"

hs_raw <- read.csv("data/HolzingerSwineford1939.csv")
hs <- read.csv("data/hs_ordinal.csv")
hs$w <- 0.5 + (hs_raw$id %% 7) / 4
hs$agem <- 12 * hs_raw$ageyr + hs_raw$agemo
hs$school <- hs_raw$school
# x1-x3 continuous (lavaan's raw scores), x4-x9 ordered: the mixed cases
mixed <- hs
mixed[, c("x1", "x2", "x3")] <- hs_raw[, c("x1", "x2", "x3")]
ORD6 <- paste0("x", 4:9)
bfi <- read.csv("data/bfi.csv")[, c(paste0("A", 1:5), paste0("C", 1:5), "gender", "age")]
bfi$w <- ifelse(bfi$gender == 2, 0.8, 1.3) * (1 + (bfi$age %% 3) / 2)
bfi$agec <- bfi$age  # age as the cluster of a model with age as a covariate (a column of its own)

if (part == "weights") {
  # 1. HS, three factors, weights (normalisation "total", lavaan's default)
  fit <- cfa(HS.model, data = hs, ordered = TRUE, sampling.weights = "w")
  write_case("hs_w", fit)
  write_mi("hs_w", fit)
  # 2. the same with sampling.weights.normalization = "none" (N = the sum of the raw weights)
  fit <- cfa(HS.model, data = hs, ordered = TRUE, sampling.weights = "w", sampling.weights.normalization = "none")
  write_case("hs_w_none", fit)
  write_mi("hs_w_none", fit)
  # 3. bfi, two factors of 6-category items, weights; rows with a missing item deleted listwise
  write_case("bfi_w", cfa(BFI.model, data = bfi, ordered = TRUE, sampling.weights = "w"))
  # 4. a structural model with std.lv and labels, weights
  write_case("hs_sem_w", sem("visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9\n
                              speed ~ b1*visual + b2*textual", data = hs, ordered = TRUE,
                             sampling.weights = "w", std.lv = TRUE))
  # 5. two groups (school) with equal thresholds and loadings, weights normalised over all rows ("total");
  #    the same without constraints and normalised within each group ("group"); the theta parameterisation
  write_case("hs_mg_w", cfa(HS.model, data = hs, ordered = TRUE, sampling.weights = "w", group = "school",
                            group.equal = c("thresholds", "loadings")))
  write_case("hs_mg_w_group", cfa(HS.model, data = hs, ordered = TRUE, sampling.weights = "w", group = "school",
                                  sampling.weights.normalization = "group"))
  write_case("hs_theta_w", cfa(HS.model, data = hs, ordered = TRUE, sampling.weights = "w",
                               parameterization = "theta"))
  # 6. bfi agreeableness with weights: missing = "pairwise" (all 2800 rows), ULSMV and WLSMVS
  bfi_a <- "agree =~ A1 + A2 + A3 + A4 + A5"
  write_case("bfi_a_w_pairwise", cfa(bfi_a, data = bfi, ordered = TRUE, sampling.weights = "w",
                                     missing = "pairwise"))
  write_case("bfi_a_w_ulsmv", cfa(bfi_a, data = bfi, ordered = TRUE, sampling.weights = "w", estimator = "ULSMV"))
  write_case("bfi_a_w_wlsmvs", cfa(bfi_a, data = bfi, ordered = TRUE, sampling.weights = "w", estimator = "WLSMVS"))
  # 7. continuous x1-x3 with ordered x4-x9, weights (weighted means, variances, polyserial correlations)
  write_case("hs_mixed_w", cfa(HS.model, data = mixed, ordered = ORD6, sampling.weights = "w"))
  #    ... with missing values in x1-x3 (data/hs_missing.csv) and missing = "pairwise"
  mixed_na <- mixed
  mixed_na[, c("x1", "x2", "x3")] <- read.csv("data/hs_missing.csv")[, c("x1", "x2", "x3")]
  write_case("hs_mixed_pw_w", cfa(HS.model, data = mixed_na, ordered = ORD6, sampling.weights = "w",
                                  missing = "pairwise"))
  # 8. exogenous covariates (conditional.x) with weights: bfi agreeableness on age and gender
  write_case("bfi_cond_w", cfa("agree =~ A1 + A2 + A3 + A4 + A5\n agree ~ age + gender", data = bfi,
                               ordered = paste0("A", 1:5), sampling.weights = "w"))
  #    ... in two groups (gender) with equal thresholds and loadings, and with the theta parameterisation
  bfi_cond <- "agree =~ A1 + A2 + A3 + A4 + A5\n agree ~ age"
  write_case("bfi_cond_mg_w", cfa(bfi_cond, data = bfi, ordered = paste0("A", 1:5), sampling.weights = "w",
                                  group = "gender", group.equal = c("thresholds", "loadings")))
  write_case("bfi_cond_theta_w", cfa("agree =~ A1 + A2 + A3 + A4 + A5\n agree ~ age + gender", data = bfi,
                                     ordered = paste0("A", 1:5), sampling.weights = "w",
                                     parameterization = "theta"))
  #    ... with continuous indicators x1-x3 (ordered x4-x6) on age (centred at 13 years: uncentred, lavaan's
  #    polyserial start values mislead it, see tests/test_wlsmv_conditional_mixed.py)
  mixed$age <- hs_raw$ageyr + hs_raw$agemo / 12 - 13
  write_case("hs_cond_mixed_w", cfa("visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n visual + textual ~ age",
                                    data = mixed, ordered = paste0("x", 4:6), sampling.weights = "w"))
  # 9. lavaan 0.6-14 with cluster=: the numbers of the unclustered fit (see the header)
  write_case("hs_cl_0614", cfa(HS.model, data = hs, ordered = TRUE, cluster = "agem"))
  write_case("bfi_cl_0614", cfa(BFI.model, data = bfi, ordered = TRUE, cluster = "age"))
  write_case("hs_w_cl_0614", cfa(HS.model, data = hs, ordered = TRUE, sampling.weights = "w", cluster = "agem"))
  write_case("hs_mg_cl_0614", cfa(HS.model, data = hs, ordered = TRUE, cluster = "agem", group = "school"))
  write_case("hs_mg_plain_0614", cfa(HS.model, data = hs, ordered = TRUE, group = "school"))
  write_case("hs_mixed_cl_0614", cfa(HS.model, data = mixed, ordered = ORD6, cluster = "agem"))
  write_case("bfi_cond_cl_0614", cfa("agree =~ A1 + A2 + A3 + A4 + A5\n agree ~ age + gender", data = bfi,
                                     ordered = paste0("A", 1:5), cluster = "agec"))
  write_case("hs_plain_0614", cfa(HS.model, data = hs, ordered = TRUE))
  # 9b. ML with a design column that is also a model variable (lavaan accepts it): the weights-and-clusters
  #     data of make_reference_weights.R, weights = x1, clusters = the distinct values of x2
  hsw <- read.csv(file.path("tests", "reference", "weights", "hs_weights.csv"))
  write_case("ml_w_is_x1", cfa(HS.model, data = hsw, sampling.weights = "x1"))
  write_case("ml_cl_is_x2", cfa(HS.model, data = hsw, cluster = "x2"))
  # 9c. what lavaan 0.6-14 refuses (its error message): weights, conditional.x and missing = "pairwise"
  err <- tryCatch({
    cfa("agree =~ A1 + A2 + A3 + A4 + A5\n agree ~ age + gender", data = bfi, ordered = paste0("A", 1:5),
        sampling.weights = "w", missing = "pairwise")
    ""
  }, error = function(e) conditionMessage(e))
  write.csv(data.frame(case = "bfi_cond_w_pairwise", error = err), file.path(OUT, "refusals.csv"),
            row.names = FALSE)
  write.csv(data.frame(key = c("lavaan_weights", "R"),
                       value = c(as.character(packageVersion("lavaan")), R.version.string)),
            file.path(OUT, "info.csv"), row.names = FALSE)
  if (file.exists(file.path(dev_lib, "lavaan"))) {
    status <- system2("Rscript", c(file.path("tests", "reference", "make_reference_wlsmv_design.R"), "cluster"))
    if (status != 0) stop("the cluster part (lavaan 0.7) failed")
  } else {
    message("lavaan 0.7 not found in ", dev_lib, ": the cluster cases were not rewritten")
  }
} else {
  # (lavaan 0.7 switches the marker of a factor whose first indicator it finds poor; lavaan 0.6-14 and
  # egovsem keep the first indicator: bad.marker.crit = 0)
  cfa <- function(...) lavaan::cfa(..., bad.marker.crit = 0)
  # 10. HS, clusters = age in months
  write_case("hs_cl", cfa(HS.model, data = hs, ordered = TRUE, cluster = "agem"))
  # 11. bfi, clusters = age in years
  write_case("bfi_cl", cfa(BFI.model, data = bfi, ordered = TRUE, cluster = "age"))
  # 12. HS, weights and clusters together
  write_case("hs_w_cl", cfa(HS.model, data = hs, ordered = TRUE, sampling.weights = "w", cluster = "agem"))
  # 13. continuous x1-x3 with ordered x4-x9, clusters
  write_case("hs_mixed_cl", cfa(HS.model, data = mixed, ordered = ORD6, cluster = "agem"))
  # 15. exogenous covariates (conditional.x) with clusters
  write_case("bfi_cond_cl", cfa("agree =~ A1 + A2 + A3 + A4 + A5\n agree ~ age + gender", data = bfi,
                                ordered = paste0("A", 1:5), cluster = "agec"))
  # 14. two groups, clusters within each group (configural: lavaan 0.7's group.equal = "thresholds" frees
  #     more parameters of the latent responses than 0.6-14's, so a constrained model is not comparable)
  write_case("hs_mg_cl", cfa(HS.model, data = hs, ordered = TRUE, cluster = "agem", group = "school"))
  # (and without clusters: lavaan 0.7's robust RMSEA of several groups differs from 0.6-14's without them)
  write_case("hs_mg_plain_07", cfa(HS.model, data = hs, ordered = TRUE, group = "school"))
  info <- read.csv(file.path(OUT, "info.csv"))
  info <- rbind(info[info$key != "lavaan_cluster", ],
                data.frame(key = "lavaan_cluster", value = as.character(packageVersion("lavaan"))))
  write.csv(info, file.path(OUT, "info.csv"), row.names = FALSE)
}
