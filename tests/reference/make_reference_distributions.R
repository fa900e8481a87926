# Reference values of the probabilities egovsem's fit measures and parameter table use (R's own, which lavaan
# 0.6-14 calls: pchisq with and without ncp, qchisq, pnorm, qnorm), for tests/test_distributions.py.
# Run from the repository root: Rscript tests/reference/make_reference_distributions.R
# Written with 17 significant digits. R warns "full precision may not have been achieved in 'pnchisq'" for the
# upper tail of the non-central distribution where it is below about 1e-10 (R computes it as 1 - cdf); the
# column r_warned marks those rows (their sf is good to about 1e-14 absolutely, not relatively).
write17 <- function(d, file) {
  d[] <- lapply(d, function(v) if (is.numeric(v)) sprintf("%.17g", v) else v)
  write.csv(d, file, row.names = FALSE, quote = FALSE)
}
warned <- function(expr) {
  w <- FALSE
  withCallingHandlers(expr, warning = function(c) { w <<- TRUE; invokeRestart("muffleWarning") })
  w
}
grid <- expand.grid(df = c(0.5, 1, 2, 3, 7.3, 24, 50, 100, 300, 1000, 2500),
                    x = c(0.001, 0.1, 0.5, 1, 2, 5, 10, 24, 30, 50, 85.306, 100, 150, 300, 500, 1000, 2000, 4165.467),
                    ncp = c(0, 0.01, 0.5, 5, 20, 61.3, 150, 400, 1000, 3000))
grid$cdf <- pchisq(grid$x, grid$df, ncp = grid$ncp)
grid$sf <- pchisq(grid$x, grid$df, ncp = grid$ncp, lower.tail = FALSE)
grid$r_warned <- as.integer(sapply(seq_len(nrow(grid)), function(i)
  warned(pchisq(grid$x[i], grid$df[i], ncp = grid$ncp[i], lower.tail = FALSE))))
# the central distribution through R's exact central branch (pchisq with ncp = 0 uses the non-central one)
central <- grid$ncp == 0
grid$cdf[central] <- pchisq(grid$x[central], grid$df[central])
grid$sf[central] <- pchisq(grid$x[central], grid$df[central], lower.tail = FALSE)
write17(grid, "tests/reference/distributions_chisq.csv")
q <- expand.grid(df = c(0.5, 1, 2, 3, 7.3, 24, 50, 100, 300, 1000, 2500),
                 p = c(0.001, 0.01, 0.05, 0.1, 0.5, 0.9, 0.95, 0.99))
q$isf <- qchisq(q$p, q$df, lower.tail = FALSE)
write17(q, "tests/reference/distributions_qchisq.csv")
z <- data.frame(z = c(-40, -8.5, -3, -1.959964, -0.5, 0, 0.1, 1, 2.5, 6, 12.25, 37.9))
z$p2 <- 2 * pnorm(-abs(z$z))
z <- rbind(z, data.frame(z = NA, p2 = NA))
write17(z, "tests/reference/distributions_pnorm.csv")
p <- data.frame(p = c(1e-10, 0.001, 0.025, 0.05, 0.3, 0.5, 0.9, 0.975, 0.995))
p$q <- qnorm(p$p)
write17(p, "tests/reference/distributions_qnorm.csv")
