"""The scope of a run (orchestration/quality/checked_years.py) on a warehouse of verdicts:
a monthly run rebuilds the changed agency-years, tests every year not clean whole, and
tests the next year's reports of the changed agencies; a full run, a first run and a run
after the checks changed test everything.

dbt's views int_report_status and int_report_versions are stood in for by views over
raw.reports (agency name as the agency key)."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import pytest

from orchestration.quality import checked_years as cy
from orchestration.warehouse import DDL

YEARS = list(range(2019, 2027))
FP = "fingerprint-1"
T0 = datetime(2026, 2, 1)


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute(DDL)
    con.execute("create schema main_intermediate")
    con.execute("create view main_intermediate.int_report_status as "
                "select report_id, year, parsed_at as received_at, "
                "greatest(parsed_at, (select max(received_at) from raw.receipts where sha256 = report_id)) "
                "as last_received_at, parsed_at from raw.reports")
    con.execute("create view main_intermediate.int_report_versions as "
                "select report_id, agency as agency_key, year, agency || '|' || year as version_group "
                "from raw.reports")
    for year in YEARS:  # an agency's report every year, and another agency's
        add_report(con, f"a{year}", "甲", year, T0 - timedelta(days=30))
        add_report(con, f"b{year}", "乙", year, T0 - timedelta(days=30))
    yield con
    con.close()


def all_passed(con, run_id: str = "run-1", years=YEARS) -> None:
    cy.start(con, run_id, cy.Scope([], list(years), []), FP)
    for gate in cy.GATES:
        cy.record(con, run_id, gate, list(years), True, FP)


def add_report(con, report_id: str, agency: str, year: int | None, parsed_at: datetime) -> None:
    con.execute("insert into raw.reports (report_id, agency, year, parsed_at) values (?, ?, ?, ?)",
                [report_id, agency, year, parsed_at])


def arrive(con, report_id: str, agency: str, year: int | None) -> None:
    """A report parsed after the last verdicts."""
    tested_as_of = con.execute("select max(tested_as_of) from quality.checked_years").fetchall()[0][0]
    add_report(con, report_id, agency, year, tested_as_of + timedelta(seconds=1))


def test_a_full_run_tests_every_year(con):
    scope = cy.plan(con, None, YEARS, FP)
    assert scope.full and scope.tested == YEARS and scope.settled == [] and scope.dbt_env("r") == {}
    assert scope.dbt_command == (*cy.DBT_BUILD, "--full-refresh")  # tables whose columns changed made anew


def test_a_first_run_for_one_year_tests_every_year(con):
    """Never checked is not clean: the first partition run is a full one."""
    assert cy.plan(con, [2024], YEARS, FP).full


def test_a_monthly_run_rebuilds_the_changed_agency_year_and_tests_the_next_year(con):
    all_passed(con)
    arrive(con, "a2024_v2", "甲", 2024)  # a correction of 甲's 2024 report
    scope = cy.plan(con, [2024], YEARS, FP)
    assert not scope.full and scope.rebuilt == []
    # both versions of the agency-year, and the agency's 2025 report for R6/R7
    assert scope.reports == (("a2024", True), ("a2024_v2", True), ("a2025", False))
    assert scope.tested == [2024, 2025]
    assert scope.settled == [2019, 2020, 2021, 2022, 2023, 2026]
    assert scope.dbt_env("run-2") == {"XXGK_SCOPE_RUN": "run-2"}
    assert scope.dbt_command == cy.DBT_BUILD  # incremental: no --full-refresh


def test_a_file_received_again_rebuilds_its_agency_year(con):
    """Only its receipts changed (rpt_report_status counts them); nothing was parsed."""
    all_passed(con)
    tested_as_of = con.execute("select max(tested_as_of) from quality.checked_years").fetchall()[0][0]
    con.execute("insert into raw.receipts values ('r2', 'b2021', 'copy.txt', ?)",
                [tested_as_of + timedelta(seconds=1)])
    scope = cy.plan(con, [2024], YEARS, FP)
    assert scope.reports == (("b2021", True), ("b2022", False))  # and its next year, for R6/R7
    assert scope.tested == [2021, 2022]


def test_a_run_for_a_year_where_nothing_changed_rebuilds_nothing(con):
    all_passed(con)
    scope = cy.plan(con, [2024], YEARS, FP)
    assert not scope.full and scope.reports == () and scope.tested == []


def test_files_of_no_report_year_are_always_in_scope(con):
    all_passed(con)
    add_report(con, "no_year", "丙", None, T0 - timedelta(days=300))
    add_report(con, "typo_year", "丙", 2109, T0 - timedelta(days=300))
    assert cy.plan(con, [2024], YEARS, FP).reports == (("no_year", True), ("typo_year", True))


def test_a_year_that_failed_a_gate_is_tested_whole_by_a_run_for_another_year(con):
    all_passed(con)
    cy.start(con, "run-2", cy.Scope([], [2021, 2022], []), FP)
    cy.record(con, "run-2", cy.DBT_GATE, [2021, 2022], True, FP)
    cy.record(con, "run-2", "gx_fct_applications", [2021, 2022], False, FP)
    for gate in ("gx_fct_review_litigation", "gx_fct_active_disclosure"):
        cy.record(con, "run-2", gate, [2021, 2022], True, FP)
    arrive(con, "b2024_v2", "乙", 2024)
    scope = cy.plan(con, [2024], YEARS, FP)
    assert scope.rebuilt == [2021, 2022]
    assert scope.reports == (("a2021", True), ("a2022", True), ("a2023", False), ("b2021", True),
                             ("b2022", True), ("b2023", False), ("b2024", True), ("b2024_v2", True),
                             ("b2025", False))
    assert scope.tested == [2021, 2022, 2023, 2024, 2025]
    assert cy.blocked_years(con) == {2021: ["gx_fct_applications failed"], 2022: ["gx_fct_applications failed"]}


def test_a_killed_run_leaves_its_years_pending_and_blocked(con):
    all_passed(con)
    cy.start(con, "killed", cy.Scope([], [2020], []), FP)  # no verdict follows
    assert cy.plan(con, [2024], YEARS, FP).rebuilt == [2020]
    assert cy.blocked_years(con) == {2020: [f"{gate} pending" for gate in sorted(cy.GATES)]}


def test_reports_arrived_in_another_year_are_in_scope(con):
    """A run for the wrong partition still rebuilds and tests what it parsed."""
    all_passed(con)
    arrive(con, "b2020_v2", "乙", 2020)
    scope = cy.plan(con, [2024], YEARS, FP)
    assert scope.reports == (("b2020", True), ("b2020_v2", True), ("b2021", False))
    assert scope.tested == [2020, 2021]


def test_the_scope_is_written_for_dbt_and_the_checks(con):
    all_passed(con)
    arrive(con, "a2024_v2", "甲", 2024)
    scope = cy.plan(con, [2024], YEARS, FP)
    cy.start(con, "run-2", scope, FP)
    assert con.execute("select * from quality.run_scope order by all").fetchall() == [
        ("run-2", "a2024", True), ("run-2", "a2024_v2", True), ("run-2", "a2025", False)]
    assert con.execute("select run_id, reports, rebuilt_years, tested_years from quality.run_plans").fetchall() == [
        ("run-2", 3, "", "2024,2025")]
    kept = con.execute(f"select report_id from raw.reports where {cy.scope_predicate('run-2')} order by all")
    assert kept.fetchall() == [("a2024",), ("a2024_v2",), ("a2025",)]
    assert cy.scope_predicate(None) == "true"
    # the next run's scope replaces it; a full run writes none
    cy.start(con, "run-3", cy.plan(con, None, YEARS, FP), FP)
    assert con.execute("select count(*) from quality.run_scope").fetchall() == [(0,)]


def test_changed_checks_make_every_year_unsettled(con):
    all_passed(con)
    assert cy.plan(con, [2024], YEARS, "fingerprint-2").full


def test_a_check_run_on_its_own_checks_every_year(con):
    """No scope fixed by this run (the mart check launched without the dbt op)."""
    all_passed(con)
    assert cy.run_scope(con, "alone", "gx_fct_applications", YEARS).full
    arrive(con, "a2024_v2", "甲", 2024)
    cy.start(con, "run-3", cy.plan(con, [2024], YEARS, FP), FP)
    scope = cy.run_scope(con, "run-3", "gx_fct_applications", YEARS)
    assert not scope.full and scope.tested == [2024, 2025] and 2024 not in scope.settled


def test_fingerprint_is_stable():
    assert cy.fingerprint() == cy.fingerprint() and len(cy.fingerprint()) == 16
