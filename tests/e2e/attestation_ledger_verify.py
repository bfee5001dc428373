#!/usr/bin/env python3
"""Checks a privet attestation against a privet budget ledger WITHOUT privet.

Standard library only (json, base64, hashlib, sqlite3), so an auditor can read every line.
Run attestation_openssl_verify.sh first: this script trusts the payload it reads, which is
only sound once the signature over it has verified.

Checks, as `privet verify --ledger` does (docs/auditor.md):
  - every ledger entry, from the first, links to the previous one and matches its hash:
      entry_hash = sha256(canonical JSON {"body": BODY, "previous_hash": PREVIOUS})
    where BODY is stored in canonical form (sorted keys, no whitespace), so the hashed bytes
    are '{"body":' + BODY + ',"previous_hash":"' + PREVIOUS + '"}';
  - the ledger's recorded head (meta table) is its last entry (nothing cut off the end);
  - the release's charge entry exists, has the entry hash the attestation signed, and records
    the same mechanism events, cost, cumulative spend and budget;
  - the head hash the attestation signed is an entry of the chain.

usage: attestation_ledger_verify.py ATTESTATION LEDGER.db
exit:  0 all checks pass; 1 a check failed; 2 usage.
"""
import base64
import hashlib
import json
import math
import sqlite3
import sys


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        envelope = json.load(handle)
    predicate = json.loads(base64.b64decode(envelope["payload"]))["predicate"]
    link = predicate.get("ledger")
    if link is None:
        print("FAILED: the attestation names no ledger entry (a model sample: check its parent)",
              file=sys.stderr)
        return 1
    # Opened read-only: an audit must not change the evidence.
    db = sqlite3.connect("file:" + argv[2] + "?mode=ro", uri=True)
    failures = []
    previous = "0" * 64
    expected_id = 1
    chain_hashes = set()
    charge = None
    for entry_id, body, previous_hash, entry_hash in db.execute(
            "SELECT entry_id, body, previous_hash, entry_hash FROM entries ORDER BY entry_id"):
        recomputed = hashlib.sha256(('{"body":' + body + ',"previous_hash":"' + previous_hash +
                                     '"}').encode("utf-8")).hexdigest()
        if entry_id != expected_id:
            failures.append(f"entry {expected_id} is missing: history was deleted")
            break
        if previous_hash != previous:
            failures.append(f"entry {entry_id} does not link to entry {entry_id - 1}")
            break
        if recomputed != entry_hash:
            failures.append(f"entry {entry_id} does not match its hash (edited)")
            break
        content = json.loads(body)
        if content.get("type") == "charge" and content.get("release_id") == link["release_id"]:
            charge = (content, entry_hash)
        chain_hashes.add(entry_hash)
        previous = entry_hash
        expected_id += 1
    meta = dict(db.execute("SELECT key, value FROM meta"))
    if not failures and meta.get("head_hash") != previous:
        failures.append("the ledger's recorded head is not its last entry: entries were cut off")
    if charge is None:
        failures.append(f"release {link['release_id']} has no intact charge entry in the ledger")
    else:
        content, entry_hash = charge
        if entry_hash != link["entry_hash"]:
            failures.append(f"entry hash {entry_hash} differs from the attested "
                            f"{link['entry_hash']}")
        if content["events"] != predicate["mechanisms"]:
            failures.append("the ledger's events differ from the attested mechanisms")
        for ours, theirs in (("cost", "cost"), ("cumulative", "cumulative_spend")):
            for field in ("epsilon", "delta"):
                if not close(content[ours][field], predicate[theirs][field]):
                    failures.append(f"{theirs}.{field} differs from the ledger")
        for field in ("epsilon", "delta"):
            if not close(content["budget"][field], predicate["budget"][field]):
                failures.append(f"budget.{field} differs from the ledger")
    if link["head_hash"] not in chain_hashes:
        failures.append("the attested head hash is not an intact entry of the ledger")
    for failure in failures:
        print("FAILED: " + failure, file=sys.stderr)
    if failures:
        return 1
    print(f"OK {link['release_id']}: entry hash, events and cost match; "
          f"{expected_id - 1} entries, hash chain intact")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
