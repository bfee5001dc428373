#!/usr/bin/env python3
"""Checks the nhanes config's formula columns on a CSV (synthetic or real), independently of
privet: BMI = round(10^4 Weight / Height^2, 2) clamped into [10, 80] and its BMI_WHO class;
BPSysAve / BPDiaAve = the mean of readings 2 and 3 present, else reading 1, rounded half up.
Also prints r(Weight, BMI), r(Height, BMI) and r(BPSys1, BPSysAve) (Pearson, rows with both).
Usage: bench/nhanes_formula_check.py FILE.csv
"""
import csv
import math
import sys


def number(text):
    return None if text in ("NA", "") else float(text)


def pearson(pairs):
    n = len(pairs)
    mx = sum(x for x, _ in pairs) / n
    my = sum(y for _, y in pairs) / n
    sxy = sum((x - mx) * (y - my) for x, y in pairs)
    sxx = sum((x - mx) ** 2 for x, _ in pairs)
    syy = sum((y - my) ** 2 for _, y in pairs)
    return sxy / math.sqrt(sxx * syy)


def main():
    rows = list(csv.DictReader(open(sys.argv[1])))
    bmi_checked = bmi_bad = who_bad = missing_bad = 0
    ave = {"BPSysAve": [0, 0], "BPDiaAve": [0, 0]}
    weight_bmi, height_bmi, sys_ave = [], [], []
    for r in rows:
        w, h, b = number(r["Weight"]), number(r["Height"]), number(r["BMI"])
        if w is None or h is None:
            missing_bad += b is not None
        else:
            expected = min(max(10000 * w / (h * h), 10), 80)
            bmi_checked += 1
            bmi_bad += b is None or abs(b - expected) > 0.005 + 1e-9
            if b is not None:
                who = ("12.0_18.5" if b < 18.5 else "18.5_to_24.9" if b < 25
                       else "25.0_to_29.9" if b < 30 else "30.0_plus")
                who_bad += r["BMI_WHO"] != who
                weight_bmi.append((w, b))
                height_bmi.append((h, b))
        for name, prefix in (("BPSysAve", "BPSys"), ("BPDiaAve", "BPDia")):
            readings = [number(r[prefix + i]) for i in "123"]
            present = [x for x in readings[1:] if x is not None] or \
                [x for x in readings[:1] if x is not None]
            value = number(r[name])
            if present:
                ave[name][0] += 1
                ave[name][1] += value is None or value != math.floor(sum(present) / len(present) + 0.5)
            else:
                ave[name][1] += value is not None
        if number(r["BPSys1"]) is not None and number(r["BPSysAve"]) is not None:
            sys_ave.append((number(r["BPSys1"]), number(r["BPSysAve"])))
    print(f"{len(rows)} rows; BMI: {bmi_checked} rows with weight and height, {bmi_bad} disagree "
          f"with 10^4 w/h^2, {who_bad} BMI_WHO classes disagree, {missing_bad} BMI present "
          f"without both inputs")
    for name, (checked, bad) in ave.items():
        print(f"{name}: {checked} rows with a reading, {bad} disagree with the mean rule")
    print(f"r(Weight, BMI) {pearson(weight_bmi):.3f}, r(Height, BMI) {pearson(height_bmi):.3f}, "
          f"r(BPSys1, BPSysAve) {pearson(sys_ave):.3f}")


if __name__ == "__main__":
    main()
