"""Build a small DuckDB warehouse holding the raw.* and quality.* tables that dbt reads.

The tables are created by the warehouse's own DDL (orchestration.warehouse), so they have
the exact shapes the Python ingest/parse/validate steps write, so the dbt
project can be built against this file without running the pipeline:

* an ACCEPTED report (宿迁市人民政府 2023): tables A, B and C in full, consistent with R1-R4,
  one blank cell (value NULL, not zero), one R8 warning finding, received twice;
* a HELD report (会昌县中村乡人民政府 2020, 2019 form): one R1 error finding on table B;
* a PENDING report (parsed, not yet validated);
* an UNREADABLE file (a scanned PDF without a text layer).

Usage:
    python tests/dbt/make_fixture_db.py [PATH]     # default: $XXGK_WAREHOUSE
    cd dbt_project && XXGK_WAREHOUSE=PATH dbt build --profiles-dir .

The file at PATH is deleted and written anew, so dbt always starts from raw data only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
from pathlib import Path

import duckdb

from orchestration.warehouse import DDL, FINDING_COLUMNS

PARSER_VERSION = "0.1.0"



B_COLUMNS = [
    "natural_person",
    "commercial",
    "research",
    "public_welfare",
    "legal_services",
    "other_org",
    "total",
]
B_OUTCOMES = [
    "granted",
    "partly_granted",
    "withheld_state_secret",
    "withheld_prohibited",
    "withheld_security_stability",
    "withheld_third_party",
    "withheld_internal",
    "withheld_process",
    "withheld_enforcement_file",
    "withheld_inquiry",
    "unavailable_not_held",
    "unavailable_needs_creation",
    "unavailable_unclear",
    "rejected_petition",
    "rejected_duplicate",
    "rejected_publication",
    "rejected_excessive",
    "rejected_confirmation",
    "other_overdue_correction",
    "other_unpaid_fee",
    "other_other",
]
C_GROUPS = ["review", "litigation_direct", "litigation_after_review"]
C_MEASURES = ["upheld", "corrected", "other", "pending", "total"]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def with_total(counts: list[int]) -> list[int]:
    """Six applicant columns -> seven, the total last (R1)."""
    return [*counts, sum(counts)]


def table_b(
    new_received: list[int], carried_over: list[int], outcomes: dict[str, list[int]]
) -> dict[str, list[int]]:
    """A full, consistent table B (R1-R3) from its inputs and its non-zero outcome rows."""
    rows: dict[str, list[int]] = {
        "new_received": with_total(new_received),
        "carried_over": with_total(carried_over),
    }
    for code in B_OUTCOMES:
        rows[code] = with_total(outcomes.get(code, [0] * 6))
    rows["results_total"] = [sum(rows[code][i] for code in B_OUTCOMES) for i in range(7)]
    rows["carried_forward"] = [
        rows["new_received"][i] + rows["carried_over"][i] - rows["results_total"][i]
        for i in range(7)
    ]
    return rows


def number_text(value: float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value}"
    return f"{int(value)}"


def values_of(report_id: str, a: dict, b: dict, c: dict, first_line: int) -> list[tuple]:
    """(report_id, table, row, column, value, raw_text, line) for tables A, B, C in print order."""
    out: list[tuple] = []
    line = first_line
    for row_code, cells in a.items():
        for column_code, value in cells.items():
            out.append((report_id, "A", row_code, column_code, value, number_text(value), line))
            line += 1
    line += 10
    for row_code, cells in b.items():
        for column_code, value in zip(B_COLUMNS, cells, strict=True):
            out.append((report_id, "B", row_code, column_code, value, number_text(value), line))
            line += 1
    line += 10
    for group_code, cells in c.items():
        for measure, value in zip(C_MEASURES, cells, strict=True):
            out.append((report_id, "C", group_code, measure, value, number_text(value), line))
            line += 1
    return out


def build_fixture(path: str | os.PathLike) -> dict[str, str]:
    """Write the fixture warehouse at ``path``; return the ids of its files by role."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, path.with_name(path.name + ".wal")):
        if stale.exists():
            stale.unlink()

    t0 = dt.datetime(2024, 2, 1, 9, 0, 0)
    accepted = sha("2023_suqian_shi_1.txt")
    held = sha("2020_huichang_zhongcunxiang_1.txt")
    pending = sha("2024_pinghu_bumen_1.txt")
    unreadable = sha("scan_without_text_layer.pdf")

    files = [
        (
            accepted,
            "2023_suqian_shi_1.txt",
            "txt",
            18_422,
            f"data/archive/{accepted[:2]}/{accepted}.txt",
            t0,
            "parsed",
            None,
        ),
        (
            held,
            "2020_huichang_zhongcunxiang_1.txt",
            "txt",
            9_310,
            f"data/archive/{held[:2]}/{held}.txt",
            t0 + dt.timedelta(minutes=1),
            "parsed",
            None,
        ),
        (
            pending,
            "2024_pinghu_bumen_1.txt",
            "txt",
            7_045,
            f"data/archive/{pending[:2]}/{pending}.txt",
            t0 + dt.timedelta(days=1),
            "parsed",
            None,
        ),
        (
            unreadable,
            "扫描件.pdf",
            "pdf",
            1_204_551,
            f"data/archive/{unreadable[:2]}/{unreadable}.pdf",
            t0 + dt.timedelta(minutes=2),
            "unreadable",
            "PDF has no text layer (scanned image); OCR is not supported",
        ),
    ]
    receipts = [
        (sha("r1"), accepted, "2023_suqian_shi_1.txt", t0),
        (sha("r2"), held, "2020_huichang_zhongcunxiang_1.txt", t0 + dt.timedelta(minutes=1)),
        (sha("r3"), unreadable, "扫描件.pdf", t0 + dt.timedelta(minutes=2)),
        # the same content sent again under another name: one file, two receipts
        (sha("r4"), accepted, "宿迁市2023年报告（重发）.txt", t0 + dt.timedelta(days=3)),
        (sha("r5"), pending, "2024_pinghu_bumen_1.txt", t0 + dt.timedelta(days=1)),
    ]
    parsed_at = t0 + dt.timedelta(hours=1)
    reports = [
        (
            accepted,
            "2023_suqian_shi_1.txt",
            "宿迁市人民政府",
            2023,
            "2021",
            dt.date(2024, 1, 19),
            parsed_at,
            PARSER_VERSION,
        ),
        (
            held,
            "2020_huichang_zhongcunxiang_1.txt",
            "会昌县中村乡人民政府",
            2020,
            "2019",
            None,
            parsed_at,
            PARSER_VERSION,
        ),
        (
            pending,
            "2024_pinghu_bumen_1.txt",
            "平湖市某局",
            2024,
            "2021",
            dt.date(2025, 1, 20),
            parsed_at + dt.timedelta(days=1),
            PARSER_VERSION,
        ),
    ]

    # --- the accepted report: every cell of tables A, B and C (2021 form) -----------------
    a_accepted = {
        "rules": {"issued": 2, "repealed": 0, "in_force": 11},
        "normative_documents": {"issued": 109, "repealed": 489, "in_force": 597},
        "licensing": {"decisions": 1808595},
        "penalty": {"decisions": 2822652},
        "coercion": {"decisions": None},  # blank in the report: NULL, not zero
        "fees": {"amount": 59237.2449},
    }
    b_accepted = table_b(
        new_received=[3402, 99, 0, 4, 5, 1],
        carried_over=[91, 3, 0, 0, 2, 0],
        outcomes={
            "granted": [1175, 12, 0, 3, 1, 0],
            "partly_granted": [319, 7, 0, 0, 2, 0],
            "withheld_prohibited": [27, 0, 0, 0, 0, 0],
            "unavailable_not_held": [1500, 60, 0, 1, 2, 1],
            "rejected_duplicate": [39, 0, 0, 0, 0, 0],
            "other_other": [300, 20, 0, 0, 2, 0],
        },
    )
    c_accepted = {
        "review": [20, 3, 1, 2, 26],
        "litigation_direct": [8, 1, 0, 3, 12],
        "litigation_after_review": [2, 0, 0, 1, 3],
    }
    values = values_of(accepted, a_accepted, b_accepted, c_accepted, first_line=14)

    # --- the held report: 2019 form, table B row new_received breaks R1 ------------------
    b_held = table_b(
        new_received=[3, 0, 0, 0, 0, 0],
        carried_over=[0] * 6,
        outcomes={"granted": [2, 0, 0, 0, 0, 0], "other_other": [1, 0, 0, 0, 0, 0]},
    )
    b_held["new_received"][6] = 4  # printed total 4, the columns add up to 3
    values += values_of(held, {}, b_held, {g: [0, 0, 0, 0, 0] for g in C_GROUPS}, 30)

    # --- the pending report: a few values, not validated yet -----------------------------
    values += values_of(
        pending,
        {"rules": {"issued": 0, "repealed": 0, "in_force": 0}},
        {"new_received": with_total([5, 1, 0, 0, 0, 0])},
        {"review": [1, 0, 0, 0, 1]},
        first_line=20,
    )

    new_received_line = next(
        v[6] for v in values if v[0] == held and v[2] == "new_received" and v[3] == "total"
    )
    findings = [
        (
            held,
            "R1",
            "error",
            "B",
            "new_received",
            "total",
            3.0,
            4.0,
            new_received_line,
            "4",
            "表三“一、本年新收政府信息公开申请数量”行：总计为4，各申请人之和为3",
        ),
        (
            accepted,
            "R8",
            "warning",
            "B",
            "new_received",
            "total",
            3511.0,
            3510.0,
            5,
            "3510",
            "正文所述新收申请数3510件与表三总计3511件不一致",
        ),
    ]
    validated_at = parsed_at + dt.timedelta(minutes=5)
    validated = [(accepted, validated_at, "run-1"), (held, validated_at, "run-1")]

    con = duckdb.connect(str(path))
    try:
        con.execute(DDL)
        con.executemany("insert into raw.files values (?, ?, ?, ?, ?, ?, ?, ?)", files)
        con.executemany("insert into raw.receipts values (?, ?, ?, ?)", receipts)
        con.executemany("insert into raw.reports values (?, ?, ?, ?, ?, ?, ?, ?)", reports)
        con.executemany('insert into raw."values" values (?, ?, ?, ?, ?, ?, ?)', values)
        con.executemany(
            f"insert into quality.findings ({', '.join(FINDING_COLUMNS[:-1])}) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", findings
        )
        con.executemany("insert into quality.validated_reports values (?, ?, ?)", validated)
        con.execute("checkpoint")
    finally:
        con.close()
    return {"accepted": accepted, "held": held, "pending": pending, "unreadable": unreadable}


def main(argv: list[str]) -> int:
    target = argv[1] if len(argv) > 1 else os.environ.get("XXGK_WAREHOUSE")
    if not target:
        print("usage: make_fixture_db.py PATH (or set XXGK_WAREHOUSE)", file=sys.stderr)
        return 2
    ids = build_fixture(target)
    print(f"fixture warehouse written to {target}")
    for role, report_id in ids.items():
        print(f"  {role:<10} {report_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
