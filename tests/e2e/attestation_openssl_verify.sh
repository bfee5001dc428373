#!/usr/bin/env bash
# Verifies a privet attestation's signature WITHOUT privet: python3's standard library only
# reads the two JSON strings, coreutils decode base64, printf rebuilds the DSSE PAE bytes,
# and the openssl CLI checks the Ed25519 signature. This is the auditor's independent check
# (docs/auditor.md, "Without privet"); the e2e tests run it on attestations privet wrote.
#
# It then checks each subject's SHA-256 against the file of that name beside the attestation
# (sha256sum), since a valid signature over the wrong files proves nothing.
#
# usage: attestation_openssl_verify.sh ATTESTATION PUBLIC_KEY.pem
# exit:  0 signature valid, signed by PUBLIC_KEY, every subject file present and unchanged;
#        1 otherwise; 2 usage or missing tools.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 ATTESTATION PUBLIC_KEY.pem" >&2
  exit 2
fi
attestation=$1
public_key=$2
for tool in python3 openssl base64 sha256sum; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. The fields, as they stand in the envelope (no interpretation beyond JSON strings).
python3 - "$attestation" "$work" <<'PY'
import json, sys
envelope = json.load(open(sys.argv[1], encoding="utf-8"))
out = sys.argv[2]
open(out + "/payload.b64", "w").write(envelope["payload"])
open(out + "/type.txt", "w").write(envelope["payloadType"])
signature = envelope["signatures"][0]
open(out + "/keyid.txt", "w").write(signature["keyid"])
open(out + "/sig.b64", "w").write(signature["sig"])
PY

base64 -d "$work/payload.b64" >"$work/payload.bin"
base64 -d "$work/sig.b64" >"$work/sig.bin"
payload_type=$(cat "$work/type.txt")

# 2. The key id is the SHA-256 of the public key's DER SubjectPublicKeyInfo.
key_id=$(openssl pkey -pubin -in "$public_key" -outform DER | sha256sum | cut -d' ' -f1)
if [[ "$key_id" != "$(cat "$work/keyid.txt")" ]]; then
  echo "FAILED: the envelope names key $(cat "$work/keyid.txt"), the given key is $key_id" >&2
  exit 1
fi

# 3. PAE = "DSSEv1" SP len(type) SP type SP len(payload) SP payload (lengths in bytes).
type_bytes=$(printf '%s' "$payload_type" | wc -c)
payload_bytes=$(wc -c <"$work/payload.bin")
printf 'DSSEv1 %d %s %d ' "$type_bytes" "$payload_type" "$payload_bytes" >"$work/pae.bin"
cat "$work/payload.bin" >>"$work/pae.bin"

# 4. Ed25519 over the PAE bytes (pure Ed25519: -rawin, no pre-hash).
if ! openssl pkeyutl -verify -pubin -inkey "$public_key" -rawin -in "$work/pae.bin" \
     -sigfile "$work/sig.bin" >/dev/null 2>&1; then
  echo "FAILED: the Ed25519 signature does not verify over the PAE bytes" >&2
  exit 1
fi
echo "Signature Verified Successfully (key $key_id, payloadType $payload_type)"

# 5. Only now is the payload trusted: list its subjects and compare each file's SHA-256.
python3 - "$work/payload.bin" >"$work/subjects.txt" <<'PY'
import json, sys
statement = json.load(open(sys.argv[1], encoding="utf-8"))
for subject in statement["subject"]:
    print(subject["digest"]["sha256"], subject["name"])
PY
status=0
directory=$(dirname "$attestation")
while read -r digest name; do
  if [[ ! -f "$directory/$name" ]]; then
    echo "FAILED: subject $name is missing beside the attestation" >&2
    status=1
    continue
  fi
  actual=$(sha256sum <"$directory/$name" | cut -d' ' -f1)
  if [[ "$actual" == "$digest" ]]; then
    echo "OK $name sha256 $digest"
  else
    echo "FAILED: $name has sha256 $actual, the attestation signed $digest" >&2
    status=1
  fi
done <"$work/subjects.txt"
exit $status
