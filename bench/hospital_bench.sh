#!/bin/bash
# Issue 12's held-out-table proxy: privet and the independent-columns baseline on the generated
# hospital table (make_hospital_table.py), scored by fidelity.py (--target readmitted) and
# hospital_zeros.py, one JSON line per run.
#
# usage: bench/hospital_bench.sh BENCH_BINARY LABEL OUT.jsonl [SEEDS] [EXTRA privet_bench ARGS...]
#   LABEL "independent" runs independent_baseline.py (noisy 1-ways at the same epsilon) instead
#   of BENCH_BINARY; "independent-exact" the exact real 1-ways. SEEDS default "1 2 3 4 5".
#   EPSILON (default 1), HOSPITAL_CSV (default: generated into $TMPDIR once) from the env.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bench=$1 label=$2 out=$3; seeds="${4:-1 2 3 4 5}"; shift 4 || shift $#
eps="${EPSILON:-1}"
fidelity="${FIDELITY:-$here/../../shared/tools/fidelity.py}"
[ -f "$fidelity" ] || fidelity=/work/shared/tools/fidelity.py
config="$here/configs/hospital_proxy.json"
real="${HOSPITAL_CSV:-${TMPDIR:-/tmp}/hospital_proxy.csv}"
[ -f "$real" ] || /usr/bin/python3 "$here/make_hospital_table.py" "$real"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
for seed in $seeds; do
  model_args=()
  case "$label" in
    independent) /usr/bin/python3 "$here/independent_baseline.py" "$real" "$work/s.csv" --config "$config" --epsilon "$eps" --seed "$seed" ;;
    independent-exact) /usr/bin/python3 "$here/independent_baseline.py" "$real" "$work/s.csv" --config "$config" --seed "$seed" ;;
    *) "$bench" --config "$config" --csv "$real" --epsilon "$eps" --delta 1e-9 --seed "$seed" \
         --out "$work/s.csv" --model "$work/m.json" "$@" 2> "$work/log" > /dev/null
       model_args=(--model "$work/m.json") ;;
  esac
  /usr/bin/python3 "$fidelity" "$real" "$work/s.csv" --json --target readmitted > "$work/f.json"
  /usr/bin/python3 "$here/hospital_zeros.py" "$real" "$work/s.csv" --config "$config" "${model_args[@]}" --json > "$work/z.json"
  /usr/bin/python3 -c "
import json, sys
f = json.load(open('$work/f.json')); z = json.load(open('$work/z.json'))
row = {'label': '$label', 'seed': $seed, 'epsilon': $eps, 'load': open('/proc/loadavg').read().split()[0]}
for k in ['tvd_1way_mean', 'tvd_2way_mean', 'tvd_2way_topdep_mean', 'tvd_3way_mean', 'corr_mad', 'acc_train_synth', 'acc_train_real', 'majority_acc']:
    row[k] = f.get(k)
row.update(z['synthetic']); row.pop('rows', None)
c = z.get('configurations', {})
row['rows_unseen_parents'] = c.get('rows_unseen_any')
row['rows_unseen_parents_sum'] = c.get('rows_unseen_sum')
print(json.dumps(row))" >> "$out"
  echo "done: $label seed $seed" >&2
done
