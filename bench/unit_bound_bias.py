#!/usr/bin/env python3
"""The unit bound's bias against its noise (issue 12, item 6): a measured example.

A synthetic readmission table where frequent patients have a higher outcome rate: 20,000
patients, visits per patient 1 (55%), 2 (20%), 3-4 (12%), 5-9 (9%), 10-30 (4%); a visit is
followed by a readmission with probability 0.08 + 0.03 (k - 1), at most 0.6, for a patient with
k visits. Bounding to m rows per patient keeps a random m of a frequent patient's visits, so
the row-level readmission rate shifts towards that of infrequent patients (bias); the noise of
a count grows with m (sensitivity m). For m = 1, 2, 5, 10 this script registers the table with
that bound on a test ledger and releases `privet query marginal --attrs readmitted` at the
given epsilon (pure mode: discrete Laplace, scale m / epsilon) RUNS times with seeds, and
reports the bias of the bounded rate (exact expectation over the random bounding, from the
generated table: no noise) and the spread of the released rate around it (measured on the
releases). It then runs `privet dataset unit-bound` at q = 0.9, 0.95, 0.99 (epsilon 0.1).

Usage: bench/unit_bound_bias.py BUILD_DIR [EPSILON [RUNS]]. Writes only under a temporary
folder; prints a Markdown table.
"""
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile


def make_table(path, rng):
    visits = []
    for pid in range(20000):
        u = rng.random()
        if u < 0.55:
            k = 1
        elif u < 0.75:
            k = 2
        elif u < 0.87:
            k = rng.randint(3, 4)
        elif u < 0.96:
            k = rng.randint(5, 9)
        else:
            k = rng.randint(10, 30)
        p = min(0.08 + 0.03 * (k - 1), 0.6)
        visits.append([(pid, 1 if rng.random() < p else 0) for _ in range(k)])
    with open(path, "w") as out:
        out.write("pid,readmitted\n")
        for patient in visits:
            for pid, y in patient:
                out.write(f"{pid},{'yes' if y else 'no'}\n")
    return visits


def bounded_rate(visits, m):
    """E[yes kept] / E[rows kept]: each patient keeps a uniform min(k, m) of its k rows."""
    yes = rows = 0.0
    for patient in visits:
        k = len(patient)
        kept = min(k, m)
        yes += kept / k * sum(y for _, y in patient)
        rows += kept
    return yes / rows, rows


def run(privet, *args, env):
    return subprocess.run([privet, *args], check=True, capture_output=True, text=True, env=env)


def main():
    build = sys.argv[1]
    epsilon = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    privet = os.path.abspath(os.path.join(build, "cli", "privet"))
    work = tempfile.mkdtemp(prefix="unit_bound_bias.")
    env = dict(os.environ, PRIVET_LEDGER=os.path.join(work, "ledger.db"))
    visits = make_table(os.path.join(work, "visits.csv"), random.Random(20261202))
    all_rows = sum(len(p) for p in visits)
    true_rate = sum(y for p in visits for _, y in p) / all_rows
    run(privet, "keygen", "--out", os.path.join(work, "keys"), env=env)
    run(privet, "ledger", "init", "--test-only", env=env)
    key = os.path.join(work, "keys", "privet-signing.key")
    print(f"{len(visits)} patients, {all_rows} visits, readmission rate over all visits "
          f"{true_rate:.4f}; epsilon {epsilon} per release, {runs} seeded releases per m\n")
    print("| m | rows kept (expected) | bounded rate (expected) | bias | spread of the released "
          "rate (measured sd: noise and the random choice of kept rows) | noise sd alone "
          "(predicted) | RMSE against the all-visits rate (measured) |")
    print("|---|---|---|---|---|---|---|")
    for m in (1, 2, 5, 10):
        dataset = f"visits_m{m}"
        config = {
            "schema_version": 1,
            "dataset": {"id": dataset, "csv": "visits.csv"},
            "privacy_unit": {"column": "pid", "max_rows_per_unit": m},
            "attributes": [
                {"name": "pid", "type": "ignore"},
                {"name": "readmitted", "type": "categorical", "values": ["no", "yes"],
                 "nullable": False}]}
        config_path = os.path.join(work, f"{dataset}.json")
        with open(config_path, "w") as out:
            json.dump(config, out)
        run(privet, "dataset", "register", "--config", config_path, "--epsilon", "1000000",
            "--delta", "1e-6", env=env)
        rate, kept = bounded_rate(visits, m)
        released = []
        for seed in range(1, runs + 1):
            out_dir = os.path.join(work, f"{dataset}_{seed}")
            run(privet, "query", "marginal", "--dataset", dataset, "--attrs", "readmitted",
                "--epsilon", str(epsilon), "--purpose", "bench", "--key", key, "--out", out_dir,
                "--seed", str(seed), "--quiet", env=env)
            with open(os.path.join(out_dir, "marginal.json")) as f:
                cells = {c["values"][0]: c["noisy_count"] for c in json.load(f)["cells"]}
            released.append(cells["yes"] / (cells["yes"] + cells["no"]))
        measured_sd = statistics.pstdev(x - rate for x in released)
        # Delta method: two independent discrete Laplace counts of scale b = m / epsilon
        # (variance ~ 2 b^2 each); rate = Y / (Y + N).
        b = m / epsilon
        predicted_sd = math.sqrt(2 * b * b * ((1 - rate) ** 2 + rate ** 2)) / kept
        rmse = math.sqrt(statistics.fmean((x - true_rate) ** 2 for x in released))
        print(f"| {m} | {kept:,.0f} | {rate:.4f} | {rate - true_rate:+.4f} | {measured_sd:.5f} | "
              f"{predicted_sd:.5f} | {rmse:.4f} |")
    print("\n`privet dataset unit-bound --quantile q --epsilon 0.1 --max-rows 100` on the same "
          "table (registered with m = 1; 10 seeds each):\n")
    counts = sorted(len(p) for p in visits)
    print("| q | true quantile (smallest m with at least q n patients) | share of patients "
          "with at most m - 1, m, m + 1 visits | released m (10 seeds) |")
    print("|---|---|---|---|")
    for q in (0.9, 0.95, 0.99):
        true_m = next(c for i, c in enumerate(counts, 1) if i >= q * len(counts))
        share = [sum(1 for c in counts if c <= m) / len(counts) for m in (true_m - 1, true_m,
                                                                          true_m + 1)]
        best_m = ", ".join(f"{x:.3f}" for x in share)
        got = []
        for seed in range(1, 11):
            out_dir = os.path.join(work, f"bound_{q}_{seed}")
            result = run(privet, "dataset", "unit-bound", "--dataset", "visits_m1", "--quantile",
                         str(q), "--epsilon", "0.1", "--max-rows", "100", "--purpose", "bench",
                         "--key", key, "--out", out_dir, "--seed", str(seed), "--json", "--quiet",
                         env=env)
            got.append(json.loads(result.stdout)["max_rows_per_unit"])
        print(f"| {q} | {true_m} | {best_m} | {', '.join(map(str, got))} |")
    print(f"\n(work folder {work})")


if __name__ == "__main__":
    main()
