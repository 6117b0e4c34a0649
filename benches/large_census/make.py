"""Writes a large census and its config (python3 make.py MEMBERS OUTDIR).

The census follows configs/make_census.py (employees with spouses and
children, four tiers, risk factors, some part-year enrollment) at any size;
the config is configs/census-5000.json (two claim components, two lasers
and an exclusion, five specific and two aggregate options) pointed at it,
with 10,000 trials.
"""
import json
import pathlib
import random
import sys

members = int(sys.argv[1])
out = pathlib.Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
rng = random.Random(20261123)
rows = []
employee = 0
while len(rows) < members:
    employee += 1
    eid = f"E{employee:05d}"
    has_spouse = rng.random() < 0.45
    children = rng.choice([1, 1, 2, 2, 2, 3, 4]) if rng.random() < 0.40 else 0
    tier = {(False, False): "ee", (True, False): "ee_spouse",
            (False, True): "ee_children", (True, True): "family"}[(has_spouse, children > 0)]
    months = 12 if rng.random() < 0.9 else rng.randint(3, 11)
    family = [("employee", "")]
    if has_spouse:
        family.append(("spouse", "S"))
    family += [("child", f"C{c + 1}") for c in range(children)]
    for cls, suffix in family:
        if len(rows) == members:
            break
        risk = round(min(4.0, max(0.3, rng.lognormvariate(-0.045, 0.3))), 3)
        rows.append((f"{eid}{suffix}", eid, cls, tier, risk, months))

with open(out / "census.csv", "w", newline="") as f:
    f.write("member_id,employee_id,class,tier,risk_factor,months\n")
    for r in rows:
        f.write(",".join(str(x) for x in r) + "\n")

here = pathlib.Path(__file__).resolve().parent
config = json.loads((here / "../../configs/census-5000.json").read_text())
config["name"] = f"census-{members}"
config["description"] = f"configs/census-5000.json on a generated {members}-member census"
config["trials"] = 10000
config["population"]["census"] = "census.csv"
config["stop_loss"]["lasers"] = [
    {"member_id": rows[16][0], "deductible": 500000},
    {"member_id": rows[341][0], "deductible": 400000},
    {"member_id": rows[1204][0], "excluded": True},
]
(out / "config.json").write_text(json.dumps(config, indent=1))
