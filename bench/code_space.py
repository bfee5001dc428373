#!/usr/bin/python3
"""Maps a CSV to the codes of a privet config (the bins and categories it declares).

usage: code_space.py CONFIG IN.csv OUT.csv

Issue 12 compares privet with MST "in code space": both tables coded the same way, then scored
by fidelity.py with --all-categorical. This is that coding, from the config alone (pandas only,
independent of the engine), so a real and a synthetic table coded by it are compared cell for
cell on the config's own domains:
  - integer / continuous with `bins`: clamp into [min, max], then the bin of docs/config.md
    (integer: bin b starts at min + floor(b * n / bins), n = max - min + 1; continuous: equal
    width, the maximum in the last bin); with `edges`: edges[b] <= v < edges[b+1], the last bin
    holding the last edge; an integer without either: one code per integer;
  - categorical: the index of the value in `values` (surrounding spaces ignored); a value
    outside them goes to `catch_all` when declared, else to missing;
  - missing (empty, NA): the code "NA";
  - `ignore` columns are dropped (nhanes' ID), as the engine never models them.
Codes are written as text ("b3", "c1", "NA"), so fidelity.py reads every column as a category.
"""
import json
import sys

import numpy as np
import pandas as pd


def numeric_codes(spec, column):
    values = pd.to_numeric(column, errors="coerce")
    missing = values.isna()
    if "edges" in spec:
        edges = np.array(spec["edges"], dtype=float)
        lo, hi = edges[0], edges[-1]
        v = values.clip(lo, hi).to_numpy()
        codes = np.searchsorted(edges, v, side="right") - 1
        codes = np.minimum(codes, len(edges) - 2)
    elif "bins" in spec:
        lo, hi, bins = float(spec["min"]), float(spec["max"]), int(spec["bins"])
        v = values.clip(lo, hi).to_numpy()
        if spec["type"] == "integer":
            n = int(hi - lo + 1)
            starts = np.array([lo + (b * n) // bins for b in range(bins)], dtype=float)
            codes = np.searchsorted(starts, np.round(v), side="right") - 1
        else:
            codes = np.floor((v - lo) / (hi - lo) * bins)
            codes = np.minimum(codes, bins - 1)
    else:
        lo, hi = float(spec["min"]), float(spec["max"])
        codes = np.round(values.clip(lo, hi).to_numpy()) - lo
    out = pd.Series(["b%d" % c if not np.isnan(c) else "NA" for c in np.asarray(codes, float)],
                    index=column.index)
    out[missing] = "NA"
    return out


def categorical_codes(spec, column):
    index = {str(v).strip(): i for i, v in enumerate(spec["values"])}
    fallback = index.get(str(spec.get("catch_all", "")).strip())

    def code(v):
        if pd.isna(v):
            return "NA"
        i = index.get(str(v).strip(), fallback)
        return "NA" if i is None else "c%d" % i

    return column.map(code)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    config = json.load(open(sys.argv[1]))
    table = pd.read_csv(sys.argv[2], dtype=str, keep_default_na=False)
    table = table.replace({"": np.nan, "NA": np.nan})
    coded = {}
    for spec in config["attributes"]:
        name, kind = spec["name"], spec["type"]
        if kind == "ignore" or name not in table.columns:
            continue
        if kind == "categorical":
            coded[name] = categorical_codes(spec, table[name])
        elif kind in ("integer", "continuous"):
            coded[name] = numeric_codes(spec, table[name])
        else:
            sys.exit(f"code_space.py: type {kind!r} of {name!r} is not handled")
    pd.DataFrame(coded).to_csv(sys.argv[3], index=False)


if __name__ == "__main__":
    main()
