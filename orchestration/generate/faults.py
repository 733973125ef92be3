"""Faults injected into generated reports, and the ground truth of what a checker must find.

The truth is not copied from the pipeline: :func:`broken_checks` evaluates FORM.md's rules
on the values as printed (its own implementation), so the truth of a faulty report is
"every check its values break", including the knock-on checks a one-cell typo breaks
(a mistyped row total breaks R1 of its row and R2 or R3 of the total column).

Conventions (the pipeline's): a check is evaluated only when every cell it adds is printed
and one is filled; blanks count 0. The finding's cell is the check's target: R1 (row, total),
R2/R3 (results_total, column), R4 (group, total), R5/P1 the cell, S2/S3 (rules, column),
S4 and R8 (new_received, total), S1 none. ``expected`` is the sum of the parts (R5: the nearest valid
value; R8: the table's number), ``actual`` the printed total (R8: the number quoted).
"""

from __future__ import annotations

import random

from ..reports import form
from .values import B_ROWS, C_GROUPS, C_PARTS, NOT_ON_OLD_FORM, OUTCOMES, PARTS

Values = dict[tuple[str, str, str], int | float | None]

# Injected into the values of a report (kind -> the rule it targets)
VALUE_FAULTS = ("R1", "R2", "R3", "R4", "R5", "S1", "S2", "S3", "R8", "P1")
# Kinds of fault and their weights among faulty reports
FAULT_WEIGHTS = {
    "R1": 10, "R2": 8, "R3": 8, "R4": 6, "R5": 6, "S1": 3, "S2": 4, "S3": 3, "R8": 8, "P1": 10,
    "corrected": 10, "duplicate": 8, "unreadable_random": 4, "truncated": 4, "not_a_report": 4,
}
YEAR_RANGE = (2019, 2030)  # S1: the form exists since 2019; injected years lie far outside
TOWNSHIP_MAX_APPLICATIONS = 1000  # S4: a township with more new applications is implausible


def judged_level(level: str, name: str) -> str:
    """The level S2-S4 judge an agency at. A county-level city (县级市) is a county in the
    registry, but its name cannot tell it from a prefecture-level city, so S3 does not apply."""
    return "county_city" if level == "county" and name.endswith("市人民政府") else level


def _sum(v: Values, cells) -> float:
    return sum((v.get(c) or 0) for c in cells)


def broken_checks(v: Values, year: int | None, level: str, quoted: int | None) -> list[dict]:
    """Every rule the printed values break, as truth records (rule, table, row, column,
    expected, actual). ``level`` is the agency's registry level (S2-S4 depend on it);
    ``quoted`` is the new_received count the narrative quotes."""
    out: list[dict] = []

    def check(rule, table, row, column, parts, totals):
        cells = list(parts) + list(totals)
        # As in the pipeline: the old form's missing 其他处理 sub-rows are not required.
        required = [c for c in cells if not (c[0] == "B" and c[1] in NOT_ON_OLD_FORM)]
        if not all(c in v for c in required) or all(v.get(c) is None for c in cells):
            return
        parts = [c for c in parts if c in v]
        expected, actual = _sum(v, parts), _sum(v, totals)
        if expected != actual:
            out.append(_record(rule, table, row, column, expected, actual))

    for row in B_ROWS:
        check("R1", "B", row, "total", [("B", row, c) for c in PARTS], [("B", row, "total")])
    for col in (*PARTS, "total"):
        check("R2", "B", "results_total", col, [("B", "new_received", col), ("B", "carried_over", col)],
              [("B", "results_total", col), ("B", "carried_forward", col)])
    for col in (*PARTS, "total"):
        check("R3", "B", "results_total", col, [("B", r, col) for r in OUTCOMES], [("B", "results_total", col)])
    for group in C_GROUPS:
        check("R4", "C", group, "total", [("C", group, c) for c in C_PARTS], [("C", group, "total")])
    for (table, row, col), x in sorted(v.items()):
        if x is None or col == "change":  # the old form's 本年增/减 is signed
            continue
        valid = max(x, 0) if col == "amount" else max(round(x), 0)
        if valid != x:
            out.append(_record("R5", table, row, col, valid, x))
    if year is not None and not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        out.append(_record("S1", None, None, None, min(max(year, 2019), YEAR_RANGE[1]), year))
    no_rules = {"township": "S2", "county": "S3"}.get(level)  # governments without 规章 powers
    if no_rules:
        for col in ("issued", "in_force", "made", "total_public"):
            x = v.get(("A", "rules", col))
            if x:
                out.append(_record(no_rules, "A", "rules", col, 0, x))
    table_total = v.get(("B", "new_received", "total"))
    if level == "township" and table_total is not None and table_total >= TOWNSHIP_MAX_APPLICATIONS:
        out.append(_record("S4", "B", "new_received", "total", TOWNSHIP_MAX_APPLICATIONS - 1, table_total))
    if quoted is not None and table_total is not None and quoted != table_total:
        out.append(_record("R8", "B", "new_received", "total", table_total, quoted))
    for (table, row, col), x in sorted(v.items()):
        if x is None:
            out.append(_record("P1", table, row, col, None, None))
    return out


def _record(rule, table, row, column, expected, actual) -> dict:
    return {"rule": rule, "table": table, "row": row, "column": column,
            "expected": None if expected is None else float(expected),
            "actual": None if actual is None else float(actual)}


def applicable(kind: str, version: str, level: str, values: Values) -> bool:
    if kind == "S2":
        return level == "township"
    if kind == "S3":
        return level == "county"
    if kind == "R8":
        return values.get(("B", "new_received", "total")) is not None
    if kind == "P1":
        return any(x == 0 for k, x in values.items() if k[0] in "AB")
    return True


def inject(kind: str, v: Values, version: str, rng: random.Random) -> dict:
    """Change ``v`` in place to break ``kind``; returns what was done (for the truth file).
    Returns {"year": ...} for S1 and {"quoted": ...} for R8 (not values)."""
    d = rng.choice([1, 1, 1, 2, 3, 10])
    if kind == "R1":  # a row total mistyped
        row = rng.choice([r for r in B_ROWS if ("B", r, "total") in v])
        v[("B", row, "total")] += d
        return {"cell": ["B", row, "total"]}
    if kind == "R2":  # carried forward miscounted, row kept consistent (R1 holds)
        col = rng.choice(PARTS)
        v[("B", "carried_forward", col)] += d
        v[("B", "carried_forward", "total")] += d
        return {"cell": ["B", "carried_forward", col]}
    if kind == "R3":  # an outcome miscounted, row kept consistent (R1 holds)
        row, col = rng.choice([r for r in OUTCOMES if ("B", r, "total") in v]), rng.choice(PARTS)
        v[("B", row, col)] += d
        v[("B", row, "total")] += d
        return {"cell": ["B", row, col]}
    if kind == "R4":
        group = rng.choice(C_GROUPS)
        v[("C", group, "total")] += d
        return {"cell": ["C", group, "total"]}
    if kind == "R5":  # a negative or fractional count, or a negative fee, in table A
        cells = sorted(k for k in v if k[0] == "A" and k[2] != "change")
        cell = rng.choice(cells)
        if cell[2] == "amount" or rng.random() < 0.5:
            v[cell] = -(abs(v[cell] or 0) or d)
        else:
            v[cell] = round((v[cell] or 0) + 0.3, 1)
        return {"cell": list(cell)}
    if kind in ("S2", "S3"):  # a township or county government reports 规章 (stock, maybe new)
        stock, new = ("in_force", "issued") if version == form.CURRENT else ("total_public", "made")
        v[("A", "rules", stock)] = d
        v[("A", "rules", new)] = rng.choice([0, 1])
        return {"cell": ["A", "rules", stock]}
    if kind == "P1":  # cells left blank (zeros a clerk did not type): only P1, no sum breaks
        zeros = sorted(k for k, x in v.items() if x == 0 and k[0] in "AB")
        chosen = rng.sample(zeros, min(len(zeros), rng.choice([1, 1, 2, 3])))
        for cell in chosen:
            v[cell] = None
        return {"cells": [list(c) for c in sorted(chosen)]}
    raise ValueError(kind)


def typo_year(year: int) -> int:
    """A year as a clerk mistypes it, always outside 2019..2030 (2021 -> 2012, 2022 -> 2012)."""
    swapped = int(str(year)[:2] + str(year)[3] + str(year)[2])
    return swapped if not YEAR_RANGE[0] <= swapped <= YEAR_RANGE[1] else year - 10
