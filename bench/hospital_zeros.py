#!/usr/bin/python3
"""Counts the row-level failures of a synthetic hospital table that TVDs hide (issue 12):

  - structural zeros broken: rows with diabetesMed = "No" and some drug not "No"; with
    diabetesMed = "No" and change = "Ch"; discharged to hospice or death (ids 11, 13, 14, 19,
    20, 21) and readmitted (bench/make_hospital_table.py makes all three impossible);
  - invented parent configurations (with --model): for each family of the model's network, the
    synthetic rows whose parents' groups (the model's compression) form a configuration that no
    real row has; "rows_unseen_any" counts the rows with at least one such family.

The real table is read here to compare: the output is for the data holder, never a release.

usage: hospital_zeros.py REAL.csv SYNTH.csv --config C.json [--model model.json] [--json]
"""
import argparse
import json

import numpy as np
import pandas as pd

DRUGS = ["metformin", "repaglinide", "nateglinide", "chlorpropamide", "glimepiride",
         "acetohexamide", "glipizide", "glyburide", "tolbutamide", "pioglitazone",
         "rosiglitazone", "acarbose", "miglitol", "troglitazone", "tolazamide", "examide",
         "citoglipton", "insulin", "glyburide-metformin", "glipizide-metformin",
         "glimepiride-pioglitazone", "metformin-rosiglitazone", "metformin-pioglitazone"]
NO_RETURN = ["11", "13", "14", "19", "20", "21"]
MISSING = {"", "?", "NA", "N/A", "NaN", "NULL", "null", "."}


def structural(d):
    drugs = [c for c in DRUGS if c in d.columns]
    drug_given = (d[drugs] != "No").any(axis=1)
    no_med = d["diabetesMed"] == "No"
    return {
        "rows": int(len(d)),
        "no_med_with_drug": int((no_med & drug_given).sum()),
        "no_med_with_change": int((no_med & (d["change"] == "Ch")).sum()),
        "no_return_readmitted": int((d["discharge_disposition_id"].isin(NO_RETURN) &
                                     (d["readmitted"] != "NO")).sum()),
    }


def codes(series, attribute):
    """The engine's codes of one column (docs/config.md): categories in their declared order,
    integers by bin, missing last."""
    values = series.to_numpy()
    missing = np.isin(values, list(MISSING))
    kind = attribute["type"]
    if kind == "categorical":
        index = {v: i for i, v in enumerate(attribute["values"])}
        n_values = len(attribute["values"])
        out = np.array([index.get(v, n_values) for v in values])
    elif kind == "integer":
        if "edges" in attribute:
            lower = np.asarray(attribute["edges"][:-1], dtype=float)
        else:
            lo, hi = attribute["min"], attribute["max"]
            count = hi - lo + 1
            bins = attribute.get("bins", count)
            lower = np.array([lo + (b * count) // bins for b in range(bins)], dtype=float)
        n_values = len(lower)
        numbers = pd.to_numeric(pd.Series(np.where(missing, "nan", values)), errors="coerce")
        numbers = numbers.clip(lower[0], None).to_numpy()
        out = np.searchsorted(lower, numbers, side="right") - 1
        out = np.clip(out, 0, n_values - 1)
    else:
        raise SystemExit("hospital_zeros.py: unsupported attribute type " + kind)
    return np.where(missing, n_values, out)


def unseen_configurations(real, synth, config, model):
    attributes = {a["name"]: a for a in config["attributes"] if a["type"] != "ignore"}
    groups = {}
    for entry in model["attributes"]:
        group_of_code = np.asarray(entry["group_of_code"])
        name = entry["name"]
        groups[name] = (group_of_code[codes(real[name], attributes[name])],
                        group_of_code[codes(synth[name], attributes[name])])
    any_unseen = np.zeros(len(synth), dtype=bool)
    per_family = []
    for entry in model["network"]:
        parents = entry["parents"]
        if not parents:
            continue
        real_keys = set(zip(*[groups[p][0] for p in parents]))
        synth_keys = list(zip(*[groups[p][1] for p in parents]))
        unseen = np.array([key not in real_keys for key in synth_keys])
        any_unseen |= unseen
        per_family.append({"attribute": entry["attribute"], "parents": parents,
                           "rows_unseen": int(unseen.sum())})
    per_family.sort(key=lambda f: -f["rows_unseen"])
    return {"rows_unseen_any": int(any_unseen.sum()),
            "rows_unseen_sum": int(sum(f["rows_unseen"] for f in per_family)),
            "families_with_unseen": int(sum(f["rows_unseen"] > 0 for f in per_family)),
            "worst_families": per_family[:5]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("real")
    ap.add_argument("synth")
    ap.add_argument("--config", required=True)
    ap.add_argument("--model")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    read = dict(dtype=str, keep_default_na=False)
    real, synth = pd.read_csv(a.real, **read), pd.read_csv(a.synth, **read)
    with open(a.config) as f:
        config = json.load(f)
    out = {"real": structural(real), "synthetic": structural(synth)}
    if a.model:
        with open(a.model) as f:
            out["configurations"] = unseen_configurations(real, synth, config, json.load(f))
    if a.json:
        print(json.dumps(out))
    else:
        print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
