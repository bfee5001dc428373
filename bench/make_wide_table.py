#!/usr/bin/python3
"""Writes the 1,000,000 x 50 benchmark table and its config (bench/configs/wide_1m.json).

Columns w00..w49: even columns categorical (10 values "a0".."a9"), odd columns integers in
[0, 99]. Dependencies: w00 uniform; w{j} is a noisy function of w{j-1} (and of w{j-2} for every
third column), so the table has a chain-with-shortcuts Bayesian network the generator should
find. Deterministic for a seed.

usage: make_wide_table.py OUT.csv [--rows 1000000] [--seed 1] [--config-out C.json]
"""
import argparse, json, os
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--rows", type=int, default=1_000_000)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--config-out", help="where to write the config (default bench/configs/wide_1m.json)")
a = ap.parse_args()
rng = np.random.default_rng(a.seed)
n, k = a.rows, 50
latent = np.zeros((n, k), dtype=np.int64)  # categorical: 0..9, integer: 0..99
latent[:, 0] = rng.integers(0, 10, n)
for j in range(1, k):
    prev = latent[:, j - 1]
    prev10 = prev if (j - 1) % 2 == 0 else prev // 10
    if j % 3 == 0 and j >= 2:
        p2 = latent[:, j - 2]
        prev10 = (prev10 + (p2 if (j - 2) % 2 == 0 else p2 // 10)) % 10
    keep = rng.random(n) < 0.7
    if j % 2 == 0:
        latent[:, j] = np.where(keep, prev10, rng.integers(0, 10, n))
    else:
        base = prev10 * 10 + rng.integers(0, 10, n)
        latent[:, j] = np.where(keep, base, rng.integers(0, 100, n))
cols = {}
for j in range(k):
    name = "w%02d" % j
    cols[name] = np.char.add("a", latent[:, j].astype(str)) if j % 2 == 0 else latent[:, j].astype(str)
with open(a.out, "w") as f:
    f.write(",".join(cols) + "\n")
    chunk = 100_000
    for s in range(0, n, chunk):
        block = np.stack([cols[c][s:s + chunk] for c in cols], axis=1)
        f.write("\n".join(",".join(r) for r in block) + "\n")
attrs = []
for j in range(k):
    name = "w%02d" % j
    if j % 2 == 0:
        attrs.append({"name": name, "type": "categorical", "nullable": False,
                      "values": ["a%d" % v for v in range(10)]})
    else:
        attrs.append({"name": name, "type": "integer", "nullable": False, "min": 0, "max": 99})
config = {"schema_version": 1,
          "description": "Generated 1,000,000 x 50 benchmark table (bench/make_wide_table.py).",
          "dataset": {"id": "wide_1m", "csv": os.path.abspath(a.out), "delimiter": ",",
                      "header": True},
          # The row count is public here (generated): with it the plan judges the pairs, which
          # it leaves out above 20 attributes without an estimate (docs/generator.md step 8).
          "expected_rows": n,
          "attributes": attrs}
here = os.path.dirname(os.path.abspath(__file__))
with open(a.config_out or os.path.join(here, "configs", "wide_1m.json"), "w") as f:
    json.dump(config, f, indent=1)
