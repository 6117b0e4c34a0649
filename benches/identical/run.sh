#!/usr/bin/env bash
# Byte-identity check of two builds: runs every shipped config in configs/
# with --trials 3000 through BASE_BIN (2 threads) and NEW_BIN (1 and 2
# threads) and diffs results.json (without the meta fields that vary from
# run to run: elapsed time, speed, thread count) and summary.csv; NEW_BIN's
# 1- and 2-thread outputs must agree even where it differs from BASE_BIN.
# Usage: bash benches/identical/run.sh BASE_BIN NEW_BIN [TRIALS]
set -euo pipefail
base=${1:?usage: run.sh BASE_BIN NEW_BIN [TRIALS]}
new=${2:?usage: run.sh BASE_BIN NEW_BIN [TRIALS]}
trials=${3:-3000}
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
strip() {
    python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("elapsed_seconds", "member_years_per_second", "threads"):
    d.get("meta", {}).pop(k, None)
print(json.dumps(d, indent=1, sort_keys=True))
PY
}
status=0
for config in "$root"/configs/*.json "$root"/benches/compare/mid.json; do
    name=$(basename "$config" .json)
    for run in "base:$base:2" "new1:$new:1" "new2:$new:2"; do
        IFS=: read -r tag bin threads <<<"$run"
        "$bin" run "$config" --trials "$trials" --threads "$threads" \
            --out "$tmp/$tag" --force --quiet 2>/dev/null >/dev/null
        strip "$tmp/$tag/$name/results.json" >"$tmp/$tag/$name/results.stripped.json"
    done
    same=1
    for tag in new1 new2; do
        for f in results.stripped.json summary.csv; do
            if ! cmp -s "$tmp/base/$name/$f" "$tmp/$tag/$name/$f"; then
                echo "DIFFERENT: $name $f ($tag)"
                diff "$tmp/base/$name/$f" "$tmp/$tag/$name/$f" | head -4 || true
                status=1
                same=0
            fi
        done
    done
    if [ "$same" = 1 ]; then echo "identical: $name"; fi
    # A stream change shows above; the thread counts must agree regardless.
    for f in results.stripped.json summary.csv; do
        if ! cmp -s "$tmp/new1/$name/$f" "$tmp/new2/$name/$f"; then
            echo "THREADS DIFFER: $name $f (NEW_BIN, 1 vs 2 threads)"
            status=1
        fi
    done
done
[ "$status" = 0 ] && echo "all configs byte-identical (results.json minus timing meta, summary.csv) at $trials trials"
exit "$status"
