# Reference values for egovsem.sem.modmed (moderated mediation; tests/test_modmed.py), written to
# tests/reference/modmed/.
#
# R 4 with lavaan 0.6-14 and semTools 0.5-6. Run from the repository root:
#   Rscript tests/reference/make_reference_modmed.R
#
# Data: lavaan's HolzingerSwineford1939 (public, N = 301).
#   observed : first-stage moderated mediation of observed variables, x = x1, moderator w = x2, mediator
#              m = x4, outcome y = x7:  x4 ~ a1*x1 + a2*x2 + a3*x1:x2;  x7 ~ b1*x4 + c1*x1
#              conditional indirect effects (a1 + a3 w) b1 at w = mean(x2) - sd(x2), mean, mean + sd (sd with
#              N - 1, R's sd()), and the index of moderated mediation a3*b1, as lavaan ':=' definitions with
#              delta-method SEs (se = "standard", expected information, listwise).
#   second   : second-stage moderation of the same variables: x7 ~ b1*x4 + b2*x2 + b3*x4:x2 + c1*x1,
#              x4 ~ a1*x1; conditional indirect a1 (b1 + b3 w), index a1*b3.
#   latent   : visual (x1-x3) -> speed (x7-x9) -> ageyr, moderated by textual (x4-x6) on the first stage,
#              product factor VT by semTools::indProd(match = TRUE, meanC = TRUE, doubleMC = TRUE) indicators
#              x1.x4 + x2.x5 + x3.x6; VT ~~ 0*visual + 0*textual; moderator values 0 -+ sd(textual) with
#              sd = sqrt of lavaan's estimated variance of textual (written to _values.csv).
#   <case>_defined.csv : lhs est se of the ':=' rows (ind_lo, ind_mid, ind_hi, imm)
#   <case>_values.csv  : the moderator values used
#   observed_boot.csv  : lavaan bootstrap percentile CIs of the first-stage model (see the end of the script)
suppressPackageStartupMessages({ library(lavaan); library(semTools) })
stopifnot(packageVersion("lavaan") == "0.6.14", packageVersion("semTools") == "0.5.6")
OUT <- "tests/reference/modmed"
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
HS <- HolzingerSwineford1939
wr <- function(x, f) write.csv(x, file.path(OUT, f), row.names = FALSE)
defrows <- function(fit) {
  pe <- parameterEstimates(fit)
  pe <- pe[pe$op == ":=", c("lhs", "est", "se")]
  pe$est <- sprintf("%.10g", pe$est); pe$se <- sprintf("%.10g", pe$se)
  pe
}
w <- c(mean(HS$x2) - sd(HS$x2), mean(HS$x2), mean(HS$x2) + sd(HS$x2))
wr(data.frame(w = sprintf("%.12g", w)), "observed_values.csv")
mod1 <- sprintf("
  x4 ~ a1*x1 + a2*x2 + a3*x1:x2
  x7 ~ b1*x4 + c1*x1
  ind_lo := (a1 + a3*%.12g)*b1
  ind_mid := (a1 + a3*%.12g)*b1
  ind_hi := (a1 + a3*%.12g)*b1
  imm := a3*b1", w[1], w[2], w[3])
fit1 <- sem(mod1, data = HS)
wr(defrows(fit1), "observed_defined.csv")
mod2 <- sprintf("
  x4 ~ a1*x1
  x7 ~ b1*x4 + b2*x2 + b3*x4:x2 + c1*x1
  ind_lo := a1*(b1 + b3*%.12g)
  ind_mid := a1*(b1 + b3*%.12g)
  ind_hi := a1*(b1 + b3*%.12g)
  imm := a1*b3", w[1], w[2], w[3])
fit2 <- sem(mod2, data = HS)
wr(defrows(fit2), "second_defined.csv")

d <- indProd(HS, var1 = c("x1", "x2", "x3"), var2 = c("x4", "x5", "x6"), match = TRUE, meanC = TRUE,
             residualC = FALSE, doubleMC = TRUE)
base <- "
  visual =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  VT =~ x1.x4 + x2.x5 + x3.x6
  speed =~ x7 + x8 + x9
  VT ~~ 0*visual + 0*textual
  speed ~ a1*visual + a2*textual + a3*VT
  ageyr ~ b1*speed + c1*visual
"
fit0 <- sem(base, data = d)
sdw <- sqrt(coef(fit0)["textual~~textual"])
w3 <- c(-sdw, 0, sdw)
wr(data.frame(w = sprintf("%.12g", w3)), "latent_values.csv")
mod3 <- paste0(base, sprintf("
  ind_lo := (a1 + a3*%.12g)*b1
  ind_mid := (a1 + a3*%.12g)*b1
  ind_hi := (a1 + a3*%.12g)*b1
  imm := a3*b1", w3[1], w3[2], w3[3]))
fit3 <- sem(mod3, data = d)
wr(defrows(fit3), "latent_defined.csv")

# observed_boot.csv: the first-stage model with se = "bootstrap" (B = 1000, set.seed(20260101)),
# percentile intervals (boot.ci.type = "perc") of the ':=' rows; compared within Monte Carlo error
set.seed(20260101)
fitb <- sem(mod1, data = HS, se = "bootstrap", bootstrap = 1000)
pe <- parameterEstimates(fitb, boot.ci.type = "perc")
pe <- pe[pe$op == ":=", c("lhs", "est", "se", "ci.lower", "ci.upper")]
for (j in 2:5) pe[[j]] <- sprintf("%.10g", pe[[j]])
wr(pe, "observed_boot.csv")
