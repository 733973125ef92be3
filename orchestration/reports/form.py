"""The form's vocabulary (FORM.md codes and printed labels), read from the dbt seeds.

The seeds in ``seeds/`` are the single definition: dbt loads them into the warehouse, and
the parser and the messages for people read them from here.

Two form versions exist. Tables B and C are the same on both (the 2019 form's single row
三（六）其他处理 maps to ``other_other``), so their rows are the 2021 rows. Table A differs;
the 2019-2020 form's table A has its own rows (``form_version`` 2019 in form_rows.csv) and
column groups (form_columns.csv), never squeezed into the 2021 codes:

| row (2019)          | printed label          | column group      | measures                              |
|---------------------|------------------------|-------------------|---------------------------------------|
| rules               | 规章                   | documents_2019    | made 本年新制作数量, published 本年新公开数量, total_public 对外公开总数量 |
| normative_documents | 规范性文件             | documents_2019    | (same)                                |
| licensing           | 行政许可               | items_2019        | prev_year_items 上一年项目数量, change 本年增/减 (signed), decisions 处理决定数量 |
| other_services      | 其他对外管理服务事项   | items_2019        | (same)                                |
| penalty             | 行政处罚               | items_2019        | (same)                                |
| coercion            | 行政强制               | items_2019        | (same)                                |
| fees                | 行政事业性收费         | fees_2019         | prev_year_items, change (signed)      |
| procurement         | 政府集中采购           | procurement_2019  | items 采购项目数量, amount 采购总金额 (unit as printed) |

``change`` has value_type 'signed': a negative number there is a fact, not an error.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
CURRENT = "2021"
OLD = "2019"


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
def rows(table: str, version: str = CURRENT) -> tuple[RowSpec, ...]:
    """The rows of ``table`` on form ``version``; tables B and C only exist as 2021 rows."""
    if table != "A":
        version = CURRENT
    specs = [
        RowSpec(r["table_code"], r["row_code"], int(r["position"]), r["label_zh"], re.compile(r["match_pattern"]))
        for r in _read("form_rows.csv")
        if r["table_code"] == table and r["form_version"] == version
    ]
    return tuple(sorted(specs, key=lambda s: s.position))


@cache
def columns(table: str, group: str = "all") -> tuple[ColumnSpec, ...]:
    return tuple(
        ColumnSpec(c["table_code"], c["row_group"], c["column_code"], c["label_zh"], c["value_type"])
        for c in sorted(_read("form_columns.csv"), key=lambda c: int(c["position"]))
        if c["table_code"] == table and c["row_group"] == group
    )


@cache
def value_types() -> dict[tuple[str, str], str]:
    """(table, column code) -> value_type: count, amount (decimal, >= 0) or signed (may be
    negative, e.g. the old form's 本年增/减)."""
    return {(c["table_code"], c["column_code"]): c["value_type"] for c in _read("form_columns.csv")}


# Which column group each table-A row uses (the printed sub-tables of section 二), per form
# version. dbt_project/models/intermediate/int_form_rows.sql states the same mapping.
ACTIVE_ROW_GROUPS = {
    CURRENT: {
        "rules": "documents",
        "normative_documents": "documents",
        "licensing": "decisions",
        "penalty": "decisions",
        "coercion": "decisions",
        "fees": "fees",
    },
    OLD: {
        "rules": "documents_2019",
        "normative_documents": "documents_2019",
        "licensing": "items_2019",
        "other_services": "items_2019",
        "penalty": "items_2019",
        "coercion": "items_2019",
        "fees": "fees_2019",
        "procurement": "procurement_2019",
    },
}
ACTIVE_ROW_GROUP = ACTIVE_ROW_GROUPS[CURRENT]  # kept for callers of the 2021 mapping


def row_group(table: str, row: str, version: str = CURRENT) -> str:
    return ACTIVE_ROW_GROUPS[version][row] if table == "A" else "all"


def row_label(table: str, row: str) -> str:
    for version in (CURRENT, OLD):
        for spec in rows(table, version):
            if spec.row == row:
                return spec.label_zh
    return row


def column_label(table: str, column: str) -> str:
    groups = ["all", *ACTIVE_ROW_GROUPS[CURRENT].values(), *ACTIVE_ROW_GROUPS[OLD].values()]
    for group in dict.fromkeys(groups):
        for spec in columns(table, group):
            if spec.column == column:
                return spec.label_zh
    return column


@cache
def rules() -> dict[str, dict[str, str]]:
    return {r["rule_id"]: r for r in _read("form_rules.csv")}
