#!/usr/bin/env python3
"""GEMAct's FFT on the two one-member cases of issue 17, timed in-process
(the calculation only: imports and model set-up are left out, which favours
GEMAct). Prints one line per case: its name, the best of three wall times in
seconds, and each layer's premium E[min((S - d)+, cover)].

Usage: gemact_cases.py   (from anywhere; reads the cases' parameters below,
which mirror pexp.json and plogn.json beside this file)
"""
import math
import time
import warnings

warnings.filterwarnings("ignore")
import logging  # noqa: E402

logging.disable(logging.WARNING)
from gemact.lossmodel import Frequency, Layer, LossModel, PolicyStructure, Severity  # noqa: E402

CASES = {
    # Poisson(10) x exponential(mean 1000), aggregate layers at 5k, 10k, 15k:
    # step $1 on 2^16 points (S above $65,536 has probability ~1e-20).
    "pexp": dict(freq=("poisson", {"mu": 10}), sev=("exponential", {"theta": 1 / 1000}),
                 deductibles=[5000, 10000, 15000], step=1.0, sev_nodes=20000, nodes=1 << 16),
    # Poisson(3) x lognormal(8, 1.5), stop-loss at 5k .. 85k: step $5 on 2^18
    # points ($1.3M; the lognormal's tail beyond is below 1e-7).
    "plogn": dict(freq=("poisson", {"mu": 3}), sev=("lognormal", {"shape": 1.5, "scale": math.exp(8)}),
                  deductibles=[5000 * k for k in range(1, 18)], step=5.0, sev_nodes=1 << 17, nodes=1 << 18),
    # The same on 2^20 points of $20 ($21M): the claims beyond $1.3M that
    # the lattice above drops (about $180 of every premium) are then kept,
    # all but about $0.15.
    "plogn-wide": dict(freq=("poisson", {"mu": 3}), sev=("lognormal", {"shape": 1.5, "scale": math.exp(8)}),
                       deductibles=[5000 * k for k in range(1, 18)], step=20.0, sev_nodes=1 << 20,
                       nodes=1 << 20),
}


def run(case):
    layers = [Layer(aggr_deductible=d) for d in case["deductibles"]]
    lm = LossModel(
        frequency=Frequency(dist=case["freq"][0], par=case["freq"][1]),
        severity=Severity(dist=case["sev"][0], par=case["sev"][1]),
        policystructure=PolicyStructure(layers=layers),
        aggr_loss_dist_method="fft",
        sev_discr_method="localmoments",
        sev_discr_step=case["step"],
        n_sev_discr_nodes=case["sev_nodes"],
        n_aggr_dist_nodes=case["nodes"],
    )
    return lm.pure_premium_dist


# Best of REPEATS for both tools (run.sh uses the same count): a
# 0.03-0.1 s run moves by a third from one try to the next on a shared VM.
REPEATS = 7

for name, case in CASES.items():
    best = math.inf
    for _ in range(REPEATS):
        start = time.perf_counter()
        premiums = run(case)
        best = min(best, time.perf_counter() - start)
    print(name, f"{best:.4f}", " ".join(f"{p:.6f}" for p in premiums))
