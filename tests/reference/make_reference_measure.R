# Reference values for egovsem.measure (tests/test_measure.py), written to tests/reference/measure/.
#
# R 4 with lavaan 0.6-14, semTools 0.5-6, psych 2.2.9 (GPArotation for oblimin).
# Run from the repository root:   Rscript tests/reference/make_reference_measure.R [OUTDIR]
# (OUTDIR, default tests/reference/measure, must hold sim_survey.csv; tests/test_measure.py uses it to
# check that the committed CSVs are what this script writes.)
#
# Data sets:
#   hs  - data/HolzingerSwineford1939.csv, 3-factor CFA (visual, textual, speed), complete data.
#   sim - tests/reference/measure/sim_survey.csv, written by tests/reference/simulate_measure_data.py
#         (seeded numpy): 4 constructs x 4 five-point items, N = 400, TI3 reverse-worded and recoded,
#         about 2% of cells missing (psych uses pairwise covariances, lavaan/semTools delete listwise).
#
# Every call below uses the package defaults, unless the comment says otherwise.
suppressPackageStartupMessages({
  library(lavaan); library(semTools); library(psych)
})
stopifnot(packageVersion("lavaan") == "0.6.14", packageVersion("semTools") == "0.5.6")
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1] else "tests/reference/measure"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
w <- function(df, name) write.csv(df, file.path(out, name), row.names = FALSE, na = "")

cases <- list(
  hs = list(data = read.csv("data/HolzingerSwineford1939.csv"),
            constructs = list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"),
                              speed = c("x7", "x8", "x9"))),
  sim = list(data = read.csv(file.path(out, "sim_survey.csv")),
             constructs = list(TG = paste0("TG", 1:4), TI = paste0("TI", 1:4),
                               PV = paste0("PV", 1:4), PI = paste0("PI", 1:4)))
)

for (case in names(cases)) {
  d <- cases[[case]]$data
  cons <- cases[[case]]$constructs
  items <- unlist(cons, use.names = FALSE)
  model <- paste(sprintf("%s =~ %s", names(cons), sapply(cons, paste, collapse = " + ")), collapse = "\n")
  fit <- cfa(model, data = d)  # ML, listwise deletion, marker-variable identification

  # psych::describe (default type = 3: skew = m3 / s^3 and kurtosis = m4 / s^4 - 3 with the N-1 sd)
  ds <- describe(d[, items])
  w(data.frame(item = items, n = ds$n, mean = ds$mean, sd = ds$sd, median = ds$median, min = ds$min,
               max = ds$max, skew = ds$skew, kurtosis = ds$kurtosis, se = ds$se,
               pct_missing = 100 * colMeans(is.na(d[, items]))),
    sprintf("%s_describe.csv", case))

  # psych::alpha per construct (use = "pairwise"); Feldt CI from alpha.ci (the $feldt element)
  arows <- list(); irows <- list()
  for (cn in names(cons)) {
    a <- suppressMessages(psych::alpha(d[, cons[[cn]]], warnings = FALSE))
    arows[[cn]] <- data.frame(construct = cn, n_items = length(cons[[cn]]), raw_alpha = a$total$raw_alpha,
                              std_alpha = a$total$std.alpha, ase = a$total$ase,
                              ci_lower = a$feldt$lower.ci[[1]], ci_upper = a$feldt$upper.ci[[1]],
                              average_r = a$total$average_r, total_mean = a$total$mean, total_sd = a$total$sd)
    irows[[cn]] <- data.frame(construct = cn, item = cons[[cn]], n = a$item.stats$n,
                              raw_r = a$item.stats$raw.r, std_r = a$item.stats$std.r,
                              r_drop = a$item.stats$r.drop,
                              mean = a$item.stats$mean, sd = a$item.stats$sd,
                              alpha_if_deleted = a$alpha.drop$raw_alpha)
  }
  w(do.call(rbind, arows), sprintf("%s_alpha.csv", case))
  w(do.call(rbind, irows), sprintf("%s_item_stats.csv", case))

  # semTools on the fitted CFA: compRelSEM (obs.var = TRUE, tau.eq = FALSE), its tau.eq = TRUE variant,
  # AVE (obs.var = TRUE), and both with obs.var = FALSE (model-implied denominator)
  om <- compRelSEM(fit)
  om_tau <- compRelSEM(fit, tau.eq = TRUE)
  av <- AVE(fit)
  om_fitted <- compRelSEM(fit, obs.var = FALSE)
  av_fitted <- AVE(fit, obs.var = FALSE)
  w(data.frame(construct = names(om), omega = as.numeric(om), alpha_tau_eq = as.numeric(om_tau[names(om)]),
               ave = as.numeric(av[names(om)]), omega_fitted = as.numeric(om_fitted[names(om)]),
               ave_fitted = as.numeric(av_fitted[names(om)])),
    sprintf("%s_reliability.csv", case))

  # latent correlations (Fornell-Larcker off-diagonal) and the standardised loadings
  cl <- lavInspect(fit, "cor.lv")
  g <- expand.grid(row = rownames(cl), col = colnames(cl), stringsAsFactors = FALSE)
  g$value <- cl[cbind(g$row, g$col)]
  w(g, sprintf("%s_cor_lv.csv", case))

  # semTools::htmt with its defaults (absolute = TRUE, htmt2 = TRUE: geometric means) and htmt2 = FALSE
  h2 <- htmt(model, data = d)
  h1 <- htmt(model, data = d, htmt2 = FALSE)
  g <- expand.grid(row = rownames(h2), col = colnames(h2), stringsAsFactors = FALSE)
  g$htmt2 <- h2[cbind(g$row, g$col)]
  g$htmt <- h1[cbind(g$row, g$col)]
  w(g, sprintf("%s_htmt.csv", case))

  # Harman's single-factor test as commonly run: unrotated PCA, share of variance of the first component
  # (psych::principal on the pairwise correlation matrix, psych's default use = "pairwise")
  R <- cor(d[, items], use = "pairwise")
  p1 <- principal(R, nfactors = 1, rotate = "none")
  ev <- eigen(R, symmetric = TRUE, only.values = TRUE)$values
  w(data.frame(component = seq_along(ev), eigenvalue = ev,
               first_share = c(p1$Vaccounted["Proportion Var", 1], rep(NA, length(ev) - 1))),
    sprintf("%s_harman.csv", case))

  # Full-collinearity VIF (Kock 2015): construct score = mean of its items (of those answered),
  # each score regressed on all the others (lm, listwise over the scores), VIF = 1 / (1 - R2)
  sc <- as.data.frame(sapply(cons, function(v) rowMeans(d[, v], na.rm = TRUE)))
  sc <- sc[complete.cases(sc), ]
  vrows <- lapply(names(cons), function(cn) {
    r2 <- summary(lm(reformulate(setdiff(names(cons), cn), response = cn), data = sc))$r.squared
    data.frame(construct = cn, r2 = r2, vif = 1 / (1 - r2))
  })
  w(do.call(rbind, vrows), sprintf("%s_vif.csv", case))

  # EFA: psych::fa with minres and oblimin (its defaults), as many factors as constructs,
  # on the pairwise correlation matrix
  f <- fa(R, nfactors = length(cons), rotate = "oblimin", fm = "minres", n.obs = nrow(d))
  L <- unclass(f$loadings)
  g <- expand.grid(item = rownames(L), factor = seq_len(ncol(L)), stringsAsFactors = FALSE)
  g$loading <- L[cbind(match(g$item, rownames(L)), g$factor)]
  w(g, sprintf("%s_efa_loadings.csv", case))
  u <- unclass(fa(R, nfactors = length(cons), rotate = "none", fm = "minres", n.obs = nrow(d))$loadings)
  g <- expand.grid(item = rownames(u), factor = seq_len(ncol(u)), stringsAsFactors = FALSE)
  g$loading <- u[cbind(match(g$item, rownames(u)), g$factor)]
  w(g, sprintf("%s_efa_unrotated.csv", case))
  w(data.frame(communality = f$communality, item = names(f$communality))[, c("item", "communality")],
    sprintf("%s_efa_communalities.csv", case))
  # sampling adequacy: psych::KMO and psych::cortest.bartlett on the same matrix, n = all rows
  km <- KMO(R)
  bt <- cortest.bartlett(R, n = nrow(d))
  w(data.frame(item = c(names(km$MSAi), "overall"), msa = c(as.numeric(km$MSAi), km$MSA)),
    sprintf("%s_kmo.csv", case))
  w(data.frame(chisq = bt$chisq, df = bt$df, pvalue = bt$p.value), sprintf("%s_bartlett.csv", case))
  phi <- f$Phi
  g <- expand.grid(row = seq_len(nrow(phi)), col = seq_len(ncol(phi)))
  g$value <- phi[cbind(g$row, g$col)]
  w(g, sprintf("%s_efa_phi.csv", case))
}
# compRelSEM and AVE on other kinds of fit: structural paths and correlated residuals (PoliticalDemocracy,
# lavaan's example model), std.lv identification, a cross-loading (AVE is NA for the factors it touches),
# an observed covariate predicting the factors
PD <- read.csv("data/PoliticalDemocracy.csv")
HS <- cases$hs$data
hs_model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
extra <- list(
  pd_sem = sem("ind60 =~ x1 + x2 + x3
                dem60 =~ y1 + y2 + y3 + y4
                dem65 =~ y5 + y6 + y7 + y8
                dem60 ~ ind60
                dem65 ~ ind60 + dem60
                y1 ~~ y5
                y2 ~~ y4 + y6
                y3 ~~ y7
                y4 ~~ y8
                y6 ~~ y8", data = PD),
  hs_stdlv = cfa(hs_model, data = HS, std.lv = TRUE),
  hs_xload = cfa(paste(hs_model, "\nvisual =~ x9"), data = HS),
  hs_covariate = sem("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ ageyr\ntextual ~ ageyr + visual",
                     data = HS)
)
rows <- list()
for (nm in names(extra)) {
  fit <- extra[[nm]]
  om <- compRelSEM(fit)
  av <- AVE(fit)
  rows[[nm]] <- data.frame(case = nm, construct = names(om), omega = as.numeric(om),
                           ave = as.numeric(av[names(om)]))
}
w(do.call(rbind, rows), "extra_reliability.csv")

writeLines(c(R.version.string, paste("lavaan", packageVersion("lavaan")),
             paste("semTools", packageVersion("semTools")), paste("psych", packageVersion("psych")),
             paste("GPArotation", packageVersion("GPArotation"))),
           file.path(out, "versions.txt"))
