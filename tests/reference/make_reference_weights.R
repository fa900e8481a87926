# Reference values from lavaan 0.6-14 for sampling weights and cluster-robust single-level fits (issue 13).
# Run from the repository root:  Rscript tests/reference/make_reference_weights.R
# Data: lavaan's HolzingerSwineford1939 (data/HolzingerSwineford1939.csv) with a deterministic design weight
# built from school, sex and id; lavaan's Demo.twolevel (exported to tests/reference/weights/demo_twolevel.csv)
# with a weight built from the cluster id. The missing cells are set deterministically (about 10%).
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "weights")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))

HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
HS$w <- ifelse(HS$school == "Pasteur", 1.6, 0.7) * ifelse(HS$sex == 1, 1.25, 0.85) + (HS$id %% 7) / 10
# a weight of 0 is allowed by lavaan (only negative or missing weights are refused): w0 zeroes every 17th id
HS$w0 <- ifelse(HS$id %% 17 == 0, 0, HS$w)
xs <- paste0("x", 1:9)
HSM <- HS
for (j in seq_along(xs)) {
  miss <- ((seq_len(nrow(HS)) * 7 + j * 13) %% 10) == 0
  HSM[[xs[j]]][miss] <- NA
}
write_ref(HS[, c("id", "sex", "school", xs, "w", "w0")], file.path(OUT, "hs_weights.csv"))
write_ref(HSM[, c("id", "sex", "school", xs, "w")], file.path(OUT, "hs_weights_missing.csv"))

D2 <- Demo.twolevel
D2$wc <- 0.5 + (D2$cluster %% 4) / 2 + (seq_len(nrow(D2)) %% 3) / 5
D2M <- D2
ys <- paste0("y", 1:3)
for (j in seq_along(ys)) {
  miss <- ((seq_len(nrow(D2)) * 11 + j * 17) %% 10) == 0
  D2M[[ys[j]]][miss] <- NA
}
write_ref(D2[, c("cluster", "y1", "y2", "y3", "y4", "y5", "y6", "x1", "x2", "x3", "wc")],
          file.path(OUT, "demo_twolevel.csv"))
write_ref(D2M[, c("cluster", "y1", "y2", "y3", "y4", "y5", "y6", "x1", "x2", "x3", "wc")],
          file.path(OUT, "demo_twolevel_missing.csv"))

HS_CFA <- 'visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9'
D_SEM <- 'f =~ y1 + y2 + y3
f ~ x1 + x2'
D_CFA <- 'f =~ y1 + y2 + y3 + y4'

FM <- c("npar", "fmin", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
        "chisq.scaling.factor", "baseline.chisq", "baseline.df", "baseline.chisq.scaled",
        "baseline.chisq.scaling.factor", "cfi", "tli", "cfi.scaled", "tli.scaled", "cfi.robust", "tli.robust",
        "logl", "unrestricted.logl", "aic", "bic", "bic2", "ntotal", "scaling.factor.h1", "scaling.factor.h0",
        "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.scaled", "rmsea.robust", "rmsea.ci.lower.robust",
        "rmsea.ci.upper.robust", "srmr", "srmr_bentler", "rmr")

case <- function(name, fit) {
  o <- fit@Options
  cat(sprintf("%-22s converged=%s estimator=%s se=%s test=%s chisq=%.4f\n", name, lavInspect(fit, "converged"),
              o$estimator, o$se, paste(o$test, collapse = "/"), fitMeasures(fit, "chisq")))
  pe <- parameterEstimates(fit)
  if (is.null(pe$group)) pe$group <- 1L
  pe$group[pe$op == ":="] <- 0L
  write_ref(pe[, c("lhs", "op", "rhs", "group", "est", "se")], file.path(OUT, paste0(name, "_params.csv")))
  fm <- fitMeasures(fit)
  keep <- intersect(FM, names(fm))
  write_ref(data.frame(measure = keep, value = as.numeric(fm[keep]), stringsAsFactors = FALSE),
            file.path(OUT, paste0(name, "_fit.csv")))
  write_ref(data.frame(key = c("estimator", "se", "test", "information", "nobs"),
                       value = c(o$estimator, o$se, paste(o$test, collapse = "/"),
                                 paste(o$information, collapse = "/"),
                                 paste(unlist(lavInspect(fit, "nobs")), collapse = "/")),
                       stringsAsFactors = FALSE),
            file.path(OUT, paste0(name, "_info.csv")))
  ss <- lavInspect(fit, "sampstat")
  if (!is.null(ss$cov)) ss <- list(ss)
  rows <- list()
  for (g in seq_along(ss)) {
    S <- ss[[g]]$cov
    nm <- rownames(S)
    for (i in seq_along(nm)) for (j in seq_len(i)) {
      rows[[length(rows) + 1]] <- data.frame(group = g, what = "cov", lhs = nm[i], rhs = nm[j], value = S[i, j])
    }
    if (!is.null(ss[[g]]$mean)) for (i in seq_along(nm)) {
      rows[[length(rows) + 1]] <- data.frame(group = g, what = "mean", lhs = nm[i], rhs = "",
                                             value = ss[[g]]$mean[i])
    }
  }
  write_ref(do.call(rbind, rows), file.path(OUT, paste0(name, "_sampstat.csv")))
}

case("hs_w_ml", cfa(HS_CFA, data = HS, sampling.weights = "w"))
case("hs_w_mlr", cfa(HS_CFA, data = HS, sampling.weights = "w", estimator = "MLR"))
case("hs_w_zero", cfa(HS_CFA, data = HS, sampling.weights = "w0"))
case("hs_w_none", cfa(HS_CFA, data = HS, sampling.weights = "w", sampling.weights.normalization = "none"))
case("hs_w_fiml", cfa(HS_CFA, data = HSM, sampling.weights = "w", missing = "fiml"))
case("hs_w_mg", cfa(HS_CFA, data = HS, sampling.weights = "w", group = "school"))
case("hs_w_mg_group", cfa(HS_CFA, data = HS, sampling.weights = "w", group = "school",
                          sampling.weights.normalization = "group"))
case("hs_w_mg_loadings", cfa(HS_CFA, data = HS, sampling.weights = "w", group = "school",
                             group.equal = "loadings"))
case("d2_cl_cfa", cfa(D_CFA, data = D2, cluster = "cluster"))
case("d2_cl_sem", sem(D_SEM, data = D2, cluster = "cluster"))
case("d2_cl_fiml", sem(D_SEM, data = D2M, cluster = "cluster", missing = "fiml"))
case("d2_clw_sem", sem(D_SEM, data = D2, cluster = "cluster", sampling.weights = "wc"))
case("d2_clw_fiml", cfa(D_CFA, data = D2M, cluster = "cluster", sampling.weights = "wc", missing = "fiml"))
case("d2_w_sem", sem(D_SEM, data = D2, sampling.weights = "wc"))
cat("done; lavaan", as.character(packageVersion("lavaan")), "\n")
