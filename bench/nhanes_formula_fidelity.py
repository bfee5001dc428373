#!/usr/bin/env python3
"""Fidelity of nhanes's formula columns: 1-way TVD of BMI and BPSysAve over the config's bins,
and Pearson r of Weight/Height/BMI and Age/BPSysAve (rows with both), real against synthetic.
Usage: bench/nhanes_formula_fidelity.py REAL.csv SYNTHETIC.csv... (prints each run and the
median; bench/results/2026-12-02-vm-unit-bound.md).
"""
import bisect
import csv
import math
import sys
def load(p):
    return list(csv.DictReader(open(p)))
def num(t): return None if t in ("NA","") else float(t)
def tvd(real, syn, col, edges):
    def hist(rows):
        h={}
        for r in rows:
            v=num(r[col]); k='NA' if v is None else bisect.bisect_right(edges, v)
            h[k]=h.get(k,0)+1
        n=len(rows); return {k:c/n for k,c in h.items()}
    a,b=hist(real),hist(syn); return 0.5*sum(abs(a.get(k,0)-b.get(k,0)) for k in set(a)|set(b))
def r(rows,x,y):
    p=[(num(q[x]),num(q[y])) for q in rows]; p=[(a,b) for a,b in p if a is not None and b is not None]
    n=len(p); mx=sum(a for a,_ in p)/n; my=sum(b for _,b in p)/n
    return sum((a-mx)*(b-my) for a,b in p)/math.sqrt(sum((a-mx)**2 for a,_ in p)*sum((b-my)**2 for _,b in p))
real=load(sys.argv[1])
bmi_edges=[15,18.5,21,25,27.5,30,35,40,50]
bp_edges=[60+10*i for i in range(1,20)]
out=[]
for f in sys.argv[2:]:
    s=load(f)
    out.append((tvd(real,s,'BMI',bmi_edges), tvd(real,s,'BPSysAve',bp_edges),0,
      r(s,'Weight','Height'), r(s,'Height','BMI'), r(s,'Weight','BMI'), r(s,'Age','BPSysAve'), r(s,'Age','BMI')))
names=['TVD BMI','TVD BPSysAve','-','r(W,H)','r(H,BMI)','r(W,BMI)','r(Age,BPSysAve)','r(Age,BMI)']
realv=[0,0,0,r(real,'Weight','Height'),r(real,'Height','BMI'),r(real,'Weight','BMI'),r(real,'Age','BPSysAve'),r(real,'Age','BMI')]
for i,nm in enumerate(names):
    if nm=='-': continue
    vals=sorted(o[i] for o in out)
    print(f"{nm}: real {realv[i]:.3f}; runs {', '.join(f'{v:.3f}' for v in vals)}; median {vals[len(vals)//2]:.3f}")
