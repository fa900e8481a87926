# Reference values from lavaan for hard starts of the optimiser (issue 10, item 2): a second-order factor over
# three first-order factors (just-identified second-order part; a full scoring step from lavaan's start values,
# latent variances 0.05, overshoots the second-order variance below zero), on simulated data and on
# HolzingerSwineford1939, and a Heywood case whose optimum has a negative residual variance.
# Run from the repository root:  Rscript tests/reference/make_reference_hard.R
# tests/reference/hard/sim_2nd.csv is SIMULATED (egovsem.simulate_data of a second-order population model,
# N = 400, seed 99; written once by the command in tests/reference/hard/README.md).
suppressMessages(library(lavaan))
OUT <- file.path("tests", "reference", "hard")
source(file.path("tests", "reference", "_ref_helpers.R"))
HS <- read.csv("data/HolzingerSwineford1939.csv")
SIM <- read.csv(file.path(OUT, "sim_2nd.csv"))
SECOND <- "f1 =~ a1 + a2 + a3\nf2 =~ b1 + b2 + b3\nf3 =~ c1 + c2 + c3\ng =~ f1 + f2 + f3"
HS_2ND <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\ng =~ visual + textual + speed"
HEYWOOD <- "visual =~ x1 + x2 + x3\nspeed =~ x7 + x9"
write_case("sim_2nd", run_fit(sem(SECOND, data = SIM)))
write_case("sim_2nd_mlr", run_fit(sem(SECOND, data = SIM, estimator = "MLR")))
write_case("hs_2nd", run_fit(sem(HS_2ND, data = HS)))
write_case("hs_heywood", run_fit(cfa(HEYWOOD, data = HS)))
