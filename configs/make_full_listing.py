"""Regenerates claimants-full-example.csv deterministically
(python3 make_full_listing.py).

A full claimant listing, not only the large claimants: one row per member
who claimed in the year (1,200 of a 1,500-member group), each row the
member's annual paid total. Below $150,000 the totals are lognormal(8.6,
1.6); above it a single-parameter Pareto with alpha 1.8 replaces the
lognormal's thin tail, as large-claim studies find. Used by the README's
`stoploss fit --full-listing` example and tests/python/test_fit_reference.py.
Also writes manual/members-1500.csv, the same group's ages and sexes for
manual/manual-rate-example.json.
"""
import math
import random

rng = random.Random(20261202)
rows = []
for i in range(1, 1201):
    x = math.exp(rng.gauss(8.6, 1.6))
    if x >= 150000:
        x = 150000 * (1.0 - rng.random()) ** (-1 / 1.8)
    rows.append(f"F{i:04d},{x:.2f}")
with open("claimants-full-example.csv", "w") as f:
    f.write("claimant_id,amount\n" + "\n".join(rows) + "\n")

# The rated members of the same 1,500-member group for manual-rate-example.json:
# employees 22 to 64, spouses near their age, children 0 to 25.
members = []
while len(members) < 1500:
    age = rng.randint(22, 64)
    sex = rng.choice("FM")
    members.append((age, sex))
    if rng.random() < 0.5 and len(members) < 1500:
        members.append((max(18, min(64, age + rng.randint(-5, 5))), "M" if sex == "F" else "F"))
    for _ in range(rng.choice([0, 0, 1, 2, 3])):
        if len(members) < 1500:
            members.append((rng.randint(0, 25), rng.choice("FM")))
with open("manual/members-1500.csv", "w") as f:
    f.write("member_id,age,sex\n" + "".join(f"M{i:04d},{a},{s}\n" for i, (a, s) in enumerate(members, 1)))
