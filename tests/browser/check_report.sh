#!/usr/bin/env bash
# Browser check of report.html: installs Debian's chromium when missing,
# writes a report, opens it in headless Chromium on file:// (the machine has
# no network and the page needs none), and checks that the page logs no
# console messages, that the three charts are in the rendered DOM with their
# marks, and that a non-empty PNG screenshot is produced. A page with a
# deliberate console error is opened first, so a Chromium that stopped
# logging console messages fails the check instead of passing it.
# Usage: bash tests/browser/check_report.sh [path/to/stoploss]
set -euo pipefail
cd "$(dirname "$0")/../.."
exe=${1:-./target/release/stoploss}

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's chromium"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif sudo -n true 2>/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "error: chromium is missing and cannot be installed (not root, no passwordless sudo)" >&2
    exit 1
  fi
fi

work=$(mktemp -d)
browser_pid=
cleanup() {
  if [ -n "$browser_pid" ]; then kill -- "-$browser_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Runs headless Chromium on a file in its own process group (so everything
# it starts is stopped with it), at most 120 s. $1: page, $2: output prefix,
# then extra flags.
browse() {
  local page=$1 prefix=$2
  shift 2
  setsid timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update \
    --disable-sync --disable-extensions --user-data-dir="$work/profile-$(basename "$prefix")" \
    --enable-logging=stderr --v=0 "$@" "file://$page" >"$prefix.out" 2>"$prefix.log" &
  browser_pid=$!
  wait "$browser_pid" || { echo "error: chromium failed on $page" >&2; tail -20 "$prefix.log" >&2; exit 1; }
  kill -- "-$browser_pid" 2>/dev/null || true
  browser_pid=
}

# Self-test: console messages must show up in the log.
printf '<!DOCTYPE html><title>t</title><script>console.error("selftest-error")</script>' >"$work/error.html"
browse "$work/error.html" "$work/selftest" --dump-dom
if ! grep -q 'CONSOLE.*selftest-error' "$work/selftest.log"; then
  echo "error: chromium did not log a deliberate console error; cannot check the report" >&2
  exit 1
fi

"$exe" run configs/small-100.json --trials 5000 --out "$work/out" --quiet --report
page="$work/out/small-100/report.html"
test -s "$page"

browse "$page" "$work/dom" --dump-dom
if grep -E 'CONSOLE|Failed to load|net::ERR' "$work/dom.log"; then
  echo "error: report.html logged console messages or failed loads (above)" >&2
  exit 1
fi
dom="$work/dom.out"
for id in recommendation candidate-table frontier-chart exceedance-chart cost-parts-chart assumptions; do
  grep -q "id=\"$id\"" "$dom" || { echo "error: the rendered page has no #$id" >&2; exit 1; }
done
svgs=$(grep -o '<svg' "$dom" | wc -l)
[ "$svgs" -eq 3 ] || { echo "error: expected 3 inline SVG charts, found $svgs" >&2; exit 1; }
for mark in '<polyline' '<circle' '<rect'; do
  n=$(grep -o "$mark" "$dom" | wc -l)
  [ "$n" -gt 0 ] || { echo "error: no $mark in the charts" >&2; exit 1; }
done

browse "$page" "$work/shot" --screenshot="$work/report.png" --window-size=1280,2000 --hide-scrollbars
png="$work/report.png"
[ -s "$png" ] || { echo "error: no screenshot" >&2; exit 1; }
magic=$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')
[ "$magic" = 89504e470d0a1a0a ] || { echo "error: the screenshot is not a PNG" >&2; exit 1; }
size=$(stat -c %s "$png")
# A blank 1280x2000 page compresses to a few kB; charts and tables do not.
[ "$size" -gt 40000 ] || { echo "error: the screenshot is only $size bytes: is the page blank?" >&2; exit 1; }
if [ -n "${REPORT_SCREENSHOT:-}" ]; then cp "$png" "$REPORT_SCREENSHOT"; fi
echo "browser check passed: no console messages, $svgs charts, screenshot $size bytes"
