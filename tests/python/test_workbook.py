"""workbook.xlsx read back with openpyxl, against results.json.

`stoploss report DIR --xlsx` writes DIR/workbook.xlsx. openpyxl (an
independent reader of the format) must open it with its sheets and native
charts, and every formula, evaluated here from the cells and defined names
it refers to, must give what results.json implies (fixed costs, PEPM and
PMPM, the market's maximum liability, the saving against fully insured) and
what the workbook caches as its value.

Usage: python test_workbook.py RESULTS_DIR [RESULTS_DIR ...]
"""

import json
import math
import re
import sys

import openpyxl
from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

SHEETS = ["Summary", "Candidates", "Assumptions", "Exceedance", "Frontier"]
REF = re.compile(r"(?:'?([A-Za-z ]+)'?!)?\$?([A-Z]{1,3})\$?(\d+)")


def close(a, b, what):
    assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6), f"{what}: {a} != {b}"


def evaluate(formula, sheet, values, names):
    """The value of a formula of cell references, defined names, + - * /."""
    expr = formula.lstrip("=")
    for name, target in names.items():
        expr = re.sub(rf"\b{name}\b", target, expr)

    def cell(m):
        ws = values[m.group(1) or sheet]
        v = ws[f"{m.group(2)}{m.group(3)}"].value
        assert isinstance(v, (int, float)), f"{formula}: {m.group(0)} holds {v!r}"
        return repr(float(v))

    expr = REF.sub(cell, expr)
    assert re.fullmatch(r"[0-9eE.+\-*/() ]+", expr), f"unexpected formula {formula}: {expr}"
    return eval(expr)  # only numbers and arithmetic are left


def check(folder):
    results = json.load(open(f"{folder}/results.json"))
    path = f"{folder}/workbook.xlsx"
    wb = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    names = {n: wb.defined_names[n].attr_text for n in wb.defined_names}
    assert wb.sheetnames == SHEETS, wb.sheetnames
    for n in ["EmployeeMonths", "MemberMonths"]:
        assert n in names, f"defined name {n} missing: {names}"

    pop = results["population"]
    employee_months = sum(pop["employee_months_by_tier"].values()) or 12 * pop["employees"]
    member_months = 12 * pop["members"]
    cands = results["candidates"]
    fixed = [c["specific_premium"]["mean"] + c["aggregate_premium"]["mean"] + c["fees"]["mean"] for c in cands]

    # Candidates: one row per candidate, header frozen, autofilter, formats.
    ws, wv = wb["Candidates"], values["Candidates"]
    header = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(header)}
    assert ws.freeze_panes == "B2", ws.freeze_panes
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.auto_filter.ref
    last_row = int(re.search(r"(\d+)$", ws.auto_filter.ref).group(1))
    assert last_row == 1 + len(cands), ws.auto_filter.ref
    assert ws.max_row == 1 + len(cands)
    formulas = 0
    for i, c in enumerate(cands):
        r = 2 + i
        assert ws.cell(r, 1).value == c["label"]
        close(wv.cell(r, col["expected cost"]).value, c["employer_cost"]["mean"], "expected cost")
        close(wv.cell(r, col["expected cost se"]).value, c["employer_cost"]["se"], "expected cost se")
        close(wv.cell(r, col["TVaR 99%"]).value, c["employer_cost"]["tvar"]["p99"], "TVaR 99%")
        close(wv.cell(r, col["percentile 95%"]).value, c["employer_cost"]["percentiles"]["p95"], "p95")
        assert "$" in ws.cell(r, col["expected cost"]).number_format
        expect = {
            "fixed costs": fixed[i],
            "expected cost PEPM": c["employer_cost"]["mean"] / employee_months,
            "expected cost PMPM": c["employer_cost"]["mean"] / member_months,
        }
        if c["aggregate_attachment"] is not None:
            expect["max liability (market convention)"] = fixed[i] + c["aggregate_attachment"]
        for h, want in expect.items():
            f = ws.cell(r, col[h]).value
            assert isinstance(f, str) and f.startswith("="), f"{h} of {c['label']} is not a formula: {f!r}"
            close(evaluate(f, "Candidates", values, names), want, f"{h} of {c['label']} ({f})")
            close(wv.cell(r, col[h]).value, want, f"cached {h} of {c['label']}")
            formulas += 1

    # Summary: the side-by-side exhibit, one column per candidate.
    ws, wv = wb["Summary"], values["Summary"]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}
    labels = [ws.cell(4, 2 + i).value for i in range(len(cands))]
    assert labels == [c["label"] for c in cands], labels
    fi = (results.get("decision") or {}).get("fully_insured")
    for i, c in enumerate(cands):
        k = 2 + i
        expect = {
            "Fixed costs (premiums + fees)": fixed[i],
            "Expected annual cost PEPM": c["employer_cost"]["mean"] / employee_months,
            "Expected annual cost PMPM": c["employer_cost"]["mean"] / member_months,
            "1-in-20 year PEPM": c["employer_cost"]["percentiles"]["p95"] / employee_months,
        }
        if c["aggregate_attachment"] is not None:
            expect["Maximum liability (market convention)"] = fixed[i] + c["aggregate_attachment"]
        if fi:
            expect["Saving vs fully insured"] = fi["premium"] - c["employer_cost"]["mean"]
        for h, want in expect.items():
            f = ws.cell(rows[h], k).value
            assert isinstance(f, str) and f.startswith("="), f"Summary {h}: {f!r}"
            close(evaluate(f, "Summary", values, names), want, f"Summary {h} of {c['label']} ({f})")
            close(wv.cell(rows[h], k).value, want, f"cached Summary {h}")
            formulas += 1
        close(wv.cell(rows["Expected annual cost"], k).value, c["employer_cost"]["mean"], "Summary cost")
    rec = results["decision"]["recommended"]
    assert ws.cell(rows["Role"], 2 + labels.index(rec)).value == "recommended"

    # Assumptions: the bases the formulas divide by.
    close(evaluate("=EmployeeMonths", "Assumptions", values, names), employee_months, "EmployeeMonths")
    close(evaluate("=MemberMonths", "Assumptions", values, names), member_months, "MemberMonths")

    # Native charts: exceedance on a log axis, the frontier.
    ex = wb["Exceedance"]._charts
    assert len(ex) == 1 and type(ex[0]).__name__ == "ScatterChart", ex
    assert ex[0].y_axis.scaling.logBase == 10
    assert len(ex[0].series) >= 2
    fr = wb["Frontier"]._charts
    assert len(fr) == 1 and type(fr[0]).__name__ == "ScatterChart", fr
    efficient = len(results["decision"]["efficient"])
    assert len(fr[0].series) == (1 if efficient == len(cands) else 2)
    print(f"{path}: {len(wb.sheetnames)} sheets, {len(ex) + len(fr)} charts, {formulas} formulas checked against results.json")


if __name__ == "__main__":
    for folder in sys.argv[1:]:
        check(folder)
