#!/usr/bin/env python3
"""The exact engine against an independent reference written here with numpy.

Each case builds a config, computes the compound distributions itself (exact
enumeration where the model is discrete; otherwise a mean-preserving
discretization on a fine lattice aligned with the deductible and the
attachments, compounded with numpy's FFT at two steps and extrapolated), runs
`stoploss run CONFIG --method exact`, and compares the figures of
results.json within a relative 1e-6 (absolute 1e-9 for probabilities).

Usage: test_exact_reference.py [PATH_TO_STOPLOSS]; exits non-zero on failure
and prints "N passed, M failed".
"""
import itertools
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

TOOL = sys.argv[1] if len(sys.argv) > 1 else "./target/release/stoploss"
REL = 1e-6
results = {"passed": 0, "failed": 0}


def run_exact(config):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"{config['name']}.json"
        path.write_text(json.dumps(config))
        subprocess.run([TOOL, "run", str(path), "--method", "exact", "--out", d, "--quiet"],
                       check=True)
        return json.loads((Path(d) / config["name"] / "results.json").read_text())


def candidate(r, label):
    for c in r["candidates"]:
        if c["label"] == label:
            return c
    raise KeyError(f"{label} not in {[c['label'] for c in r['candidates']]}")


def check(what, got, want, prob=False):
    tol = REL * abs(want) + (1e-9 if prob else 1e-9 * max(abs(want), 1.0))
    ok = abs(got - want) <= tol
    results["passed" if ok else "failed"] += 1
    print(f"{'ok  ' if ok else 'FAIL'} {what}: engine {got!r} reference {want!r} "
          f"(rel {abs(got - want) / max(abs(want), 1e-300):.2e})")


# ---------------------------------------------------------------------------
# Lattice tools (our own, independent of the engine's code)
# ---------------------------------------------------------------------------

def discretize(lev, surv, h, cap):
    """Mean-preserving pmf on 0..cap (cap lumps the rest) from the limited
    expected value lev(x) = E[min(X, x)] and surv(x) = P(X >= x)."""
    x = h * np.arange(cap + 1)
    L = lev(x)
    S = surv(x)
    mass = S[:-1] - S[1:]
    up = np.clip((L[1:] - L[:-1]) / h - S[1:], 0.0, mass)
    p = np.zeros(cap + 1)
    p[:-1] += mass - up
    p[1:] += up
    p[cap] += S[cap]
    return p


def poisson_compound(lam, sev_pmf, n_fft):
    f = np.fft.rfft(sev_pmf, n_fft)
    return np.fft.irfft(np.exp(lam * (f - 1.0)), n_fft)


def power_sum(pmf, count, n_fft):
    return np.fft.irfft(np.fft.rfft(pmf, n_fft) ** count, n_fft)


def norm_cdf(z):
    return 0.5 * np.vectorize(math.erfc)(-np.asarray(z) / math.sqrt(2.0))


def richardson(f, h, order):
    coarse, fine = f(h), f(h / 2)
    return fine + (fine - coarse) / (2 ** order - 1)


def survival(pmf, h, x, continuous):
    """P(X > x) at a lattice point x: strict where X has atoms, the midpoint
    rule where it has none."""
    j = int(round(x / h))
    return pmf[j + 1:].sum() + (0.5 * pmf[j] if continuous else 0.0)


# ---------------------------------------------------------------------------
# Case 1 (issue 17): three members, each claiming with probability 0.3 an
# amount of $100k, $200k or $300k; a $200k specific: a claim of exactly
# $200k is not above the deductible. Exact enumeration.
# ---------------------------------------------------------------------------

def case_three_members():
    d, attach = 200_000.0, 300_000.0
    config = {
        "name": "three", "population": {"classes": [{"name": "all", "employees": 3, "claims": [
            {"name": "c", "frequency": {"bernoulli": {"p": 0.3}},
             "severity": {"empirical": {"values": [100000, 200000, 300000]}}}]}]},
        "stop_loss": {"specific": [{"deductible": d, "premium_pepm": 0}],
                      "aggregate": [{"label": "a300k", "attachment_amount": attach, "premium_pepm": 0}]}}
    outcomes = [(0.0, 0.7)] + [(v, 0.1) for v in (100e3, 200e3, 300e3)]
    claimants = spec = agg = attaches = retained = 0.0
    for combo in itertools.product(outcomes, repeat=3):
        p = math.prod(q for _, q in combo)
        xs = [x for x, _ in combo]
        claimants += p * sum(x > d for x in xs)
        spec += p * sum(max(x - d, 0.0) for x in xs)
        r = sum(min(x, d) for x in xs)
        agg += p * max(r - attach, 0.0)
        attaches += p * (r > attach)
        retained += p * min(r, attach)
    res = run_exact(config)
    c = candidate(res, "spec $200k / a300k")
    check("three members: expected specific claimants", c["expected_specific_claimants"]["mean"], claimants)
    check("three members: specific reimbursement", c["specific_reimbursement"]["mean"], spec)
    check("three members: aggregate reimbursement", c["aggregate_reimbursement"]["mean"], agg)
    check("three members: P(aggregate attaches)", c["prob_aggregate_attaches"]["mean"], attaches, prob=True)
    check("three members: retained claims", c["retained_claims"]["mean"], retained)


# ---------------------------------------------------------------------------
# Case 2: one member, Poisson(10) claims, exponential(1000) amounts, three
# aggregate layers (the speed case), no specific.
# ---------------------------------------------------------------------------

def case_poisson_exponential():
    lam, theta = 10.0, 1000.0
    attachments = [5000.0, 10000.0, 15000.0]
    config = {
        "name": "pexp", "population": {"classes": [{"name": "all", "employees": 1, "claims": [
            {"name": "c", "frequency": {"poisson": {"mean": lam}},
             "severity": {"exponential": {"mean": theta}}}]}]},
        "stop_loss": {"aggregate": [{"label": f"a{int(a)}", "attachment_amount": a, "premium_pepm": 0}
                                    for a in attachments],
                      "candidates": [{"specific": None, "aggregate": f"a{int(a)}"} for a in attachments]}}
    top = 120_000.0

    def pmf(h):
        cap = int(round(top / h))
        sev = discretize(lambda x: theta * (1.0 - np.exp(-x / theta)),
                         lambda x: np.exp(-x / theta), h, cap)
        n = 1 << int(math.ceil(math.log2(2 * cap)))
        return poisson_compound(lam, sev, n)[:cap + 1]

    res = run_exact(config)
    for a in attachments:
        def layer(h):
            p = pmf(h)
            x = h * np.arange(len(p))
            return float((p * np.maximum(x - a, 0.0)).sum())

        def attach(h):
            return survival(pmf(h), h, a, continuous=True)

        c = candidate(res, f"no specific / a{int(a)}")
        check(f"Poisson-exponential: E[(S - {a:.0f})+]", c["aggregate_reimbursement"]["mean"],
              richardson(layer, 1.0, 2))
        check(f"Poisson-exponential: P(S > {a:.0f})", c["prob_aggregate_attaches"]["mean"],
              richardson(attach, 1.0, 2), prob=True)


# ---------------------------------------------------------------------------
# Case 3: 20 members, Poisson(2) x lognormal(8, 1.2), a $25k specific and a
# $150k aggregate attachment.
# ---------------------------------------------------------------------------

def case_lognormal_group():
    n_members, lam, mu, sigma = 20, 2.0, 8.0, 1.2
    d, attach = 25_000.0, 150_000.0
    config = {
        "name": "lngroup", "population": {"classes": [{"name": "all", "employees": n_members, "claims": [
            {"name": "c", "frequency": {"poisson": {"mean": lam}},
             "severity": {"lognormal": {"mu": mu, "sigma": sigma}}}]}]},
        "stop_loss": {"specific": [{"deductible": d, "premium_pepm": 0}],
                      "aggregate": [{"label": "a150k", "attachment_amount": attach, "premium_pepm": 0}]}}
    mean = math.exp(mu + sigma ** 2 / 2)

    def lev(x):
        x = np.maximum(x, 1e-300)
        lx = np.log(x)
        return mean * norm_cdf((lx - mu - sigma ** 2) / sigma) + x * (1.0 - norm_cdf((lx - mu) / sigma))

    def surv(x):
        x = np.maximum(x, 1e-300)
        return 1.0 - norm_cdf((np.log(x) - mu) / sigma)

    cache = {}

    def levels(h):
        if h in cache:
            return cache[h]
        cap = int(round(d / h)) + 1
        sev = discretize(lev, surv, h, cap)
        s = poisson_compound(lam, sev, 64 * cap)  # P(N >= 64) is negligible
        member = s[:cap + 1].copy()
        member[cap] = 1.0 - member[:cap].sum()
        claimants = member[cap] + 0.5 * member[cap - 1]
        retained = np.zeros(cap)
        retained[:cap] = member[:cap]
        retained[cap - 1] += member[cap]
        size = n_members * (cap - 1) + 1
        group = power_sum(retained, n_members, 1 << int(math.ceil(math.log2(size))))[:size]
        x = h * np.arange(cap)
        cache[h] = (claimants, float((retained * x).sum()), group)
        return cache[h]

    def figure(which):
        def f(h):
            claimants, ret_mean, group = levels(h)
            x = h * np.arange(len(group))
            if which == "claimants":
                return n_members * claimants
            if which == "specific":
                return n_members * (lam * mean - ret_mean)
            if which == "aggregate":
                return float((group * np.maximum(x - attach, 0.0)).sum())
            return survival(group, h, attach, continuous=True)
        return f

    res = run_exact(config)
    c = candidate(res, "spec $25k / a150k")
    check("lognormal group: expected specific claimants", c["expected_specific_claimants"]["mean"],
          richardson(figure("claimants"), 5.0, 2))
    check("lognormal group: specific reimbursement", c["specific_reimbursement"]["mean"],
          richardson(figure("specific"), 5.0, 2))
    check("lognormal group: aggregate reimbursement", c["aggregate_reimbursement"]["mean"],
          richardson(figure("aggregate"), 5.0, 2))
    check("lognormal group: P(aggregate attaches)", c["prob_aggregate_attaches"]["mean"],
          richardson(figure("attach"), 5.0, 2), prob=True)


if __name__ == "__main__":
    for case in (case_three_members, case_poisson_exponential, case_lognormal_group):
        case()
    print(f"{results['passed']} passed, {results['failed']} failed")
    sys.exit(1 if results["failed"] else 0)
