# BCa intervals of egovsem's PLS bootstrap draws by R's boot package (boot.ci(type = "bca")), the acceleration
# from the jackknife influence values L_i = (n - 1) * (mean(jack) - jack_i) of egovsem's leave-one-out values.
# Inputs (written by make_bca_inputs.py): bca_draws.csv, bca_jack.csv, bca_t0.csv. Output: bca_boot_ci.csv
# (stat, level, rank_lower, rank_upper = (R + 1) * adjusted alpha rounded to 2 decimals as boot prints it,
# lower, upper = boot's endpoints by interpolation on the normal scale). Run from the repository root:
# Rscript tests/reference/pls/make_reference_bca.R   (boot 1.3-x, a recommended package of R)
suppressMessages(library(boot))
here <- "tests/reference/pls"
draws <- read.csv(file.path(here, "bca_draws.csv"), check.names = FALSE)
jack <- read.csv(file.path(here, "bca_jack.csv"), check.names = FALSE)
t0 <- read.csv(file.path(here, "bca_t0.csv"))
n <- nrow(jack)
out <- NULL
for (j in seq_along(t0$stat)) {
  s <- t0$stat[j]
  L <- (n - 1) * (mean(jack[[s]]) - jack[[s]])
  bo <- list(t0 = t0$t0[j], t = matrix(draws[[s]], ncol = 1), R = nrow(draws), call = quote(boot()), sim = "ordinary",
             stype = "i", strata = rep(1, n), weights = rep(1 / n, n))
  class(bo) <- "boot"
  for (lev in c(0.90, 0.95)) {
    ci <- boot.ci(bo, conf = lev, type = "bca", L = L)$bca
    out <- rbind(out, data.frame(stat = s, level = lev, rank_lower = ci[2], rank_upper = ci[3], lower = ci[4],
                                 upper = ci[5]))
  }
}
write.csv(out, file.path(here, "bca_boot_ci.csv"), row.names = FALSE)
cat(sprintf("boot %s\n", packageVersion("boot")))
