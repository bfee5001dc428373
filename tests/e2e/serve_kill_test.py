"""issue 11's fault test: `kill -9` of `privet serve` while requests run, 20 times at random
moments, and after each restart:
  - no partial release is downloadable: every request that is not released answers
    409 not_released for its files; every released one serves whole files whose SHA-256 are the
    attestation's subjects (and, at the end, `privet verify` accepts each);
  - every interrupted request is failed with code `interrupted` and one incident naming it; if
    it had charged, the charge stands in the ledger (never removed, never charged twice: each
    request's purpose is unique and appears in at most one charge entry);
  - the ledger's hash chain verifies (the service refuses to start otherwise, and
    GET /v1/ledger/verify says so).
The delays come from a seeded PRNG whose seed is printed, so a failure can be replayed:
    PRIVET_FAULT_SEED=<seed> python3 serve_kill_test.py PRIVET SOURCE_DIR
Each kill comes a random delay (at most MAX_DELAY_SECONDS) after a request of the round was
seen running. Run time: tens of seconds (small releases: syntheses of 300 rows, grown 4-fold
after a round whose kill interrupted nothing, and marginals).
"""

import base64
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_support import Deployment, Server, sha256_hex  # noqa: E402

ROUNDS = 20
# The kill comes this long, at most, after a request of the round was first seen running.
MAX_DELAY_SECONDS = 0.3
FINAL = ("released", "failed", "denied")


def subjects(attestation_bytes):
    """The attestation's subjects: file name -> sha256 (DSSE payload = in-toto Statement)."""
    envelope = json.loads(attestation_bytes)
    statement = json.loads(base64.b64decode(envelope["payload"]))
    return {s["name"]: s["digest"]["sha256"] for s in statement["subject"]}


def check_downloads(server, token, requests):
    """Each request given: released ones serve whole files, others serve nothing."""
    for rid in requests:
        status, record = server.json("GET", "/v1/requests/" + rid, token, expect=200)
        if record["state"] == "released":
            status, _, attestation = server.call(
                "GET", f"/v1/requests/{rid}/files/attestation.dsse.json", token)
            assert status == 200, (rid, status)
            digests = subjects(attestation)
            assert sorted(digests) == sorted(record["files"][:-1]), (rid, record["files"])
            for name, digest in digests.items():
                status, _, content = server.call("GET", f"/v1/requests/{rid}/files/{name}", token)
                assert status == 200 and sha256_hex(content) == digest, (rid, name, status)
        else:
            for name in ("attestation.dsse.json", "marginal.csv", "synthetic.csv"):
                status, _, content = server.call("GET", f"/v1/requests/{rid}/files/{name}", token)
                assert status == 409 and b"not_released" in content, (rid, record["state"],
                                                                      name, status)


def main():
    privet, source_dir = sys.argv[1], sys.argv[2]
    seed = int(os.environ.get("PRIVET_FAULT_SEED", str(random.SystemRandom().getrandbits(32))))
    print(f"fault test seed {seed} (replay: PRIVET_FAULT_SEED={seed})", flush=True)
    rng = random.Random(seed)
    deployment = Deployment(privet, source_dir,
                            {"rita": "researcher", "olivia": "officer"},
                            server={"auto_approve_epsilon": 1, "workers": 2},
                            # Every interrupted request is an open incident; the failure lock
                            # (3 by default) would refuse the rest of the test's requests.
                            register=("100", "1e-6", "--max-failures", "1000"))
    rita, olivia = deployment.tokens["rita"], deployment.tokens["olivia"]
    purposes = {}  # request id -> its unique purpose
    interrupted_total = 0
    released_seen = set()
    # Synthetic rows per synthesize request. A 300-row release can finish within milliseconds on
    # an idle machine, before any kill lands; a round whose kill interrupted nothing new makes the
    # next round's releases 4 times larger (up to 500,000 rows), so kills keep meeting running
    # requests whatever the machine's speed.
    rows = 300
    try:
        server = Server(deployment)
        for round_number in range(1, ROUNDS + 1):
            for index, (kind, options) in enumerate([
                    ("synthesize", {"rows": rows, "mode": "pure"}),
                    ("marginal", {"attributes": ["gender", "result"]}),
                    ("synthesize", {"rows": rows, "mode": "pure"})]):
                purpose = f"fault round {round_number} request {index}"
                _, record = server.json("POST", "/v1/requests", rita, {
                    "dataset": "covid_testing", "kind": kind, "epsilon": 0.1,
                    "purpose": purpose, "options": options}, expect=202)
                purposes[record["id"]] = purpose
            delay = rng.uniform(0, MAX_DELAY_SECONDS)
            # Until a worker has one, or none is left to run (a hang guard, not a timing check).
            for _ in range(2000):
                _, running = server.json("GET", "/v1/requests?state=running", olivia, expect=200)
                if running["requests"]:
                    break
                _, waiting = server.json("GET", "/v1/requests?state=approved", olivia, expect=200)
                if not waiting["requests"]:
                    break
                time.sleep(0.01)
            time.sleep(delay)
            _, running = server.json("GET", "/v1/requests?state=running", olivia, expect=200)
            running_before = {r["id"] for r in running["requests"]}
            assert server.kill() == -9
            server = Server(deployment)  # Start verifies the ledger and the access log
            _, incidents = server.json("GET", "/v1/incidents", olivia, expect=200)
            _, failed = server.json("GET", "/v1/requests?state=failed", olivia, expect=200)
            interrupted = {r["id"] for r in failed["requests"]
                           if r["error"] and r["error"]["code"] == "interrupted"}
            # A request seen running shortly before the kill is interrupted now, or had
            # finished (released, or failed for its own reason) before the kill.
            for rid in running_before - interrupted:
                _, record = server.json("GET", "/v1/requests/" + rid, olivia, expect=200)
                assert record["state"] in ("released", "failed"), record
            for rid in interrupted:
                naming = [i for i in incidents["incidents"] if rid in i["detail"]]
                assert len(naming) == 1, (rid, naming)
            if len(interrupted) == interrupted_total:
                rows = min(rows * 4, 500_000)
            interrupted_total = len(interrupted)
            _, verified = server.json("GET", "/v1/ledger/verify", olivia, expect=200)
            assert verified["ledger"]["ok"] and verified["access_log"]["ok"], verified
            # This round's requests and every one not yet released (the others were checked
            # when they were released, and a release's files never change).
            unfinished = [rid for rid in purposes if rid not in released_seen]
            check_downloads(server, rita, unfinished)
            released_seen.update(
                rid for rid in unfinished
                if server.json("GET", "/v1/requests/" + rid, rita)[1]["state"] == "released")
            print(f"round {round_number}: kill {delay:.3f} s after a request ran; next rows {rows}; "
                  "interrupted so far "
                  f"{len(interrupted)}; ledger {verified['ledger']['entries_checked']} entries "
                  "intact", flush=True)

        # Let what was approved but not yet started run, then check the whole history.
        records = {}
        for rid in purposes:
            for _ in range(6000):
                _, record = server.json("GET", "/v1/requests/" + rid, rita, expect=200)
                if record["state"] in FINAL:
                    break
                time.sleep(0.05)
            assert record["state"] in FINAL, record
            records[rid] = record
        check_downloads(server, rita, [rid for rid in purposes if rid not in released_seen])
        _, export = server.json("GET", "/v1/ledger/export", olivia, expect=200)
        entries = [e["body"] for e in export["entries"]]
        charges = [e for e in entries if e["type"] == "charge"]
        charged_purposes = [e["purpose"] for e in charges]
        assert len(charged_purposes) == len(set(charged_purposes)), "a request charged twice"
        outcomes = {e["release_id"]: e["status"] for e in entries if e["type"] == "outcome"}
        by_purpose = {e["purpose"]: e for e in charges}
        kept_charges = 0
        for rid, purpose in purposes.items():
            record = records[rid]
            if record["state"] == "released":
                charge = by_purpose[purpose]  # a release without its charge is a failure
                assert record["release_id"] == charge["release_id"], (record, charge)
                assert outcomes.get(charge["release_id"]) == "released", charge["release_id"]
                assert charge["approved_by"] == "policy", charge
            elif record["error"]["code"] == "interrupted" and purpose in by_purpose:
                kept_charges += 1  # charged before the kill: the spend stands
        assert interrupted_total > 0, "no kill hit a running request: raise MAX_DELAY_SECONDS"
        # Every charge belongs to one of this test's requests, and the dataset's spend is the
        # composition of all of them as the last charge recorded it (nothing interrupted was
        # refunded: a refund would lower the spend below that).
        assert set(charged_purposes) <= set(purposes.values())
        _, datasets = server.json("GET", "/v1/datasets", olivia, expect=200)
        spent = datasets["datasets"][0]["spent_epsilon"]
        last = max(charges, key=lambda e: int(e["release_id"].split("-")[1]))
        assert abs(spent - last["cumulative"]["epsilon"]) < 1e-9, (spent, last["cumulative"])
        released = [rid for rid in purposes if records[rid]["state"] == "released"]
        public_key = os.path.join(deployment.root, "downloaded.pub")
        with open(public_key, "wb") as handle:
            handle.write(server.call("GET", "/v1/public-key", rita)[2])
        for rid in released:
            folder = os.path.join(deployment.root, "downloaded", rid)
            os.makedirs(folder)
            for name in records[rid]["files"]:
                with open(os.path.join(folder, name), "wb") as handle:
                    handle.write(server.call("GET", f"/v1/requests/{rid}/files/{name}", rita)[2])
            deployment.run("verify", os.path.join(folder, "attestation.dsse.json"),
                           "--key", public_key)
        assert server.stop() == 0
        deployment.run("ledger", "verify", "--ledger", deployment.ledger)
        print(f"PASS: {ROUNDS} kills, {len(purposes)} requests: {len(released)} released and "
              f"verified, {interrupted_total} interrupted ({kept_charges} of them charged, "
              f"charge kept), {len(charges)} charges, spent epsilon {spent:.4f}, ledger intact")
    except BaseException:
        print(f"FAILED with seed {seed}; the deployment is kept at {deployment.root}",
              flush=True)
        try:
            server.kill()
        except Exception:  # noqa: BLE001 - already stopped
            pass
        raise
    deployment.cleanup()


if __name__ == "__main__":
    main()
