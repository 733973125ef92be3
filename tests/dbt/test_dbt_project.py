"""The dbt project builds on the fixture warehouse, and its marts say what the brief says.

One `dbt build` (seeds, models, every data test) runs against the fixture written by
make_fixture_db.py; the assertions then read the marts. A second part corrupts the raw
values and proves the staging tests catch it. dbt's target/ and logs go to tmp_path, so
the test leaves nothing in the work tree.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

HERE = Path(__file__).resolve().parent
PROJECT_DIR = HERE.parents[1] / "dbt_project"
sys.path.insert(0, str(HERE))

from make_fixture_db import build_fixture

from orchestration.quality.checked_years import SCOPE_ENV


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(args: list[str], warehouse: Path, work: Path,
            extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """dbt with ``args`` on ``warehouse``; a full run unless ``extra_env`` names a run scope."""
    env = {
        **{name: value for name, value in os.environ.items() if name != SCOPE_ENV},
        "XXGK_WAREHOUSE": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **(extra_env or {}),
    }
    command = [
        dbt_executable(),
        *args,
        "--profiles-dir",
        str(PROJECT_DIR),
        "--project-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
    ]
    return subprocess.run(
        command, check=False, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("dbt")
    warehouse = work / "warehouse.duckdb"
    ids = build_fixture(warehouse)
    result = run_dbt(["build"], warehouse, work)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return {"ids": ids, "warehouse": warehouse, "work": work, "log": result.stdout}


def query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_build_has_no_deprecation_warnings(built):
    assert "deprecat" not in built["log"].lower()
    assert "ERROR=0" in built["log"]


def test_every_file_has_its_status(built):
    ids = built["ids"]
    rows = dict(
        query(built["warehouse"], "select report_id, status from main_marts.rpt_report_status")
    )
    assert rows == {
        ids["accepted"]: "accepted",
        ids["held"]: "held",
        ids["pending"]: "pending",
        ids["unreadable"]: "unreadable",
    }
    (held,) = query(
        built["warehouse"],
        f"select error_count, error_rules, status_reason from main_marts.rpt_report_status "
        f"where report_id = '{ids['held']}'",
    )
    assert held[0] == 1 and held[1] == "R1" and "R1" in held[2]
    (unreadable,) = query(
        built["warehouse"],
        f"select file_error, source_name from main_marts.rpt_report_status "
        f"where report_id = '{ids['unreadable']}'",
    )
    assert "text layer" in unreadable[0] and unreadable[1] == "扫描件.pdf"
    (accepted,) = query(
        built["warehouse"],
        f"select receipt_count, received_at < last_received_at from main_marts.rpt_report_status "
        f"where report_id = '{ids['accepted']}'",
    )
    assert accepted == (2, True)


def test_only_the_accepted_report_reaches_the_marts(built):
    ids = built["ids"]
    w = built["warehouse"]
    assert query(
        w,
        "select report_id, agency, year, warning_count from main_marts.dim_report where is_current",
    ) == [(ids["accepted"], "宿迁市人民政府", 2023, 1)]
    # every received report is listed in dim_report with its status (an unreadable file too,
    # without version); only the current one is in facts
    assert dict(query(w, "select report_id, status from main_marts.dim_report")) == {
        ids["accepted"]: "accepted",
        ids["held"]: "held",
        ids["pending"]: "pending",
        ids["unreadable"]: "unreadable",
    }
    assert query(w, "select version, is_current, status_reason from main_marts.dim_report "
                    "where status = 'unreadable'") == [
        (None, False, "unreadable: PDF has no text layer (scanned image); OCR is not supported")]
    for mart in ("fct_applications", "fct_active_disclosure", "fct_review_litigation"):
        assert query(w, f"select distinct report_id from main_marts.{mart}") == [
            (ids["accepted"],)
        ], mart


def test_fact_grain_and_values(built):
    w = built["warehouse"]
    assert query(w, "select count(*) from main_marts.fct_applications") == [(25 * 7,)]
    assert query(w, "select count(*) from main_marts.fct_review_litigation") == [(15,)]
    assert query(
        w,
        "select row_label_zh, column_label_zh, application_count, row_position "
        "from main_marts.fct_applications where row_code = 'new_received' and column_code = 'total'",
    ) == [("一、本年新收政府信息公开申请数量", "总计", 3511, 1)]
    # 'total' is a column of tables B and C: each fact gets its own table's label
    assert query(
        w,
        "select group_label_zh, measure_label_zh, case_count from main_marts.fct_review_litigation "
        "where group_code = 'review' and measure = 'total'",
    ) == [("行政复议", "总计", 26)]
    fees, coercion = query(
        w,
        "select value, raw_text from main_marts.fct_active_disclosure "
        "where row_code in ('fees', 'coercion') order by row_code desc",
    )
    assert fees == (59237.2449, "59237.2449")
    assert coercion == (None, "")  # a blank cell stays NULL, never 0


def test_findings_of_held_reports_are_published(built):
    ids = built["ids"]
    rows = query(
        built["warehouse"],
        "select report_id, report_status, rule_id, severity, row_label_zh, column_label_zh, "
        "expected, actual from main_marts.fct_findings order by rule_id",
    )
    assert rows == [
        (ids["held"], "held", "R1", "error", "一、本年新收政府信息公开申请数量", "总计", 3.0, 4.0),
        (
            ids["accepted"],
            "accepted",
            "R8",
            "warning",
            "一、本年新收政府信息公开申请数量",
            "总计",
            3511.0,
            3510.0,
        ),
    ]


def test_mart_contracts_types(built):
    types = dict(
        query(
            built["warehouse"],
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'main_marts' and table_name = 'fct_applications'",
        )
    )
    assert types["application_count"] == "BIGINT"
    assert types["year"] == "INTEGER"
    assert types["source_line"] == "INTEGER"


def test_not_null_constraints_are_enforced_by_the_warehouse(built):
    """A mart column whose enforced contract declares not_null has no not_null data test (it
    would be a second dbt node per column, each run): DuckDB refuses the null on insert, in
    the table dbt creates and in the incremental facts' later appends alike."""
    manifest = json.loads((built["work"] / "target" / "manifest.json").read_text(encoding="utf-8"))
    constrained = {(node["name"], column["name"])
                   for node in manifest["nodes"].values()
                   if node["resource_type"] == "model" and node["config"]["contract"]["enforced"]
                   for column in node["columns"].values()
                   if any(c["type"] == "not_null" for c in column["constraints"])}
    assert ("fct_applications", "report_id") in constrained and len(constrained) >= 25
    nullable = {(table, column): flag for table, column, flag in query(
        built["warehouse"], "select table_name, column_name, is_nullable from information_schema.columns "
                            "where table_schema = 'main_marts'")}
    assert {key: nullable[key] for key in constrained} == {key: "NO" for key in constrained}
    tested = {(node["attached_node"].split(".")[-1], node["column_name"])
              for node in manifest["nodes"].values()
              if node["resource_type"] == "test" and node.get("test_metadata", {}).get("name") == "not_null"}
    assert not constrained & tested
    con = duckdb.connect(str(built["warehouse"]))
    try:
        with pytest.raises(duckdb.ConstraintException, match="NOT NULL"):
            con.execute("insert into main_marts.fct_applications (report_id, row_code, column_code) "
                        "values (null, 'new_received', 'total')")
    finally:
        con.close()


def test_unknown_codes_fail_the_staging_tests(built):
    # a copy under the same file name: DuckDB names the catalog after the file, and the
    # staging views refer to it
    dirty = built["work"] / "dirty"
    dirty.mkdir()
    w = dirty / built["warehouse"].name
    shutil.copyfile(built["warehouse"], w)
    con = duckdb.connect(str(w))
    try:
        con.execute(
            """insert into raw."values" values
               (?, 'B', 'not_a_row', 'total', 1, '1', 99),
               (?, 'A', 'fees', 'decisions', 1, '1', 98),
               (?, 'B', 'new_received', null, 1, '1', 97)""",
            [built["ids"]["accepted"]] * 3,
        )
    finally:
        con.close()
    result = run_dbt(["test", "--select", "stg_raw__values", "--store-failures"], w, dirty)
    assert result.returncode != 0
    assert "stg_raw__values_row_is_a_form_row" in result.stdout
    assert "stg_raw__values_cell_is_a_form_cell" in result.stdout
    # the columns' not_null, one node for the model: the failing row names its null column
    [failed] = [line for line in result.stdout.splitlines()
                if "FAIL" in line and "not_null_columns_stg_raw__values" in line]
    assert "FAIL 1" in failed
    manifest = (dirty / "target" / "manifest.json").read_text(encoding="utf-8")
    [relation] = [node["relation_name"] for node in json.loads(manifest)["nodes"].values()
                  if node["name"].startswith("not_null_columns_stg_raw__values")]
    assert query(w, f"select row_code, null_columns from {relation}") == [("new_received", "column_code")]


SOURCE_TABLES = [
    ("raw", "files"),
    ("raw", "receipts"),
    ("raw", "reports"),
    ("raw", "values"),
    ("quality", "findings"),
    ("quality", "validated_reports"),
]


def columns_of(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], list[tuple[str, str]]]:
    out = {}
    for schema, table in SOURCE_TABLES:
        out[(schema, table)] = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
    return out


def test_fixture_tables_match_the_warehouse_ddl(tmp_path):
    """The fixture has the shapes the orchestration writes (orchestration/warehouse.py)."""
    warehouse = pytest.importorskip("orchestration.warehouse")
    real = duckdb.connect()
    try:
        real.execute(warehouse.DDL)
        expected = columns_of(real)
    finally:
        real.close()
    build_fixture(tmp_path / "warehouse.duckdb")
    fixture = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        assert columns_of(fixture) == expected
    finally:
        fixture.close()
