#!/usr/bin/env bash
# The worked example of docs/attestation.md, "Signed tree heads and proofs", checked by the
# standard-library script an auditor would use (tests/e2e/tree_proofs_verify.py, with the
# openssl CLI for Ed25519): the genuine example passes, and each tampered copy fails.
#   tree_proofs_doc_test.sh SOURCE_DIR
set -euo pipefail
source_dir="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

python3 - "$source_dir/docs/attestation.md" "$work" <<'PY'
import sys
doc = open(sys.argv[1]).read()
def block(marker):
    start = doc.index("```\n", doc.index(marker)) + 4
    return doc[start:doc.index("```", start)]
open(sys.argv[2] + "/key.pub", "w").write(block("<!-- example-tree-public-key -->"))
open(sys.argv[2] + "/bundle.json", "w").write(block("<!-- example-tree-proofs -->"))
PY
script="$source_dir/tests/e2e/tree_proofs_verify.py"
python3 "$script" "$work/key.pub" "$work/bundle.json" >"$work/out.txt" ||
  { cat "$work/out.txt" >&2; fail "the documented example does not verify"; }
[ "$(grep -c '^OK ' "$work/out.txt")" -eq 6 ] || fail "expected 6 passed checks"

# Each tampering must fail the named check.
tamper() {  # tamper PYTHON-EDIT EXPECTED-FAILED-LINE
  python3 - "$work/bundle.json" "$work/bad.json" "$1" <<'PY'
import json, sys
bundle = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(bundle, open(sys.argv[2], "w"))
PY
  if python3 "$script" "$work/key.pub" "$work/bad.json" >"$work/out.txt"; then
    fail "tampered copy verified: $1"
  fi
  grep -qF "FAILED $2" "$work/out.txt" || { cat "$work/out.txt" >&2; fail "no 'FAILED $2': $1"; }
}
flip() { echo "h = $1; $1 = ('1' if h[0] == '0' else '0') + h[1:]"; }
tamper 'bundle["newer_head"]["tree_size"] += 1' "newer_head signature"
tamper "$(flip 'bundle["older_head"]["root_hash"]')" "older_head signature"
tamper 'bundle["newer_head"]["time"] = "2026-12-02T09:00:01Z"' "newer_head signature"
tamper "$(flip 'bundle["inclusion_proof"]["hashes"][1]')" "inclusion in newer_head"
tamper 'bundle["inclusion_proof"]["leaf_index"] = 4' "inclusion in newer_head"
tamper 'bundle["leaf_entry_hex"] = "40414244"' "inclusion in newer_head"
tamper 'bundle["inclusion_proof"]["hashes"].pop()' "inclusion in newer_head"
tamper "$(flip 'bundle["consistency_proof"]["hashes"][0]')" "consistency older_head -> newer_head"
tamper 'bundle["consistency_proof"]["hashes"].append(bundle["newer_head"]["root_hash"])' \
  "consistency older_head -> newer_head"
tamper 'bundle["older_head"]["key_id"] = "0" * 64' "older_head key id"
echo "tree proofs doc example: all checks passed"
