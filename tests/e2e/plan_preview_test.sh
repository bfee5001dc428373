#!/usr/bin/env bash
# Issue 16, item 1: `synthesize --plan` previews the budget. Through the real binary on the
# shipped covid_testing config:
#   - a plan over the per-release cap prints the plan and the verdict and exits 8 (not 0);
#   - a plan that fits prints the composed total after it, and the release then charged with
#     the same epsilon lands exactly on that total (the preview is the ledger's own rule);
#   - a plan whose composed total passes the budget exits 8, naming the total;
#   - a pure query reports delta 0 in its summary and its attestation, and verifies;
#   - `query marginal|correlation --plan` print their noise and the same preview, exit 8 when
#     the cap or the budget refuses, and a query's plan is charged exactly as previewed.
#   plan_preview_test.sh PRIVET SOURCE_DIR
set -euo pipefail
privet="$1"
config="$2/configs/covid_testing.json"
# shellcheck source=tests/e2e/shell_support.sh
source "$(dirname "${BASH_SOURCE[0]}")/shell_support.sh"
e2e_scratch
cd "$work"
export PRIVET_LEDGER="$work/ledger.db"


"$privet" keygen --out keys >/dev/null
export PRIVET_KEY="$work/keys/privet-signing.key"
"$privet" dataset register --config "$config" --epsilon 4 --delta 1e-6 \
  --per-release-epsilon 1.5 >/dev/null

# Over the cap: the plan is printed, the verdict names the cap, exit 8; nothing is charged.
expect_code 8 "$privet" synthesize --dataset covid_testing --epsilon 2 --plan
grep -q "REFUSED: this release needs epsilon 2 but the per-release cap is 1.5" out.txt ||
  fail "the plan does not name the cap: $(cat out.txt)"
grep -q "privet synthesize plan" out.txt || fail "the plan itself was not printed"
grep -q "would be refused" err.txt || fail "no refusal line on stderr: $(cat err.txt)"
expect_code 8 "$privet" synthesize --dataset covid_testing --epsilon 2 --plan --json
python3 - out.txt <<'PY' || fail "JSON preview of the cap refusal"
import json, sys
b = json.load(open(sys.argv[1]))["budget"]
assert b["decision"] == "refused" and b["refused_by"] == "per_release_cap", b
assert b["spent_before"]["epsilon"] == 0 and b["budget"]["per_release_epsilon"] == 1.5, b
PY

# Queries plan the same way: over the cap, exit 8 naming the cap, in text and JSON.
expect_code 8 "$privet" query correlation --dataset covid_testing --attrs pan_day,col_rec_tat \
  --epsilon 2 --plan
grep -q "privet query correlation plan (gaussian mode)" out.txt || fail "no query plan: $(cat out.txt)"
grep -q "REFUSED: this release needs epsilon 2 but the per-release cap is 1.5" out.txt ||
  fail "the query plan does not name the cap: $(cat out.txt)"
expect_code 8 "$privet" query marginal --dataset covid_testing --attrs result --epsilon 2 \
  --plan --json
python3 - out.txt <<'PY' || fail "JSON preview of the query's cap refusal"
import json, sys
p = json.load(open(sys.argv[1]))
assert p["budget"]["refused_by"] == "per_release_cap", p["budget"]
assert p["event"]["mechanism"] == "laplace" and p["noise"]["mechanism"] == "discrete_laplace", p
PY
# The plan of the marginal charged next: accepted, at the total the charge then reaches.
"$privet" query marginal --dataset covid_testing --attrs result --epsilon 1.4 --mode pure \
  --plan --json >marginal_plan.json
"$privet" query marginal --dataset covid_testing --attrs result --epsilon 1.4 --mode pure \
  --plan >marginal_plan.txt
grep -q "noise: discrete Laplace, scale 2.14" marginal_plan.txt ||  # m / epsilon = 3 / 1.4
  fail "the marginal plan does not name its noise: $(cat marginal_plan.txt)"
grep -q "accepted" marginal_plan.txt || fail "no verdict: $(cat marginal_plan.txt)"

# A pure marginal first: delta 0 in the summary and in the attestation.
"$privet" query marginal --dataset covid_testing --attrs result --epsilon 1.4 --mode pure \
  --purpose "plan e2e" --out marginal --quiet --json >marginal.json
python3 - marginal.json marginal/attestation.dsse.json marginal_plan.json <<'PY' ||
  fail "pure release delta, or the query's preview disagrees with its charge"
import base64, json, sys
s = json.load(open(sys.argv[1]))
b = json.load(open(sys.argv[3]))["budget"]
assert b["decision"] == "accepted" and b["this_release"]["delta"] == 0, b
assert abs(b["total_after"]["epsilon"] - s["dataset"]["spent"]["epsilon"]) < 1e-9, (b, s)
assert s["release"]["delta"] == 0 and abs(s["release"]["epsilon"] - 1.4) < 1e-5, s["release"]
assert s["dataset"]["spent"]["delta"] == 0, s["dataset"]
p = json.loads(base64.b64decode(json.load(open(sys.argv[2]))["payload"]))["predicate"]
assert p["cost"]["delta"] == 0, p["cost"]
assert p["remaining"]["delta"] == 1e-6, p["remaining"]
PY
"$privet" verify marginal/attestation.dsse.json --key keys/privet-signing.pub \
  --ledger "$PRIVET_LEDGER" >/dev/null || fail "the pure release does not verify"
"$privet" query marginal --dataset covid_testing --attrs result --epsilon 0.3 \
  --purpose "plan e2e" --out marginal2 --quiet >summary.txt
grep -q "spent: epsilon 0.3, delta 0$" summary.txt || fail "pure summary: $(cat summary.txt)"

# A plan that fits: remaining is about 4 - 1.7 = 2.3 (the exact sampler rounds each epsilon a
# hair down); the preview names the composed total, and the
# release at the same epsilon is charged exactly that.
"$privet" synthesize --dataset covid_testing --epsilon 1.5 --plan --json >plan.json
"$privet" synthesize --dataset covid_testing --epsilon 1.5 --plan >plan.txt
grep -q "total after release: epsilon" plan.txt || fail "no composed total: $(cat plan.txt)"
grep -q "accepted" plan.txt || fail "no verdict: $(cat plan.txt)"
"$privet" synthesize --dataset covid_testing --epsilon 1.5 --purpose "plan e2e" --out synth \
  --quiet --json >synth.json
python3 - plan.json synth.json <<'PY' || fail "the preview disagrees with the charge"
import json, sys
b = json.load(open(sys.argv[1]))["budget"]
s = json.load(open(sys.argv[2]))
assert b["decision"] == "accepted", b
assert abs(b["spent_before"]["epsilon"] - 1.7) < 1e-5, b
assert abs(b["total_after"]["epsilon"] - s["dataset"]["spent"]["epsilon"]) < 1e-9, (b, s)
assert abs(b["remaining_after"] - s["dataset"]["remaining_epsilon"]) < 1e-9, (b, s)
assert b["total_after"]["epsilon"] < 1.7 + 1.5, b  # composed, not added
PY

# Over the budget (a second deployment, budget 2, no cap): after a pure 1.2, a plan at 1.5
# composes past 2; exit 8, the verdict names what remains and the JSON the composed total.
export PRIVET_LEDGER="$work/ledger2.db"
"$privet" dataset register --config "$config" --epsilon 2 --delta 1e-6 >/dev/null
"$privet" query marginal --dataset covid_testing --attrs result --epsilon 1.2 \
  --purpose "plan e2e" --out marginal3 --quiet >/dev/null
expect_code 8 "$privet" synthesize --dataset covid_testing --epsilon 1.5 --plan
grep -Eq "REFUSED: this release needs epsilon 1.5 but only 0.8(0000[0-9]*)? of 2 remains" out.txt ||
  fail "budget refusal: $(cat out.txt)"
expect_code 8 "$privet" synthesize --dataset covid_testing --epsilon 1.5 --plan --json
python3 - out.txt <<'PY' || fail "JSON preview of the budget refusal"
import json, sys
b = json.load(open(sys.argv[1]))["budget"]
assert b["refused_by"] == "budget" and b["total_after"]["epsilon"] > 2, b
PY
expect_code 8 "$privet" query marginal --dataset covid_testing --attrs result,gender \
  --epsilon 1.5 --plan --json
python3 - out.txt <<'PY' || fail "JSON preview of the query's budget refusal"
import json, sys
b = json.load(open(sys.argv[1]))["budget"]
assert b["refused_by"] == "budget" and b["total_after"]["epsilon"] > 2, b
PY
# A dry run without any ledger still plans (no budget to check), exit 0.
PRIVET_LEDGER="$work/none.db" "$privet" synthesize --config "$config" --epsilon 2 --delta 1e-6 \
  --plan >dry.txt || fail "a dry run without a ledger failed"
grep -q "no ledger budget" dry.txt || fail "the dry run does not say it checked no budget"
echo "plan preview: ok"
