# Reference values from R lavaan (ML, single group) for the egovsem engine.
#
# Run from the repository root:
#     Rscript tests/reference/make_reference_ml.R
#
# Reads the datasets from data/*.csv (so that Python and R use exactly the
# same bytes) and writes tests/reference/ml/<case>_{params,fit,modindices,
# r2,info}.csv.  All numbers are written with sprintf("%.10g"); NA is written
# as an empty field.  Also (re)writes data/hs_missing.csv (seeded).

suppressPackageStartupMessages(library(lavaan))

if (!file.exists("data/HolzingerSwineford1939.csv")) {
  stop("run from the repository root (data/HolzingerSwineford1939.csv not found)")
}

OUT <- file.path("tests", "reference", "ml")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)

HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
PD <- read.csv("data/PoliticalDemocracy.csv", stringsAsFactors = FALSE)

# ----------------------------------------------------------------- helpers --

fmt_num <- function(x) ifelse(is.na(x), "", sprintf("%.10g", x))

# write a data.frame: numeric columns formatted with %.10g (unquoted),
# character columns quoted, NA -> empty field
write_ref <- function(df, file) {
  df <- as.data.frame(df, stringsAsFactors = FALSE)
  is_chr <- vapply(df, function(x) is.character(x) || is.factor(x), logical(1))
  for (j in seq_along(df)) {
    if (is_chr[j]) {
      df[[j]] <- as.character(df[[j]])
    } else if (is.logical(df[[j]])) {
      df[[j]] <- ifelse(is.na(df[[j]]), "", ifelse(df[[j]], "TRUE", "FALSE"))
    } else {
      df[[j]] <- fmt_num(as.numeric(df[[j]]))
    }
  }
  qcols <- which(is_chr)
  write.csv(df, file, row.names = FALSE, na = "",
            quote = if (length(qcols)) qcols else FALSE)
}

PE_COLS <- c("lhs", "op", "rhs", "label", "group", "est", "se", "z", "pvalue",
             "ci.lower", "ci.upper", "std.lv", "std.all", "std.nox")

# parameterEstimates(standardized=TRUE, rsquare=TRUE); lavaan drops the
# 'group' (and, without labels, the 'label') column for single-group fits,
# so we re-attach them: group is taken from parTable() (1 for model rows,
# 0 for ':=' rows), r2 rows get the group of their block (1).
params_table <- function(fit) {
  pe <- parameterEstimates(fit, standardized = TRUE, rsquare = TRUE)
  pt <- parTable(fit)
  if (is.null(pe$label)) pe$label <- ""
  if (is.null(pe$group)) {
    key_pe <- paste(pe$lhs, pe$op, pe$rhs, sep = "\r")
    key_pt <- paste(pt$lhs, pt$op, pt$rhs, sep = "\r")
    g <- pt$group[match(key_pe, key_pt)]
    g[pe$op == "r2"] <- 1L
    pe$group <- g
  }
  for (cc in PE_COLS) if (is.null(pe[[cc]])) pe[[cc]] <- NA
  pe[, PE_COLS]
}

fit_table <- function(fit) {
  fm <- fitMeasures(fit)
  data.frame(measure = names(fm), value = as.numeric(fm),
             stringsAsFactors = FALSE)
}

r2_table <- function(fit) {
  r2 <- inspect(fit, "r2")
  data.frame(variable = names(r2), r2 = as.numeric(r2),
             stringsAsFactors = FALSE)
}

info_table <- function(fit, warnings = character(0), extra = list()) {
  pt <- parTable(fit)
  n_eq <- sum(pt$op == "==")
  ceq_rows <- if (is.null(fit@Model@ceq.JAC)) 0L else NROW(fit@Model@ceq.JAC)
  fm <- tryCatch(fitMeasures(fit, c("npar", "df", "ntotal")),
                 error = function(e) c(npar = NA, df = NA, ntotal = NA))
  vals <- list(
    nobs                 = lavInspect(fit, "nobs"),
    ntotal               = lavInspect(fit, "ntotal"),
    npar                 = lavInspect(fit, "npar"),
    model_nx_free        = fit@Model@nx.free,
    model_nx_unco        = fit@Model@nx.unco,
    model_nx_user        = fit@Model@nx.user,
    n_free_partable      = sum(pt$free > 0L),
    n_equality_constraints = n_eq,
    ceq_jac_rows         = ceq_rows,
    model_eq_constraints = fit@Model@eq.constraints,
    fit_npar             = unname(fm["npar"]),
    fit_df               = unname(fm["df"]),
    converged            = lavInspect(fit, "converged"),
    iterations           = lavInspect(fit, "iterations"),
    fmin                 = if (lavInspect(fit, "converged")) unname(fitMeasures(fit, "fmin")) else NA,
    optim_method         = fit@Options$optim.method,
    estimator            = fit@Options$estimator,
    information          = paste(fit@Options$information, collapse = "/"),
    se                   = fit@Options$se,
    test                 = paste(fit@Options$test, collapse = "/"),
    likelihood           = fit@Options$likelihood,
    fixed_x              = fit@Options$fixed.x,
    meanstructure        = fit@Options$meanstructure,
    std_lv               = fit@Options$std.lv,
    missing              = fit@Options$missing,
    lavaan_version       = as.character(packageVersion("lavaan")),
    r_version            = paste(R.version$major, R.version$minor, sep = "."),
    warnings             = paste(warnings, collapse = " | ")
  )
  vals <- c(vals, extra)
  data.frame(key = names(vals),
             value = vapply(vals, function(v) {
               if (is.logical(v)) return(ifelse(is.na(v), "", as.character(v)))
               if (is.numeric(v)) return(fmt_num(v[1]))
               as.character(paste(v, collapse = " "))
             }, character(1)),
             stringsAsFactors = FALSE)
}

# run a fitting call, collecting warnings
run_fit <- function(expr) {
  w <- character(0)
  fit <- withCallingHandlers(expr, warning = function(cond) {
    w <<- c(w, conditionMessage(cond))
    invokeRestart("muffleWarning")
  })
  list(fit = fit, warnings = gsub("[\r\n]+", " ", w))
}

write_case <- function(case, res, info_only = FALSE, extra = list()) {
  fit <- res$fit
  cat(sprintf("%-22s converged=%s npar=%d\n", case,
              lavInspect(fit, "converged"), lavInspect(fit, "npar")))
  if (length(res$warnings)) cat("   warnings:", res$warnings, sep = "\n   ")
  write_ref(info_table(fit, res$warnings, extra),
            file.path(OUT, paste0(case, "_info.csv")))
  if (info_only) return(invisible(NULL))
  write_ref(params_table(fit), file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
  write_ref(as.data.frame(modindices(fit)),
            file.path(OUT, paste0(case, "_modindices.csv")))
  write_ref(r2_table(fit), file.path(OUT, paste0(case, "_r2.csv")))
  invisible(NULL)
}

# ------------------------------------------------------------------ models --

HS_CFA <- '
  visual  =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  speed   =~ x7 + x8 + x9
'

PD_SEM <- '
  # measurement model
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + a*y2 + b*y3 + c*y4
  dem65 =~ y5 + a*y6 + b*y7 + c*y8
  # regressions
  dem60 ~ ind60
  dem65 ~ ind60 + dem60
  # residual correlations
  y1 ~~ y5
  y2 ~~ y4 + y6
  y3 ~~ y7
  y4 ~~ y8
  y6 ~~ y8
'

PD_INDIRECT <- '
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + y2 + y3 + y4
  dem65 =~ y5 + y6 + y7 + y8
  dem60 ~ a*ind60
  dem65 ~ c*ind60 + b*dem60
  y1 ~~ y5
  y2 ~~ y4 + y6
  y3 ~~ y7
  y4 ~~ y8
  y6 ~~ y8
  ab := a*b
  total := c + a*b
'

# equality labels use d/e/f so they do not clash with the path labels a/b/c
PD_INDIRECT_EQ <- '
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + d*y2 + e*y3 + f*y4
  dem65 =~ y5 + d*y6 + e*y7 + f*y8
  dem60 ~ a*ind60
  dem65 ~ c*ind60 + b*dem60
  y1 ~~ y5
  y2 ~~ y4 + y6
  y3 ~~ y7
  y4 ~~ y8
  y6 ~~ y8
  ab := a*b
  total := c + a*b
'

PATH_FIXEDX <- '
  x4 ~ x1 + x2
  x5 ~ x4 + x3
  x6 ~ x5
'

PATH_TWO_Y <- '
  x4 ~ x1 + x2
  x5 ~ x1 + x3
'

SEM_TWO_ENDO_LV <- '
  visual  =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  speed   =~ x7 + x8 + x9
  textual ~ visual
  speed   ~ visual
'

# 'speed' measured by only two indicators (x7, x9), full sample
# -> negative residual variance of x9 (Heywood case)
HS_HEYWOOD <- '
  visual =~ x1 + x2 + x3
  speed  =~ x7 + x9
'

HS_ORDERED_EXO <- '
  visual  =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  visual  ~ ageyr
  textual ~ ageyr + visual
'

# ------------------------------------------------------------------- cases --

write_case("hs_cfa",       run_fit(cfa(HS_CFA, data = HS)))
write_case("hs_cfa_stdlv", run_fit(cfa(HS_CFA, data = HS, std.lv = TRUE)))
write_case("hs_cfa_means", run_fit(cfa(HS_CFA, data = HS, meanstructure = TRUE)))
write_case("pd_sem",         run_fit(sem(PD_SEM, data = PD)))
write_case("pd_indirect",    run_fit(sem(PD_INDIRECT, data = PD)))
write_case("pd_indirect_eq", run_fit(sem(PD_INDIRECT_EQ, data = PD)))
write_case("path_fixedx",     run_fit(sem(PATH_FIXEDX, data = HS)))
write_case("path_two_y",      run_fit(sem(PATH_TWO_Y, data = HS)))
write_case("sem_two_endo_lv", run_fit(sem(SEM_TWO_ENDO_LV, data = HS)))
write_case("hs_nonconv",
           run_fit(cfa(HS_CFA, data = HS, control = list(iter.max = 2))),
           info_only = TRUE)

write_case("hs_heywood", run_fit(cfa(HS_HEYWOOD, data = HS)))

write_case("hs_ordered_exo", run_fit(sem(HS_ORDERED_EXO, data = HS)))

# -- missing data (listwise): damage ~5% of the x1-x9 cells, seeded
set.seed(2026)
HSM <- HS
xv <- paste0("x", 1:9)
ncell <- nrow(HSM) * length(xv)
nmiss <- round(0.05 * ncell)
cells <- sample.int(ncell, nmiss)
M <- as.matrix(HSM[, xv])
M[cells] <- NA
HSM[, xv] <- M
write.csv(HSM, "data/hs_missing.csv", row.names = FALSE)
HSM <- read.csv("data/hs_missing.csv", stringsAsFactors = FALSE)
n_complete <- sum(complete.cases(HSM[, xv]))
res <- run_fit(cfa(HS_CFA, data = HSM, missing = "listwise"))
write_case("hs_missing_listwise", res,
           extra = list(n_rows_data = nrow(HSM),
                        n_missing_cells = sum(is.na(HSM[, xv])),
                        n_complete_rows = n_complete,
                        n_dropped_rows = nrow(HSM) - lavInspect(res$fit, "nobs")))

cat("done; lavaan", as.character(packageVersion("lavaan")), "\n")
