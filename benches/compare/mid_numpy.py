"""The reference model "mid" in vectorized numpy, with the same semantics as
`stoploss run benches/compare/mid.json`: per trial, each of 500 members has
Poisson(3) claims of lognormal(7, 1.5); for each of 16 specific deductibles
the employer keeps min(S_m, d) per member; four aggregate options cap the
retained total (factors 1.1/1.2/1.3 of the mean retained total, and $6M);
the employer cost adds premiums and fees; mean, sd, p95, p99 and TVaR 99% of
every one of the 64 candidates are computed.

Usage: python mid_numpy.py TRIALS  -> prints member-years per second and a
summary line to check against stoploss's results.
"""
import sys
import time

import numpy as np

MEMBERS = 500
DEDUCTIBLES = np.arange(1, 17) * 25_000.0
FACTORS = [1.10, 1.20, 1.30]
AMOUNT = 6_000_000.0
PREMIUM_PEPM = 100.0
AGG_PEPM = [12.0, 8.0, 5.0, 6.0]
ADMIN_PEPM = 40.0
CHUNK = 2_000


def simulate(trials, rng):
    """Retained totals per trial and deductible: array (trials, 16)."""
    out = np.empty((trials, DEDUCTIBLES.size))
    for start in range(0, trials, CHUNK):
        n = min(CHUNK, trials - start)
        counts = rng.poisson(3.0, size=(n, MEMBERS))
        amounts = rng.lognormal(7.0, 1.5, size=int(counts.sum()))
        member = np.repeat(np.arange(n * MEMBERS), counts.ravel())
        totals = np.bincount(member, weights=amounts, minlength=n * MEMBERS).reshape(n, MEMBERS)
        out[start:start + n] = np.minimum(totals[:, :, None], DEDUCTIBLES).sum(axis=1)
    return out


def evaluate(retained):
    fixed_base = (PREMIUM_PEPM + ADMIN_PEPM) * MEMBERS * 12
    expected = retained.mean(axis=0)
    rows = []
    for s in range(DEDUCTIBLES.size):
        attachments = [f * expected[s] for f in FACTORS] + [AMOUNT]
        for a, pepm in zip(attachments, AGG_PEPM):
            cost = np.minimum(retained[:, s], a) + fixed_base + pepm * MEMBERS * 12
            q = np.sort(cost)
            k = int(np.ceil(0.99 * q.size))
            rows.append((cost.mean(), cost.std(ddof=1), q[int(np.ceil(0.95 * q.size)) - 1], q[k - 1], q[k:].mean()))
    return rows


def main():
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    rng = np.random.default_rng(20261123)
    start = time.perf_counter()
    retained = simulate(trials, rng)
    rows = evaluate(retained)
    elapsed = time.perf_counter() - start
    print(f"numpy: {trials} trials, {len(rows)} candidates in {elapsed:.2f} s: "
          f"{trials * MEMBERS / elapsed / 1e6:.2f} million member-years/s")
    first = rows[0]
    print(f"numpy: spec $25k / agg 110%: mean cost {first[0]:.0f}, p95 {first[2]:.0f}")


if __name__ == "__main__":
    main()
