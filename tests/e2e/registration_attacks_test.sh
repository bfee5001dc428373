#!/usr/bin/env bash
# The three attacks of issue 10 through the real binary, each shown working where it is
# allowed (a test ledger, or an officer's command) and refused where it is not (a production
# ledger): refused before any data is read or any budget spent, with messages that hold
# nothing from the data. Also: re-registration, a changed data file, seeds, verify on test
# releases, incidents (mode, content), the failure lock and its acknowledgement.
#   registration_attacks_test.sh PRIVET SOURCE_DIR
set -euo pipefail
privet="$1"
source_dir="$2"

# shellcheck source=tests/e2e/shell_support.sh
source "$(dirname "${BASH_SOURCE[0]}")/shell_support.sh"
e2e_scratch
cd "$work"
unset PRIVET_LEDGER PRIVET_KEY

err_has() { grep -qF -- "$1" "$work/err.txt" || fail "stderr lacks \"$1\": $(cat "$work/err.txt")"; }
snapshot() { "$privet" ledger export --json --ledger "$1"; }
unchanged() {  # unchanged LEDGER SNAPSHOT_FILE: the ledger holds exactly what it held
  cmp -s <(snapshot "$1") "$2" || fail "the ledger $1 changed"
}

"$privet" keygen --out keys >/dev/null
key=(--key keys/privet-signing.key)

# A small "private" table: 200 patients, every row its own unit. The counts are the secret.
python3 - <<'PY'
import random
rng = random.Random(20261202)
with open("clinic.csv", "w") as f:
    f.write("sex,smoker,chol\n")
    for _ in range(200):
        f.write(f"{rng.choice('FM')},{rng.choice(['yes', 'no', 'no'])},{rng.randint(120, 330)}\n")
with open("fake.csv", "w") as f:
    f.write("sex,smoker,chol\nF,no,200\n")
PY
cat >clinic.json <<'JSON'
{
  "schema_version": 1,
  "dataset": {"id": "clinic", "csv": "clinic.csv"},
  "attributes": [
    {"name": "sex", "type": "categorical", "values": ["F", "M"], "nullable": false,
     "out_of_domain": "error"},
    {"name": "smoker", "type": "categorical", "values": ["yes", "no"], "nullable": false,
     "out_of_domain": "error"},
    {"name": "chol", "type": "integer", "min": 100, "max": 400, "bins": 6, "nullable": false}
  ]
}
JSON
true_counts() {  # the exact sex x smoker counts of a CSV, as "F,yes=N ..." lines
  python3 - "$1" <<'PY'
import collections, csv, sys
counts = collections.Counter((r["sex"], r["smoker"]) for r in csv.DictReader(open(sys.argv[1])))
for sex in "FM":
    for smoker in ("yes", "no"):
        print(f"{sex},{smoker}={counts[(sex, smoker)]}")
PY
}
released_counts() {  # the noisy counts of a released marginal, in the same form
  python3 - "$1" <<'PY'
import csv, sys
for row in csv.DictReader(open(sys.argv[1])):
    print(f"{row['sex']},{row['smoker']}={row['noisy_count']}")
PY
}

marginal=(query marginal --dataset clinic --attrs sex,smoker --epsilon 0.5 --purpose attack)

# ---- Attack 1: seed replay.
# Allowed on a test ledger: the same seed over the real table and over a one-row fake gives
# the same noise, and subtracting the two releases recovers every exact count.
"$privet" ledger init --test-only --ledger test.db >/dev/null
"$privet" dataset register --config clinic.json --epsilon 10 --delta 1e-6 --ledger test.db >/dev/null
"$privet" "${marginal[@]}" --seed 42 --out real --ledger test.db "${key[@]}" -q >/dev/null
"$privet" dataset register --config clinic.json --data fake.csv --ledger test.db >/dev/null
"$privet" "${marginal[@]}" --seed 42 --out fake --ledger test.db "${key[@]}" -q >/dev/null
python3 - <(released_counts real/marginal.csv) <(released_counts fake/marginal.csv) \
  <(true_counts clinic.csv) <(true_counts fake.csv) <<'PY' || fail "seed replay did not work on the test ledger"
import sys
real, fake, truth, fake_truth = ({l.split("=")[0]: int(l.split("=")[1]) for l in open(f)} for f in sys.argv[1:5])
recovered = {cell: real[cell] - fake[cell] + fake_truth[cell] for cell in real}
assert recovered == truth, (recovered, truth)
PY
# A test release is marked as such: verify refuses it unless --allow-test.
expect_code 5 "$privet" verify real/attestation.dsse.json --key keys/privet-signing.pub
err_has "release-mode"
"$privet" verify real/attestation.dsse.json --key keys/privet-signing.pub --allow-test \
  --ledger test.db >verdict.txt
grep -q "result: VERIFIED TEST RELEASE" verdict.txt || fail "no TEST RELEASE verdict"
"$privet" budget show --ledger test.db | grep -q "TEST LEDGER" || fail "budget show hides the test mode"

# Refused on a production ledger, before any data is read, at no cost.
"$privet" dataset register --config clinic.json --epsilon 10 --delta 1e-6 --ledger prod.db >/dev/null
snapshot prod.db >before.json
expect_code 3 "$privet" "${marginal[@]}" --seed 42 --out a1 --ledger prod.db "${key[@]}"
err_has "--seed is refused on the production ledger"
expect_code 3 "$privet" "${marginal[@]}" --data fake.csv --out a2 --ledger prod.db "${key[@]}"
err_has "is not the data source registered for dataset clinic"
unchanged prod.db before.json
[ ! -e a1 ] && [ ! -e a2 ] || fail "a refused release left an output folder"
[ ! -e prod.db.incidents ] || fail "a refusal before the data was read made an incident"

# ---- Attack 2: the budget is bound to the officer's config, unit and data.
"$privet" dataset register --config "$source_dir/configs/covid_testing.json" --epsilon 3 \
  --delta 1e-6 --ledger prod.db >/dev/null
python3 - "$source_dir/configs/covid_testing.json" <<'PY'
import json, os, sys
config = json.load(open(sys.argv[1]))
config.pop("privacy_unit", None)  # every row its own unit: m = 1 instead of 3
config["dataset"]["csv"] = os.path.join(os.path.dirname(sys.argv[1]), config["dataset"]["csv"])
json.dump(config, open("no_unit.json", "w"), indent=2)
PY
snapshot prod.db >before.json
expect_code 3 "$privet" synthesize --config no_unit.json --epsilon 1 --purpose attack \
  --out s1 --ledger prod.db "${key[@]}"
err_has "is not the config registered for dataset covid_testing"
unchanged prod.db before.json
# A budget without a registration cannot be spent.
"$privet" budget init --dataset newid --epsilon 5 --delta 1e-6 --ledger prod.db >/dev/null
snapshot prod.db >before.json
expect_code 3 "$privet" query marginal --dataset newid --attrs sex --epsilon 0.1 --purpose x \
  --out s2 --ledger prod.db "${key[@]}"
err_has "dataset newid is not registered"
unchanged prod.db before.json
# The registered data file edited after registration: refused, free.
cp clinic.csv extract.csv
"$privet" dataset register --config clinic.json --data extract.csv --ledger prod.db >/dev/null
echo "M,yes,250" >>extract.csv
snapshot prod.db >before.json
expect_code 5 "$privet" "${marginal[@]}" --out s3 --ledger prod.db "${key[@]}"
err_has "changed since it was registered"
unchanged prod.db before.json
"$privet" dataset register --config clinic.json --ledger prod.db >/dev/null  # back to clinic.csv

# ---- Attack 3: errors as a free oracle on private cells.
# A crafted config declares chol categorical over candidate values with out_of_domain "error",
# so an encoding error would say which row holds a value outside the candidates.
python3 - <<'PY'
import json
config = json.load(open("clinic.json"))
config["attributes"][2] = {"name": "chol", "type": "categorical",
                           "values": [str(v) for v in range(120, 226)],
                           "nullable": False, "out_of_domain": "error"}
json.dump(config, open("crafted.json", "w"), indent=2)
PY
# Allowed for the officer: registering it reads the whole table and names the file, line and
# column of the first cell outside the candidates (and registers nothing).
snapshot prod.db >before.json
expect_code 3 "$privet" dataset register --config crafted.json --ledger prod.db
grep -Eq "clinic.csv:[0-9]+: column" "$work/err.txt" ||
  fail "the officer's check lost its location: $(cat "$work/err.txt")"
unchanged prod.db before.json
# Refused for a requester, before the data is read: the message names only the config.
snapshot prod.db >before.json
expect_code 3 "$privet" query marginal --config crafted.json --attrs sex --epsilon 0.1 \
  --purpose probe --out probe --ledger prod.db "${key[@]}"
err_has "is not the config registered for dataset clinic"
if grep -Eq "clinic.csv:|line [0-9]|chol.*[0-9]{3}" "$work/err.txt"; then
  fail "the refusal quotes the data: $(cat "$work/err.txt")"
fi
unchanged prod.db before.json
[ ! -e prod.db.incidents ] || fail "a probe made an incident"

# ---- Re-registration: the spend carries over, the new config is bound, the old one refused.
"$privet" "${marginal[@]}" --config clinic.json --out r1 --ledger prod.db "${key[@]}" -q >/dev/null
spent_before=$("$privet" budget show --dataset clinic --json --ledger prod.db |
  python3 -c "import json,sys; print(json.load(sys.stdin)['spent']['epsilon'])")
python3 -c "
import json; c = json.load(open('clinic.json')); c['description'] = 'reviewed again'
json.dump(c, open('clinic2.json', 'w'), indent=2)"
"$privet" dataset register --config clinic2.json --ledger prod.db >/dev/null
"$privet" budget show --dataset clinic --json --ledger prod.db >show.json
python3 - show.json "$spent_before" <<'PY' || fail "re-registration reset or lost the spend"
import json, sys
d = json.load(open(sys.argv[1]))
assert abs(d["spent"]["epsilon"] - float(sys.argv[2])) < 1e-12, d["spent"]
assert d["registration"]["config_path"].endswith("clinic2.json"), d["registration"]
assert d["registrations"] >= 3, d["registrations"]
PY
snapshot prod.db >before.json
expect_code 3 "$privet" "${marginal[@]}" --config clinic.json --out r2 --ledger prod.db "${key[@]}"
err_has "is not the config registered"
unchanged prod.db before.json
"$privet" "${marginal[@]}" --config clinic2.json --out r3 --ledger prod.db "${key[@]}" -q >/dev/null
"$privet" verify r3/attestation.dsse.json --key keys/privet-signing.pub --ledger prod.db >verify.txt
grep -q "OK     ledger-registration" verify.txt || fail "verify --ledger skipped the registration"

# ---- Refusals decided by public inputs cost nothing.
snapshot prod.db >before.json
expect_code 3 "$privet" synthesize --dataset clinic --epsilon 0.5 --purpose x --rows 1000000000000 \
  --out big --ledger prod.db "${key[@]}"
expect_code 3 "$privet" synthesize --dataset clinic --epsilon 0.5 --purpose x --rows -5 \
  --out neg --ledger prod.db "${key[@]}"
ln -s "$work/nowhere" dangling
expect_code 3 "$privet" "${marginal[@]}" --out dangling --ledger prod.db "${key[@]}"
err_has "symbolic link"
expect_code 3 "$privet" "${marginal[@]}" --delta 0.999 --out d --ledger prod.db "${key[@]}"
err_has "exceeds the delta budget"
expect_code 3 "$privet" query marginal --dataset clinic --attrs sex --epsilon 0.5 \
  --purpose $'two\nlines' --out p --ledger prod.db "${key[@]}"
err_has "--purpose must be one line of printable text"
unchanged prod.db before.json

# ---- Incidents: a failure once the data is open shows its class and id only; the details
# go to the officer's log (mode 0600); after 3 the dataset is locked until acknowledged.
# The synthetic table cannot be written (file size limit): charged, then failed.
for i in 1 2 3; do
  set +e
  (ulimit -f 64; trap '' XFSZ; exec "$privet" synthesize --dataset clinic --epsilon 0.2 \
    --purpose "big table" --rows 200000 --out "big$i" --ledger prod.db "${key[@]}" -q) \
    >"$work/out.txt" 2>"$work/err.txt"
  code=$?
  set -e
  [ "$code" -eq 7 ] || fail "a failed write exited $code: $(cat "$work/err.txt")"
  grep -Eq '^privet: the release could not be stored \(incident [0-9a-f]{8}\); the privacy officer has the details; release-[0-9]+ stays charged$' \
    "$work/err.txt" || fail "the failure message is not the fixed form: $(cat "$work/err.txt")"
  [ ! -e "big$i" ] || fail "a failed release left big$i"
done
[ "$(stat -c %a prod.db.incidents)" = 600 ] || fail "the incident log is not mode 0600"
id=$(grep -Eo 'incident [0-9a-f]{8}' "$work/err.txt" | cut -d' ' -f2)
"$privet" incidents show "$id" --ledger prod.db >incident.json
python3 - incident.json <<'PY' || fail "the incident lacks its details"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["dataset_id"] == "clinic" and d["class"] == "storage", d
assert d["release_id"].startswith("release-") and d["stage"], d
assert "synthetic" in d["detail"] or "write" in d["detail"], d["detail"]
PY
[ "$("$privet" incidents list --dataset clinic --ledger prod.db | grep -c OPEN)" -eq 3 ] ||
  fail "incidents list does not show 3 open incidents"
"$privet" budget show --dataset clinic --json --ledger prod.db |
  python3 -c "import json,sys; r=json.load(sys.stdin)['releases']; assert [x['status'] for x in r[-3:]] == ['failed']*3, r" ||
  fail "the failed releases are not recorded as failed"
snapshot prod.db >before.json
expect_code 3 "$privet" "${marginal[@]}" --out locked --ledger prod.db "${key[@]}"
err_has "is locked after 3 failed requests"
unchanged prod.db before.json
"$privet" incidents ack --dataset clinic --officer officer --note "disk quota" --ledger prod.db >/dev/null
"$privet" "${marginal[@]}" --out unlocked --ledger prod.db "${key[@]}" -q >/dev/null
[ -s unlocked/marginal.csv ] || fail "the acknowledged dataset is still locked"
"$privet" ledger verify --ledger prod.db >/dev/null

echo "registration attacks OK"
