"""The form's vocabulary (FORM.md codes and printed labels), read from the dbt seeds.

The seeds in ``seeds/`` are the single definition: dbt loads them into the warehouse, and
the parser and the messages for people read them from here.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"


@dataclass(frozen=True)
class RowSpec:
    table: str
    row: str
    position: int
    label_zh: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class ColumnSpec:
    table: str
    group: str
    column: str
    label_zh: str
    value_type: str


def _read(name: str) -> list[dict[str, str]]:
    with open(SEEDS_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def rows(table: str) -> tuple[RowSpec, ...]:
    specs = [
        RowSpec(r["table_code"], r["row_code"], int(r["position"]), r["label_zh"], re.compile(r["match_pattern"]))
        for r in _read("form_rows.csv")
        if r["table_code"] == table
    ]
    return tuple(sorted(specs, key=lambda s: s.position))


@cache
def columns(table: str, group: str = "all") -> tuple[ColumnSpec, ...]:
    return tuple(
        ColumnSpec(c["table_code"], c["row_group"], c["column_code"], c["label_zh"], c["value_type"])
        for c in sorted(_read("form_columns.csv"), key=lambda c: int(c["position"]))
        if c["table_code"] == table and c["row_group"] == group
    )


# Which column group each table-A row uses (the three printed sub-tables of section 二).
ACTIVE_ROW_GROUP = {
    "rules": "documents",
    "normative_documents": "documents",
    "licensing": "decisions",
    "penalty": "decisions",
    "coercion": "decisions",
    "fees": "fees",
}


def row_label(table: str, row: str) -> str:
    for spec in rows(table):
        if spec.row == row:
            return spec.label_zh
    return row


def column_label(table: str, column: str) -> str:
    for group in {"all", "documents", "decisions", "fees"}:
        for spec in columns(table, group):
            if spec.column == column:
                return spec.label_zh
    return column


@cache
def rules() -> dict[str, dict[str, str]]:
    return {r["rule_id"]: r for r in _read("form_rules.csv")}
