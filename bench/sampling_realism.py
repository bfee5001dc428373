#!/usr/bin/python3
"""Row-level realism of a synthetic table against the real one (issue 12, "What to build" 3).

usage: sampling_realism.py REAL SYNTH [--json]

Independent of privet (pandas only). Counts, for the columns the table has:
  - nhanes (Age, Education, Height): people under 18 with a college degree, children under 10
    taller than 170 cm;
  - adult raw (age, education): people under 22 with a Masters, Doctorate or Prof-school degree,
    under 18 with a Bachelors or above;
  - for the age column: the share of the most common age (real and synthetic), how many of the
    real table's distinct ages occur in the synthetic one, and the spikiness of the age
    histogram: the mean absolute second difference of the per-age shares (a smooth histogram
    has a small one), real and synthetic;
  - every table: categories present in the real table that never appear in the synthetic one,
    over the columns both tables have with at most 60 distinct real values (integers included,
    continuous columns left out: their synthetic values are drawn inside bins).
The comparison reads the real table, so its output is for the officer, not for release.
"""
import json
import sys

import pandas as pd


def age_profile(column):
    ages = pd.to_numeric(column, errors="coerce").dropna().round().astype(int)
    share = ages.value_counts(normalize=True).sort_index()
    full = share.reindex(range(ages.min(), ages.max() + 1), fill_value=0.0)
    second = (full.shift(-1) - 2 * full + full.shift(1)).abs().dropna()
    return ages, share, float(second.mean())


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        sys.exit(__doc__)
    real = pd.read_csv(args[0], low_memory=False)
    synth = pd.read_csv(args[1], low_memory=False)
    out = {}
    if {"Age", "Education", "Height"} <= set(synth.columns):
        age = pd.to_numeric(synth["Age"], errors="coerce")
        height = pd.to_numeric(synth["Height"], errors="coerce")
        out["under18_college_grad"] = int(((age < 18) & (synth["Education"] == "College Grad")).sum())
        out["under10_taller_170"] = int(((age < 10) & (height > 170)).sum())
        rage = pd.to_numeric(real["Age"], errors="coerce")
        out["real_under18_college_grad"] = int(((rage < 18) & (real["Education"] == "College Grad")).sum())
        out["real_under10_taller_170"] = int(((rage < 10) & (pd.to_numeric(real["Height"], errors="coerce") > 170)).sum())
        out["r_age_height"] = round(float(age.corr(height)), 3)
        out["real_r_age_height"] = round(float(rage.corr(pd.to_numeric(real["Height"], errors="coerce"))), 3)
        age_col = "Age"
    elif {"age", "education"} <= set(synth.columns):
        grad = synth["education"].astype(str).str.strip().isin(["Masters", "Doctorate", "Prof-school"])
        college = grad | synth["education"].astype(str).str.strip().eq("Bachelors")
        age = pd.to_numeric(synth["age"], errors="coerce")
        out["under22_graduate_degree"] = int(((age < 22) & grad).sum())
        out["under18_bachelors_or_above"] = int(((age < 18) & college).sum())
        rgrad = real["education"].astype(str).str.strip().isin(["Masters", "Doctorate", "Prof-school"])
        out["real_under22_graduate_degree"] = int(((pd.to_numeric(real["age"]) < 22) & rgrad).sum())
        age_col = "age"
    else:
        age_col = None
    if age_col:
        rages, rshare, rspike = age_profile(real[age_col])
        sages, sshare, sspike = age_profile(synth[age_col])
        out["top_age_share"] = round(float(sshare.max()), 4)
        out["top_age"] = int(sshare.idxmax())
        out["real_top_age_share"] = round(float(rshare.max()), 4)
        out["ages_occurring"] = int(len(set(rages.unique()) & set(sages.unique())))
        out["real_ages"] = int(rages.nunique())
        out["age_spikiness"] = round(sspike, 5)
        out["real_age_spikiness"] = round(rspike, 5)
    missing, considered = [], 0
    for col in real.columns:
        if col not in synth.columns:
            continue
        present_real = real[col].dropna()
        numeric = pd.to_numeric(present_real, errors="coerce")
        if len(numeric) and numeric.notna().all() and (numeric % 1 != 0).any():
            continue  # a continuous column: synthetic values are drawn inside bins
        values = set(real[col].dropna().astype(str).str.strip())
        if not values or len(values) > 60:
            continue
        present = set(synth[col].dropna().astype(str).str.strip())
        # Numbers may be written as 3 or 3.0: compare as numbers where both parse.
        def norm(v):
            try:
                return repr(float(v))
            except ValueError:
                return v
        present = {norm(v) for v in present}
        considered += len(values)
        missing += [f"{col}={v}" for v in sorted(values) if norm(v) not in present]
    out["real_categories"] = considered
    out["categories_missing"] = len(missing)
    out["categories_missing_list"] = missing[:40]
    if "--json" in sys.argv:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k}: {v}")


if __name__ == "__main__":
    main()
