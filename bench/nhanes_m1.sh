#!/bin/bash
# Issue 12's nhanes targets with every row its own unit (m = 1), as MST runs them: privet_bench
# at epsilon 1 for N seeds, each synthetic table scored against the real one on every target
# metric, per seed and as medians.
#
# usage: bench/nhanes_m1.sh [BUILD_DIR] [-- PRIVET_BENCH_ARGS...]
#   SEEDS (default 5): seeds 1..SEEDS (--seed i; sampling);
#   NOISE_SEED_BASE: when set, --noise-seed BASE+i (paired privacy noise, bench only; variants
#     that differ in post-processing or in a measurement's use then see the same noise);
#   EPSILON (default 1); LABEL (default "run"): names the output files;
#   OUT_DIR (default a temporary directory): keeps config, synthetic tables and per-seed JSON;
#   EXPECTED_ROWS: when set, the config declares this public row estimate ("expected_rows");
#   ACC (default 1): 0 leaves out the classifier (about 45 s of CPU per seed; the rest ~5 s).
#
# The config is bench/configs/nhanes.json without its privacy_unit section (so m = 1; ID stays
# `ignore`), written to OUT_DIR/nhanes_m1.json; REAL is NHANES.csv without ID (fidelity.py needs
# the same columns). Metrics per seed:
#   decoded (fidelity.py REAL synth.csv --target Diabetes --json, default binning; computed by
#     bench/batch_fidelity.py, fidelity.py's own functions with bincount TVDs, same numbers):
#     1-way, 2-way, top-dep (the most dependent tenth of its 400 sampled pairs), 3-way, corr MAD,
#     acc (train on synthetic, test on real's 20% holdout; real-trained 0.99);
#   code space (both tables mapped to the config's codes by bench/code_space.py, then
#     batch_fidelity.py --all-categorical --ways 1,2): c1-way, c1-max, c2-way, ctop-dep (issue 12's
#     MST comparison: 0.0245 / 0.068 / 0.105 / 0.143);
#   r(Age, Height), r(Age, BPSysAve) (pandas Pearson on decoded values; real 0.46 / 0.51) and
#   kids = children under 10 taller than 170 cm (bench/sampling_realism.py; real 0).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
build="$root/build"
if [ $# -gt 0 ] && [ "$1" != "--" ]; then build="$1"; shift; fi
[ "${1:-}" = "--" ] && shift
extra=("$@")
seeds="${SEEDS:-5}"
epsilon="${EPSILON:-1}"
label="${LABEL:-run}"
shared="${PRIVET_SHARED_DATA:-$root/../shared/data}"
fidelity="${FIDELITY:-$root/../shared/tools/fidelity.py}"
bench="$build/bench/privet_bench"
[ -x "$bench" ] || cmake --build "$build" --target privet_bench -j2
out_dir="${OUT_DIR:-$(mktemp -d)}"; mkdir -p "$out_dir"
py=/usr/bin/python3

config="$out_dir/nhanes_m1${EXPECTED_ROWS:+_rows$EXPECTED_ROWS}.json"
real="$out_dir/nhanes_real.csv"
real_coded="$out_dir/nhanes_real_coded.csv"
[ -f "$config" ] || $py -c "
import json, sys
c = json.load(open('$here/configs/nhanes.json'))
c.pop('privacy_unit', None)
if '${EXPECTED_ROWS:-}': c['expected_rows'] = int('${EXPECTED_ROWS:-0}')
json.dump(c, open('$config', 'w'), indent=1)"
[ -f "$real" ] || $py -c "
import pandas as pd
pd.read_csv('$shared/nhanes/NHANES.csv', dtype=str, keep_default_na=False).drop(columns=['ID']).to_csv('$real', index=False)"
[ -f "$real_coded" ] || $py "$here/code_space.py" "$config" "$real" "$real_coded"

echo "# nhanes m = 1, epsilon $epsilon, label $label, privet_bench ${extra[*]:-}, $(date -u '+%H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
metrics="$out_dir/$label.tsv"
echo -e "seed\t1way\t2way\ttopdep\t3way\tcorr_mad\tacc\tc1way\tc1max\tc2way\tctopdep\tr_age_ht\tr_age_bp\tkids\tcpu_s" > "$metrics"
for i in $(seq 1 "$seeds"); do
  synth="$out_dir/$label-$i.csv"
  args=(--config "$config" --csv "$shared/nhanes/NHANES.csv" --epsilon "$epsilon" --delta 1e-9
        --seed "$i" --out "$synth")
  [ -n "${NOISE_SEED_BASE:-}" ] && args+=(--noise-seed "$((NOISE_SEED_BASE + i))")
  /usr/bin/time -f '%U %S' -o "$out_dir/$label-$i.time" nice "$bench" "${args[@]}" "${extra[@]}" \
    > "$out_dir/$label-$i.log" 2>&1 || { cat "$out_dir/$label-$i.log" >&2; exit 1; }
  cpu="$(awk 'END{print $1 + $2}' "$out_dir/$label-$i.time")"
  $py -c "
import pandas as pd
s = pd.read_csv('$synth', low_memory=False)
s.drop(columns=[c for c in s.columns if c == 'ID']).to_csv('$synth', index=False)"
  target=(); [ "${ACC:-1}" = 1 ] && target=(--target Diabetes)
  FIDELITY="$fidelity" nice $py "$here/batch_fidelity.py" "$real" "$synth" "${target[@]}" \
    > "$out_dir/$label-$i.json" 2> /dev/null
  nice $py "$here/code_space.py" "$config" "$synth" "$out_dir/$label-$i-coded.csv"
  FIDELITY="$fidelity" nice $py "$here/batch_fidelity.py" "$real_coded" \
    "$out_dir/$label-$i-coded.csv" --all-categorical --ways 1,2 > "$out_dir/$label-$i-coded.json" \
    2> /dev/null
  nice $py "$here/sampling_realism.py" "$real" "$synth" --json > "$out_dir/$label-$i-realism.json"
  $py - "$out_dir/$label-$i" "$synth" "$i" "$cpu" >> "$metrics" <<'EOF'
import json, sys
import pandas as pd
base, synth, seed, cpu = sys.argv[1:]
d, c, r = (json.load(open(base + s)) for s in (".json", "-coded.json", "-realism.json"))
s = pd.read_csv(synth, low_memory=False)
num = lambda col: pd.to_numeric(s[col], errors="coerce")
row = [seed, d["tvd_1way_mean"], d["tvd_2way_mean"], d["tvd_2way_topdep_mean"], d["tvd_3way_mean"],
       d.get("corr_mad", float("nan")), d.get("acc_train_synth") or float("nan"),
       c["tvd_1way_mean"], c["tvd_1way_max"], c["tvd_2way_mean"], c["tvd_2way_topdep_mean"],
       num("Age").corr(num("Height")), num("Age").corr(num("BPSysAve")), r["under10_taller_170"],
       float(cpu)]
print("\t".join(x if isinstance(x, str) else ("%d" % x if isinstance(x, int) else "%.4f" % x)
                for x in row))
EOF
done
column -t "$metrics"
$py - "$metrics" <<'EOF'
import sys
import pandas as pd
t = pd.read_csv(sys.argv[1], sep="\t")
m = t.drop(columns=["seed"]).median()
print("median\t" + "\t".join("%.4f" % v if k != "kids" else "%d" % v for k, v in m.items()))
EOF
echo "(files in $out_dir)"
