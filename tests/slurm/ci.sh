#!/usr/bin/env bash
# The sharded run on a real Slurm: installs slurm-wlm and munge (Debian
# packages) if missing, starts a private one-node cluster on loopback,
# submits deploy/slurm's array job (4 shards) and the merge chained with
# --dependency=afterok, compares results.json and summary.csv with a local
# single run (timing fields aside), and stops the daemons it started.
#   bash tests/slurm/ci.sh [path/to/stoploss]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
stoploss=$(realpath "${1:-$root/target/release/stoploss}")
cluster="$root/deploy/slurm/local-cluster.sh"
config="$root/configs/small-100.json"
shards=4
trials=8000

"$cluster" install
work=$(mktemp -d)
cleanup() {
  "$cluster" stop "$work/slurm" || true
  rm -rf "$work"
}
trap cleanup EXIT
"$cluster" start "$work/slurm"
# shellcheck disable=SC1091
source "$work/slurm/env"

# The study with a reduced trial count, as its own config next to the census-free original.
python3 - "$config" "$work/study.json" "$trials" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["trials"] = int(sys.argv[3])
json.dump(c, open(sys.argv[2], "w"), indent=1)
PY

cd "$work"
export STOPLOSS="$stoploss"
read -r array merge < <("$root/deploy/slurm/submit.sh" "$work/study.json" "$shards" "$work/shards" "$work/merged")
echo "slurm: array job $array ($shards shards), merge job $merge (afterok)"
for _ in $(seq 240); do
  if [ -z "$(squeue -h -j "$array,$merge" 2>/dev/null)" ]; then break; fi
  sleep 0.5
done
state=$(scontrol show job "$merge" 2>/dev/null | grep -o 'JobState=[A-Z_]*' || true)
if [ "$state" != "JobState=COMPLETED" ]; then
  echo "slurm: merge job $merge ended as ${state:-unknown}" >&2
  tail -n 30 "$work"/*.log >&2 || true
  exit 1
fi
ls "$work/shards"
test "$(ls "$work/shards" | wc -l)" = "$shards"

"$stoploss" run "$work/study.json" --out "$work/single" --quiet
python3 - "$work/merged/small-100" "$work/single/small-100" <<'PY'
import sys
timing = ("threads", "elapsed_seconds", "member_years_per_second")
def blank(path):
    out = []
    for line in open(path + "/results.json"):
        key = line.strip().split(":")[0].strip('"')
        out.append(key if key in timing else line)
    return out
merged, single = sys.argv[1], sys.argv[2]
assert blank(merged) == blank(single), "results.json differs from the single run"
assert open(merged + "/summary.csv", "rb").read() == open(single + "/summary.csv", "rb").read(), "summary.csv differs"
print("slurm: merged results are identical to the single run (timing fields aside)")
PY
