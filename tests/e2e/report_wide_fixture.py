#!/usr/bin/env python3
"""A deterministic 75-column table for the report's wide-layout browser test (no private data).

report_wide_fixture.py OUT_DIR writes OUT_DIR/config.json, real.csv (the release's input),
holdout.csv (rows withheld from it) and synthetic.csv (a stand-in "release": a third of it
copies real rows, the rest is drawn afresh, so the disclosure figures are non-trivial).

Columns: 30 integers with long names, 25 categoricals (one of 45 "countries", most of them
rare: under 1% each), 18 small codes, and the pair Diabetes / DiabetesAge, where DiabetesAge
is missing exactly when Diabetes is "No" (the near-copy nhanes has), for the leakage warning.
"""
import json
import os
import random
import sys

out = sys.argv[1]
rng = random.Random(16)
attributes, columns = [], []
for k in range(30):
    name = f"LabMeasurementNumber{k:02d}_Systolic"
    attributes.append({"name": name, "type": "integer", "min": 0, "max": 199, "bins": 10,
                       "nullable": False})
    columns.append(("int", name))
countries = [f"Country{c:02d}" for c in range(45)]
for k in range(25):
    name = f"Category{k:02d}"
    values = countries if k == 0 else [f"level_{v}" for v in range(4 + k % 5)]
    attributes.append({"name": name, "type": "categorical", "values": values,
                       "nullable": False, "out_of_domain": "error"})
    columns.append(("cat", name, values))
for k in range(18):
    name = f"Code{k:02d}"
    attributes.append({"name": name, "type": "categorical", "values": ["0", "1", "2"],
                       "nullable": False, "out_of_domain": "error"})
    columns.append(("cat", name, ["0", "1", "2"]))
attributes.append({"name": "Diabetes", "type": "categorical", "values": ["No", "Yes"],
                   "nullable": False, "out_of_domain": "error"})
attributes.append({"name": "DiabetesAge", "type": "integer", "min": 0, "max": 80, "bins": 8})
assert len(attributes) == 75

def row():
    base = rng.gauss(100, 25)  # shared factor: the integers correlate
    cells = []
    for column in columns:
        if column[0] == "int":
            cells.append(str(max(0, min(199, int(base + rng.gauss(0, 20))))))
        elif column[1] == "Category00":  # 80% in the first country, the rest spread thin
            cells.append(column[2][0] if rng.random() < 0.8 else rng.choice(column[2][1:]))
        else:
            cells.append(rng.choice(column[2]))
    diabetic = rng.random() < 0.1 + 0.2 * (base > 130)
    cells.append("Yes" if diabetic else "No")
    cells.append(str(rng.randint(20, 80)) if diabetic else "")
    return cells

header = [a["name"] for a in attributes]
real = [row() for _ in range(1200)]
holdout = [row() for _ in range(400)]
synthetic = [list(real[i]) if i % 3 == 0 else row() for i in range(1200)]

os.makedirs(out, exist_ok=True)
for name, rows in (("real.csv", real), ("holdout.csv", holdout), ("synthetic.csv", synthetic)):
    with open(os.path.join(out, name), "w") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(r) + "\n")
with open(os.path.join(out, "config.json"), "w") as f:
    json.dump({"schema_version": 1,
               "description": "generated 75-column fixture (tests/e2e/report_wide_fixture.py)",
               "dataset": {"id": "wide_fixture", "csv": "real.csv", "header": True,
                           "missing_tokens": [""]},
               "attributes": attributes}, f, indent=1)
