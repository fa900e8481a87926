# Executable check of the formulas written down in tests/reference/ml/NOTES.md.
#
# Run from the repository root:
#     Rscript tests/reference/verify_definitions_ml.R
#
# For several reference models it recomputes, from S, m, Sigma-hat, mu-hat, N
# and the model Jacobian Delta = d(mu, vech Sigma)/d(theta) (taken from
# lavInspect(fit, "delta")), the fit measures, the standard errors and the
# modification indices, and prints the largest absolute difference with what
# lavaan 0.6-14 reports.  Only Delta (and, for the MIs, the candidate list and
# Delta of lavaan's extended model) are taken from lavaan internals.

suppressPackageStartupMessages(library(lavaan))
HS <- read.csv("data/HolzingerSwineford1939.csv")
PD <- read.csv("data/PoliticalDemocracy.csv")

logdet <- function(A) as.numeric(determinant(A, logarithm = TRUE)$modulus)
vech_names <- function(v) {           # lavaan's vech order: column-wise lower
  p <- length(v); out <- character(0)  # triangle -> (v[j], v[i]), i >= j
  for (j in 1:p) for (i in j:p) out <- c(out, paste0(v[j], "~~", v[i]))
  out
}

# moments vector in the order of rownames(Delta): "a~~b" and "a~1"
moments <- function(rn, COV, MEAN) {
  vapply(rn, function(r) {
    if (grepl("~~", r, fixed = TRUE)) {
      ab <- strsplit(r, "~~", fixed = TRUE)[[1]]; COV[ab[1], ab[2]]
    } else {
      MEAN[sub("~1$", "", r)]
    }
  }, numeric(1))
}

# h1 expected unit information W (normal theory), structured (at Sigma-hat):
#   cov block  : 0.5 * D' (Sigma^-1 %x% Sigma^-1) D
#   mean block : Sigma^-1
# rows/cols of elements that belong to the fixed.x x-x block (and x means) = 0
Wmat <- function(rn, Sigma, xnames) {
  Si <- solve(Sigma)
  k <- length(rn); W <- matrix(0, k, k)
  parse <- function(r) {
    if (grepl("~~", r, fixed = TRUE)) list(type = "c", v = strsplit(r, "~~", fixed = TRUE)[[1]])
    else list(type = "m", v = sub("~1$", "", r))
  }
  P <- lapply(rn, parse)
  for (a in 1:k) for (b in 1:k) {
    A <- P[[a]]; B <- P[[b]]
    if (A$type == "m" && B$type == "m") W[a, b] <- Si[A$v, B$v]
    if (A$type == "c" && B$type == "c") {
      i <- A$v[1]; j <- A$v[2]; kk <- B$v[1]; l <- B$v[2]
      # 0.5 * d/dvech: sum over the (1 or 2) positions of each off-diagonal element
      val <- Si[i, kk] * Si[j, l] + Si[i, l] * Si[j, kk]
      if (i == j) val <- val / 2
      if (kk == l) val <- val / 2
      W[a, b] <- val
    }
  }
  isx <- vapply(P, function(A) all(A$v %in% xnames), logical(1))
  W[isx, ] <- 0; W[, isx] <- 0
  W
}

check <- function(label, fit) {
  cat("\n=====", label, "=====\n")
  N  <- lavInspect(fit, "nobs")
  ss <- lavInspect(fit, "sampstat"); im <- lavInspect(fit, "implied")
  S <- ss$cov; Sig <- im$cov; ov <- rownames(S); p <- length(ov)
  ms <- fit@Options$meanstructure
  m  <- if (!is.null(ss$mean)) ss$mean else setNames(rep(0, p), ov)
  mu <- if (!is.null(im$mean)) im$mean else m
  xn <- if (fit@Options$fixed.x) lavNames(fit, "ov.x") else character(0)
  yn <- setdiff(ov, xn); px <- length(xn)
  fm <- fitMeasures(fit)
  npar <- unname(fm["npar"])

  Si <- solve(Sig); d <- m - mu
  Fx <- 0.5 * (logdet(Sig) + sum(diag(S %*% Si)) - logdet(S) - p + drop(t(d) %*% Si %*% d))
  X2 <- 2 * N * Fx
  ndat <- p * (p + 1) / 2 + ms * p - (px * (px + 1) / 2 + ms * px)
  df <- ndat - npar
  # baseline: free y variances (+ free y means), x block fixed at S_xx
  X2.0 <- N * (sum(log(diag(S)[yn])) + (if (px) logdet(S[xn, xn, drop = FALSE]) else 0) - logdet(S))
  df.0 <- ndat - length(yn) * (1 + ms)   # y variances (+ y means)
  t1 <- max(X2 - df, 0); t2 <- max(X2 - df, X2.0 - df.0, 0)
  mine <- c(fmin = Fx, chisq = X2, df = df, pvalue = 1 - pchisq(X2, df),
            baseline.chisq = X2.0, baseline.df = df.0,
            cfi = if (t1 == 0 && t2 == 0) 1 else 1 - t1 / t2,
            tli = 1 - ((X2 - df) * df.0) / ((X2.0 - df.0) * df),
            nnfi = 1 - ((X2 - df) * df.0) / ((X2.0 - df.0) * df),
            rfi = (X2.0 / df.0 - X2 / df) / (X2.0 / df.0),
            nfi = (X2.0 - X2) / X2.0,
            pnfi = (df / df.0) * (X2.0 - X2) / X2.0,
            ifi = (X2.0 - X2) / (X2.0 - df),
            rni = 1 - (X2 - df) / (X2.0 - df.0))
  # log-likelihoods (fixed.x: minus the marginal loglik of x at its sample moments)
  LL  <- -N / 2 * (p * log(2 * pi) + logdet(Sig) + sum(diag(S %*% Si)) + drop(t(d) %*% Si %*% d))
  LL1 <- -N / 2 * (p * log(2 * pi) + logdet(S) + p)
  if (px) {
    LLx <- -N / 2 * (px * log(2 * pi) + logdet(S[xn, xn, drop = FALSE]) + px)
    LL <- LL - LLx; LL1 <- LL1 - LLx
  }
  mine <- c(mine, logl = LL, unrestricted.logl = LL1, aic = -2 * LL + 2 * npar,
            bic = -2 * LL + npar * log(N), bic2 = -2 * LL + npar * log((N + 2) / 24))
  # RMSEA (N, not N-1)
  rmsea <- sqrt(max(X2 / N / df - 1 / N, 0))
  lo.f <- function(l) pchisq(X2, df, ncp = l) - 0.95
  up.f <- function(l) pchisq(X2, df, ncp = l) - 0.05
  lam.l <- if (lo.f(0) < 0) 0 else uniroot(lo.f, c(0, X2), tol = 1e-12)$root
  lam.u <- uniroot(up.f, c(0, max(N, 4 * X2)), tol = 1e-12)$root
  mine <- c(mine, rmsea = rmsea, rmsea.ci.lower = sqrt(lam.l / (N * df)),
            rmsea.ci.upper = sqrt(lam.u / (N * df)),
            rmsea.pvalue = 1 - pchisq(X2, df, ncp = N * df * 0.05^2),
            rmsea.notclose.pvalue = pchisq(X2, df, ncp = N * df * 0.08^2))
  # SRMR family
  sd.S <- sqrt(diag(S))
  Rb <- (S - Sig) / tcrossprod(sd.S)                      # Bentler
  Rc <- cov2cor(S) - cov2cor(Sig)                          # Bollen (crmr)
  vl <- function(A, diag = TRUE) A[lower.tri(A, diag = diag)]
  mres <- (m - mu) / sd.S
  srmr_b_nomean <- sqrt(mean(vl(Rb)^2))
  srmr_b <- if (ms) sqrt(sum(c(vl(Rb), mres)^2) / (p * (p + 1) / 2 + p)) else srmr_b_nomean
  crmr_nomean <- sqrt(sum(vl(Rc, FALSE)^2) / (p * (p - 1) / 2))
  crmr <- if (ms) sqrt(sum(c(vl(Rc, FALSE), mres)^2) / (p * (p - 1) / 2 + p)) else crmr_nomean
  rmr_nomean <- sqrt(mean(vl(S - Sig)^2))
  rmr <- if (ms) sqrt(sum(c(vl(S - Sig), m - mu)^2) / (p * (p + 1) / 2 + p)) else rmr_nomean
  vres <- (diag(S) - diag(Sig)) / diag(S)
  mpl_nomean <- sqrt((sum(vl(Rc, FALSE)^2) + sum(vres^2)) / (p * (p + 1) / 2))
  mpl <- if (ms) sqrt((sum(vl(Rc, FALSE)^2) + sum((m / sd.S - mu / sqrt(diag(Sig)))^2) + sum(vres^2)) /
                      (p * (p + 1) / 2 + p)) else mpl_nomean
  mine <- c(mine, srmr = srmr_b, srmr_bentler = srmr_b, srmr_bentler_nomean = srmr_b_nomean,
            crmr = crmr, crmr_nomean = crmr_nomean, rmr = rmr, rmr_nomean = rmr_nomean,
            srmr_mplus = mpl, srmr_mplus_nomean = mpl_nomean)
  # GFI family: W at Sigma-hat, x-x block zeroed; nel counts all moments
  ovs <- ov
  rn <- c(if (ms) paste0(ovs, "~1"), vech_names(ovs))
  W <- Wmat(rn, Sig, xn)
  s.vec <- moments(rn, S, m); sig.vec <- moments(rn, Sig, mu)
  e <- s.vec - sig.vec
  gfi <- 1 - drop(t(e) %*% W %*% e) / drop(t(s.vec) %*% W %*% s.vec)
  nel <- length(rn)
  mine <- c(mine, gfi = gfi, agfi = 1 - nel / df * (1 - gfi), pgfi = df / nel * gfi,
            cn_05 = qchisq(0.95, df) / (X2 / N) + 1, cn_01 = qchisq(0.99, df) / (X2 / N) + 1,
            mfi = exp(-0.5 * (X2 - df) / N), ecvi = X2 / N + 2 * npar / N)
  diff <- mine - fm[names(mine)]
  print(signif(cbind(lavaan = fm[names(mine)], mine = mine, diff = diff), 10))

  # ---- standard errors: expected information, N (not N-1), constraints by projection
  D <- lavInspect(fit, "delta")
  W <- Wmat(rownames(D), Sig, xn)
  I <- t(D) %*% W %*% D
  H <- fit@Model@con.jac
  if (nrow(H) > 0) {
    Z <- MASS::Null(t(H))                     # basis of null space of H
    V <- Z %*% solve(t(Z) %*% I %*% Z) %*% t(Z) / N
  } else V <- solve(I) / N
  cat("max |SE(mine) - SE(lavaan)| =",
      max(abs(sqrt(diag(V)) - sqrt(diag(vcov(fit))))), "\n")

  # ---- modification indices
  FULL <- lavaan:::lav_partable_full(partable = fit@ParTable, lavpta = fit@pta,
                                     free = TRUE, start = TRUE, strict.exo = FALSE)
  FULL$free <- rep(1L, nrow(FULL)); FULL$user <- rep(10L, nrow(FULL))
  FIT <- lavaan:::lav_object_extended(fit, add = FULL, all.free = TRUE)
  LIST <- FIT@ParTable
  De <- lavInspect(FIT, "delta")
  We <- Wmat(rownames(De), Sig, xn)
  s.vec <- moments(rownames(De), S, m); sig.vec <- moments(rownames(De), Sig, mu)
  # gradient: ordinary ML gradient, W *without* zeroing the x-x block
  # (information: W *with* the x-x block zeroed) -- this is what lavaan does
  g.fx <- -drop(t(De) %*% Wmat(rownames(De), Sig, character(0)) %*% (s.vec - sig.vec))
  Ie <- t(De) %*% We %*% De
  model.idx <- LIST$free[LIST$free > 0 & LIST$user != 10]
  extra.idx <- LIST$free[LIST$free > 0 & LIST$user == 10]
  if (nrow(H) > 0) {
    I22inv <- Z %*% solve(t(Z) %*% I %*% Z) %*% t(Z)
  } else I22inv <- solve(I)
  Vx <- Ie[extra.idx, extra.idx] - Ie[extra.idx, model.idx] %*% I22inv %*% Ie[model.idx, extra.idx]
  vd <- diag(Vx); vd[vd < .Machine$double.eps^(1/3)] <- NA
  mi <- N * g.fx[extra.idx]^2 / vd
  epc <- -g.fx[extra.idx] / vd
  key <- paste(LIST$lhs, LIST$op, LIST$rhs)[match(extra.idx, LIST$free)]
  MI <- modindices(fit)
  k2 <- paste(MI$lhs, MI$op, MI$rhs)
  j <- match(k2, key)
  big <- MI$mi > 1e-8
  cat("MI rows:", nrow(MI), " mine (V >= eps^(1/3)):", sum(!is.na(mi)),
      " all found:", !anyNA(j),
      " max |mi diff| =", max(abs(mi[j] - MI$mi)),
      " max |epc diff| (mi>1e-8) =", max(abs(epc[j][big] - MI$epc[big])), "\n")
  invisible(NULL)
}

HS_CFA <- 'visual =~ x1 + x2 + x3
           textual =~ x4 + x5 + x6
           speed =~ x7 + x8 + x9'
check("hs_cfa", cfa(HS_CFA, data = HS))
check("hs_cfa_means", cfa(HS_CFA, data = HS, meanstructure = TRUE))
check("pd_sem (equality constraints)", sem('
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + a*y2 + b*y3 + c*y4
  dem65 =~ y5 + a*y6 + b*y7 + c*y8
  dem60 ~ ind60
  dem65 ~ ind60 + dem60
  y1 ~~ y5
  y2 ~~ y4 + y6
  y3 ~~ y7
  y4 ~~ y8
  y6 ~~ y8', data = PD))
check("path_fixedx", sem('x4 ~ x1 + x2\n x5 ~ x4 + x3\n x6 ~ x5', data = HS))
check("path_fixedx meanstructure", sem('x4 ~ x1 + x2\n x5 ~ x4 + x3\n x6 ~ x5', data = HS, meanstructure = TRUE))
check("hs_ordered_exo", sem('visual =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  visual ~ ageyr
  textual ~ ageyr + visual', data = HS))
