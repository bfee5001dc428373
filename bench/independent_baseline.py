#!/usr/bin/python3
"""The independent-columns baseline of issue 12: every column drawn on its own from its 1-way
distribution, so every dependency is lost. A generator is worth using on a table only if its
2-way TVD is clearly below this.

  --epsilon E (the fair baseline): the 1-way histograms over each column's distinct values
  (the config's domain) are noised with the Gaussian mechanism at the same (E, delta) as the
  generator, the whole budget split evenly over the k histograms (zCDP: rho from (E, delta) by
  Bun-Steinke 2016 Prop. 1.3 inverted, each histogram L2 sensitivity 1 for adding or removing
  one row, sigma = sqrt(k / (2 rho))), clipped at 0 and normalised. Continuous Gaussian noise
  from numpy: a benchmark baseline, never a release.
  Without --epsilon: the exact real 1-way distributions (a lower bound for any independent
  model; not private).

Values are drawn by the same rounding as the sampler (each value gets floor or ceil of n p
rows, then a shuffle), so the baseline carries no sampling error of its own. The domain of
each column is the set of values the config declares (categorical) or the integers min..max;
"?" and empty cells are one more value. Not private: it reads the real table.

usage: independent_baseline.py REAL.csv OUT.csv --config C.json [--epsilon 1 --delta 1e-9]
                               [--seed 1]
"""
import argparse
import json
import math

import numpy as np
import pandas as pd


def rho_for(epsilon, delta):
    # epsilon = rho + 2 sqrt(rho log(1/delta)) solved for rho (Bun-Steinke 2016, Prop. 1.3).
    L = math.log(1 / delta)
    root = -math.sqrt(L) + math.sqrt(L + epsilon)
    return root * root


def domain(attribute, column):
    if attribute["type"] == "categorical":
        values = list(attribute["values"])
    elif attribute["type"] == "integer":
        values = [str(v) for v in range(int(attribute["min"]), int(attribute["max"]) + 1)]
    else:
        values = sorted(column.unique())
    for v in column.unique():  # missing tokens ("?", empty) are one more value
        if v not in values:
            values.append(v)
    return values


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("real")
    ap.add_argument("out")
    ap.add_argument("--config", required=True)
    ap.add_argument("--epsilon", type=float)
    ap.add_argument("--delta", type=float, default=1e-9)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    real = pd.read_csv(a.real, dtype=str, keep_default_na=False)
    with open(a.config) as f:
        attributes = {x["name"]: x for x in json.load(f)["attributes"] if x["type"] != "ignore"}
    columns = [c for c in real.columns if c in attributes]
    n = len(real)
    sigma = None
    if a.epsilon:
        sigma = math.sqrt(len(columns) / (2 * rho_for(a.epsilon, a.delta)))
    out = {}
    for c in columns:
        values = domain(attributes[c], real[c])
        counts = real[c].value_counts().reindex(values, fill_value=0).to_numpy(dtype=float)
        if sigma is not None:
            counts = np.maximum(0, counts + rng.normal(0, sigma, len(counts)))
        p = counts / counts.sum()
        expected = n * p
        take = np.floor(expected).astype(int)
        short = n - take.sum()
        if short > 0:
            extra = rng.choice(len(p), size=short, replace=False,
                               p=(expected - take) / (expected - take).sum())
            take[extra] += 1
        column = np.repeat(np.asarray(values, dtype=object), take)
        rng.shuffle(column)
        out[c] = column
    pd.DataFrame(out).to_csv(a.out, index=False)


if __name__ == "__main__":
    main()
