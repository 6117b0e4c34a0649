"""Regenerates census-5000.csv deterministically (python3 make_census.py).

About 2,300 employees with spouses and children (5,000 members), four
coverage tiers, risk factors around 1 (older and sicker members above,
younger below) and some part-year enrollment.
"""
import random

rng = random.Random(20250101)
rows = []
employee = 0
while len(rows) < 5000:
    employee += 1
    eid = f"E{employee:05d}"
    has_spouse = rng.random() < 0.45
    children = 0
    if rng.random() < 0.40:
        children = rng.choice([1, 1, 2, 2, 2, 3, 4])
    tier = {(False, False): "ee", (True, False): "ee_spouse", (False, True): "ee_children", (True, True): "family"}[(has_spouse, children > 0)]
    months = 12 if rng.random() < 0.9 else rng.randint(3, 11)
    def risk():
        return round(min(4.0, max(0.3, rng.lognormvariate(-0.045, 0.3))), 3)
    family = [("employee", "")]
    if has_spouse:
        family.append(("spouse", "S"))
    for c in range(children):
        family.append(("child", f"C{c + 1}"))
    for cls, suffix in family:
        if len(rows) == 5000:
            break
        mid = f"{eid}{suffix}" if suffix else eid
        rows.append((mid, eid, cls, tier, risk(), months))

with open("census-5000.csv", "w", newline="") as f:
    f.write("member_id,employee_id,class,tier,risk_factor,months\n")
    for r in rows:
        f.write(",".join(str(x) for x in r) + "\n")
