#!/usr/bin/env bash
# `privet dataset unit-bound` through the real binary (issue 12): the DP quantile of rows per
# unit is charged in the ledger (budget show lists it, the spend adds up), attested (verify
# accepts it against the ledger and names its kind), and refused at no cost when the budget
# cannot pay or the dataset has no unit column.
#   unit_bound_cli_test.sh PRIVET SOURCE_DIR
set -euo pipefail
privet="$1"
source_dir="$2"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
unset PRIVET_KEY
export PRIVET_LEDGER="$work/ledger.db"

fail() { echo "FAIL: $*" >&2; exit 1; }

"$privet" keygen --out keys >/dev/null
"$privet" ledger init --test-only >/dev/null
"$privet" dataset register --config "$source_dir/configs/covid_testing.json" --epsilon 0.5 \
  --delta 1e-6 >/dev/null
run() {
  "$privet" dataset unit-bound --dataset covid_testing --quantile 0.95 --max-rows 50 \
    --purpose "choose the bound" --key keys/privet-signing.key -q "$@"
}
run --epsilon 0.3 --out bound --json > summary.json
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
summary = json.load(open(f"{work}/summary.json"))
released = json.load(open(f"{work}/bound/unit_bound.json"))
m = summary["max_rows_per_unit"]
assert m == released["max_rows_per_unit"] and 1 <= m <= 50, (m, released)
assert abs(summary["release"]["epsilon"] - 0.3) < 1e-4, summary
assert abs(summary["dataset"]["spent"]["epsilon"] - 0.3) < 1e-4, summary
assert released["mechanism"]["name"] == "exponential"
PY
"$privet" budget show --dataset covid_testing > show.txt
grep -q "unit-bound by" show.txt || fail "budget show does not list the unit-bound release"
grep -Eq "spent      epsilon 0\.(3|29999)" show.txt || fail "the spend is not 0.3: $(cat show.txt)"
"$privet" verify bound/attestation.dsse.json --key keys/privet-signing.pub \
  --ledger "$PRIVET_LEDGER" --allow-test > verify.txt || fail "verify refused: $(cat verify.txt)"
grep -q "release:     unit-bound of dataset" verify.txt || fail "verify does not name the kind"

# 0.3 spent of 0.5: another 0.3 is refused before anything is written, and charges nothing.
set +e; run --epsilon 0.3 --out again 2>err.txt; code=$?; set -e
[ "$code" -eq 4 ] || fail "an overspending unit-bound request exited $code, not 4 (budget)"
[ ! -e again/unit_bound.json ] || fail "a refused request wrote a file"
"$privet" budget show --dataset covid_testing | grep -Eq "spent      epsilon 0\.(3|29999)" ||
  fail "the refused request changed the spend"

# Without a unit column (adult_coded: every row its own unit) it is refused at no cost.
if [ -f "$source_dir/../shared/data/adult_coded/adult.csv" ]; then
  "$privet" dataset register --config "$source_dir/configs/adult_coded.json" --epsilon 1 \
    --delta 1e-6 >/dev/null
  set +e
  "$privet" dataset unit-bound --dataset adult_coded --epsilon 0.1 --purpose x \
    --key keys/privet-signing.key --out rows -q 2>err.txt
  code=$?; set -e
  [ "$code" -eq 2 ] || fail "unit-bound without a unit column exited $code, not 2 (usage)"
  grep -q "no privacy_unit column" err.txt || fail "unexpected refusal: $(cat err.txt)"
  "$privet" budget show --dataset adult_coded > rows.txt
  grep -q "releases   0" rows.txt || fail "the refusal charged something: $(cat rows.txt)"
fi
echo "unit-bound CLI: charged, attested, refusals free"
