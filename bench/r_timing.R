# R's side of bench/compare_r.sh on an R-exported file: with `--whole`,
# data.table::fread + coxph (Efron, x1..x10) and nothing else (the whole
# process is timed from outside); without, the in-memory seconds of
# coxph, survfit and survdiff (by group), best of 3 (system.time; of
# BEST_OF runs when set), as "cox km logrank".
# Usage: Rscript bench/r_timing.R FILE [--whole]
suppressPackageStartupMessages({library(survival); library(data.table)})
args <- commandArgs(TRUE)
d <- fread(args[1])
cox <- function() coxph(Surv(time, status) ~ x1+x2+x3+x4+x5+x6+x7+x8+x9+x10, data = d)
if ("--whole" %in% args) {
  fit <- cox()
  cat(fit$loglik[2], "\n")
} else {
  runs <- as.integer(Sys.getenv("BEST_OF", "3"))
  best <- function(f) min(replicate(runs, system.time(f())[["elapsed"]]))
  cat(best(cox), best(function() survfit(Surv(time, status) ~ 1, data = d)),
      best(function() survdiff(Surv(time, status) ~ group, data = d)), "\n")
}
