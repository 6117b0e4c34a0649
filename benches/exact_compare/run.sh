#!/usr/bin/env bash
# The exact engine beside GEMAct's FFT (issue 17) on the two one-member
# cases: Poisson(10) x exponential(1000) with three aggregate layers
# (pexp.json) and Poisson(3) x lognormal(8, 1.5) with 17 specific
# deductibles (plogn.json; GEMAct on two lattices, plogn-wide the one
# whose premiums agree with the exact engine's within 1e-4). Prints, per case, the best of seven wall times
# of each tool, their ratio, and the largest relative difference between
# the layer premiums the two compute. stoploss is timed as a whole process
# (parsing, all figures, results written); GEMAct on its calculation only.
# Not part of CI: a benchmark, not a timed test.
# Usage: bash benches/exact_compare/run.sh   (from anywhere)
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet
# The project's .venv, made and filled the way python/ci.sh and .ci/run do.
test -x .venv/bin/python || python3 -m venv .venv
.venv/bin/pip install --quiet -r benches/exact_compare/requirements.txt
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
gemact=$(.venv/bin/python benches/exact_compare/gemact_cases.py 2>/dev/null)
for case in pexp plogn plogn-wide; do
  .venv/bin/python - "$case" "$out" "$gemact" <<'PY'
import json, subprocess, sys, time
case, out, gemact = sys.argv[1], sys.argv[2], sys.argv[3]
best = float("inf")
for _ in range(7):
    start = time.perf_counter()
    subprocess.run(["./target/release/stoploss", "run", f"benches/exact_compare/{case.split('-')[0]}.json",
                    "--method", "exact", "--out", out, "--force", "--quiet"],
                   check=True, stderr=subprocess.DEVNULL)
    best = min(best, time.perf_counter() - start)
r = json.load(open(f"{out}/{case.split('-')[0]}/results.json"))
key = "aggregate_reimbursement" if case == "pexp" else "specific_reimbursement"
ours = [c[key]["mean"] for c in r["candidates"]]
line = next(l for l in gemact.splitlines() if l.split()[0] == case).split()
g_time, theirs = float(line[1]), [float(x) for x in line[2:]]
diff = max(abs(a - b) / abs(b) for a, b in zip(ours, theirs))
print(f"{case}: stoploss {best:.3f} s, GEMAct {g_time:.3f} s, ratio {best / g_time:.2f}x; "
      f"{len(ours)} layers, premiums differ by at most {diff:.1e} relative")
PY
done
