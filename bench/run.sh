#!/bin/bash
# Benchmarks of the synthesis pipeline (privet_bench: encode -> bound -> plan -> fit -> sample
# -> decode; no ledger). Median of RUNS runs: wall time and peak RSS (/usr/bin/time -v), and the
# fidelity.py numbers (median per metric) where the real table is available.
#
# usage: bench/run.sh [BUILD_DIR] [SUITES...]   suites: adult adult_eps covid nhanes wide
#   BUILD_DIR defaults to build; RUNS (default 5) env var; results -> bench/results/<date>-<host>.md
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
build="${1:-$root/build}"; shift || true
suites=("$@"); [ ${#suites[@]} -eq 0 ] && suites=(adult adult_eps covid nhanes wide)
runs="${RUNS:-5}"
shared="${PRIVET_SHARED_DATA:-$root/../shared/data}"
fidelity="${FIDELITY:-$root/../shared/tools/fidelity.py}"
bench="$build/bench/privet_bench"
[ -x "$bench" ] || cmake --build "$build" --target privet_bench -j2
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
out="$here/results/$(date -u +%Y-%m-%d)-$(hostname -s).md"
{
  echo "# privet_bench results, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs),"\
       "$(free -g | awk '/Mem:/{print $2}') GB RAM; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "commit: $(git -C "$root" rev-parse --short=12 HEAD); runs per row: $runs (median)"
  echo
  echo "| dataset | epsilon | delta | mode | wall s (median) | peak RSS MB (median) | encoded MB | 2-way TVD | 3-way TVD | top-dep 2-way TVD | acc synth | acc real | corr MAD |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} > "$work/result.md"

median() { sort -g | awk '{a[NR]=$1} END{ if (NR==0) {print "-"} else if (NR%2) {print a[(NR+1)/2]} else {printf "%.4f\n", (a[NR/2]+a[NR/2+1])/2} }'; }

# run_case NAME CONFIG CSV EPS DELTA MODE REAL TARGET
run_case() {
  local name=$1 config=$2 csv=$3 eps=$4 delta=$5 mode=$6 real=$7 target=$8
  local walls=() rss=() enc="" metrics="$work/$name-$eps.metrics"; : > "$metrics"
  for i in $(seq 1 "$runs"); do
    local args=(--config "$config" --epsilon "$eps" --delta "$delta" --mode "$mode" --seed "$i"
                --out "$work/synth.csv")
    [ -n "$csv" ] && args+=(--csv "$csv")
    /usr/bin/time -v "$bench" "${args[@]}" 2> "$work/log" > /dev/null
    walls+=("$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,t,":"); s=0; for(j=1;j<=n;j++) s=s*60+t[j]; print s}' "$work/log")")
    rss+=("$(awk -F': ' '/Maximum resident set size/{printf "%.1f", $2/1024}' "$work/log")")
    enc="$(awk '/^encode/{print $(NF-1)}' "$work/log")"
    if [ -n "$real" ] && [ -f "$real" ]; then
      local targs=(); [ -n "$target" ] && targs=(--target "$target")
      /usr/bin/python3 "$fidelity" "$real" "$work/synth.csv" "${targs[@]}" --json > "$work/f.json" || echo '{}' > "$work/f.json"
      /usr/bin/python3 -c "import json;d=json.load(open('$work/f.json'));print(' '.join(str(d.get(k,'-')) for k in ['tvd_2way_mean','tvd_3way_mean','tvd_2way_topdep_mean','acc_train_synth','acc_train_real','corr_mad']))" >> "$metrics"
    fi
  done
  local cols=()
  for k in 1 2 3 4 5 6; do cols+=("$(awk -v k=$k '$k!="-"{print $k}' "$metrics" | median)"); done
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$eps" "$delta" "$mode" \
    "$(printf '%s\n' "${walls[@]}" | median)" "$(printf '%s\n' "${rss[@]}" | median)" "$enc" "${cols[@]}" >> "$work/result.md"
  echo "done: $name eps=$eps" >&2
}

adult_real="$shared/adult_coded/adult.csv"
for suite in "${suites[@]}"; do
  case "$suite" in
    adult) run_case adult_coded "$here/configs/adult_coded.json" "$adult_real" 1 1e-9 gaussian "$adult_real" 'income>50K' ;;
    adult_eps)
      run_case adult_coded "$here/configs/adult_coded.json" "$adult_real" 0.1 1e-9 gaussian "$adult_real" 'income>50K'
      run_case adult_coded "$here/configs/adult_coded.json" "$adult_real" 10 1e-9 gaussian "$adult_real" 'income>50K'
      run_case adult_coded "$here/configs/adult_coded.json" "$adult_real" 1 0 pure "$adult_real" 'income>50K' ;;
    covid)
      covid_csv="$shared/covid_testing/covid_testing_deid.csv"
      # No fidelity: the real file holds identifier columns the synthetic table never has.
      run_case covid_testing "$root/configs/covid_testing.json" "$covid_csv" 1 1e-9 gaussian "" "" ;;
    nhanes) run_case nhanes "$here/configs/nhanes.json" "$shared/nhanes/NHANES.csv" 1 1e-9 gaussian "" "" ;;
    wide)
      [ -f "$work/wide.csv" ] || /usr/bin/python3 "$here/make_wide_table.py" "$work/wide.csv" --config-out "$work/wide.json"
      run_case wide_1m_x_50 "$work/wide.json" "$work/wide.csv" 1 1e-9 gaussian "" "" ;;
    *) echo "unknown suite $suite" >&2; exit 2 ;;
  esac
done
{
  echo
  echo "Commands: \`bench/run.sh $build ${suites[*]}\` (privet_bench --config C --epsilon E --delta D --mode M --seed i --out synth.csv);"
  echo "fidelity: \`/usr/bin/python3 fidelity.py REAL synth.csv --target 'income>50K' --json\` (default binning)."
  echo "Wall time includes CSV read, encoding, fitting, sampling and CSV write."
} >> "$work/result.md"
cat "$work/result.md" >> "$out"; rm "$work/result.md"
echo "$out"
