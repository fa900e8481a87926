# Reference values from lavaan 0.6-14 for WLSMV with exogenous observed covariates (conditional.x = TRUE) and
# continuous indicators mixed with ordered ones (issue 11 of 12). lavaan's first stage regresses each continuous
# indicator on the covariates by OLS (intercept, slopes, residual variance with divisor N) and each ordered one
# by probit (thresholds, slopes); the residual correlations are Pearson (continuous pairs, as covariances),
# polyserial (continuous x ordered, as rho * sd) and polychoric. wls.obs: the thresholds with -intercept in a
# continuous indicator's slot, the slopes, the residual variances of the continuous ones, the residual
# (co)variances.
# Data: psych's bfi (data/bfi.csv): A1, A2 continuous (their 1-6 codes as numbers), A3, A4, A5 ordered, covariates
# age and education (rows missing education or an item deleted listwise), one group (delta, theta) and by gender;
# and A1, A2, A3 ordered, A4, A5 continuous on age and gender; data/hs_ordinal.csv (x1, x2 ordered, x3..x9
# continuous) with ageyr;
# HolzingerSwineford1939: x1, x2, x4 continuous (data/HolzingerSwineford1939.csv), x3, x5, x6 ordered
# (data/hs_ordinal.csv, same rows), covariates sex and agec (ageyr - 13), one group and by school.
# Run from the repository root:  Rscript tests/reference/make_reference_wlsmv_conditional_mixed.R
# Writes tests/reference/wlsmv_conditional_mixed/<case>_{params,fit,wls_obs,gamma,mi}.csv, cases.csv and
# hs_age_polyserial.csv.
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "wlsmv_conditional_mixed")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
BFI <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)[, c(paste0("A", 1:5), "age", "education", "gender")]
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
HSO <- read.csv("data/hs_ordinal.csv")
HSM <- data.frame(x1 = HS$x1, x2 = HS$x2, x3 = HSO$x3, x4 = HS$x4, x5 = HSO$x5, x6 = HSO$x6,
                  sex = HS$sex, ageyr = HS$ageyr, agec = HS$ageyr - 13, school = HS$school)
DATA <- list(bfi = BFI, hs = HSM, hso = cbind(HSO, ageyr = HS$ageyr))
ORD <- list(bfi = c("A3", "A4", "A5"), hs = c("x3", "x5", "x6"))
cases <- data.frame(case = character(0), data = character(0), group = character(0),
                    parameterization = character(0), model = character(0), ordered = character(0),
                    missing = character(0))
write_mixed <- function(case, data, model, group = NULL, parameterization = "delta", ordered = ORD[[data]],
                        missing = "listwise") {
  fit <- suppressWarnings(cfa(model, data = DATA[[data]], ordered = ordered, estimator = "WLSMV",
                              group = group, parameterization = parameterization, missing = missing))
  stopifnot(lavInspect(fit, "options")$conditional.x)
  cat(sprintf("%-14s conv=%s npar=%d df=%s chisq=%.4f chisq.scaled=%.4f\n", case, lavInspect(fit, "converged"),
              lavInspect(fit, "npar"), fitMeasures(fit, "df"), fitMeasures(fit, "chisq"),
              fitMeasures(fit, "chisq.scaled")))
  write_params_fit(fit, case)
  mi <- modindices(fit, sort. = FALSE, minimum.value = 0)
  if (is.null(mi$group)) mi$group <- 1L
  write_ref(mi[, c("lhs", "op", "rhs", "group", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")],
            file.path(OUT, paste0(case, "_mi.csv")))
  obs <- lavInspect(fit, "wls.obs")
  gam <- lavInspect(fit, "gamma")
  if (is.null(group)) { obs <- list(obs); gam <- list(gam) }
  write_ref(do.call(rbind, lapply(seq_along(obs), function(g)
    data.frame(group = g, name = names(obs[[g]]), value = unname(obs[[g]])))),
    file.path(OUT, paste0(case, "_wls_obs.csv")))
  write_ref(do.call(rbind, lapply(seq_along(gam), function(g)
    data.frame(group = g, row = rep(seq_len(nrow(gam[[g]])), ncol(gam[[g]])),
               col = rep(seq_len(ncol(gam[[g]])), each = nrow(gam[[g]])), value = as.vector(gam[[g]])))),
    file.path(OUT, paste0(case, "_gamma.csv")))
  cases[nrow(cases) + 1, ] <<- c(case, data, if (is.null(group)) "" else group, parameterization,
                                 gsub("\n", "; ", model), paste(ordered, collapse = ","),
                                 missing)
}
BFI_M <- "A =~ A1 + A2 + A3 + A4 + A5\nA ~ age + education"
HS_M <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ sex + agec\ntextual ~ sex"
write_mixed("bfi_delta", "bfi", BFI_M)
write_mixed("bfi_theta", "bfi", BFI_M, parameterization = "theta")
write_mixed("bfi_mg", "bfi", BFI_M, group = "gender")
# A1, A2, A3 ordered, A4 and A5 continuous, on age and gender (tests/test_wlsmv_conditional.py)
write_mixed("bfi_gender", "bfi", "A =~ A1 + A2 + A3 + A4 + A5\nA ~ age + gender", ordered = c("A1", "A2", "A3"))
write_mixed("hs_delta", "hs", HS_M)
write_mixed("hs_mg", "hs", HS_M, group = "school")
# data/hs_ordinal.csv with x1, x2 ordered and x3..x9 (their 1-4 codes) continuous, speed on ageyr
# (tests/test_wlsmv.py)
write_mixed("hso_speed", "hso", "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\nspeed ~ ageyr",
            ordered = c("x1", "x2"))
# missing = "pairwise": the items' missing values (A1..A5 have 16-27 each) pairwise, rows with a missing
# covariate deleted (fixed.x); one group (delta, theta) and by gender
BFI_P <- "A =~ A1 + A2 + A3 + A4 + A5\nA ~ age + gender"
write_mixed("bfi_pairwise", "bfi", BFI_P, missing = "pairwise")
write_mixed("bfi_pairwise_theta", "bfi", BFI_P, missing = "pairwise", parameterization = "theta")
write_mixed("bfi_pairwise_mg", "bfi", "A =~ A1 + A2 + A3 + A4 + A5\nA ~ age + education", group = "gender",
            missing = "pairwise")
write_ref(cases, file.path(OUT, "cases.csv"))
# Age in years (11-16) uncentred: the thresholds at x = 0 of x5 and x6 lie far in the tails (x5|t1 = -3.07), and
# lavaan's start for the polyserial correlation (cor(Z, y2) sd(y2) / sum(dnorm(tau)), halved above 0.9) lands near
# 0.8, where its likelihood leaves out the rows whose likelihood falls below sqrt(eps); nlminb then climbs to
# rho = 0.994 for x1~~x5, x2~~x5, x2~~x6 ("correlation ... is (nearly) 1.0"). The maximum of the full likelihood
# (every row; optimize() below) is where egovsem's first stage is (x1~~x5: rho 0.292, covariance 0.338).
d <- HSM; X <- cbind(d$sex, d$ageyr)
ml <- do.call(rbind, lapply(list(c("x1", "x5"), c("x2", "x5"), c("x2", "x6"), c("x1", "x3")), function(pr) {
  f1 <- lavaan:::lav_uvreg_fit(y = d[[pr[1]]], X = X)
  f2 <- lavaan:::lav_uvord_fit(y = d[[pr[2]]], X = X)
  s <- sqrt(f1$theta[f1$var.idx]); Z <- (d[[pr[1]]] - f1$yhat) / s
  tt <- c(-Inf, f2$theta[f2$th.idx], Inf); eta <- drop(X %*% f2$theta[f2$slope.idx]); k <- d[[pr[2]]]
  nll <- function(r) -sum(log(pnorm((tt[k + 1] - eta - r * Z) / sqrt(1 - r^2)) -
                              pnorm((tt[k] - eta - r * Z) / sqrt(1 - r^2))))
  r <- optimize(nll, c(-0.995, 0.995), tol = 1e-10)$minimum
  data.frame(name = paste0(pr[1], "~~", pr[2]), rho_ml = r, cov_ml = r * s,
             rho_lavaan = lavaan:::lav_bvmix_cor_twostep_fit(d[[pr[1]]], d[[pr[2]]], eXo = X))
}))
write_ref(ml, file.path(OUT, "hs_age_polyserial.csv"))
