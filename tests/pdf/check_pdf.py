"""Checks that a report's PDF has every column of every table.

Reads report.html for the header of every table (the reference: what the
page says it shows) and the PDF's text as poppler's pdftotext extracts it,
and fails when a header is missing from the PDF text, which is what a table
cut off at the page's edge looks like. Text is compared without whitespace,
since a header may wrap inside its cell. Also checks that the page size is
landscape (wider than tall) and that the summary's first sentence is there.

Usage: python3 check_pdf.py report.html report.pdf
"""

import html.parser
import re
import subprocess
import sys


class Headers(html.parser.HTMLParser):
    """Collects the text of every <th>, table by table."""

    def __init__(self):
        super().__init__()
        self.tables, self.cell, self.summary, self.in_summary = [], None, [], False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append((dict(attrs).get("id", f"table {len(self.tables) + 1}"), []))
        elif tag == "th":
            self.cell = ""
        elif tag == "div" and "summary" in (dict(attrs).get("class") or ""):
            self.in_summary = True

    def handle_endtag(self, tag):
        if tag == "th" and self.cell is not None:
            self.tables[-1][1].append(self.cell)
            self.cell = None
        elif tag == "div":
            self.in_summary = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
        elif self.in_summary:
            self.summary.append(data)


def squash(s):
    return re.sub(r"\s+", "", s)


def main(page, pdf):
    parser = Headers()
    with open(page, encoding="utf-8") as f:
        parser.feed(f.read())
    text = subprocess.run(["pdftotext", "-raw", pdf, "-"], check=True,
                          capture_output=True, text=True).stdout
    flat = squash(text)
    missing, count = [], 0
    for table, headers in parser.tables:
        for h in headers:
            if not h.strip():
                continue
            count += 1
            if squash(h) not in flat:
                missing.append(f"{table}: {h!r}")
    if missing:
        sys.exit(f"error: {pdf}: {len(missing)} column header(s) missing from the PDF text:\n  " + "\n  ".join(missing))
    info = subprocess.run(["pdfinfo", pdf], check=True, capture_output=True, text=True).stdout
    m = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info)
    if not m or float(m.group(1)) <= float(m.group(2)):
        sys.exit(f"error: {pdf}: not a landscape page ({m.group(0) if m else 'no page size'})")
    first = parser.summary[0] if parser.summary else ""
    if not first or squash(first)[:60] not in flat:
        sys.exit(f"error: {pdf}: the summary's first sentence is not in the PDF: {first!r}")
    pages = re.search(r"Pages:\s+(\d+)", info).group(1)
    print(f"{pdf}: {len(parser.tables)} tables, {count} column headers all present, {pages} landscape pages")


if __name__ == "__main__":
    main(*sys.argv[1:3])
