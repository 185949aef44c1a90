#!/usr/bin/env bash
# The cohort path on a spreadsheet, side by side with R (issue 16, part 1:
# XLSX ingest against readxl + coxph). For each patient count (default
# 100000): `sbrt simulate` writes the cohort CSV, bench/xlsx_export.R
# writes it as a clinic's .xlsx (native date cells, numbers as numbers),
# then one run each, whole process (wall seconds, peak resident memory):
#   R:    readxl::read_excel, derive overall survival, one coxph
#         (bench/xlsx_timing.R; also prints its reading time);
#   sbrt: `sbrt validate` of the .xlsx and of the .csv, and `sbrt analyze`
#         of the .xlsx (every table and figure of the paper).
# Usage: bash bench/compare_xlsx.sh [PATIENTS...]
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-100000}")
read -r -a sizes <<< "${sizes[*]}"
dir=${TMPDIR:-/tmp}/sbrt-bench
mkdir -p "$dir"
cargo build --release --quiet
if ! Rscript -e 'library(readxl); library(openxlsx); library(survival)' >/dev/null 2>&1; then
  echo "R with readxl, openxlsx and survival is needed (apt-get install r-cran-readxl r-cran-openxlsx r-cran-survival)"
  exit 0
fi
measure() { # the whole process's "wall-seconds peak-MB", or "NA NA" when it fails
  local t; t=$(mktemp)
  if /usr/bin/time -f "%e %M" -o "$t" "$@" >/dev/null 2>&1; then awk '{ printf "%s %.0f", $1, $2 / 1024 }' "$t"; else echo "NA NA"; fi
  rm -f "$t"
}
echo "Machine: $(nproc) cores, $(date -u +%Y-%m-%d); $(Rscript -e 'cat(R.version.string, "readxl", as.character(packageVersion("readxl")), "survival", as.character(packageVersion("survival")))')"
echo
echo "| patients | lesions | .xlsx | R read_excel (in R) | R whole: read_excel + coxph | sbrt validate .xlsx | sbrt validate .csv | sbrt analyze .xlsx | R / sbrt validate .xlsx |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  csv="$dir/cohort_$n.csv"; xlsx="$dir/cohort_$n.xlsx"
  [ -f "$csv" ] || ./target/release/sbrt simulate --seed 7 --patients "$n" --out "$csv"
  [ -f "$xlsx" ] || Rscript bench/xlsx_export.R "$csv" "$xlsx"
  read -r r_read _ < <(Rscript bench/xlsx_timing.R "$xlsx")
  read -r r_wall r_mb <<< "$(measure Rscript bench/xlsx_timing.R "$xlsx")"
  read -r vx_wall vx_mb <<< "$(measure ./target/release/sbrt validate "$xlsx")"
  read -r vc_wall vc_mb <<< "$(measure ./target/release/sbrt validate "$csv")"
  rm -rf "$dir/report_$n"
  read -r a_wall a_mb <<< "$(measure ./target/release/sbrt analyze "$xlsx" --out "$dir/report_$n")"
  lesions=$(($(wc -l < "$csv") - 1))
  size=$(awk -v b="$(stat -c %s "$xlsx")" 'BEGIN { printf "%.0f MB", b / 1e6 }')
  ratio=$(awk -v r="$r_wall" -v s="$vx_wall" 'BEGIN { if (r == "NA" || s == "NA") print "—"; else printf "%.1f×", r / s }')
  echo "| $n | $lesions | $size | $r_read s | $r_wall s, $r_mb MB | $vx_wall s, $vx_mb MB | $vc_wall s, $vc_mb MB | $a_wall s, $a_mb MB | $ratio |"
done
