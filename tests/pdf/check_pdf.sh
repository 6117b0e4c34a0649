#!/usr/bin/env bash
# The PDF report of every shipped config: `stoploss report --pdf` prints
# report.html with headless Chromium; poppler's pdftotext (an independent
# reader) must find every column header of every table in it, on landscape
# pages. Installs Debian's chromium and poppler-utils when missing.
# Usage: bash tests/pdf/check_pdf.sh [path/to/stoploss]
set -euo pipefail
cd "$(dirname "$0")/../.."
exe=${1:-./target/release/stoploss}

# Installs Debian package $1 when command $2 is missing.
need() {
  command -v "$2" >/dev/null 2>&1 && return 0
  echo "installing Debian's $1"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
  elif sudo -n true 2>/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
  else
    echo "error: $2 is missing and cannot be installed (not root, no passwordless sudo)" >&2
    exit 1
  fi
}
need chromium chromium
need poppler-utils pdftotext

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$exe" run configs/ --trials 5000 --out "$work" --quiet
for name in small-100 mid-500 census-5000 timing-400 renewal-200; do
  "$exe" report "$work/$name" --pdf --client "Example Client, Inc." >/dev/null
  python3 tests/pdf/check_pdf.py "$work/$name/report.html" "$work/$name/report.pdf"
  if [ -n "${REPORT_PDF_DIR:-}" ]; then cp "$work/$name/report.pdf" "$REPORT_PDF_DIR/$name.pdf"; fi
done
echo "PDF check passed"
