#!/usr/bin/env python3
"""Checks privet signed tree heads and Merkle proofs with the standard library and openssl.

    tree_proofs_verify.py PUBLIC_KEY.pem BUNDLE.json

BUNDLE.json (the worked example of docs/attestation.md, "Signed tree heads and proofs"):
  {"leaf_entry_hex": HEX,            the entry's bytes; its leaf hash is SHA-256(0x00 || bytes)
   "older_head": HEAD, "newer_head": HEAD,
   "inclusion_proof": {"leaf_index", "tree_size", "hashes"},     of the entry in newer_head
   "consistency_proof": {"old_size", "new_size", "hashes"}}      from older_head to newer_head
HEAD = {"tree_size", "root_hash", "time", "key_id", "signature"} (signature: base64 Ed25519).

It checks each head's key id (SHA-256 of the key's DER) and signature (openssl pkeyutl over
the signed bytes), the inclusion proof (RFC 9162 section 2.1.3.2) and the consistency proof
(section 2.1.4.2), prints one line per check, and exits 0 only if every check passed.
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def signed_bytes(head):
    return ("privet-signed-tree-head:v1\ntree_size: %d\nroot_hash: %s\ntime: %s\n"
            % (head["tree_size"], head["root_hash"], head["time"])).encode("ascii")


def key_id(pem_text):
    body = "".join(line for line in pem_text.splitlines() if "-----" not in line)
    return hashlib.sha256(base64.b64decode(body)).hexdigest()


def signature_ok(head, key_path):
    with tempfile.TemporaryDirectory() as tmp:
        message, signature = os.path.join(tmp, "head.txt"), os.path.join(tmp, "head.sig")
        open(message, "wb").write(signed_bytes(head))
        open(signature, "wb").write(base64.b64decode(head["signature"]))
        run = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", key_path,
                              "-rawin", "-in", message, "-sigfile", signature],
                             capture_output=True)
        return run.returncode == 0


def inclusion_ok(leaf_index, tree_size, leaf_hash, proof, root):
    # RFC 9162 section 2.1.3.2.
    if leaf_index >= tree_size:
        return False
    fn, sn, r = leaf_index, tree_size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def consistency_ok(old_size, new_size, old_root, new_root, proof):
    # RFC 9162 section 2.1.4.2 (0 < old_size < new_size), and the trivial edges.
    if old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    if not proof:
        return False
    if old_size & (old_size - 1) == 0:
        proof = [old_root] + proof
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root


def main():
    key_path, bundle_path = sys.argv[1], sys.argv[2]
    bundle = json.load(open(bundle_path))
    expected_key_id = key_id(open(key_path).read())
    checks = []
    for name in ("older_head", "newer_head"):
        head = bundle[name]
        checks.append((name + " key id", head["key_id"] == expected_key_id))
        checks.append((name + " signature", signature_ok(head, key_path)))
    older, newer = bundle["older_head"], bundle["newer_head"]
    leaf_hash = hashlib.sha256(b"\x00" + bytes.fromhex(bundle["leaf_entry_hex"])).digest()
    inclusion = bundle["inclusion_proof"]
    checks.append(("inclusion in newer_head",
                   inclusion["tree_size"] == newer["tree_size"] and
                   inclusion_ok(inclusion["leaf_index"], inclusion["tree_size"], leaf_hash,
                                [bytes.fromhex(h) for h in inclusion["hashes"]],
                                bytes.fromhex(newer["root_hash"]))))
    consistency = bundle["consistency_proof"]
    checks.append(("consistency older_head -> newer_head",
                   consistency["old_size"] == older["tree_size"] and
                   consistency["new_size"] == newer["tree_size"] and
                   consistency_ok(older["tree_size"], newer["tree_size"],
                                  bytes.fromhex(older["root_hash"]),
                                  bytes.fromhex(newer["root_hash"]),
                                  [bytes.fromhex(h) for h in consistency["hashes"]])))
    for name, ok in checks:
        print(("OK     " if ok else "FAILED ") + name)
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
