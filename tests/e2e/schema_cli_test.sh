#!/usr/bin/env bash
# `privet schema check` and `privet schema draft` through the real binary.
#   schema_cli_test.sh PRIVET SOURCE_DIR
# Checks exit codes (0 ok, 2 usage, 3 input; privacy/errors.h), that check validates the shipped
# config against its CSV header and prints no statistic of the data, that a draft is written
# with "draft": true, mode 0600 and a stderr warning, is never overwritten, and is reported as a
# draft by check; and that bad configs and CSVs fail with one line naming the problem.
set -euo pipefail
privet="$(realpath "$1")"
source_dir="$2"

# shellcheck source=tests/e2e/shell_support.sh
source "$(dirname "${BASH_SOURCE[0]}")/shell_support.sh"
e2e_scratch

expect_out() { grep -qF -- "$1" "$work/out.txt" || { cat "$work/out.txt" >&2; fail "stdout lacks: $1"; }; }
expect_err() { grep -qF -- "$1" "$work/err.txt" || { cat "$work/err.txt" >&2; fail "stderr lacks: $1"; }; }

# 1. The shipped demo config is valid and matches its CSV header.
expect_code 0 "$privet" schema check "$source_dir/configs/covid_testing.json"
expect_out "valid (schema_version 1)"
expect_out "dataset: covid_testing"
expect_out "header matches the config"
expect_out "privacy unit: column subject_id, at most 3 rows per unit"
expect_out "attributes: 14 modeled, 3 ignored"
expect_out "clinic_name: categorical, 41 codes"
# No statistic of the private data: the row count (15524) must not appear.
if grep -q "15524\|15,524" "$work/out.txt"; then fail "schema check printed the row count"; fi
[ ! -s "$work/err.txt" ] || fail "schema check wrote to stderr: $(cat "$work/err.txt")"

# 2. Working directory does not matter: paths resolve against the config file.
(cd "$work" && expect_code 0 "$privet" schema check "$source_dir/configs/covid_testing.json")

# 3. --data replaces the CSV; a CSV lacking a modeled column is rejected by name.
head -1 "$source_dir/data/covid_testing/covid_testing_deid.csv" | sed 's/,ct_result//' \
  >"$work/no_ct.csv"
expect_code 3 "$privet" schema check "$source_dir/configs/covid_testing.json" --data "$work/no_ct.csv"
expect_err "privet: $work/no_ct.csv: column \"ct_result\" of the config is missing from the header"
[ "$(wc -l <"$work/err.txt")" -eq 1 ] || fail "error is not one line"
printf 'subject_id,extra\n' >"$work/extra.csv"
expect_code 3 "$privet" schema check "$source_dir/configs/covid_testing.json" --data "$work/extra.csv"
expect_err "column \"extra\" (field 2) is not in the config"
expect_code 3 "$privet" schema check "$source_dir/configs/covid_testing.json" --data "$work/absent.csv"
expect_err "absent.csv: cannot open the CSV file"

# 4. A config with min above max fails with the field named.
python3 - "$source_dir/configs/covid_testing.json" "$work/bad.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["dataset"]["csv"] = "unused.csv"
for attribute in config["attributes"]:
    if attribute["name"] == "pan_day":
        attribute["min"], attribute["max"] = 200, 100
json.dump(config, open(sys.argv[2], "w"))
PY
expect_code 3 "$privet" schema check "$work/bad.json"
expect_err "privet: $work/bad.json: attributes[4] \"pan_day\": min (200) must be below max (100)"
expect_code 3 "$privet" schema check "$work/missing_config.json"
expect_err "cannot open the config file"

# 5. Draft: written 0600 with "draft": true, warning on stderr, never overwritten.
csv="$source_dir/data/covid_testing/covid_testing_deid.csv"
expect_code 0 "$privet" schema draft "$csv" --out "$work/draft.json" --id covid_draft
expect_err "WARNING: this draft is derived from the private data"
[ "$(stat -c %a "$work/draft.json")" = "600" ] || fail "draft mode is not 0600"
python3 - "$work/draft.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["draft"] is True, d
assert "derived from the private data" in d["warning"]
assert d["dataset"]["id"] == "covid_draft"
names = {a["name"]: a["type"] for a in d["attributes"]}
assert names["subject_id"] == "ignore", names
assert len(names) == 17
PY
cp "$work/draft.json" "$work/draft.before"
expect_code 2 "$privet" schema draft "$csv" --out "$work/draft.json"
expect_err "already exists; privet schema draft never overwrites a config"
cmp -s "$work/draft.json" "$work/draft.before" || fail "the draft was overwritten"
# A missing folder of --out is created (a new user's `--out configs/mydata.json`, issue 16).
expect_code 0 "$privet" schema draft "$csv" --out "$work/fresh/configs/draft.json"
[ "$(stat -c %a "$work/fresh/configs/draft.json")" = "600" ] || fail "draft in a new folder is not 0600"
expect_code 0 "$privet" schema check "$work/fresh/configs/draft.json"
# The draft's CSV path is relative to the draft, so check finds the data.
expect_code 0 "$privet" schema check "$work/draft.json"
expect_out "DRAFT: derived from private data"
# Without --out the draft goes to stdout.
expect_code 0 "$privet" schema draft "$csv"
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["draft"] is True' "$work/out.txt"
# Keys in reading order: schema_version first, each attribute's name then type.
head -2 "$work/out.txt" | grep -q '"schema_version"' || fail "the draft does not start with schema_version"
grep -q '"name": "subject_id",' "$work/out.txt" || fail "name is not the first key"
# The review lists what still looks data-derived (issue 16): the draft flag, the unit bound,
# data-derived bounds.
expect_code 0 "$privet" schema review "$work/draft.json"
expect_out '"draft": true is still set'
expect_out "attributes with numeric bounds equal to the data's own min and max"
expect_out "item(s) still look data-derived"
# A domain the officer marks "reviewed" (a public source) is listed as reviewed with its note,
# not counted as data-derived; its "draft:" description stays flagged; an empty note is refused.
before=$(grep -Eo '^[0-9]+ item\(s\)' "$work/out.txt" | cut -d' ' -f1)
python3 - "$work/draft.json" "$work/reviewed.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
for attribute in config["attributes"]:
    if attribute["name"] in ("age", "gender"):
        attribute["reviewed"] = "test code book, page 3"
json.dump(config, open(sys.argv[2], "w"))
config["attributes"][1]["reviewed"] = ""
json.dump(config, open(sys.argv[2] + ".empty", "w"))
PY
expect_code 0 "$privet" schema review "$work/reviewed.json"
expect_out "  [x] age: reviewed: test code book, page 3 (bounds ["
expect_out "  [x] gender: reviewed: test code book, page 3 (the "
after=$(grep -Eo '^[0-9]+ item\(s\)' "$work/out.txt" | cut -d' ' -f1)
[ "$after" -eq $((before - 2)) ] || fail "reviewed domains still counted: $before then $after items"
expect_code 0 "$privet" schema review "$work/reviewed.json" --verbose
expect_out "  [x] age: reviewed: test code book, page 3 (bounds ["
grep -q '^  \[ \] age: description still starts with "draft:"$' "$work/out.txt" ||
  fail "the reviewed note silenced the draft description"
expect_code 3 "$privet" schema review "$work/reviewed.json.empty"
expect_err '"reviewed" is empty (say where the public domain comes from)'
# The draft's review again (the checks above overwrote out.txt).
expect_code 0 "$privet" schema review "$work/draft.json"
# Only a reviewed config is told that findings may stay (the wrapped footer read as one line).
joined_out() { tr '\n' ' ' <"$work/out.txt" | tr -s ' '; }
! joined_out | grep -qF "Registration does not need an empty list" ||
  fail "a draft's review says registration does not need an empty list"
expect_code 0 "$privet" schema review "$source_dir/configs/covid_testing.json"
joined_out | grep -qF "Registration does not need an empty list: a domain the code book gives" ||
  fail "a reviewed config's review does not say its findings may stay: $(cat "$work/out.txt")"
# On a wide table the review fits one screen (issue 16): a 76-column CSV (40 integer, 6
# continuous, 30 categorical columns, made here deterministically) drafts to a config whose
# review groups what many attributes share: at most 24 lines of at most 100 columns, where
# --verbose lists every attribute.
python3 - "$work/wide.csv" <<'PY'
import sys
names = [f"int{i}" for i in range(40)] + [f"real{i}" for i in range(6)] + [f"cat{i}" for i in range(30)]
with open(sys.argv[1], "w") as out:
    out.write(",".join(names) + "\n")
    for r in range(300):
        row = [str((r * (i + 3)) % (50 + i)) for i in range(40)]
        row += [f"{(r * 7 + i) % 97 / 3:.2f}" for i in range(6)]
        row += [f"level{(r + i) % (2 + i % 5)}" for i in range(30)]
        out.write(",".join(row) + "\n")
PY
"$privet" schema draft "$work/wide.csv" --out "$work/wide.json" 2>/dev/null
review_fits_screen() {  # review_fits_screen CONFIG
  expect_code 0 "$privet" schema review "$1"
  local lines width
  lines=$(wc -l <"$work/out.txt")
  width=$(awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }' "$work/out.txt")
  [ "$lines" -le 24 ] || { cat "$work/out.txt" >&2; fail "review of $1: $lines lines (> 24)"; }
  # The header names the paths, which may be long; every other line wraps at 100.
  width=$(tail -n +2 "$work/out.txt" | awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }')
  [ "$width" -le 100 ] || { cat "$work/out.txt" >&2; fail "review of $1: a line of $width columns"; }
}
review_fits_screen "$work/wide.json"
expect_out "46 attributes with numeric bounds equal to the data's own min and max"
expect_out "int0, int1, int2"
expect_out "attributes whose categories are exactly the values seen in the data"
expect_out "attributes whose description still starts with \"draft:\""
expect_code 0 "$privet" schema review "$work/wide.json" --verbose
[ "$(grep -c '^  \[ \] ' "$work/out.txt")" -ge 76 ] || fail "--verbose does not list every attribute"
expect_out "int7: description still starts with \"draft:\"; bounds ["
# nhanes itself (76 columns) when ../shared/data is beside the clone.
nhanes="$source_dir/../shared/data/nhanes/NHANES.csv"
if [ -f "$nhanes" ]; then
  "$privet" schema draft "$nhanes" --out "$work/nhanes.json" 2>/dev/null
  review_fits_screen "$work/nhanes.json"
  review_fits_screen "$source_dir/configs/nhanes.json"
  # The hand-reviewed config marks its public domains "reviewed" (the NHANES code book): they
  # are one [x] line, and what was taken from the data stays flagged.
  expect_out "  [x] 47 attributes whose domain equals the data's carry a \"reviewed\" note"
  expect_out "11 item(s) still look data-derived"
  expect_code 0 "$privet" schema review "$source_dir/configs/nhanes.json" --verbose
  expect_out "  [x] Gender: reviewed: the levels the NHANES R package documents"
  expect_out "  [ ] SexNumPartnLife: bounds [0, 2000] are the data's own min and max"
fi
# A relative CSV stays relative: to the config's folder with --out, as given without.
mkdir -p "$work/data" "$work/configs"
cp "$csv" "$work/data/covid.csv"
(cd "$work/data" && "$privet" schema draft covid.csv --out ../configs/covid.json 2>/dev/null) ||
  fail "draft with a relative csv"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["dataset"]["csv"]; assert c == "../data/covid.csv", c' \
  "$work/configs/covid.json" || fail "the relative csv path was not kept relative"
expect_code 0 "$privet" schema check "$work/configs/covid.json"
(cd "$work/data" && "$privet" schema draft covid.csv 2>/dev/null) >"$work/stdout_draft.json"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["dataset"]["csv"]; assert c == "covid.csv", c' \
  "$work/stdout_draft.json" || fail "the relative csv path on stdout was rewritten"

# 6. Draft of bad data: ragged row, invalid UTF-8, empty file.
printf 'a,b\n1,2\n3\n' >"$work/ragged.csv"
expect_code 3 "$privet" schema draft "$work/ragged.csv"
expect_err "privet: $work/ragged.csv:3: expected 2 fields, found 1"
printf 'a,b\n1,\xff\n' >"$work/latin1.csv"
expect_code 3 "$privet" schema draft "$work/latin1.csv"
expect_err "latin1.csv:2: field 2: invalid UTF-8"
: >"$work/empty.csv"
expect_code 3 "$privet" schema draft "$work/empty.csv"
expect_err "empty.csv: the file is empty"

# 7. Usage errors.
expect_code 2 "$privet" schema
expect_code 2 "$privet" schema draft "$csv" --delimiter ';;'
# 8. Hostile inputs fail fast with one line (issue 13): a CSV that is a device, a config
# nested 10^5 deep, a config declaring 10^7 categories (refused by size before parsing).
python3 - "$source_dir/configs/covid_testing.json" "$work" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["dataset"]["csv"] = "/dev/zero"
json.dump(config, open(sys.argv[2] + "/zero.json", "w"))
open(sys.argv[2] + "/deep.json", "w").write(
    '{"schema_version":1,"x":' + "[" * 100000 + "]" * 100000 + "}")
config["dataset"]["csv"] = "unused.csv"
for attribute in config["attributes"]:
    if attribute["name"] == "clinic_name":
        attribute["values"] = list(range(10 ** 7))
with open(sys.argv[2] + "/huge.json", "w") as out:
    json.dump(config, out)
PY
expect_code 3 "$privet" schema check "$work/zero.json"
expect_err "privet: /dev/zero:1: record longer than 16 MiB"
[ "$(wc -l <"$work/err.txt")" -eq 1 ] || fail "error is not one line"
expect_code 3 "$privet" schema check "$work/deep.json"
expect_err "deep.json: JSON nested deeper than 64 levels"
expect_code 3 "$privet" schema check "$work/huge.json"
expect_err "huge.json: larger than 16 MiB, the most a config may be"
rm -f "$work/huge.json"

echo "schema CLI: all checks passed"
