#!/usr/bin/python3
"""Writes a ~100,000 x 48 hospital-encounter table shaped like the public description of the
UCI "Diabetes 130-US hospitals for years 1999-2008" data (Strack et al., BioMed Research
International 2014, article 781670): the 50 published columns without the two identifiers
(encounter_id, patient_nbr).

THIS IS A PROXY, NOT DATA. The column names, value sets and rough 1-way frequencies follow the
paper's tables and the data set's public documentation; every dependency between columns is
invented here (a latent severity, age effects, an emergency path, a diabetes-treatment model)
so that the table has the structure the issue names for the held-out hospital table:
  - a wide medical_specialty (72 values and missing, many with a few dozen rows) and three
    diagnosis chapters (18 values) that depend on age, admission path and each other;
  - 23 drug columns with No/Steady/Up/Down, where diabetesMed = "No" forces every drug to "No"
    (a structural zero), diabetesMed = "Yes" means at least one drug is not "No", and change
    = "Ch" whenever a drug went Up or Down (plus some switches), never when diabetesMed = "No";
  - near-constant columns (weight 97% missing; examide and citoglipton always "No"; several
    drugs with a handful of non-"No" rows);
  - discharge to hospice or death (ids 11, 13, 14, 19, 20, 21) never readmitted;
  - readmitted (NO, >30, <30) as the outcome, driven by prior visits, discharge, age and time.
Deterministic for a seed (numpy default_rng).

usage: make_hospital_table.py OUT.csv [--rows 100000] [--seed 12]
"""
import argparse
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--rows", type=int, default=100_000)
ap.add_argument("--seed", type=int, default=12)
a = ap.parse_args()
rng = np.random.default_rng(a.seed)
n = a.rows


def pick(values, probs, size=None):
    p = np.asarray(probs, dtype=float)
    return rng.choice(np.asarray(values, dtype=object), size=n if size is None else size,
                      p=p / p.sum())


def pick_rows(values, prob_rows):
    """One draw per row from row-specific probabilities (n x len(values))."""
    p = prob_rows / prob_rows.sum(axis=1, keepdims=True)
    u = rng.random(len(p))[:, None]
    idx = (p.cumsum(axis=1) < u).sum(axis=1)
    return np.asarray(values, dtype=object)[np.minimum(idx, len(values) - 1)]


cols = {}
# Demographics.
cols["race"] = pick(["Caucasian", "AfricanAmerican", "?", "Hispanic", "Other", "Asian"],
                    [76.5, 18.9, 2.2, 2.0, 1.5, 0.6])
cols["gender"] = pick(["Female", "Male", "Unknown/Invalid"], [53.76, 46.23, 0.01])
age_labels = ["[%d-%d)" % (10 * i, 10 * i + 10) for i in range(10)]
age_i = rng.choice(10, n, p=np.array([0.2, 0.7, 1.6, 3.7, 9.5, 17.0, 22.1, 25.6, 16.9, 2.7]) / 100)
cols["age"] = np.asarray(age_labels, dtype=object)[age_i]
old = age_i >= 6
cols["weight"] = np.where(rng.random(n) < 0.969, "?",
                          pick(["[0-25)", "[25-50)", "[50-75)", "[75-100)", "[100-125)",
                                "[125-150)", "[150-175)", "[175-200)", ">200"],
                               [1, 3, 30, 42, 20, 5, 1, 0.5, 0.2]))
severity = rng.normal(0, 1, n) + 0.15 * (age_i - 6)

# Admission path: emergency room (source 7) mostly with type 1 (emergency).
er = rng.random(n) < 0.565
cols["admission_source_id"] = np.where(
    er, "7", pick(["1", "17", "4", "6", "2", "5", "3", "20", "9", "8", "22", "10", "14", "11",
                   "25", "13"],
                  [66, 15.4, 7.1, 5.1, 2.5, 1.9, 0.5, 0.4, 0.3, 0.04, 0.03, 0.02, 0.01, 0.01,
                   0.01, 0.01]))
cols["admission_type_id"] = np.where(
    er, pick(["1", "2", "3", "5", "6"], [88, 7, 1, 2, 2]),
    pick(["1", "2", "3", "5", "6", "8", "7", "4"], [10, 32, 42, 8, 7, 0.7, 0.05, 0.03]))
cols["time_in_hospital"] = np.clip(np.round(np.exp(1.25 + 0.35 * severity +
                                                   0.45 * rng.normal(0, 1, n))), 1, 14
                                   ).astype(int)
tih = cols["time_in_hospital"]

# Diagnosis chapters (ICD-9 chapters, with diabetes 250.xx apart as the paper groups them).
chapters = ["Circulatory", "Respiratory", "Digestive", "Diabetes", "Injury", "Musculoskeletal",
            "Genitourinary", "Neoplasms", "Infectious", "Mental", "Nervous", "Skin", "Blood",
            "Endocrine-other", "Symptoms", "Pregnancy", "Congenital", "Supplementary"]
base = np.array([30, 14, 9, 8.6, 7, 5, 5, 3.4, 2.7, 2.2, 1.3, 2.5, 1.1, 2.9, 7.4, 0.7, 0.1, 1.6])
age_tilt = np.zeros((10, len(chapters)))
age_tilt[:, 0] = np.linspace(-2.0, 0.6, 10)   # circulatory rises with age
age_tilt[:, 3] = np.linspace(1.6, -0.3, 10)   # young diabetics admitted for diabetes itself
age_tilt[:, 4] = np.linspace(0.8, 0.2, 10)
age_tilt[:, 9] = np.linspace(0.9, -0.4, 10)
age_tilt[:, 15] = np.where(np.arange(10) < 5, 1.5, -6)  # pregnancy only under 50
p1 = base[None, :] * np.exp(age_tilt[age_i])
p1[:, 4] *= np.where(er, 1.6, 0.5)
p1[:, 15] *= np.where(cols["gender"] == "Female", 1, 0)
cols["diag_1"] = pick_rows(chapters, p1)
d1 = np.array([chapters.index(c) for c in cols["diag_1"]])
for name, stay, diab in (("diag_2", 0.35, 2.2), ("diag_3", 0.25, 2.6)):
    p = np.tile(base, (n, 1)) * np.exp(age_tilt[age_i])
    p[:, 3] *= diab
    p[:, 15] *= np.where(cols["gender"] == "Female", 1, 0)
    same = rng.random(n) < stay
    drawn = pick_rows(chapters, p)
    cols[name] = np.where(same, cols["diag_1"], drawn)
    cols[name] = np.where(rng.random(n) < (0.004 if name == "diag_2" else 0.014), "?", cols[name])

# Medical specialty: 72 named values (plus "?" for unknown, 49%), depending on the path and
# the primary diagnosis; most are rare.
specialties = [
    "InternalMedicine", "Emergency/Trauma", "Family/GeneralPractice", "Cardiology",
    "Surgery-General", "Nephrology", "Orthopedics", "Orthopedics-Reconstructive", "Radiologist",
    "Pulmonology", "Psychiatry", "Urology", "ObstetricsandGynecology",
    "Surgery-Cardiovascular/Thoracic", "Gastroenterology", "Surgery-Vascular", "Surgery-Neuro",
    "PhysicalMedicineandRehabilitation", "Oncology", "Pediatrics", "Hematology/Oncology",
    "Neurology", "Pediatrics-Endocrinology", "Otolaryngology", "Endocrinology",
    "Surgery-Thoracic", "Psychology", "Podiatry", "Surgery-Cardiovascular", "Pediatrics-CriticalCare",
    "Hematology", "Gynecology", "Hospitalist", "Radiology", "Surgeon", "Osteopath",
    "InfectiousDiseases", "Surgery-Plastic", "Ophthalmology", "Pediatrics-Pulmonology",
    "Obstetrics", "SurgicalSpecialty", "Rheumatology", "Anesthesiology-Pediatric",
    "Surgery-Colon&Rectal", "Pathology", "Obsterics&Gynecology-GynecologicOnco",
    "Surgery-Maxillofacial", "Pediatrics-Neurology", "Anesthesiology", "Cardiology-Pediatric",
    "Endocrinology-Metabolism", "Surgery-Pediatric", "PhysicianNotFound", "OutreachServices",
    "Psychiatry-Child/Adolescent", "Pediatrics-Hematology-Oncology", "AllergyandImmunology",
    "Pediatrics-EmergencyMedicine", "Dentistry", "Surgery-PlasticwithinHeadandNeck",
    "Resident", "DCPTEAM", "Pediatrics-AllergyandImmunology", "Pediatrics-InfectiousDiseases",
    "Perinatology", "Proctology", "Dermatology", "SportsMedicine", "Speech",
    "Neurophysiology", "Psychiatry-Addictive"]
spec_base = np.array([28.2, 14.8, 14.3, 10.4, 6.0, 3.1, 2.8, 2.4, 2.2, 1.7, 1.6, 1.4, 1.3,
                      1.2, 1.1, 1.0, 0.9, 0.8, 0.67, 0.5, 0.4, 0.4, 0.31, 0.24, 0.23, 0.2, 0.2,
                      0.19, 0.19, 0.17, 0.16, 0.11, 0.11, 0.1, 0.09, 0.08, 0.07, 0.07, 0.06, 0.05,
                      0.05, 0.05, 0.03, 0.03, 0.02, 0.03, 0.02, 0.02, 0.02, 0.02, 0.01, 0.02,
                      0.01, 0.02, 0.02, 0.01, 0.01, 0.01, 0.01, 0.01, 0.005, 0.005, 0.01, 0.005,
                      0.005, 0.005, 0.003, 0.003, 0.003, 0.003, 0.002, 0.002])
assert len(specialties) == len(spec_base) == 72
ps = np.tile(spec_base, (n, 1))
ps[:, 1] *= np.where(er, 3.0, 0.15)                      # Emergency/Trauma via the ER
ps[:, 3] *= np.where(d1 == 0, 4.0, 0.5)                  # Cardiology <- circulatory
ps[:, 13] *= np.where(d1 == 0, 4.0, 0.3)
ps[:, 28] *= np.where(d1 == 0, 4.0, 0.3)
ps[:, 15] *= np.where(d1 == 0, 3.0, 0.5)
for j in (6, 7, 16):                                     # orthopedics, neuro <- injury, musculo.
    ps[:, j] *= np.where((d1 == 4) | (d1 == 5), 6.0, 0.3)
ps[:, 4] *= np.where((d1 == 2) | (d1 == 4), 2.5, 0.7)    # general surgery <- digestive, injury
ps[:, 5] *= np.where(d1 == 6, 5.0, 0.6)                  # nephrology <- genitourinary
ps[:, 11] *= np.where(d1 == 6, 5.0, 0.4)
ps[:, 9] *= np.where(d1 == 1, 5.0, 0.5)                  # pulmonology <- respiratory
ps[:, 14] *= np.where(d1 == 2, 6.0, 0.4)                 # gastroenterology <- digestive
for j in (18, 20):                                       # oncology <- neoplasms
    ps[:, j] *= np.where(d1 == 7, 12.0, 0.3)
ps[:, 10] *= np.where(d1 == 9, 15.0, 0.3)                # psychiatry <- mental
ps[:, 12] *= np.where(d1 == 15, 40.0, 0.5)               # obstetrics <- pregnancy
ps[:, 40] *= np.where(d1 == 15, 40.0, 0.5)
ps[:, 24] *= np.where(d1 == 3, 4.0, 0.7)                 # endocrinology <- diabetes
ps[:, 22] *= np.where(d1 == 3, 4.0, 0.7)
female = cols["gender"] == "Female"
for j, name in enumerate(specialties):
    if "Pediatric" in name:
        ps[:, j] *= np.where(age_i <= 1, 60.0, 0.0)      # pediatrics only under 20
    if "Obst" in name or "Gyn" in name or name == "Perinatology":
        ps[:, j] *= np.where(female, 1.0, 0.0)
known = rng.random(n) < np.where(er, 0.42, 0.60)
cols["medical_specialty"] = np.where(known, pick_rows(specialties, ps), "?")
spec = cols["medical_specialty"]
surgical = np.char.startswith(spec.astype(str), "Surgery") | np.char.startswith(
    spec.astype(str), "Orthopedics")

# Payer: Medicare from 65 on (ages 70+ and most of 60-70).
payers = ["MC", "HM", "SP", "BC", "MD", "CP", "UN", "CM", "OG", "PO", "DM", "CH", "WC", "OT",
          "MP", "SI", "FR"]
pay_base = np.array([53, 10.3, 8.1, 7.6, 5.8, 4.1, 4.0, 3.1, 1.7, 1.0, 0.9, 0.2, 0.2, 0.16,
                     0.13, 0.09, 0.01])
pp = np.tile(pay_base, (n, 1))
pp[:, 0] *= np.where(age_i >= 7, 3.0, np.where(age_i == 6, 1.2, 0.08))
pp[:, 4] *= np.where(age_i <= 3, 4.0, 1.0)
cols["payer_code"] = np.where(rng.random(n) < 0.396, "?", pick_rows(payers, pp))

# Discharge: home (1), SNF (3), home health (6), ... expired (11) with severity and age.
discharges = ["1", "3", "6", "18", "2", "22", "11", "5", "25", "4", "7", "23", "13", "14", "28",
              "8", "15", "24", "9", "17", "16", "19", "10", "27", "12", "20"]
dis_base = np.array([59.2, 13.7, 12.7, 3.6, 2.1, 2.0, 1.6, 1.2, 1.0, 0.8, 0.6, 0.4, 0.4, 0.4,
                     0.14, 0.11, 0.06, 0.05, 0.02, 0.014, 0.011, 0.008, 0.006, 0.005, 0.003,
                     0.002])
pd_ = np.tile(dis_base, (n, 1))
pd_[:, 1] *= np.exp(0.45 * (age_i - 6) + 0.3 * severity)
pd_[:, 2] *= np.exp(0.25 * (age_i - 6))
pd_[:, 6] *= np.exp(0.9 * severity + 0.3 * (age_i - 6))
for j in (12, 13):
    pd_[:, j] *= np.exp(0.7 * severity)
cols["discharge_disposition_id"] = pick_rows(discharges, pd_)
dis = cols["discharge_disposition_id"]
no_return = np.isin(dis, ["11", "13", "14", "19", "20", "21"])

# Counts.
lab = np.round(rng.normal(44 + 2.5 * (tih - 4), 18, n))
lab = np.where(rng.random(n) < 0.03, 1, lab)
cols["num_lab_procedures"] = np.clip(lab, 1, 132).astype(int)
proc_lambda = np.where(surgical, 2.6, 0.9) + 0.08 * (tih - 4)
cols["num_procedures"] = np.clip(rng.poisson(np.maximum(0.1, proc_lambda)), 0, 6)
med = np.round(rng.normal(8 + 1.6 * tih + 1.2 * cols["num_procedures"], 6, n))
cols["num_medications"] = np.clip(med, 1, 81).astype(int)
frail = np.exp(rng.normal(0, 1, n))
cols["number_outpatient"] = np.clip(rng.poisson(0.37 * frail ** 1.2), 0, 42)
cols["number_emergency"] = np.clip(rng.poisson(0.2 * frail ** 1.4 * np.where(er, 1.4, 0.5)), 0, 76)
cols["number_inpatient"] = np.clip(rng.poisson(0.64 * frail ** 1.1), 0, 21)
nd = np.round(rng.normal(5.2 + 0.5 * (age_i - 6) + 0.3 * severity, 1.8, n))
nd = np.where(rng.random(n) < np.where(age_i >= 4, 0.52, 0.25), 9, nd)
cols["number_diagnoses"] = np.clip(nd, 1, 16).astype(int)

# Tests: HbA1c more often measured for admissions via the ER; glucose serum rarely.
a1c_tested = rng.random(n) < np.where(er, 0.21, 0.12) * np.where(d1 == 3, 1.8, 1.0)
a1c_high = 0.55 + 0.2 * (age_i <= 4) + 0.15 * (d1 == 3)
cols["A1Cresult"] = np.where(
    a1c_tested,
    np.where(rng.random(n) < a1c_high, pick([">8", ">7"], [68, 32]), "Norm"), "None")
glu_tested = rng.random(n) < np.where(er, 0.07, 0.02)
cols["max_glu_serum"] = np.where(glu_tested, pick(["Norm", ">200", ">300"], [48, 28, 24]), "None")
a1c = cols["A1Cresult"]

# Diabetes treatment. diabetesMed = "No" forces every drug to "No" (structural zero).
any_diab = (cols["diag_1"] == "Diabetes") | (cols["diag_2"] == "Diabetes") | (cols["diag_3"] == "Diabetes")
p_med = 0.70 + 0.12 * any_diab + 0.1 * np.isin(a1c, [">8", ">7"]) - 0.08 * (age_i >= 8)
on_med = rng.random(n) < np.clip(p_med, 0, 0.98)
cols["diabetesMed"] = np.where(on_med, "Yes", "No")
drugs = ["metformin", "repaglinide", "nateglinide", "chlorpropamide", "glimepiride",
         "acetohexamide", "glipizide", "glyburide", "tolbutamide", "pioglitazone",
         "rosiglitazone", "acarbose", "miglitol", "troglitazone", "tolazamide", "examide",
         "citoglipton", "insulin", "glyburide-metformin", "glipizide-metformin",
         "glimepiride-pioglitazone", "metformin-rosiglitazone", "metformin-pioglitazone"]
# Probability that a patient on medication takes the drug (published shares / 0.77).
use = {"metformin": 0.255, "repaglinide": 0.0195, "nateglinide": 0.009, "chlorpropamide": 0.0012,
       "glimepiride": 0.066, "acetohexamide": 0.00002, "tolbutamide": 0.0003,
       "pioglitazone": 0.093, "acarbose": 0.004, "miglitol": 0.0005, "troglitazone": 0.00004,
       "tolazamide": 0.0005, "examide": 0.0, "citoglipton": 0.0, "insulin": 0.70,
       "glyburide-metformin": 0.009, "glipizide-metformin": 0.00017,
       "glimepiride-pioglitazone": 0.00002, "metformin-rosiglitazone": 0.00003,
       "metformin-pioglitazone": 0.00002}
# Sulfonylureas exclude each other; so do the two glitazones.
sulf = rng.random(n)
taking = {}
taking["glipizide"] = on_med & (sulf < 0.163)
taking["glyburide"] = on_med & (sulf >= 0.163) & (sulf < 0.30)
glit = rng.random(n)
for d, p in use.items():
    if d == "pioglitazone":
        taking[d] = on_med & (glit < p)
    elif d == "rosiglitazone":
        continue
    elif d == "metformin":
        taking[d] = on_med & (rng.random(n) < p * (1.5 - 0.1 * (age_i - 5)))
    elif d == "insulin":
        taking[d] = on_med & (rng.random(n) < np.clip(p + 0.12 * (a1c == ">8") + 0.1 * (age_i <= 3), 0, 1))
    else:
        taking[d] = on_med & (rng.random(n) < p)
taking["rosiglitazone"] = on_med & (glit >= 0.093) & (glit < 0.175)
# Everyone on medication takes at least one drug: insulin when none was drawn.
none = on_med & ~np.any(np.stack([taking[d] for d in drugs]), axis=0)
taking["insulin"] = taking["insulin"] | none
high = np.isin(a1c, [">8"])
any_change = np.zeros(n, dtype=bool)
for d in drugs:
    up_p = np.where(high, 0.16, 0.07) * (3.0 if d == "insulin" else 1.0)
    down_p = 0.05 * (2.4 if d == "insulin" else 1.0) * (1 + 0.3 * (tih > 6))
    u = rng.random(n)
    status = np.where(u < up_p, "Up", np.where(u < up_p + down_p, "Down", "Steady"))
    cols[d] = np.where(taking[d], status, "No")
    any_change |= np.isin(cols[d], ["Up", "Down"])
switched = on_med & ~any_change & (rng.random(n) < 0.18)
cols["change"] = np.where(any_change | switched, "Ch", "No")

# Outcome.
logit_30 = (-2.1 + 0.28 * np.minimum(cols["number_inpatient"], 6) + 0.15 *
            np.minimum(cols["number_emergency"], 5) + 0.05 * (tih - 4) + 0.1 * (age_i - 6) +
            0.3 * np.isin(dis, ["3", "22", "5"]) + 0.15 * on_med)
logit_gt = (-0.9 + 0.35 * np.minimum(cols["number_inpatient"], 6) + 0.1 *
            np.minimum(cols["number_outpatient"], 5) + 0.2 * on_med + 0.1 * (cols["change"] == "Ch"))
e30, egt = np.exp(logit_30), np.exp(logit_gt)
probs = np.stack([np.ones(n), egt, e30], axis=1)
probs[no_return, 1:] = 0
cols["readmitted"] = pick_rows(["NO", ">30", "<30"], probs)

order = ["race", "gender", "age", "weight", "admission_type_id", "discharge_disposition_id",
         "admission_source_id", "time_in_hospital", "payer_code", "medical_specialty",
         "num_lab_procedures", "num_procedures", "num_medications", "number_outpatient",
         "number_emergency", "number_inpatient", "diag_1", "diag_2", "diag_3",
         "number_diagnoses", "max_glu_serum", "A1Cresult"] + drugs + ["change", "diabetesMed",
                                                                      "readmitted"]
assert len(order) == 48
with open(a.out, "w") as f:
    f.write(",".join(order) + "\n")
    block = np.stack([np.asarray(cols[c]).astype(str) for c in order], axis=1)
    f.write("\n".join(",".join(r) for r in block) + "\n")
