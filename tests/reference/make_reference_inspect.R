# Reference values from lavaan 0.6-14 for Results.inspect() (egovsem.sem.inspect; tests/test_inspect.py):
# lavInspect(fit, what) for every `what` egovsem implements, on four fits:
#   hs_ml     cfa(HS3, HolzingerSwineford1939)
#   hs_fiml   cfa(HS3, hs_missing, missing = "fiml")
#   hs_mg     cfa(HS3, HolzingerSwineford1939, group = "school")
#   hs_wlsmv  cfa(HS3, hs_ordinal, ordered = TRUE, estimator = "WLSMV")
# Run from the repository root:  Rscript tests/reference/make_reference_inspect.R
# Writes tests/reference/inspect/<case>.json: {what: value}, a matrix as {"rows", "cols", "values" (row by
# row)}, a named vector as {"names", "values"}, a list (lavaan's per-group lists, the model matrices) as
# {"list": {name: value}}, NA as null. A `what` lavaan refuses for a fit is left out.
suppressMessages({
  library(lavaan)
  library(jsonlite)
})
if (!file.exists("data/hs_ordinal.csv")) stop("run from the repository root")
OUT <- file.path("tests", "reference", "inspect")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
HS <- read.csv("data/HolzingerSwineford1939.csv", stringsAsFactors = FALSE)
HSM <- read.csv("data/hs_missing.csv", stringsAsFactors = FALSE)
ORD <- read.csv("data/hs_ordinal.csv")
HS3 <- "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9"

num <- function(x) ifelse(is.na(x), NA, signif(as.numeric(x), 12))

encode <- function(x) {
  if (is.list(x)) return(list(list = lapply(x, encode)))
  if (is.matrix(x)) {
    rn <- rownames(x); cn <- colnames(x)
    return(list(rows = if (is.null(rn)) list() else as.list(rn), cols = if (is.null(cn)) list() else as.list(cn),
                values = lapply(seq_len(nrow(x)), function(i) as.list(num(x[i, ])))))
  }
  if (is.character(x)) return(as.list(x))
  if (is.logical(x) && length(x) == 1) return(x)
  if (!is.null(names(x))) return(list(names = as.list(names(x)), values = as.list(num(x))))
  if (length(x) == 1) return(num(x))
  as.list(num(x))
}

WHATS <- c("sampstat", "implied", "cov.lv", "cor.lv", "information", "information.expected",
           "information.observed", "vcov", "rsquare", "start", "est", "se", "free", "iterations", "converged",
           "nobs", "ntotal", "npar", "ngroups", "group.label", "coef")

write_case <- function(case, fit) {
  out <- list()
  for (w in WHATS) {
    v <- tryCatch(if (w == "coef") coef(fit) else lavInspect(fit, w), error = function(e) NULL)
    if (!is.null(v)) out[[w]] <- encode(unclass_all(v))
  }
  o <- lavInspect(fit, "options")
  out[["options"]] <- list(estimator = o$estimator, se = o$se, test = o$test[1], information = o$information[1],
                           missing = o$missing)
  writeLines(toJSON(out, auto_unbox = TRUE, null = "null", na = "null", digits = NA, pretty = FALSE),
             file.path(OUT, paste0(case, ".json")))
  cat(case, ": ", paste(names(out), collapse = " "), "\n")
}

unclass_all <- function(v) {
  if (is.list(v)) return(lapply(unclass(v), unclass_all))
  if (is.matrix(v)) { a <- attributes(v); m <- matrix(as.numeric(v), nrow(v), ncol(v), dimnames = a$dimnames); return(m) }
  v <- unclass(v)
  attr(v, "header") <- NULL
  v
}

write_case("hs_ml", cfa(HS3, data = HS))
write_case("hs_fiml", cfa(HS3, data = HSM, missing = "fiml"))
write_case("hs_mg", cfa(HS3, data = HS, group = "school"))
write_case("hs_wlsmv", cfa(HS3, data = ORD, ordered = TRUE, estimator = "WLSMV"))
