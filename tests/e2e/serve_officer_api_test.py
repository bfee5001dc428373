"""The officer's routes of `privet serve` added for issue 11 (docs/api.md), through a real
service: registering a dataset from a config placed in the deployment's configs/ folder (and
nothing else), setting a budget once, the approving officer in the ledger's charge entry,
access-log pages, and a multi-megabyte release streamed whole.
    python3 serve_officer_api_test.py PRIVET SOURCE_DIR
"""

import base64
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_support import Deployment, Server  # noqa: E402


def error_code(server, method, path, token, body=None):
    status, parsed = server.json(method, path, token, body)
    return status, (parsed or {}).get("error", {}).get("code")


def main():
    privet, source_dir = sys.argv[1], sys.argv[2]
    deployment = Deployment(privet, source_dir, {"olivia": "officer", "rita": "researcher"},
                            register=None)
    olivia, rita = deployment.tokens["olivia"], deployment.tokens["rita"]
    root = deployment.root
    shipped = os.path.join(source_dir, "configs", "covid_testing.json")
    with open(shipped, encoding="utf-8") as handle:
        config = json.load(handle)
    data = os.path.normpath(os.path.join(source_dir, "configs", config["dataset"]["csv"]))
    config["dataset"]["csv"] = data
    os.makedirs(os.path.join(root, "configs"))
    with open(os.path.join(root, "configs", "covid_testing.json"), "w", encoding="utf-8") as f:
        json.dump(config, f)
    # A second dataset on the same data, registered without a budget first.
    second = json.loads(json.dumps(config))
    second["dataset"]["id"] = "covid_second"
    with open(os.path.join(root, "configs", "covid_second.json"), "w", encoding="utf-8") as f:
        json.dump(second, f)
    # A config outside the folder, linked into it: never followed.
    outside = os.path.join(root, "outside.json")
    with open(outside, "w", encoding="utf-8") as f:
        json.dump(second, f)
    os.symlink(outside, os.path.join(root, "configs", "linked.json"))
    # A config whose data has a bad row: the officer gets release/'s full message.
    bad_csv = os.path.join(root, "bad.csv")
    with open(data, encoding="utf-8") as source, open(bad_csv, "w", encoding="utf-8") as out:
        lines = source.read().splitlines()
        out.write("\n".join(lines[:5] + [lines[5] + ",extra,fields"]) + "\n")
    bad = json.loads(json.dumps(config))
    bad["dataset"]["id"] = "covid_bad"
    bad["dataset"]["csv"] = bad_csv
    with open(os.path.join(root, "configs", "bad.json"), "w", encoding="utf-8") as f:
        json.dump(bad, f)

    server = Server(deployment)
    try:
        _, configs = server.json("GET", "/v1/configs", olivia, expect=200)
        names = [c["name"] for c in configs["configs"]]
        assert names == ["bad.json", "covid_second.json", "covid_testing.json"], names
        assert server.json("GET", "/v1/configs", rita)[0] == 403

        # Names only, from the folder's own listing: paths, links and researchers are refused.
        for name in ("../outside.json", outside, "linked.json", "covid_testing", "",
                     "configs/covid_testing.json"):
            status, code = error_code(server, "POST", "/v1/datasets", olivia, {"config": name})
            assert (status, code) == (404, "not_found"), (name, status, code)
        assert error_code(server, "POST", "/v1/datasets", rita,
                          {"config": "covid_testing.json"}) == (403, "forbidden")
        assert error_code(server, "POST", "/v1/datasets", olivia,
                          {"config": "covid_testing.json", "path": "/etc"}) == \
            (400, "unknown_field")
        # The budget checks of `privet dataset register`.
        for budget, field in (({"epsilon": 2, "delta": 1e-6, "per_release_epsilon": 3},
                               "per_release_epsilon"),
                              ({"epsilon": -1, "delta": 1e-6}, "epsilon"),
                              ({"epsilon": 1, "delta": 1}, "delta"),
                              ({"epsilon": 1}, "delta")):
            status, parsed = server.json("POST", "/v1/datasets", olivia,
                                         dict(config="covid_testing.json", **budget))
            assert status == 400 and field in parsed["error"]["message"], (budget, parsed)
        status, parsed = server.json("POST", "/v1/datasets", olivia, {"config": "bad.json"})
        assert status == 400 and parsed["error"]["code"] == "invalid_request", parsed
        assert "bad.csv" in parsed["error"]["message"], parsed  # the officer's full message
        _, datasets = server.json("GET", "/v1/datasets", olivia, expect=200)
        assert datasets["datasets"] == [], "no refused registration left anything behind"

        _, registered = server.json("POST", "/v1/datasets", olivia, {
            "config": "covid_testing.json", "epsilon": 3, "delta": 1e-6,
            "per_release_epsilon": 2, "max_failures": 5}, expect=201)
        assert registered["registration"]["registered_by"] == "olivia", registered
        assert registered["dataset"]["budget"]["per_release_epsilon"] == 2
        assert registered["dataset"]["remaining_epsilon"] == 3
        # Budgets are set once.
        assert error_code(server, "PUT", "/v1/datasets/covid_testing/budget", olivia,
                          {"epsilon": 5, "delta": 1e-6}) == (409, "conflict")
        # The budget first (`privet budget init`), then the registration without one.
        _, budgeted = server.json("PUT", "/v1/datasets/covid_second/budget", olivia,
                                  {"epsilon": 1, "delta": 1e-6}, expect=201)
        assert budgeted["registered"] is False and budgeted["budget"]["epsilon"] == 1
        _, second_reg = server.json("POST", "/v1/datasets", olivia,
                                    {"config": "covid_second.json"}, expect=201)
        assert second_reg["dataset"]["registered"] is True, second_reg
        assert error_code(server, "PUT", "/v1/datasets/covid_second/budget", olivia,
                          {"epsilon": 2, "delta": 1e-6}) == (409, "conflict")
        assert error_code(server, "PUT", "/v1/datasets/covid_second/budget", rita,
                          {"epsilon": 1, "delta": 1e-6}) == (403, "forbidden")
        # The CLI sees what the API wrote.
        shown = deployment.run("budget", "show", "--dataset", "covid_second", "--ledger",
                               deployment.ledger)
        assert "epsilon 1, delta 1e-06" in shown, shown

        # One request approved by the officer, one by the policy: both named in the ledger.
        ids = {}
        for epsilon, label in ((1.0, "officer"), (0.25, "policy")):
            _, record = server.json("POST", "/v1/requests", rita, {
                "dataset": "covid_testing", "kind": "marginal", "epsilon": epsilon,
                "purpose": "approval " + label, "options": {"attributes": ["result"]}},
                expect=202)
            ids[label] = record["id"]
        server.json("POST", f"/v1/requests/{ids['officer']}/approve", olivia, {}, expect=200)
        # A large synthetic table: streamed, and whole (its digest is the attestation's).
        _, big = server.json("POST", "/v1/requests", rita, {
            "dataset": "covid_testing", "kind": "synthesize", "epsilon": 0.5,
            "purpose": "a large table", "options": {"rows": 200000, "mode": "pure"}},
            expect=202)
        ids["big"] = big["id"]
        records = {}
        for label, rid in ids.items():
            for _ in range(6000):
                _, record = server.json("GET", "/v1/requests/" + rid, rita, expect=200)
                if record["state"] in ("released", "failed"):
                    break
                time.sleep(0.1)
            assert record["state"] == "released", record
            records[label] = record
        _, export = server.json("GET", "/v1/ledger/export", olivia, expect=200)
        charges = {e["body"]["release_id"]: e["body"] for e in export["entries"]
                   if e["body"]["type"] == "charge"}
        assert charges[records["officer"]["release_id"]]["approved_by"] == "olivia"
        assert charges[records["policy"]["release_id"]]["approved_by"] == "policy"
        # The charge entry's approver is in the attestation's embedded entry and verifies.
        status, headers, attestation = server.call(
            "GET", f"/v1/requests/{ids['officer']}/files/attestation.dsse.json", rita)
        assert status == 200
        statement = json.loads(base64.b64decode(json.loads(attestation)["payload"]))
        assert "olivia" in json.dumps(statement["predicate"]), "approver in the attested entry"
        folder = os.path.join(root, "download")
        os.makedirs(folder)
        for label in ("officer", "big"):
            rid = ids[label]
            sub = os.path.join(folder, label)
            os.makedirs(sub)
            for name in records[label]["files"]:
                status, headers, content = server.call(
                    "GET", f"/v1/requests/{rid}/files/{name}", rita)
                assert status == 200 and int(headers["content-length"]) == len(content)
                with open(os.path.join(sub, name), "wb") as f:
                    f.write(content)
        with open(os.path.join(folder, "key.pub"), "wb") as f:
            f.write(server.call("GET", "/v1/public-key", rita)[2])
        for label in ("officer", "big"):
            deployment.run("verify", os.path.join(folder, label, "attestation.dsse.json"),
                           "--key", os.path.join(folder, "key.pub"), "--ledger",
                           deployment.ledger)
        big_csv = os.path.join(folder, "big", "synthetic.csv")
        size = os.path.getsize(big_csv)
        assert size > 4 * 1024 * 1024, size  # several 64 KiB chunks at least
        print(f"streamed {size} bytes of synthetic.csv whole (privet verify accepts it)")

        # Access-log pages: contiguous, complete, bounded.
        _, first = server.json("GET", "/v1/access-log?limit=7", olivia, expect=200)
        total = first["total"]
        assert len(first["lines"]) == 7 and first["next_after"] == 7, first["next_after"]
        seen, after = [], 0
        while after is not None:
            _, page = server.json("GET", f"/v1/access-log?after={after}&limit=9", olivia,
                                  expect=200)
            assert len(page["lines"]) <= 9
            seen += [line["seq"] for line in page["lines"]]
            after = page["next_after"]
        assert seen[:total] == list(range(1, total + 1)), seen[:20]
        _, empty = server.json("GET", f"/v1/access-log?after={10 ** 9}", olivia, expect=200)
        assert empty["lines"] == [] and empty["next_after"] is None
        for query in ("limit=0", "limit=10001", "after=-1", "limit=abc", "after=1e3"):
            assert error_code(server, "GET", "/v1/access-log?" + query, olivia) == \
                (400, "invalid_field"), query
        assert server.stop() == 0
        print(f"PASS: registration, budgets, approvers in the ledger, {total}+ access-log "
              "lines paged")
    except BaseException:
        print(f"FAILED; the deployment is kept at {root}", flush=True)
        server.kill()
        raise
    deployment.cleanup()


if __name__ == "__main__":
    main()
