#!/usr/bin/env bash
# The Python package in CI: builds and installs it into the project's .venv
# with plain pip (maturin is its PEP 517 build backend), then runs its tests
# against the command line's outputs. From anywhere: bash python/ci.sh
# The stoploss binary (target/release/stoploss, built if missing, or
# $STOPLOSS_BIN) is the reference the tests compare with.
set -euo pipefail
cd "$(dirname "$0")/.."

test -x .venv/bin/python || python3 -m venv .venv
.venv/bin/pip install --quiet -r python/requirements-test.txt
start=$(date +%s)
.venv/bin/pip install --quiet ./python
echo "python package built and installed in $(( $(date +%s) - start )) s"
export STOPLOSS_BIN="${STOPLOSS_BIN:-$PWD/target/release/stoploss}"
if ! test -x "$STOPLOSS_BIN"; then
  cargo build --release
fi
# Run from outside the source folder, so `import stoploss` is the installed package.
cd python/tests
../../.venv/bin/python -m pytest -q -p no:cacheprovider .
