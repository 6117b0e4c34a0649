#!/usr/bin/env bash
# The issue-4 large-census figure: a 100,000-member census (two claim
# components, lasers), 10,000 trials, wall time including loading the census.
#   bash benches/large_census/run.sh [MEMBERS]
set -euo pipefail
cd "$(dirname "$0")/../.."
members=${1:-100000}
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 benches/large_census/make.py "$members" "$work"
/usr/bin/time -f "wall %e s, peak resident memory %M KB" \
  ./target/release/stoploss run "$work/config.json" --out "$work/out" --quiet
echo "census of $members members, 10,000 trials: see the wall time above"
