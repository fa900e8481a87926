# Reference values for egovsem.sem.products (product indicators and probing; tests/test_interaction.py),
# written to tests/reference/interaction/.
#
# R 4 with lavaan 0.6-14 and semTools 0.5-6. Run from the repository root:
#   Rscript tests/reference/make_reference_interaction.R
#
# Data: lavaan's HolzingerSwineford1939 (public, N = 301). visual (x1-x3) x textual (x4-x6) -> speed (x7-x9).
#   products_<pairs>_<centring>.csv : the product columns of semTools::indProd(HS, x1:x3, x4:x6, ...)
#     pairs = matched (match = TRUE) or all (match = FALSE);
#     centring = mc (meanC = TRUE, doubleMC = FALSE), dmc (meanC = TRUE, doubleMC = TRUE: semTools' default),
#                rc (meanC = FALSE, residualC = TRUE, doubleMC = FALSE).
#   <case>_params.csv / _fit.csv : parameterEstimates()/fitMeasures() of the product-indicator models
#     mc_matched  : dmc matched products, sem(meanstructure = FALSE)
#     mc_all      : dmc all-pairs products (9 indicators of the product factor), sem(meanstructure = FALSE)
#     rc_matched  : rc matched products, sem(meanstructure = TRUE) (latent means fixed at 0, lavaan's default)
#   <case>_probe_<mod>.csv : probe2WayMC / probe2WayRC simple slopes ($SimpleSlope) at valProbe = -1, 0, 1
#     (moderator f2, focal f1; and moderator f1, focal f2).
#   <case>_jn_<mod>.csv : Johnson-Neyman bounds (semTools 0.5-6 has none): the moderator values where
#     z = (b1 + b3 w) / sqrt(v11 + 2 w v13 + w^2 v33) equals +-qnorm(.975), the roots of
#     (b1 + b3 w)^2 - z^2 (v11 + 2 w v13 + w^2 v33) = 0, with lavaan's estimates and vcov (MC fit only).
suppressPackageStartupMessages({ library(lavaan); library(semTools) })
stopifnot(packageVersion("lavaan") == "0.6.14", packageVersion("semTools") == "0.5.6")
source("tests/reference/_ref_helpers.R")
OUT <- "tests/reference/interaction"
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
HS <- HolzingerSwineford1939
v1 <- c("x1", "x2", "x3"); v2 <- c("x4", "x5", "x6")

centrings <- list(mc = list(meanC = TRUE, residualC = FALSE, doubleMC = FALSE),
                  dmc = list(meanC = TRUE, residualC = FALSE, doubleMC = TRUE),
                  rc = list(meanC = FALSE, residualC = TRUE, doubleMC = FALSE))
prods <- list()
for (pairs in c("matched", "all")) for (cn in names(centrings)) {
  o <- centrings[[cn]]
  d <- indProd(HS, var1 = v1, var2 = v2, match = pairs == "matched", meanC = o$meanC,
               residualC = o$residualC, doubleMC = o$doubleMC)
  pc <- setdiff(names(d), names(HS))
  write_ref(d[, pc], file.path(OUT, sprintf("products_%s_%s.csv", pairs, cn)))
  prods[[paste(pairs, cn)]] <- d
}

base <- "f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6\nf3 =~ x7 + x8 + x9\nf3 ~ f1 + f2 + f12\nf12 ~~ 0*f1 + 0*f2\n"
matched <- paste0(base, "f12 =~ x1.x4 + x2.x5 + x3.x6\n")
allp <- paste0(base, "f12 =~ ", paste(outer(v1, v2, paste, sep = ".") |> t() |> as.vector(), collapse = " + "), "\n")
writeLines(c(matched), file.path(OUT, "model_matched.lav"))
writeLines(c(allp), file.path(OUT, "model_all.lav"))

jn <- function(fit, focal, mod, y = "f3", int = "f12") {
  b <- coef(fit); V <- vcov(fit)
  k1 <- paste0(y, "~", focal); k3 <- paste0(y, "~", int)
  z <- qnorm(0.975)
  a <- b[k3]^2 - z^2 * V[k3, k3]
  bb <- 2 * (b[k1] * b[k3] - z^2 * V[k1, k3])
  cc <- b[k1]^2 - z^2 * V[k1, k1]
  disc <- bb^2 - 4 * a * cc
  r <- if (disc >= 0) sort(c((-bb - sqrt(disc)) / (2 * a), (-bb + sqrt(disc)) / (2 * a))) else c(NA, NA)
  data.frame(focal = focal, moderator = mod, lower = r[1], upper = r[2], a = unname(a), b = unname(bb),
             c = unname(cc), stringsAsFactors = FALSE)
}

cases <- list(mc_matched = list(model = matched, data = prods[["matched dmc"]], ms = FALSE, probe = probe2WayMC),
              mc_all = list(model = allp, data = prods[["all dmc"]], ms = FALSE, probe = probe2WayMC),
              rc_matched = list(model = matched, data = prods[["matched rc"]], ms = TRUE, probe = probe2WayRC))
for (case in names(cases)) {
  cs <- cases[[case]]
  fit <- sem(cs$model, data = cs$data, meanstructure = cs$ms)
  write_ref(params_table(fit), file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
  for (mod in c("f2", "f1")) {
    pr <- cs$probe(fit, nameX = c("f1", "f2", "f12"), nameY = "f3", modVar = mod, valProbe = c(-1, 0, 1))
    ss <- as.data.frame(unclass(pr$SimpleSlope))
    names(ss)[1] <- "value"
    write_ref(ss, file.path(OUT, sprintf("%s_probe_%s.csv", case, mod)))
    if (case != "rc_matched")
      write_ref(jn(fit, setdiff(c("f1", "f2"), mod), mod), file.path(OUT, sprintf("%s_jn_%s.csv", case, mod)))
  }
  cat(case, "chisq", fitMeasures(fit, "chisq"), "\n")
}
# the latent (factor-score free) range of the moderators: the sample range of the data is not defined for a
# latent variable; tests use the implied SD (lavInspect(fit, "cov.lv")) of the MC fit
fit <- sem(matched, data = prods[["matched dmc"]])
write_ref(data.frame(lv = rownames(lavInspect(fit, "cov.lv")), var = diag(lavInspect(fit, "cov.lv"))),
          file.path(OUT, "mc_matched_cov_lv.csv"))

# The model of semTools' probe2WayMC help page (marker intercepts fixed at 0, latent means free) on HS's
# double-mean-centred matched products: lavaan converges (chisq 147.161, df 50); egovsem starting the latent
# means at 0 (lavaan's start) ran onto an improper ridge, so it starts them at the markers' means.
freemeans <- paste0(matched, "x1 + x4 + x1.x4 + x7 ~ 0*1\nf1 + f2 + f12 + f3 ~ NA*1\n")
writeLines(freemeans, file.path(OUT, "model_freemeans.lav"))
fit <- sem(freemeans, data = prods[["matched dmc"]], meanstructure = TRUE)
stopifnot(lavInspect(fit, "converged"))
write_ref(params_table(fit), file.path(OUT, "freemeans_params.csv"))
write_ref(fit_table(fit), file.path(OUT, "freemeans_fit.csv"))
cat("freemeans chisq", fitMeasures(fit, "chisq"), "\n")
