#!/usr/bin/env python3
"""Checks the ledger tree part of a privet release attestation with the standard library and
openssl, as docs/attestation.md section 7 ("What a release's attestation lets an auditor
recompute") describes it. No ledger is needed.

    attestation_tree_verify.py PUBLIC_KEY.pem attestation.dsse.json

It decodes the DSSE payload (the envelope's own signature is `privet verify`'s and
attestation_openssl_verify.sh's job), then checks: the tree head's key id and Ed25519
signature; that SHA-256 of predicate.ledger.entry is predicate.ledger.entry_hash and the
entry is the attested charge (release id, entry id = tree size, dataset, events); and that the
inclusion proof takes SHA-256(0x00 || entry) to the head's root as its last leaf. One line per
check; exit 0 only if all passed. The RFC 9162 algorithms are tree_proofs_verify.py's.
"""
import base64
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tree_proofs_verify import inclusion_ok, key_id, signature_ok  # noqa: E402


def main():
    key_path, attestation_path = sys.argv[1], sys.argv[2]
    envelope = json.load(open(attestation_path))
    predicate = json.loads(base64.b64decode(envelope["payload"]))["predicate"]
    ledger = predicate["ledger"]
    head, proof, entry = ledger["tree_head"], ledger["inclusion_proof"], ledger["entry"]
    entry_bytes = entry.encode("utf-8")
    leaf = json.loads(entry)
    body = leaf["body"]
    checks = [
        ("tree head key id", head["key_id"] == key_id(open(key_path).read())),
        ("tree head signature", signature_ok(head, key_path)),
        ("entry hash", hashlib.sha256(entry_bytes).hexdigest() == ledger["entry_hash"]),
        ("entry is the attested charge",
         body["type"] == "charge" and body["release_id"] == ledger["release_id"] and
         body["entry_id"] == head["tree_size"] and
         body["dataset_id"] == predicate["dataset_id"] and
         body["events"] == predicate["mechanisms"]),
        ("inclusion in tree head",
         proof["tree_size"] == head["tree_size"] and
         proof["leaf_index"] == head["tree_size"] - 1 and
         inclusion_ok(proof["leaf_index"], proof["tree_size"],
                      hashlib.sha256(b"\x00" + entry_bytes).digest(),
                      [bytes.fromhex(h) for h in proof["hashes"]],
                      bytes.fromhex(head["root_hash"]))),
    ]
    for name, ok in checks:
        print(("OK     " if ok else "FAILED ") + name)
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
