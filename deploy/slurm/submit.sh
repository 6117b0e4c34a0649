#!/usr/bin/env bash
# Submits a sharded study: an array job of N shards, then the merge, which
# starts only if every shard succeeded (--dependency=afterok).
#   deploy/slurm/submit.sh CONFIG N SHARDS_DIR OUT_DIR
# Prints the two job ids. A failed shard can be rerun alone:
#   sbatch --array=<i> --export=ALL,CONFIG=...,SHARDS=... deploy/slurm/shard.sbatch
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
config=$(realpath "$1")
n=$2
shards=$(realpath -m "$3")
out=$(realpath -m "$4")
mkdir -p "$shards"
array=$(sbatch --parsable --array=0-$((n - 1)) \
  --export=ALL,CONFIG="$config",SHARDS="$shards" "$here/shard.sbatch")
merge=$(sbatch --parsable --dependency=afterok:"$array" \
  --export=ALL,SHARDS="$shards",OUT="$out" "$here/merge.sbatch")
echo "$array $merge"
