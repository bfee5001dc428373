#!/usr/bin/env bash
# Done-when of issue 6: the report's marginal TVDs equal those of the independent referee,
# ../shared/tools/fidelity.py, within 1e-6 on the same files. Both use the same binning:
# `privet report --export-coded DIR` writes each attribute as its schema code (config
# categories, bins, date buckets, missing as a code) and fidelity.py reads those files with
# --all-categorical. --max-sets is raised so fidelity.py averages over every k-way set, as the
# report does when there are at most 10,000 (docs/report.md). The majority-class baseline must
# agree too: the report's 80/20 split is numpy's RandomState(0) permutation, as fidelity.py's.
#
# Usage: report_fidelity_agreement_test.sh PRIVET_BINARY SOURCE_DIR
# Exit 77 (skipped) without Debian's python3 with pandas and sklearn, or without ../shared.
set -euo pipefail
privet="$1"
source_dir="$2"
python=/usr/bin/python3
fidelity="$source_dir/../shared/tools/fidelity.py"

if [[ ! -f "$fidelity" ]]; then
  echo "SKIP: $fidelity not found (the shared tools folder beside the clone is absent)"
  exit 77
fi
if ! "$python" -c 'import pandas, sklearn' 2>/dev/null; then
  echo "SKIP: $python lacks pandas or sklearn (apt-get install python3-pandas python3-sklearn)"
  exit 77
fi
# shellcheck source=report_make_synthetic.sh
source "$source_dir/tests/e2e/report_make_synthetic.sh"

# sklearn's OpenMP threads thrash on a shared 2-core machine (2 min vs 14 s for heart_cleveland).
export OMP_NUM_THREADS=1
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# check_agreement NAME CONFIG SYNTHETIC [TARGET]
# The target (and with it the majority-baseline check) is given for the small table only:
# fidelity.py's gradient boosting takes minutes on covid_testing's 15,524 rows.
check_agreement() {
  local name="$1" config="$2" synthetic="$3" target="${4:-}"
  local out="$work/$name"
  local target_args=()
  [[ -n "$target" ]] && target_args=(--target "$target")
  mkdir -p "$out"
  "$privet" report --config "$config" --synthetic "$synthetic" --out "$out/report.html" \
    --json "$out/report.json" --export-coded "$out/coded" "${target_args[@]}" > "$out/stdout"
  "$python" "$fidelity" "$out/coded/real_coded.csv" "$out/coded/synthetic_coded.csv" \
    --all-categorical --json --max-sets 1000000 "${target_args[@]}" > "$out/fidelity.json"
  "$python" - "$out/report.json" "$out/fidelity.json" "$name" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
referee = json.load(open(sys.argv[2]))
name = sys.argv[3]
failures = []
for way in (1, 2, 3):
    for stat in ("mean", "max"):
        key = f"tvd_{way}way_{stat}"
        diff = abs(report[key] - referee[key])
        print(f"{name}: {key} report {report[key]:.12f} fidelity.py {referee[key]:.12f} "
              f"diff {diff:.2e}")
        if diff > 1e-6:
            failures.append(key)
    key = f"tvd_{way}way_sets"
    if report[key] != referee[key] or report[f"tvd_{way}way_sampled"]:
        failures.append(key)
for key in ("rows_real", "rows_synth"):
    if report[key] != referee[key]:
        failures.append(key)
if "majority_acc" in referee:
    # Same split, same majority class: equal to rounding.
    print(f"{name}: majority_acc report {report['majority_acc']} "
          f"fidelity.py {referee['majority_acc']}")
    if abs(report["majority_acc"] - referee["majority_acc"]) > 1e-12:
        failures.append("majority_acc")
    # Different classifiers (naive Bayes vs gradient boosting): printed, not compared.
    print(f"{name}: acc_train_real {report['acc_train_real']:.4f} (fidelity.py gradient "
          f"boosting {referee['acc_train_real']:.4f}); acc_train_synth "
          f"{report['acc_train_synth']:.4f} ({referee['acc_train_synth']:.4f})")
if failures:
    print(f"FAIL {name}: disagreement on {failures}")
    sys.exit(1)
PY
}

make_synthetic "$source_dir/data/covid_testing/covid_testing_deid.csv" "$work/covid_synthetic.csv" 3 3 7
check_agreement covid_testing "$source_dir/configs/covid_testing.json" "$work/covid_synthetic.csv"

heart_csv="$source_dir/../shared/data/heart_cleveland/heart_cleveland.csv"
if [[ -f "$heart_csv" && -f "$source_dir/configs/heart_cleveland.json" ]]; then
  make_synthetic "$heart_csv" "$work/heart_synthetic.csv" 2 0 1
  check_agreement heart_cleveland "$source_dir/configs/heart_cleveland.json" \
    "$work/heart_synthetic.csv" num
else
  echo "note: heart_cleveland not checked ($heart_csv or its config absent)"
fi
echo "PASS: report TVDs agree with fidelity.py within 1e-6"
