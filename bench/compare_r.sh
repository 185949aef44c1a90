#!/usr/bin/env bash
# Side-by-side timings of sbrt and R's survival on the same registry-scale
# files (issue: ten times faster than R). Generates the data once with
# examples/make_registry.rs, times R (when installed) and the sbrt engine
# (divan benchmarks, in-memory, as R's timings exclude reading), and prints
# the ratios. Usage: bash bench/compare_r.sh [SIZES...]  (default 10000 100000 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-10000 100000 1000000}")
read -r -a sizes <<< "${sizes[*]}"
dir=${TMPDIR:-/tmp}/sbrt-bench
mkdir -p "$dir"
cargo build --release --quiet --example make_registry
for n in "${sizes[@]}"; do
  [ -f "$dir/registry_$n.csv" ] || ./target/release/examples/make_registry "$n" "$dir/registry_$n.csv"
done

echo "== R (survival $(Rscript -e 'cat(as.character(packageVersion("survival")))' 2>/dev/null || echo 'not installed'))"
declare -A r_cox r_km r_lr
if command -v Rscript >/dev/null 2>&1; then
  for n in "${sizes[@]}"; do
    out=$(Rscript -e "
      suppressPackageStartupMessages(library(survival))
      d <- read.csv('$dir/registry_$n.csv')
      best <- function(f) min(replicate(3, system.time(f())[['elapsed']]))
      cat(best(function() coxph(Surv(time, status) ~ x1+x2+x3+x4+x5+x6+x7+x8+x9+x10, data = d)), ' ',
          best(function() survfit(Surv(time, status) ~ 1, data = d)), ' ',
          best(function() survdiff(Surv(time, status) ~ group, data = d)), '\n')")
    read -r r_cox[$n] r_km[$n] r_lr[$n] <<< "$out"
    echo "n=$n coxph ${r_cox[$n]} s, survfit ${r_km[$n]} s, survdiff ${r_lr[$n]} s"
  done
fi

echo "== sbrt engine (cargo bench --bench engine)"
cargo bench --quiet --bench engine 2>/dev/null | tee "$dir/divan.txt"
echo "Ratios: divide R's seconds by the medians above (same data generator and seed)."
