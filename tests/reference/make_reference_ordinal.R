# Reference values from R lavaan 0.6-14 for the ordinal first stage of WLSMV
# (thresholds, polychoric/polyserial correlations, WLS.obs, NACOV = Gamma) and
# for the DWLS second stage (parameter estimates, fit measures, WLS.V diagonal).
#
# Run from the repository root:
#     Rscript tests/reference/make_reference_ordinal.R
#
# (Re)writes the derived data files (deterministic, no random numbers):
#   data/hs_ordinal.csv         x1..x9 of HolzingerSwineford1939 cut into 4
#                               categories at their quartiles
#   data/hs_ordinal_varcat.csv  x1..x9 cut into 2, 3, 7, 5, 4 (coded 1,2,3,5:
#                               an unused code), 4, 4, 6, 3 categories
#   data/hs_ordinal_binary.csv  x1..x9 split at their medians, and x10
#                               (2 when x1 and x2 of hs_ordinal.csv are both 4)
#   data/hs_ordinal_degenerate.csv  a = b = median split of x1, c = x3 of hs_ordinal.csv
# and writes tests/reference/ordinal/<case>_*.csv.  Numbers: sprintf("%.10g").

suppressPackageStartupMessages(library(lavaan))

if (!file.exists("data/HolzingerSwineford1939.csv")) {
  stop("run from the repository root (data/HolzingerSwineford1939.csv not found)")
}
OUT <- file.path("tests", "reference", "ordinal")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)

HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
X <- paste0("x", 1:9)

qcut <- function(x, k) {
  b <- quantile(x, seq(0, 1, length.out = k + 1))
  if (anyDuplicated(b)) stop("duplicated quantile breaks")
  cut(x, breaks = b, include.lowest = TRUE, labels = FALSE)
}

# ---------------------------------------------------------------- data -------
ord4 <- as.data.frame(lapply(HS[X], qcut, k = 4))
write.csv(ord4, "data/hs_ordinal.csv", row.names = FALSE)

ncat <- c(2, 3, 7, 5, 4, 4, 4, 6, 3)
varcat <- as.data.frame(mapply(qcut, HS[X], ncat, SIMPLIFY = FALSE))
varcat$x5[varcat$x5 == 4] <- 5L   # codes 1, 2, 3, 5: code 4 is never used
write.csv(varcat, "data/hs_ordinal_varcat.csv", row.names = FALSE)

# read back what Python reads
ord4 <- read.csv("data/hs_ordinal.csv")
varcat <- read.csv("data/hs_ordinal_varcat.csv")
mixed <- cbind(ord4[paste0("x", 1:6)], HS[paste0("x", 7:9)])

# binary items (median splits) plus x10, which is 2 only when x1 and x2 are both in their top quartile:
# the 2 x 2 table of x1 and x10 has one empty cell (lavaan moves 0.5 into it, keeping the margins)
binary <- as.data.frame(lapply(HS[X], qcut, k = 2))
binary$x10 <- 1L + as.integer(ord4$x1 == 4 & ord4$x2 == 4)
write.csv(binary, "data/hs_ordinal_binary.csv", row.names = FALSE)
binary <- read.csv("data/hs_ordinal_binary.csv")

# a degenerate 2 x 2 table: a and b agree on every row (two empty cells; lavaan sets their correlation
# to 1 with a warning and still computes Gamma)
degen <- data.frame(a = binary$x1, b = binary$x1, c = ord4$x3)
write.csv(degen, "data/hs_ordinal_degenerate.csv", row.names = FALSE)
degen <- read.csv("data/hs_ordinal_degenerate.csv")

HS.model <- "visual  =~ x1 + x2 + x3
             textual =~ x4 + x5 + x6
             speed   =~ x7 + x8 + x9"

# ----------------------------------------------------------------- helpers --
fmt <- function(x) ifelse(is.na(x), "", sprintf("%.10g", x))

write_vec <- function(v, file, key = "name", value = "value") {
  df <- data.frame(names(v), fmt(as.numeric(v)), stringsAsFactors = FALSE)
  names(df) <- c(key, value)
  write.csv(df, file, row.names = FALSE, quote = 1)
}

write_mat <- function(m, file) {
  m <- as.matrix(m)
  df <- data.frame(row = rownames(m), apply(m, 2, fmt), check.names = FALSE,
                   stringsAsFactors = FALSE)
  write.csv(df, file, row.names = FALSE, quote = 1)
}

write_df <- function(df, file) {
  df <- as.data.frame(df, stringsAsFactors = FALSE)
  is_chr <- vapply(df, function(x) is.character(x) || is.factor(x), logical(1))
  for (j in seq_along(df)) {
    if (is_chr[j]) df[[j]] <- as.character(df[[j]])
    else df[[j]] <- fmt(as.numeric(df[[j]]))
  }
  write.csv(df, file, row.names = FALSE, na = "",
            quote = if (any(is_chr)) which(is_chr) else FALSE)
}

first_stage <- function(case, d, ordered, model = HS.model) {
  R <- lavCor(d, ordered = ordered, output = "cor")
  write_mat(R, file.path(OUT, paste0(case, "_cor.csv")))
  TH <- lavCor(d, ordered = ordered, output = "th")
  write_vec(TH, file.path(OUT, paste0(case, "_th.csv")))
  fit <- cfa(model, data = d, ordered = ordered, estimator = "WLSMV")
  wls.obs <- lavInspect(fit, "wls.obs")
  write_vec(wls.obs, file.path(OUT, paste0(case, "_wls_obs.csv")))
  G <- lavInspect(fit, "gamma")
  dimnames(G) <- list(names(wls.obs), names(wls.obs))
  write_mat(G, file.path(OUT, paste0(case, "_gamma.csv")))
  wv <- lavInspect(fit, "wls.v")
  write_vec(setNames(diag(wv), names(wls.obs)),
            file.path(OUT, paste0(case, "_wls_v_diag.csv")))
  fit
}

# ------------------------------------------------------------------ cases ---
fit <- first_stage("hs_ord4", ord4, names(ord4))
pe <- parameterEstimates(fit, standardized = TRUE)
if (is.null(pe$label)) pe$label <- ""
write_df(pe[, c("lhs", "op", "rhs", "label", "est", "se", "z", "pvalue",
                "ci.lower", "ci.upper", "std.lv", "std.all", "std.nox")],
         file.path(OUT, "hs_ord4_params.csv"))
fm <- fitMeasures(fit)
write_vec(fm, file.path(OUT, "hs_ord4_fit.csv"), key = "measure")

first_stage("hs_varcat", varcat, names(varcat))
first_stage("hs_mixed", mixed, paste0("x", 1:6))
first_stage("hs_binary", binary, names(binary),
            model = paste(HS.model, "\n visual =~ x10"))
suppressWarnings(first_stage("hs_degenerate", degen, names(degen), model = "f =~ a + b + c"))

# ----------------------------------------------------------------- timing ---
# lavCor (thresholds + polychorics only, no Gamma) and the internal routine that
# computes thresholds, correlations and Gamma together (what egovsem.sem.ordinal
# computes), each the median of 20 runs.
tm <- function(expr) {
  f <- function() eval.parent(substitute(expr))
  median(replicate(20, system.time(f())[["elapsed"]]))
}
t_lavcor <- median(replicate(20, system.time(
  lavCor(ord4, ordered = names(ord4), output = "cor"))[["elapsed"]]))
Y <- as.matrix(ord4)
t_m84 <- median(replicate(20, system.time(
  lavaan:::muthen1984(Data = Y, ov.names = names(ord4),
                      ov.types = rep("ordered", 9), ov.levels = rep(4L, 9),
                      WLS.W = TRUE))[["elapsed"]]))
info <- data.frame(
  key = c("lavaan", "R", "date", "lavCor_seconds_median20", "muthen1984_seconds_median20"),
  value = c(as.character(packageVersion("lavaan")), R.version.string,
            format(Sys.Date()), sprintf("%.4f", t_lavcor), sprintf("%.4f", t_m84)),
  stringsAsFactors = FALSE)
write.csv(info, file.path(OUT, "info.csv"), row.names = FALSE)
print(info)
