"""Regenerates claimants-full-example.csv deterministically
(python3 make_full_listing.py).

A full claimant listing, not only the large claimants: one row per member
who claimed in the year (1,200 of a 1,500-member group), each row the
member's annual paid total. Below $150,000 the totals are lognormal(8.6,
1.6); above it a single-parameter Pareto with alpha 1.8 replaces the
lognormal's thin tail, as large-claim studies find. Used by the README's
`stoploss fit --full-listing` example and tests/python/test_fit_reference.py.
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
