"""Regenerates census-timing-400.csv deterministically (python3 make_timing_census.py).

About 400 employees with spouses and children (about 900 members) whose
enrollment changes during the year: some join after month 1 (first_month),
some leave before month 12 (last_month), the whole family together. Used by
timing-400.json.
"""
import random

rng = random.Random(20260101)
rows = []
for e in range(1, 401):
    eid = f"T{e:04d}"
    spouse = rng.random() < 0.5
    children = rng.choice([0, 0, 0, 1, 2, 2, 3]) if rng.random() < 0.5 else 0
    tier = "family" if (spouse or children) else "single"
    first, last = 1, 12
    u = rng.random()
    if u < 0.12:
        first = rng.randint(2, 9)
    elif u < 0.22:
        last = rng.randint(4, 11)
    members = [("employee", "")]
    if spouse:
        members.append(("spouse", "S"))
    members += [("child", f"C{c + 1}") for c in range(children)]
    for cls, suffix in members:
        risk = round(min(4.0, max(0.3, rng.lognormvariate(-0.045, 0.3))), 3)
        rows.append((eid + suffix, eid, cls, tier, risk, first, last))

with open("census-timing-400.csv", "w", newline="") as f:
    f.write("member_id,employee_id,class,tier,risk_factor,first_month,last_month\n")
    for r in rows:
        f.write(",".join(str(x) for x in r) + "\n")
