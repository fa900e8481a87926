# Shared by the make_reference_*.R scripts: write lavaan outputs as CSV with 10 significant digits.
# Each script sets OUT (the output folder) before calling write_case().

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


# one fit's info, parameterEstimates() and fitMeasures() tables (<case>_{info,params,fit}.csv in OUT), the fit
# call's warnings collected; used by the scripts of the robust (Gamma-based) options
write_fit_tables <- function(case, expr) {
  res <- run_fit(expr)
  fit <- res$fit
  cat(sprintf("%-18s conv=%s se=%s test=%s info=%s chisq=%.4f\n", case, lavInspect(fit, "converged"),
              fit@Options$se, paste(fit@Options$test, collapse = "/"),
              paste(fit@Options$information, collapse = "/"), fitMeasures(fit, "chisq")))
  if (length(res$warnings)) cat("   warnings:", res$warnings, sep = "\n   ")
  write_ref(info_table(fit, res$warnings), file.path(OUT, paste0(case, "_info.csv")))
  write_ref(params_table(fit), file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
  invisible(fit)
}

# HolzingerSwineford1939 with the design weight w of make_reference_weights.R (tests/reference/weights/
# hs_weights.csv) and 40 clusters clu = id %% 40
hs_weights_data <- function() {
  d <- read.csv(file.path("tests", "reference", "weights", "hs_weights.csv"), stringsAsFactors = FALSE)
  d$clu <- d$id %% 40
  d
}

# a bootstrap fit's parameterEstimates (percentile intervals, constraint rows kept) and its run: B, failed
# resamples, npar, df, chisq (make_reference_bootstrap_groups.R, make_reference_bootstrap_pairwise_groups.R)
write_boot_case <- function(case, fit, B) {
  pe <- parameterEstimates(fit, boot.ci.type = "perc", remove.eq = FALSE, remove.ineq = FALSE)
  if (is.null(pe$label)) pe$label <- ""
  if (is.null(pe$group)) pe$group <- 1L
  write_ref(pe[, c("lhs", "op", "rhs", "label", "group", "est", "se", "ci.lower", "ci.upper")],
            file.path(OUT, paste0(case, "_params.csv")))
  boot <- fit@boot$coef
  write_ref(data.frame(key = c("B", "failed", "npar", "df", "chisq"),
                       value = c(B, length(attr(boot, "error.idx")), lavInspect(fit, "npar"),
                                 fitMeasures(fit, "df"), fitMeasures(fit, "chisq"))),
            file.path(OUT, paste0(case, "_info.csv")))
  cat(case, "done\n")
}

# parameterEstimates(standardized = TRUE) (label and group columns always present) and fitMeasures of a
# fit, to OUT/<case>_params.csv and OUT/<case>_fit.csv
write_params_fit <- function(fit, case) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (is.null(pe$label)) pe$label <- ""
  if (is.null(pe$group)) pe$group <- 1L
  write_ref(pe[, c("lhs", "op", "rhs", "group", "label", "est", "se", "std.lv", "std.all", "std.nox")],
            file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
}

# a fit's info (with lavaan's observed.information and h1.information), params, fit and every test in fit@test
# (statistic, df, scaling factor), to OUT/<case>_{info,params,fit,tests}.csv (make_reference_information*.R)
write_info_tests <- function(case, fit, warnings) {
  o <- lavInspect(fit, "options")
  extra <- list(observed_information = paste(o$observed.information, collapse = "/"),
                h1_information = paste(o$h1.information, collapse = "/"))
  write_ref(info_table(fit, warnings, extra), file.path(OUT, paste0(case, "_info.csv")))
  write_ref(params_table(fit), file.path(OUT, paste0(case, "_params.csv")))
  write_ref(fit_table(fit), file.path(OUT, paste0(case, "_fit.csv")))
  tests <- do.call(rbind, lapply(fit@test, function(tt) {
    data.frame(test = tt$test, stat = tt$stat, df = tt$df,
               scaling.factor = if (is.null(tt$scaling.factor)) NA else tt$scaling.factor,
               stringsAsFactors = FALSE)
  }))
  write_ref(tests, file.path(OUT, paste0(case, "_tests.csv")))
}

# ----------------------------------------------------- lavInspect matrices as JSON --
# a matrix as {"rows", "cols", "values" (row by row, 12 significant digits)}, a list (lavaan's model matrices;
# per group) as {"list": {name: value}} (read by tests/test_inspect.py's decode())
json_num <- function(x) ifelse(is.na(x), NA, signif(as.numeric(x), 12))

encode_inspect <- function(x) {
  if (is.list(x)) return(list(list = lapply(x, encode_inspect)))
  rn <- rownames(x); cn <- colnames(x)
  list(rows = as.list(rn), cols = as.list(cn),
       values = lapply(seq_len(nrow(x)), function(i) as.list(json_num(x[i, ]))))
}

# lavInspect's matrices (lavaan.matrix classes dropped) as plain numeric matrices, lists kept
plain_inspect <- function(v) {
  if (is.list(v)) return(lapply(unclass(v), plain_inspect))
  matrix(as.numeric(v), nrow(v), ncol(v), dimnames = dimnames(v))
}

# lavInspect(fit, w) for each of `whats` written as one JSON object to `file`
write_inspect_json <- function(fit, whats, file) {
  out <- lapply(setNames(whats, whats), function(w) encode_inspect(plain_inspect(lavInspect(fit, w))))
  writeLines(jsonlite::toJSON(out, auto_unbox = TRUE, null = "null", na = "null", digits = NA, pretty = FALSE),
             file)
}
