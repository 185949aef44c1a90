#!/usr/bin/env bash
# Side-by-side timings of sbrt and R's survival package on the same data
# (issue "registry scale": ten times faster than R). Generates the registry
# files once (examples/make_registry.rs), then for each size times, with the
# data already in memory and best of 3 runs each:
#   R:    coxph (Efron, x1..x10), survfit, survdiff by group   (system.time)
#   sbrt: the same three on the same file (examples/engine_timing.rs)
# and prints a Markdown table of the times and ratios. At 10^7 rows both
# draw the same design in memory instead of reading a CSV (R's read.csv of
# 10^7 rows takes minutes); the Cox fit is timed up to 10^6.
# Also times the whole `sbrt cox` command (reading the CSV included) against
# R's read.csv + coxph at 10^6.
#
# Then, on files as R's write.csv exports them (bench/r_export.R: quoted
# header and strings, 15 significant digits, unrounded times) at the sizes
# in R_EXPORT_SIZES (default "100000 1000000"; add 10000000 for a 2 GB
# file), two tables, one run each:
#   whole process: R data.table::fread + coxph, Python lifelines 0.30
#     pandas.read_csv + CoxPHFitter, `sbrt cox` (reading included);
#   fit only (data in memory, best of 3): coxph / survfit / survdiff,
#     CoxPHFitter / KaplanMeierFitter / multivariate_logrank_test, and the
#     sbrt engine (examples/engine_timing.rs).
# At 10^7 the fit-only times of R and lifelines are one run each (BEST_OF=1;
# a lifelines fit takes about half an hour there). Every time of these
# tables is also written to $TMPDIR/sbrt-bench/tool_timings.csv
# (n,tool,measure,seconds), which `cargo run --release --example
# tool_scaling` draws.
# lifelines runs when LIFELINES_PYTHON (default python3) imports it; the
# Rust `survival` crate when bench/survival_crate has been built (cargo
# build --release --manifest-path bench/survival_crate/Cargo.toml; cold,
# about 18 minutes here), in a third table.
# Usage: bash bench/compare_r.sh [SIZES...]   (default: 10000 100000 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-10000 100000 1000000}")
read -r -a sizes <<< "${sizes[*]}"
dir=${TMPDIR:-/tmp}/sbrt-bench
# The 10^7-row export is 2 GB, above sbrt's default input limit.
export SBRT_MAX_INPUT_MB=8192
mkdir -p "$dir"
cargo build --release --quiet --example make_registry --example engine_timing
cargo build --release --quiet
for n in "${sizes[@]}"; do
  [ -f "$dir/registry_$n.csv" ] || ./target/release/examples/make_registry "$n" "$dir/registry_$n.csv"
done
have_r=false
if command -v Rscript >/dev/null 2>&1 && Rscript -e 'library(survival)' >/dev/null 2>&1; then have_r=true; fi

r_times() { # FILE or --generate N
  Rscript -e "
    suppressPackageStartupMessages(library(survival))
    args <- commandArgs(TRUE)
    if (args[1] == '--generate') {
      n <- as.numeric(args[2]); set.seed(20260101)
      x <- matrix(round(rnorm(n * 10), 2), n); lp <- drop(x %*% c(.3,-.2,.1,0,.25,-.15,.05,.2,-.1,0))
      group <- sample(0:2, n, TRUE); te <- rexp(n, 1 / (24 * exp(-lp - .2 * group))); tc <- runif(n, 0, 60)
      d <- data.frame(time = pmax(round(pmin(te, tc) * 10) / 10, .1), status = as.integer(te <= tc), group = group)
      cox <- NA
    } else {
      d <- read.csv(args[1])
      cox <- min(replicate(3, system.time(coxph(Surv(time, status) ~ x1+x2+x3+x4+x5+x6+x7+x8+x9+x10, data = d))[['elapsed']]))
    }
    best <- function(f) min(replicate(3, system.time(f())[['elapsed']]))
    cat(cox, best(function() survfit(Surv(time, status) ~ 1, data = d)),
        best(function() survdiff(Surv(time, status) ~ group, data = d)), '\n')" "$@"
}

ratio() { awk -v r="$1" -v s="$2" 'BEGIN { if (r == "NA" || s == "NA" || r == "" || s == 0) print "—"; else printf "%.1f×", r / s }'; }

echo "Machine: $(nproc) cores, $(date -u +%Y-%m-%d); R: $($have_r && Rscript -e 'cat(R.version.string, "survival", as.character(packageVersion("survival")))' || echo 'not installed')"
echo
echo "| n | Cox R | Cox sbrt | ratio | KM R | KM sbrt | ratio | log-rank R | log-rank sbrt | ratio |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}" 10000000; do
  if [ "$n" = 10000000 ]; then
    src=(--generate 10000000); sbrt_src=(--generate 10000000 --skip-cox)
  else
    src=("$dir/registry_$n.csv"); sbrt_src=("$dir/registry_$n.csv")
  fi
  read -r s_cox s_km s_lr <<< "$(./target/release/examples/engine_timing "${sbrt_src[@]}")"
  if $have_r; then read -r r_cox r_km r_lr <<< "$(r_times "${src[@]}")"; else r_cox=NA r_km=NA r_lr=NA; fi
  echo "| $n | $r_cox | $s_cox | $(ratio "$r_cox" "$s_cox") | $r_km | $s_km | $(ratio "$r_km" "$s_km") | $r_lr | $s_lr | $(ratio "$r_lr" "$s_lr") |"
done

f="$dir/registry_1000000.csv"
if [ -f "$f" ]; then
  echo
  s_all=$( { /usr/bin/time -f "%e" ./target/release/sbrt cox "$f" --time time --event status \
    --covariates x1,x2,x3,x4,x5,x6,x7,x8,x9,x10 --json >/dev/null; } 2>&1 | tail -1)
  if $have_r; then
    r_all=$(Rscript -e "suppressPackageStartupMessages(library(survival)); cat(system.time({d <- read.csv('$f'); coxph(Surv(time, status) ~ x1+x2+x3+x4+x5+x6+x7+x8+x9+x10, data = d)})[['elapsed']])")
  else r_all=NA; fi
  echo "Whole command at 10^6 (reading the CSV included): R read.csv + coxph $r_all s, sbrt cox $s_all s ($(ratio "$r_all" "$s_all"))"
fi

# --- Files as R exports them: R, lifelines and sbrt side by side ---
read -r -a export_sizes <<< "${R_EXPORT_SIZES:-100000 1000000}"
py=${LIFELINES_PYTHON:-python3}
have_lifelines=false
if "$py" -c 'import lifelines' >/dev/null 2>&1; then have_lifelines=true; fi
if ! $have_r; then echo; echo "R is not installed: the R-export tables need it to write the files"; exit 0; fi
wall() { # the whole process's wall seconds, or NA when it fails
  local t; t=$(mktemp)
  if /usr/bin/time -f "%e" -o "$t" "$@" >/dev/null 2>&1; then cat "$t"; else echo NA; fi
  rm -f "$t"
}
echo
echo "Files as R's write.csv exports them; lifelines: $($have_lifelines && "$py" -c 'import lifelines; print(lifelines.__version__)' || echo 'not installed')"
echo
echo "Whole process, Cox (Efron, x1..x10), reading the file included:"
echo
echo "| n | file | R fread + coxph | lifelines | sbrt cox | R / sbrt | lifelines / sbrt |"
echo "|---|---|---|---|---|---|---|"
fits=()
timings="$dir/tool_timings.csv"
echo "n,tool,measure,seconds" > "$timings"
record() { # N TOOL MEASURE SECONDS...: one line of the timings per measure
  local n=$1 tool=$2; shift 2
  while [ $# -ge 2 ]; do echo "$n,$tool,$1,$2" >> "$timings"; shift 2; done
}
for n in "${export_sizes[@]}"; do
  f="$dir/r_export_$n.csv"
  [ -f "$f" ] || Rscript bench/r_export.R "$n" "$f"
  s_whole=$(wall ./target/release/sbrt cox "$f" --time time --event status --covariates x1,x2,x3,x4,x5,x6,x7,x8,x9,x10 --json)
  r_whole=$(wall Rscript bench/r_timing.R "$f" --whole)
  if $have_lifelines; then l_whole=$(wall "$py" bench/lifelines_timing.py "$f" --whole); else l_whole=NA; fi
  size=$(awk -v b="$(stat -c %s "$f")" 'BEGIN { printf "%.0f MB", b / 1e6 }')
  echo "| $n | $size | $r_whole | $l_whole | $s_whole | $(ratio "$r_whole" "$s_whole") | $(ratio "$l_whole" "$s_whole") |"
  best_of=3; [ "$n" -ge 10000000 ] && best_of=1
  read -r s_cox s_km s_lr <<< "$(./target/release/examples/engine_timing "$f")"
  read -r r_cox r_km r_lr <<< "$(BEST_OF=$best_of Rscript bench/r_timing.R "$f")"
  if $have_lifelines; then read -r l_cox l_km l_lr <<< "$(BEST_OF=$best_of "$py" bench/lifelines_timing.py "$f")"; else l_cox=NA l_km=NA l_lr=NA; fi
  record "$n" sbrt whole_cox "$s_whole" cox "$s_cox" km "$s_km" logrank "$s_lr"
  record "$n" R whole_cox "$r_whole" cox "$r_cox" km "$r_km" logrank "$r_lr"
  record "$n" lifelines whole_cox "$l_whole" cox "$l_cox" km "$l_km" logrank "$l_lr"
  fits+=("| $n | $r_cox | $l_cox | $s_cox | $(ratio "$r_cox" "$s_cox") | $r_km | $l_km | $s_km | $(ratio "$r_km" "$s_km") | $r_lr | $l_lr | $s_lr | $(ratio "$r_lr" "$s_lr") |")
done
echo
echo "Fit only, data in memory, best of 3 (ratio: R / sbrt):"
echo
echo "| n | Cox R | Cox lifelines | Cox sbrt | ratio | KM R | KM lifelines | KM sbrt | ratio | log-rank R | log-rank lifelines | log-rank sbrt | ratio |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${fits[@]}"

crate_bin=bench/survival_crate/target/release/survival-crate-timing
if [ -x "$crate_bin" ]; then
  echo
  echo "The Rust survival crate 2.0.0, fit only (best of 3) and whole process (its reading: lines split at commas):"
  echo
  echo "| n | Cox | KM | log-rank | whole process, Cox |"
  echo "|---|---|---|---|---|"
  for n in "${export_sizes[@]}"; do
    f="$dir/r_export_$n.csv"
    read -r c_cox c_km c_lr <<< "$("$crate_bin" "$f")"
    c_whole=$(wall "$crate_bin" "$f" --whole)
    record "$n" "survival crate" whole_cox "$c_whole" cox "$c_cox" km "$c_km" logrank "$c_lr"
    echo "| $n | $c_cox | $c_km | $c_lr | $c_whole |"
  done
fi
