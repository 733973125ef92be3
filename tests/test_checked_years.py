"""The scope of a run (orchestration/quality/checked_years.py) on a warehouse of verdicts:
a monthly run tests its years, the year after each, and every year not settled; a full run,
a first run and a run after the checks changed test every year."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import pytest

from orchestration.quality import checked_years as cy
from orchestration.warehouse import DDL

YEARS = list(range(2019, 2027))
FP = "fingerprint-1"


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute(DDL)
    yield con
    con.close()


def all_passed(con, run_id: str = "run-1", years=YEARS) -> None:
    cy.start(con, run_id, list(years), FP)
    for gate in cy.GATES:
        cy.record(con, run_id, gate, list(years), True, FP)


def add_report(con, report_id: str, year: int, parsed_at: datetime) -> None:
    con.execute("insert into raw.reports (report_id, year, parsed_at) values (?, ?, ?)",
                [report_id, year, parsed_at])


def test_a_full_run_tests_every_year(con):
    scope = cy.plan(con, None, YEARS, FP)
    assert scope.full and scope.tested == YEARS and scope.settled == [] and scope.dbt_vars() == {}


def test_a_first_run_for_one_year_tests_every_year(con):
    """Never checked is not settled: the first partition run is a full one."""
    assert cy.plan(con, [2024], YEARS, FP).full


def test_a_monthly_run_tests_its_years_and_the_year_after(con):
    all_passed(con)
    scope = cy.plan(con, [2024], YEARS, FP)
    assert scope.rebuilt == [2024]
    assert scope.tested == [2024, 2025]  # R6/R7 rows of 2025 compare with 2024
    assert scope.settled == [2019, 2020, 2021, 2022, 2023, 2026]
    assert scope.dbt_vars() == {"report_years": [2024], "settled_years": scope.settled}


def test_a_year_that_failed_a_gate_is_tested_again_by_a_run_for_another_year(con):
    all_passed(con)
    cy.start(con, "run-2", [2021, 2022], FP)
    cy.record(con, "run-2", cy.DBT_GATE, [2021, 2022], True, FP)
    cy.record(con, "run-2", "gx_fct_applications", [2021, 2022], False, FP)
    for gate in ("gx_fct_review_litigation", "gx_fct_active_disclosure"):
        cy.record(con, "run-2", gate, [2021, 2022], True, FP)
    scope = cy.plan(con, [2024], YEARS, FP)
    assert scope.rebuilt == [2021, 2022, 2024]
    assert scope.tested == [2021, 2022, 2023, 2024, 2025]
    assert cy.blocked_years(con) == {2021: ["gx_fct_applications failed"], 2022: ["gx_fct_applications failed"]}


def test_a_killed_run_leaves_its_years_pending_and_blocked(con):
    all_passed(con)
    cy.start(con, "killed", [2020], FP)  # no verdict follows
    assert 2020 in cy.plan(con, [2024], YEARS, FP).rebuilt
    assert cy.blocked_years(con) == {2020: [f"{gate} pending" for gate in sorted(cy.GATES)]}


def test_reports_arrived_since_a_year_was_tested_put_it_in_scope(con):
    """A run for the wrong partition still tests the years of what it parsed."""
    all_passed(con)
    tested_as_of = con.execute("select max(tested_as_of) from quality.checked_years").fetchall()[0][0]
    add_report(con, "old", 2020, tested_as_of - timedelta(days=1))
    assert 2020 not in cy.plan(con, [2024], YEARS, FP).rebuilt
    add_report(con, "late", 2020, tested_as_of + timedelta(seconds=1))
    assert cy.plan(con, [2024], YEARS, FP).rebuilt == [2020, 2024]


def test_changed_checks_make_every_year_unsettled(con):
    all_passed(con)
    assert cy.plan(con, [2024], YEARS, "fingerprint-2").full


def test_a_check_run_on_its_own_checks_every_year(con):
    """No scope fixed by this run (the mart check launched without the dbt op)."""
    all_passed(con)
    assert cy.run_scope(con, "alone", "gx_fct_applications", YEARS).full
    cy.start(con, "run-3", [2024, 2025], FP)
    scope = cy.run_scope(con, "run-3", "gx_fct_applications", YEARS)
    assert scope.tested == [2024, 2025] and 2024 not in scope.settled


def test_scope_predicate_always_tests_rows_of_no_year(con):
    con.execute("create table t as select * from (values (2019), (2024), (null), (2031)) v(year)")
    kept = con.execute(f"select year from t where {cy.scope_predicate('year', [2019, 2020])} order by all"
                       ).fetchall()
    assert kept == [(2024,), (2031,), (None,)]
    assert cy.scope_predicate("year", []) == "true"


def test_fingerprint_is_stable():
    assert cy.fingerprint() == cy.fingerprint() and len(cy.fingerprint()) == 16
