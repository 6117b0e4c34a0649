#!/usr/bin/env bash
# Runs the reference model "mid" with stoploss (200,000 trials, all cores)
# and with the vectorized numpy version (20,000 trials), and prints the
# member-years per second of each and their ratio.
# Usage: bash benches/compare/run.sh   (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet -r notebooks/requirements.txt
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
./target/release/stoploss run benches/compare/mid.json --out "$out" --quiet
rust=$(.venv/bin/python -c "import json; m=json.load(open('$out/mid/results.json'))['meta']; print(m['member_years_per_second'])")
rust_mean=$(.venv/bin/python -c "import json; c=json.load(open('$out/mid/results.json'))['candidates'][0]; print(round(c['employer_cost']['mean']), round(c['employer_cost']['percentiles']['p95']))")
numpy_out=$(.venv/bin/python benches/compare/mid_numpy.py 20000)
echo "$numpy_out"
numpy=$(echo "$numpy_out" | sed -n 's/.*s: \([0-9.]*\) million member-years.*/\1/p')
echo "stoploss: 200000 trials, 64 candidates: $(.venv/bin/python -c "print(f'{$rust / 1e6:.2f}')") million member-years/s (spec \$25k / agg 110%: mean cost and p95 $rust_mean)"
.venv/bin/python -c "print(f'ratio stoploss / numpy: {$rust / 1e6 / $numpy:.1f}x')"
