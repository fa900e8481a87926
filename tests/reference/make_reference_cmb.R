# Reference values from lavaan 0.6-14 for the common-method-bias checks beyond Harman (issue 14):
#  * the CFA marker technique of Williams, Hartman & Cavazotte (2010): CFA, Baseline, Method-C, Method-U,
#    Method-R models, chi-square difference tests and the reliability decomposition;
#  * the unmeasured latent method construct (ULMC), equal and free method loadings;
#  * the Lindell & Whitney (2001) marker-variable correction, computed here from its closed form.
# Run from the repository root:  Rscript tests/reference/make_reference_cmb.R
# Data: lavaan's HolzingerSwineford1939 (data/HolzingerSwineford1939.csv). Substantive factors visual
# (x1-x3) and textual (x4-x6); the speed items x7-x9 play the marker (latent "M"). Every factor is
# identified by its variance fixed to 1 (std.lv = TRUE, so latent covariances are correlations, which Method-R
# fixes). ULMC: psych's bfi (data/bfi.csv), neuroticism N1-N5 and openness O1, O3, O4 (the positively keyed
# ones), rows complete on those items (lavaan's listwise default); on HolzingerSwineford1939 the ULMC with
# free loadings ends with a negative residual variance, on bfi both ULMC models are admissible.
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "cmb")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
source(file.path("tests", "reference", "_ref_helpers.R"))
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)

FM <- c("npar", "fmin", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli", "nnfi", "rfi",
        "nfi", "ifi", "rni", "logl", "unrestricted.logl", "aic", "bic", "bic2", "ntotal", "rmsea",
        "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "rmr", "srmr", "gfi", "agfi", "ecvi")
g <- function(x) sprintf("%.10g", x)
case <- function(name, syntax, data = HS) {
  fit <- cfa(syntax, data = data, std.lv = TRUE)
  stopifnot(lavInspect(fit, "converged"))
  writeLines(syntax, file.path(OUT, paste0(name, "_model.lav")))
  write_ref(params_table(fit), file.path(OUT, paste0(name, "_params.csv")))
  fm <- fitMeasures(fit)
  keep <- intersect(FM, names(fm))
  write_ref(data.frame(measure = keep, value = as.numeric(fm[keep]), stringsAsFactors = FALSE),
            file.path(OUT, paste0(name, "_fit.csv")))
  cat(sprintf("%-10s chisq=%.4f df=%d cfi=%.4f\n", name, fm["chisq"], as.integer(fm["df"]), fm["cfi"]))
  fit
}

sub <- list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"))
mk <- c("x7", "x8", "x9")
sub_items <- unlist(sub)
factor_lines <- function() vapply(names(sub), function(f)
  sprintf("%s =~ %s", f, paste(sub[[f]], collapse = " + ")), "")

# ---- CFA model: substantive factors and the marker latent, all correlated
cfa_syn <- paste(c(factor_lines(), sprintf("M =~ %s", paste(mk, collapse = " + "))), collapse = "\n")
f_cfa <- case("marker_cfa", cfa_syn)
pe <- parameterEstimates(f_cfa)
lam_m <- setNames(pe$est[pe$lhs == "M" & pe$op == "=~"], pe$rhs[pe$lhs == "M" & pe$op == "=~"])
th_m <- setNames(pe$est[pe$op == "~~" & pe$lhs %in% mk & pe$lhs == pe$rhs],
                 pe$lhs[pe$op == "~~" & pe$lhs %in% mk & pe$lhs == pe$rhs])

# ---- Baseline: marker loadings and marker error variances fixed to the CFA values; marker orthogonal
marker_fixed <- c(sprintf("M =~ %s", paste(sprintf("%s*%s", g(lam_m[mk]), mk), collapse = " + ")),
                  sprintf("%s ~~ %s*%s", mk, g(th_m[mk]), mk),
                  sprintf("M ~~ 0*%s", names(sub)))
base_syn <- paste(c(factor_lines(), marker_fixed), collapse = "\n")
f_base <- case("marker_baseline", base_syn)
# ---- Method-C: one equal method loading from M on every substantive item
c_syn <- paste(c(base_syn, sprintf("M =~ %s", paste(sprintf("lm*%s", sub_items), collapse = " + "))),
               collapse = "\n")
f_c <- case("marker_method_c", c_syn)
# ---- Method-U: free method loadings
u_syn <- paste(c(base_syn, sprintf("M =~ %s", paste(sub_items, collapse = " + "))), collapse = "\n")
f_u <- case("marker_method_u", u_syn)
# ---- Method-R: Method-U with the substantive correlations fixed to their Baseline values
pb <- parameterEstimates(f_base)
r_b <- pb$est[pb$op == "~~" & pb$lhs == "visual" & pb$rhs == "textual"]
r_syn <- paste(c(u_syn, sprintf("visual ~~ %s*textual", g(r_b))), collapse = "\n")
f_r <- case("marker_method_r", r_syn)
# and Method-R on Method-C (used when Method-U does not fit better than Method-C)
rc_syn <- paste(c(c_syn, sprintf("visual ~~ %s*textual", g(r_b))), collapse = "\n")
f_rc <- case("marker_method_rc", rc_syn)

# ---- chi-square difference tests as Williams et al. (2010) lay them out
dtest <- function(label, f0, f1) {
  a <- fitMeasures(f0, c("chisq", "df", "cfi")); b <- fitMeasures(f1, c("chisq", "df", "cfi"))
  d <- a["chisq"] - b["chisq"]; ddf <- a["df"] - b["df"]
  data.frame(comparison = label, chisq_diff = d, df_diff = ddf,
             pvalue = pchisq(d, ddf, lower.tail = FALSE), cfi_diff = b["cfi"] - a["cfi"],
             stringsAsFactors = FALSE)
}
tests <- rbind(dtest("baseline_vs_method_c", f_base, f_c), dtest("method_c_vs_method_u", f_c, f_u),
               dtest("method_r_vs_method_u", f_r, f_u), dtest("method_rc_vs_method_c", f_rc, f_c))
# lavTestLRT agrees with the hand-made differences (standard ML test): checked here, not written twice
lrt <- lavTestLRT(f_base, f_c)
stopifnot(abs(lrt[["Chisq diff"]][2] - tests$chisq_diff[1]) < 1e-8)
write_ref(tests, file.path(OUT, "marker_tests.csv"))

# ---- reliability decomposition (Williams et al. 2010, Table 5) from the standardized (std.all) Method-U
# estimates: per latent, total = ((sum l)^2 + (sum m)^2) / ((sum l)^2 + (sum m)^2 + sum theta),
# substantive = (sum l)^2 / denominator, method = (sum m)^2 / denominator, with theta = 1 - l^2 - m^2
decomp <- function(fit, model) {
  st <- standardizedSolution(fit)
  do.call(rbind, lapply(names(sub), function(f) {
    l <- st$est.std[st$lhs == f & st$op == "=~"]
    it <- st$rhs[st$lhs == f & st$op == "=~"]
    m <- vapply(it, function(i) st$est.std[st$lhs == "M" & st$op == "=~" & st$rhs == i], 0)
    th <- vapply(it, function(i) st$est.std[st$lhs == i & st$op == "~~" & st$rhs == i], 0)
    den <- sum(l)^2 + sum(m)^2 + sum(th)
    data.frame(model = model, latent = f, total = (sum(l)^2 + sum(m)^2) / den, substantive = sum(l)^2 / den,
               method = sum(m)^2 / den, method_share = sum(m)^2 / (sum(l)^2 + sum(m)^2),
               stringsAsFactors = FALSE)
  }))
}
write_ref(rbind(decomp(f_c, "method_c"), decomp(f_u, "method_u")), file.path(OUT, "marker_reliability.csv"))

# ---- ULMC: visual, textual, speed and a method factor on all nine items, orthogonal to them
BFI <- read.csv("data/bfi.csv", stringsAsFactors = FALSE)
fac3 <- list(N = paste0("N", 1:5), O = c("O1", "O3", "O4"))
items3 <- unlist(fac3)
s3 <- vapply(names(fac3), function(f) sprintf("%s =~ %s", f, paste(fac3[[f]], collapse = " + ")), "")
no_m <- paste(s3, collapse = "\n")
f0 <- case("ulmc_none", no_m, BFI)
orth <- sprintf("METHOD ~~ 0*%s", names(fac3))
eq_syn <- paste(c(s3, sprintf("METHOD =~ %s", paste(sprintf("lm*%s", items3), collapse = " + ")), orth),
                collapse = "\n")
f_eq <- case("ulmc_equal", eq_syn, BFI)
fr_syn <- paste(c(s3, sprintf("METHOD =~ %s", paste(items3, collapse = " + ")), orth), collapse = "\n")
f_fr <- case("ulmc_free", fr_syn, BFI)
ut <- rbind(dtest("none_vs_equal", f0, f_eq), dtest("none_vs_free", f0, f_fr))
write_ref(ut, file.path(OUT, "ulmc_tests.csv"))
# variance extracted by the method factor: the mean squared standardized (std.all) method loading
ve <- function(fit, model) {
  st <- standardizedSolution(fit)
  m <- st$est.std[st$lhs == "METHOD" & st$op == "=~"]
  data.frame(model = model, item = st$rhs[st$lhs == "METHOD" & st$op == "=~"], method_loading = m,
             method_variance = m^2, stringsAsFactors = FALSE)
}
vv <- rbind(ve(f_eq, "equal"), ve(f_fr, "free"))
write_ref(vv, file.path(OUT, "ulmc_items.csv"))
write_ref(aggregate(method_variance ~ model, vv, mean), file.path(OUT, "ulmc_variance.csv"))

# ---- Lindell & Whitney (2001): substantive variables x1-x6, marker = mean of x7-x9 (a marker score) and
# marker = x9 alone. r_M = smallest positive correlation of the marker with the substantive variables
# ("smallest") or the second smallest ("second"); r_adj = (r - r_M) / (1 - r_M), t = r_adj /
# sqrt((1 - r_adj^2) / (N - 3)), two-sided p on N - 3 df.
lw <- function(X, marker, label, which) {
  rm_all <- sort(cor(X, marker)[, 1])
  pos <- rm_all[rm_all > 0]
  rM <- if (which == "smallest") pos[1] else pos[2]
  R <- cor(X); N <- nrow(X); v <- colnames(X)
  rows <- list()
  for (i in seq_along(v)) for (j in seq_along(v)) if (j > i) {
    r <- R[i, j]; ra <- (r - rM) / (1 - rM); t <- ra / sqrt((1 - ra^2) / (N - 3))
    rows[[length(rows) + 1]] <- data.frame(case = label, r_m_rule = which, var1 = v[i], var2 = v[j], r = r,
      r_m = rM, r_adj = ra, t = t, df = N - 3, pvalue = 2 * pt(-abs(t), N - 3), stringsAsFactors = FALSE)
  }
  do.call(rbind, rows)
}
X <- HS[, paste0("x", 1:6)]
lw_out <- rbind(lw(X, rowMeans(HS[, mk]), "speed_score", "smallest"),
                lw(X, rowMeans(HS[, mk]), "speed_score", "second"),
                lw(X, HS$x9, "x9", "smallest"), lw(X, HS$x9, "x9", "second"))
write_ref(lw_out, file.path(OUT, "lindell_whitney.csv"))
mc <- cor(X, rowMeans(HS[, mk]))[, 1]
write_ref(data.frame(variable = names(mc), r_marker = mc, stringsAsFactors = FALSE),
          file.path(OUT, "lindell_whitney_marker_r.csv"))
cat("done\n")
