#!/usr/bin/env bash
# End to end through the real binary: officer -> researcher -> auditor on one dataset.
#   release_chain_test.sh PRIVET CONFIG DATASET_ID [CSV]
# Checks the ledger totals, that verify accepts the release and rejects tampered copies,
# that `privet sample` output verifies and links to the model, and that a synthesize that
# would pass the budget is refused with the remaining budget named and writes nothing.
set -euo pipefail
privet="$1"
config="$2"
dataset="$3"
csv_override=()
if [ "$#" -ge 4 ]; then
  [ -f "$4" ] || { echo "SKIP: $4 is absent (needs ../shared/data beside the clone)"; exit 77; }
  csv_override=(--data "$4")
fi

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=tests/e2e/shell_support.sh
source "$(dirname "${BASH_SOURCE[0]}")/shell_support.sh"
e2e_scratch
cd "$work"
export PRIVET_LEDGER="$work/ledger.db"

json_field() {  # json_field FILE python-expression-on-d
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

# Officer: a key pair; the dataset registered (its config, data and unit bound in the
# ledger) with a budget of epsilon 1.2 and a per-release cap of 1.1.
"$privet" keygen --out keys >/dev/null
"$privet" dataset register --config "$config" "${csv_override[@]}" --epsilon 1.2 --delta 1e-6 \
  --per-release-epsilon 1.1 >/dev/null

# Researcher: look before spending. --plan charges nothing and lists every event: k 1-way
# marginals, k - 1 selections, k - 1 families and, at epsilon 1 in Gaussian mode, every pair
# when there are at most 2k, else 2k rounds of a pair selection and a selected pair marginal;
# --pair-share 0 turns the pairs off; a bad share is refused.
"$privet" synthesize --config "$config" "${csv_override[@]}" --epsilon 1 --plan --json >plan.json
"$privet" synthesize --config "$config" "${csv_override[@]}" --epsilon 1 --plan --json \
  --pair-share 0 >plan0.json
python3 - plan.json plan0.json <<'PY' || fail "plan events"
import json, sys
with_pairs, without = (json.load(open(f)) for f in sys.argv[1:3])
k = len(with_pairs["attributes"])
pairs = k * (k - 1) // 2 if k * (k - 1) // 2 <= 2 * k else 2 * 2 * k
if pairs == 4 * k:
    assert with_pairs["pair_selection"]["count"] == 2 * k, with_pairs["pair_selection"]
    assert sum(e["query"].startswith("synthesize: pair selection") for e in with_pairs["events"]) == 2 * k
assert len(with_pairs["events"]) == 3 * k - 2 + pairs, len(with_pairs["events"])
assert len(without["events"]) == 3 * k - 2 and "pair" not in without, len(without["events"])
for plan in (with_pairs, without):
    assert 1 - 1e-6 < plan["composed_epsilon"] <= 1, plan["composed_epsilon"]
PY
expect_code 3 "$privet" synthesize --config "$config" "${csv_override[@]}" --epsilon 1 --plan \
  --pair-share 1.5
grep -q "pair_share" "$work/err.txt" || fail "a bad --pair-share was not named: $(cat "$work/err.txt")"

# Researcher: a release at epsilon 1.
"$privet" synthesize --config "$config" "${csv_override[@]}" --epsilon 1 \
  --purpose "e2e test" --key keys/privet-signing.key --out release --quiet --json >summary.json
for f in synthetic.csv model.json attestation.dsse.json; do
  [ -s "release/$f" ] || fail "release/$f missing"
done
spent=$(json_field summary.json 'd["release"]["epsilon"]')
python3 -c "import sys; assert abs(float(sys.argv[1]) - 1.0) < 1e-6, sys.argv[1]" "$spent" ||
  fail "release spent $spent, requested 1"

# The officer's report names the release from the attestation beside the synthetic table.
real_option=()
if [ "$#" -ge 4 ]; then real_option=(--real "$4"); fi
"$privet" report --config "$config" "${real_option[@]}" --synthetic release/synthetic.csv \
  --out report.html --json report.json --quiet >/dev/null
release_id=$(json_field summary.json 'd["release"]["id"]')
digest=$(sha256sum release/attestation.dsse.json | cut -d' ' -f1)
grep -q "<td>$release_id</td>" report.html || fail "the report does not name $release_id"
grep -q "$digest" report.html || fail "the report does not name the attestation digest"
[ "$(json_field report.json 'd["release"]["release_id"]')" = "$release_id" ] ||
  fail "report.json does not name the release"

# The ledger records exactly what was requested.
"$privet" budget show --dataset "$dataset" --json >show.json
python3 - show.json <<'PY' || fail "ledger totals"
import json, sys
d = json.load(open(sys.argv[1]))
ds = d["datasets"][0] if "datasets" in d else d
spent = ds["spent"]["epsilon"]
assert abs(spent - 1.0) < 1e-6, spent
assert len(ds["releases"]) == 1, ds["releases"]
PY
"$privet" ledger verify >/dev/null

# Auditor: the release verifies, with and without the ledger.
"$privet" verify release/attestation.dsse.json --key keys/privet-signing.pub >/dev/null
"$privet" verify release/attestation.dsse.json --key keys/privet-signing.pub --ledger "$PRIVET_LEDGER" >/dev/null
# Without privet: the attested tree head and the charge's inclusion (docs/attestation.md
# section 7), with the standard library and openssl; then the consistency of that head with
# the ledger, and its refusal once the ledger's history is rewritten by a recomputed chain is
# tests/e2e/ledger_rewrite_cli_test.cc's.
python3 "$here/attestation_tree_verify.py" keys/privet-signing.pub release/attestation.dsse.json \
  >tree.txt || { cat tree.txt; fail "the attestation's tree head or inclusion proof"; }
"$privet" ledger consistency --from release/attestation.dsse.json --key keys/privet-signing.pub \
  >/dev/null

# A tampered copy is rejected (exit 5 = integrity), naming the file.
cp -r release tampered
printf 'x' >>tampered/synthetic.csv
expect_code 5 "$privet" verify tampered/attestation.dsse.json --key keys/privet-signing.pub
grep -q "synthetic.csv" "$work/err.txt" "$work/out.txt" || fail "tamper message does not name the file"

# Post-processing: more rows from the released model, no budget spent, linked to the model.
"$privet" sample --model release/model.json --rows 500 --seed 7 --key keys/privet-signing.key \
  --out sampled --quiet >/dev/null
[ "$(($(wc -l <sampled/synthetic.csv) - 1))" -ge 500 ] || fail "sample wrote too few rows"
"$privet" verify sampled/attestation.dsse.json --key keys/privet-signing.pub >/dev/null
model_digest=$(sha256sum release/model.json | cut -d' ' -f1)
grep -rq "$model_digest" <(python3 -c "import json,base64,sys; print(base64.b64decode(json.load(open(sys.argv[1]))['payload']).decode())" sampled/attestation.dsse.json) ||
  fail "sample attestation does not name the model's digest"
# A parent whose signature was zeroed is never re-signed (issue 13, defect 2): refused, free.
python3 - release/attestation.dsse.json forged.json <<'PY' || fail "could not forge a parent"
import base64, json, sys
envelope = json.load(open(sys.argv[1]))
envelope["signatures"][0]["sig"] = base64.b64encode(bytes(64)).decode()
json.dump(envelope, open(sys.argv[2], "w"))
PY
expect_code 5 "$privet" sample --model release/model.json --parent-attestation forged.json \
  --key keys/privet-signing.key --out forged-sample
grep -q "does not verify with this deployment's key" "$work/err.txt" ||
  fail "a forged parent was not named: $(cat "$work/err.txt")"
[ ! -e forged-sample ] || fail "a sample of a forged parent was written"
# The whole chain in one run: the sample, its parent release and the link between them.
"$privet" verify sampled/attestation.dsse.json --key keys/privet-signing.pub \
  --ledger "$PRIVET_LEDGER" --parent release/attestation.dsse.json >parent.txt
grep -q "parent-link" parent.txt || fail "verify --parent ran no parent-link check"
grep -q "parent:signature" parent.txt || fail "verify --parent did not verify the parent"
# Another release's attestation (here the tampered copy's, whose file no longer matches) is
# not the parent: verify fails and says which check.
expect_code 5 "$privet" verify sampled/attestation.dsse.json --key keys/privet-signing.pub \
  --parent tampered/attestation.dsse.json
grep -q "parent:subject:synthetic.csv" "$work/err.txt" ||
  fail "a tampered parent release was not named: $(cat "$work/err.txt")"
"$privet" budget show --dataset "$dataset" --json >show2.json
cmp -s <(json_field show.json 'd') <(json_field show2.json 'd') || fail "sampling changed the ledger"

# Over budget: two releases at epsilon 1 compose (RDP) to about 1.45 > 1.2, so the second is
# refused, says what is left, and writes nothing.
expect_code 4 "$privet" synthesize --config "$config" "${csv_override[@]}" --epsilon 1 \
  --purpose "too much" --key keys/privet-signing.key --out refused --quiet
grep -q "remain" "$work/err.txt" || fail "refusal does not say what remains: $(cat "$work/err.txt")"
[ ! -e refused ] || [ -z "$(ls -A refused)" ] || fail "a refused release wrote files"

# Over the per-release cap (1.15 > 1.1): refused.
expect_code 4 "$privet" synthesize --config "$config" "${csv_override[@]}" --epsilon 1.15 \
  --purpose "over cap" --key keys/privet-signing.key --out refused2 --quiet
grep -q "cap" "$work/err.txt" || fail "cap refusal does not name the cap: $(cat "$work/err.txt")"
"$privet" budget show --dataset "$dataset" --json >show3.json
cmp -s <(json_field show.json 'd') <(json_field show3.json 'd') || fail "a refused request changed the ledger"

# A direct noisy marginal fits in what is left; it is charged, attested and verifiable.
first_attribute=$(head -1 release/synthetic.csv | cut -d, -f1)
"$privet" query marginal --config "$config" "${csv_override[@]}" --attrs "$first_attribute" \
  --epsilon 0.05 --purpose "e2e marginal" --key keys/privet-signing.key --out marginal --quiet >/dev/null
[ -s marginal/marginal.csv ] || fail "marginal.csv missing"
"$privet" verify marginal/attestation.dsse.json --key keys/privet-signing.pub --ledger "$PRIVET_LEDGER" >/dev/null
# A valid release that is not the sample's parent fails the link.
expect_code 5 "$privet" verify sampled/attestation.dsse.json --key keys/privet-signing.pub \
  --parent marginal/attestation.dsse.json
grep -q "parent-link" "$work/err.txt" || fail "a wrong parent was not caught: $(cat "$work/err.txt")"
"$privet" budget show --dataset "$dataset" --json >show4.json
python3 - show4.json <<'PY' || fail "the marginal was not charged"
import json, sys
d = json.load(open(sys.argv[1]))
ds = d["datasets"][0] if "datasets" in d else d
assert len(ds["releases"]) == 2, ds["releases"]
assert ds["spent"]["epsilon"] > 1.0, ds["spent"]
PY
"$privet" ledger verify >/dev/null

echo "release chain OK for $dataset"
