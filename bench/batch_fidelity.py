#!/usr/bin/python3
"""fidelity.py's metrics for several synthetic tables against one real table, faster.

usage: batch_fidelity.py REAL SYNTH... [--target COL] [--all-categorical] [--ways 1,2,3]

Imports /work/shared/tools/fidelity.py (FIDELITY env var to override) and uses its own
functions: load, column_kinds, discretize, dependence, correlation_error and ml_efficacy with
its 80/20 split and seeds, and the same seeded choice of at most 400 attribute sets per k. Only
the k-way TVDs are computed differently: on integer codes with numpy bincounts instead of
pandas groupby (the same numbers, to rounding). The real side is discretized once per
synthetic file (the bins are the real table's quantiles, so they do not depend on the synthetic
table). One JSON object per synthetic file, one per line, with fidelity.py's key names.
"""
import importlib.util
import itertools
import json
import os
import random
import sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
path = os.environ.get("FIDELITY", os.path.join(here, "..", "..", "shared", "tools", "fidelity.py"))
spec = importlib.util.spec_from_file_location("fidelity", path)
fidelity = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fidelity)


def cell_index(R, S, cols):
    """Joint cell ids of R's and S's rows over cols (codes shifted to be >= 0)."""
    ir = np.zeros(len(R), dtype=np.int64)
    is_ = np.zeros(len(S), dtype=np.int64)
    for c in cols:
        r, s = R[c].to_numpy(np.int64), S[c].to_numpy(np.int64)
        lo = min(r.min(), s.min())
        width = max(r.max(), s.max()) - lo + 1
        ir = ir * width + (r - lo)
        is_ = is_ * width + (s - lo)
    return ir, is_


def tvd(R, S, cols):
    ir, is_ = cell_index(R, S, cols)
    keys, inverse = np.unique(np.concatenate([ir, is_]), return_inverse=True)
    pr = np.bincount(inverse[: len(ir)], minlength=len(keys)) / len(R)
    ps = np.bincount(inverse[len(ir):], minlength=len(keys)) / len(S)
    return 0.5 * float(np.abs(pr - ps).sum())


def marginal_errors(R, S, ways, max_sets=400, seed=0):
    # fidelity.marginal_errors with the same set sampling; dependence from fidelity.py itself.
    out = {}
    rng = random.Random(seed)
    for k in ways:
        sets = list(itertools.combinations(R.columns, k))
        if len(sets) > max_sets:
            sets = rng.sample(sets, max_sets)
        errs = np.array([tvd(R, S, c) for c in sets])
        out[f"tvd_{k}way_mean"] = float(errs.mean())
        out[f"tvd_{k}way_max"] = float(errs.max())
        if k == 2:
            dep = np.array([fidelity.dependence(R, a, b) for a, b in sets])
            top = dep >= np.quantile(dep, 0.9)
            out["tvd_2way_topdep_mean"] = float(errs[top].mean())
    return out


def main():
    args = sys.argv[1:]
    target = None
    ways = [1, 2, 3]
    all_categorical = False
    files = []
    i = 0
    while i < len(args):
        if args[i] == "--target":
            target = args[i + 1]
            i += 2
        elif args[i] == "--ways":
            ways = [int(w) for w in args[i + 1].split(",")]
            i += 2
        elif args[i] == "--all-categorical":
            all_categorical = True
            i += 1
        else:
            files.append(args[i])
            i += 1
    if len(files) < 2:
        sys.exit(__doc__)
    real = fidelity.load(files[0])
    kinds = fidelity.column_kinds(real, all_categorical)
    for synth_path in files[1:]:
        synth = fidelity.load(synth_path)
        R, S = fidelity.discretize(real, synth, kinds, 16)
        res = {"file": synth_path}
        res.update(marginal_errors(R, S, ways))
        res.update(fidelity.correlation_error(real, synth, kinds))
        if target:
            idx = np.random.RandomState(0).permutation(len(R))
            cut = int(0.8 * len(R))
            res.update(fidelity.ml_efficacy(R.iloc[idx[:cut]], S, R.iloc[idx[cut:]], target))
        print(json.dumps(res))


if __name__ == "__main__":
    main()
