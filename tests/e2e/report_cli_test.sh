#!/usr/bin/env bash
# privet report through the binary: the files it writes and what it refuses.
# Usage: report_cli_test.sh PRIVET_BINARY SOURCE_DIR
set -euo pipefail
privet="$1"
source_dir="$2"
config="$source_dir/configs/covid_testing.json"
# shellcheck source=report_make_synthetic.sh
source "$source_dir/tests/e2e/report_make_synthetic.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
make_synthetic "$source_dir/data/covid_testing/covid_testing_deid.csv" "$work/synthetic.csv" 5 3 2

fail() { echo "FAIL: $*"; exit 1; }

# expect_refusal EXIT_CODE MESSAGE_PART ARGS...: exit code, one "privet: " line, no report.
expect_refusal() {
  local code="$1" part="$2"
  shift 2
  rm -f "$work/out.html"
  set +e
  "$privet" report "$@" > "$work/stdout" 2> "$work/stderr"
  local status=$?
  set -e
  [[ $status -eq $code ]] || fail "report $* exited $status, expected $code: $(cat "$work/stderr")"
  [[ "$(wc -l < "$work/stderr")" -eq 1 ]] || fail "expected one stderr line: $(cat "$work/stderr")"
  grep -q "^privet: .*$part" "$work/stderr" || fail "stderr lacks '$part': $(cat "$work/stderr")"
  [[ ! -e "$work/out.html" ]] || fail "a refused report still wrote $work/out.html"
}

# A good run writes the page, the JSON and the coded CSVs, and says the report is not private.
"$privet" report --config "$config" --synthetic "$work/synthetic.csv" --out "$work/report.html" \
  --json "$work/report.json" --export-coded "$work/coded" --target result > "$work/stdout"
grep -q "NOT PRIVATE" "$work/stdout" || fail "stdout lacks the NOT PRIVATE notice"
grep -q "not differentially private" "$work/report.html" || fail "page lacks the warning"
grep -q '"not_private": true' "$work/report.json" || fail "JSON lacks not_private"
grep -q '"tvd_3way_mean"' "$work/report.json" || fail "JSON lacks tvd_3way_mean"
grep -q '"acc_train_synth"' "$work/report.json" || fail "JSON lacks the classifier"
[[ "$(head -1 "$work/coded/real_coded.csv")" == gender,pan_day,* ]] || fail "coded header"
[[ "$(wc -l < "$work/coded/real_coded.csv")" -eq 15525 ]] || fail "coded real row count"
if grep -q -i '<script\|src=\|<link' "$work/report.html"; then fail "page loads something"; fi
# Issue 16: worst attributes and pairs ranked; without an attestation the header says so.
grep -q 'id="worst-attributes"' "$work/report.html" || fail "page lacks the worst attributes"
grep -q 'id="worst-pairs"' "$work/report.html" || fail "page lacks the worst pairs"
grep -q 'Release: not named' "$work/report.html" || fail "page does not say the release is unnamed"
grep -q '"release": null' "$work/report.json" || fail "JSON lacks release: null"
ls "$work" | grep -q partial && fail "a .partial file was left behind"

expect_refusal 3 "--synthetic .*no such file" --config "$config" \
  --synthetic "$work/absent.csv" --out "$work/out.html"
expect_refusal 3 "--real .*no such file" --config "$config" --real "$work/absent.csv" \
  --synthetic "$work/synthetic.csv" --out "$work/out.html"
expect_refusal 3 "target \"nope\" is not a modeled attribute" --config "$config" \
  --synthetic "$work/synthetic.csv" --out "$work/out.html" --target nope
cut -d, -f2- "$work/synthetic.csv" > "$work/no_gender.csv"
expect_refusal 3 "gender" --config "$config" --synthetic "$work/no_gender.csv" \
  --out "$work/out.html"
head -1 "$work/synthetic.csv" > "$work/header_only.csv"
expect_refusal 3 "" --config "$config" --synthetic "$work/header_only.csv" --out "$work/out.html"
expect_refusal 2 "" --config "$config" --synthetic "$work/synthetic.csv"
expect_refusal 2 "max-sets" --config "$config" --synthetic "$work/synthetic.csv" \
  --out "$work/out.html" --max-sets 0
expect_refusal 7 "" --config "$config" --synthetic "$work/synthetic.csv" \
  --out "$work/no_such_dir/out.html"
echo "PASS: privet report writes its files and refuses bad input"
