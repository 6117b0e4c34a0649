"""Executes every notebook in this folder top to bottom; exits non-zero on the first failure."""
import pathlib
import sys

import nbformat
from nbclient import NotebookClient

here = pathlib.Path(__file__).resolve().parent
failed = 0
for path in sorted(here.glob("*.ipynb")):
    nb = nbformat.read(path, as_version=4)
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(here)}}).execute()
        print(f"ok: {path.name}")
    except Exception as e:  # report and go on to the next notebook
        failed += 1
        print(f"FAILED: {path.name}: {e}", file=sys.stderr)
sys.exit(1 if failed else 0)
