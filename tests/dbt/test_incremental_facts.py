"""The fact marts are incremental by report: a scoped run (XXGK_SCOPE_RUN, the reports of
quality.run_scope) replaces the rows of the reports it rebuilds exactly and leaves every other
report's rows untouched; a report that became held leaves the facts; a report in the scope
only to be tested (rebuild false) keeps its rows; a run without the variable rebuilds everything.

The fixture's accepted 2023 report is copied as a second agency's 2022 report, so two years
are published. Values are then edited in raw.values behind dbt's back: a year that was not
rebuilt still shows the old value, which is how "untouched" is observed.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_fixture_db import build_fixture, sha
from test_dbt_project import run_dbt

from orchestration.quality.checked_years import DBT_BUILD, DBT_BUILD_FULL, SCOPE_ENV

FACTS = ("fct_applications", "fct_active_disclosure", "fct_review_litigation")
COPY = sha("2022_copy.txt")


def execute(warehouse: Path, *statements: tuple[str, list]) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        for sql, params in statements:
            con.execute(sql, params)
    finally:
        con.close()


def rows(warehouse: Path, mart: str, year: int) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(f"select * from main_marts.{mart} where year = ? order by all", [year]).fetchall()
    finally:
        con.close()


def new_received_total(warehouse: Path, year: int) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select application_count from main_marts.fct_applications where year = ? "
                           "and row_code = 'new_received' and column_code = 'total'", [year]).fetchall()[0][0]
    finally:
        con.close()


def dbt_ok(args: list[str], warehouse: Path, work: Path, extra_env: dict[str, str] | None = None) -> None:
    result = run_dbt(args, warehouse, work, extra_env)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


FACT_BUILD = ["build", "--select", "tag:year_partitioned"]


def scoped(warehouse: Path, run_id: str, *reports: tuple[str, bool]) -> dict[str, str]:
    """dbt's environment for a run whose scope is ``reports`` ((report_id, rebuild) pairs)."""
    execute(warehouse, *(("insert into quality.run_scope values (?, ?, ?)", [run_id, report, rebuild])
                         for report, rebuild in reports))
    return {SCOPE_ENV: run_id}


@pytest.fixture(scope="module")
def built_two_years(tmp_path_factory):
    """Two published years after a first full build; built once, copied for each test."""
    work = tmp_path_factory.mktemp("two_years")
    warehouse = work / "warehouse.duckdb"
    accepted = build_fixture(warehouse)["accepted"]
    execute(
        warehouse,
        (("insert into raw.files select ?, '2022_copy.txt', extension, size_bytes, archive_path, "
         "received_at, status, error from raw.files where sha256 = ?"), [COPY, accepted]),
        (("insert into raw.reports select ?, '2022_copy.txt', '宿豫区人民政府', 2022, form_version, "
         "report_date, parsed_at, parser_version from raw.reports where report_id = ?"), [COPY, accepted]),
        (('insert into raw."values" select ?, table_code, row_code, column_code, value, raw_text, line '
         'from raw."values" where report_id = ?'), [COPY, accepted]),
        (("insert into quality.validated_reports select ?, validated_at, run_id "
         "from quality.validated_reports where report_id = ?"), [COPY, accepted]),
    )
    dbt_ok(["build"], warehouse, work)  # every year, as a first run
    return warehouse, accepted


@pytest.fixture
def two_years(built_two_years, tmp_path):
    warehouse, accepted = built_two_years
    shutil.copy(warehouse, tmp_path / "warehouse.duckdb")
    return tmp_path / "warehouse.duckdb", tmp_path, accepted


def bump_new_received(warehouse: Path, by: int) -> None:
    """Change one cell of every report in raw (both years), keeping R1/R2 out of it: the
    staging layer and the facts only copy values, nothing re-validates here."""
    execute(warehouse, (('update raw."values" set value = value + ? where table_code = \'B\' '
                        "and row_code = 'new_received' and column_code = 'total'"), [by]))


def test_both_years_are_published_after_a_full_run(two_years):
    warehouse, _, _ = two_years
    for mart in FACTS:
        assert rows(warehouse, mart, 2022) and rows(warehouse, mart, 2023)
        # same report content, other agency: the two years have the same number of rows
        assert len(rows(warehouse, mart, 2022)) == len(rows(warehouse, mart, 2023))
    assert new_received_total(warehouse, 2022) == new_received_total(warehouse, 2023) == 3511


def test_a_scoped_run_replaces_its_reports_and_leaves_the_others(two_years):
    warehouse, work, accepted = two_years
    before_2022 = {mart: rows(warehouse, mart, 2022) for mart in FACTS}
    before_2023 = {mart: rows(warehouse, mart, 2023) for mart in FACTS}
    bump_new_received(warehouse, 1000)

    dbt_ok(FACT_BUILD, warehouse, work, scoped(warehouse, "run-1", (accepted, True)))
    assert new_received_total(warehouse, 2023) == 4511  # rebuilt
    assert new_received_total(warehouse, 2022) == 3511  # untouched: still the old value
    for mart in FACTS:
        assert rows(warehouse, mart, 2022) == before_2022[mart]
        # replaced exactly: as many rows as before, no duplicate from an append
        assert len(rows(warehouse, mart, 2023)) == len(before_2023[mart])
    assert rows(warehouse, "fct_active_disclosure", 2023) == before_2023["fct_active_disclosure"]

    # a run without XXGK_SCOPE_RUN is every report
    dbt_ok(FACT_BUILD, warehouse, work)
    assert new_received_total(warehouse, 2022) == 4511
    for mart in FACTS:
        assert len(rows(warehouse, mart, 2022)) == len(before_2022[mart])


def test_a_report_in_scope_only_to_be_tested_keeps_its_rows(two_years):
    warehouse, work, _ = two_years
    before = {mart: rows(warehouse, mart, 2022) for mart in FACTS}
    bump_new_received(warehouse, 1000)
    dbt_ok(FACT_BUILD, warehouse, work, scoped(warehouse, "run-2", (COPY, False)))
    assert new_received_total(warehouse, 2022) == 3511
    assert {mart: rows(warehouse, mart, 2022) for mart in FACTS} == before


def test_a_report_that_became_held_leaves_the_facts(two_years):
    warehouse, work, accepted = two_years
    before_2022 = {mart: rows(warehouse, mart, 2022) for mart in FACTS}
    # the 2023 report turns out to break R1 (e.g. a re-validation): it is held
    execute(warehouse, (("insert into quality.findings (report_id, rule_id, severity, table_code, row_code, "
                        "column_code, expected, actual, message) values (?, 'R1', 'error', 'B', "
                        "'new_received', 'total', 1, 2, 'test')"), [accepted]))
    dbt_ok(FACT_BUILD, warehouse, work, scoped(warehouse, "run-3", (accepted, True)))
    for mart in FACTS:
        assert rows(warehouse, mart, 2023) == []
        assert rows(warehouse, mart, 2022) == before_2022[mart]


def test_the_run_id_is_checked_before_it_reaches_sql(two_years):
    warehouse, work, _ = two_years
    result = run_dbt(FACT_BUILD, warehouse, work, {SCOPE_ENV: "x' or 1=1 --"})
    assert result.returncode != 0
    assert "XXGK_SCOPE_RUN must be a run id" in result.stdout


def test_a_new_run_id_reuses_the_parse_of_the_project(two_years):
    """The run id reaches dbt as an environment variable read only at execution, so a run
    with another id reuses dbt's parse of the project; a ``--vars`` that changes with every
    run made dbt parse the whole project again (~4 s of every monthly run)."""
    warehouse, work, accepted = two_years
    for run_id in ("run-a", "run-b"):
        dbt_ok(FACT_BUILD, warehouse, work, scoped(warehouse, run_id, (accepted, True)))
    last_invocation = (work / "logs" / "dbt.log").read_text(encoding="utf-8").rsplit("Running with dbt=", 1)[1]
    assert "Partial parsing enabled, no changes found, skipping parsing" in last_invocation
    assert "Unable to do partial parsing" not in last_invocation


def columns(warehouse: Path, relation: str) -> list[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return [row[0] for row in con.execute(f"describe {relation}").fetchall()]
    finally:
        con.close()


def test_a_full_run_makes_anew_a_mart_whose_columns_changed(two_years):
    """A release that changes a mart's columns meets the table an older release built. dbt's
    on_schema_change check refuses an incremental build into it; the full run that follows a
    change of the project (checked_years: changed checks test every year) builds with
    --full-refresh, so the mart is made anew with the model's columns and every row."""
    warehouse, work, _ = two_years
    expected = {mart: columns(warehouse, f"main_marts.{mart}") for mart in ("fct_applications", "dim_report")}
    rows_before = rows(warehouse, "fct_applications", 2022)
    execute(warehouse, ("alter table main_marts.fct_applications drop column raw_text", []),
            ("alter table main_marts.dim_report add column retired_column varchar", []))
    refused = run_dbt(list(DBT_BUILD), warehouse, work)
    assert refused.returncode != 0 and "out of sync" in refused.stdout
    dbt_ok(list(DBT_BUILD_FULL), warehouse, work)
    for mart, names in expected.items():
        assert columns(warehouse, f"main_marts.{mart}") == names
    assert rows(warehouse, "fct_applications", 2022) == rows_before
