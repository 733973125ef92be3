"""warehouse_job tests only the reports a run touches, and never publishes a year whose last
test or check failed without testing it again (orchestration/quality/checked_years.py).

Runs, in process, on one warehouse:
1. no partition (every year): two reports of two agencies, 2021 and 2022; every year is
   tested and passes;
2. partition 2021 after the 2021 report was parsed again with a broken value (behind the
   per-report gate, which judged it before): the blocking mart check over its scope (the
   2021 report) fails; nothing is published;
3. partition 2024 (nothing new): 2021 failed last time, so the run tests that year whole
   again; it still fails and nothing is published; no other year is read;
4. the value repaired, partition 2024 again: 2021 is tested again, passes, and is published;
5. a run of publication alone refuses while a year's last verdict is a failure.
"""

from __future__ import annotations

import json
import os

import dagster as dg
import duckdb
import pytest
from samples import inbox_of_two_years, pipeline_settings

from orchestration.definitions import defs
from orchestration.defs.partitions import year_numbers
from orchestration.quality.checked_years import SCOPE_ENV, blocked_years
from orchestration.settings import PROJECT_DIR
from orchestration.stages.publish import parquet_source

CHECK = "gx_fct_applications_invariants"
BREAK_2021 = ('update raw."values" set value = value + {by} where table_code = \'B\' and row_code = \'new_received\' '
              "and column_code = 'natural_person' and report_id in (select report_id from raw.reports where year = 2021)")
# parsed_at is naive UTC, as the parse stage writes it
REPARSED_2021 = "update raw.reports set parsed_at = now() at time zone 'UTC' where year = 2021"


def run(**kwargs) -> dg.ExecuteInProcessResult:
    job = defs.resolve_job_def("warehouse_job")
    return job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, **kwargs)


def check_result(result: dg.ExecuteInProcessResult):
    [event] = [e.asset_check_evaluation_data for e in result.all_events
               if e.event_type_value == "ASSET_CHECK_EVALUATION"
               and e.asset_check_evaluation_data.asset_check_key.name == CHECK]
    return event.passed, event.metadata["years_checked"].value


def published_snapshot(result: dg.ExecuteInProcessResult) -> bool:
    return any(e.asset_key == dg.AssetKey(["published", "snapshot"])
               for e in result.get_asset_materialization_events())


def verdicts(settings) -> dict[int, set[tuple[str, str]]]:
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        out: dict[int, set] = {}
        for year, gate, verdict, run_id in con.execute(
                "select year, gate, verdict, run_id from quality.checked_years").fetchall():
            out.setdefault(year, set()).add((gate, verdict, run_id))
        return out
    finally:
        con.close()


def execute(settings, sql: str) -> None:
    con = duckdb.connect(str(settings.warehouse))
    try:
        con.execute(sql)
    finally:
        con.close()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    data = tmp_path_factory.mktemp("monthly") / "data"
    with pytest.MonkeyPatch.context() as env:
        settings = pipeline_settings(env, data)
        out = {"settings": settings}
        inbox_of_two_years(settings)
        out["full"] = run()
        out["after_full"] = verdicts(settings)
        out["latest_after_full"] = os.readlink(settings.published / "latest")
        execute(settings, BREAK_2021.format(by=1))
        execute(settings, REPARSED_2021)
        out["broken"] = run(partition_key="2021")
        out["other_year"] = run(partition_key="2024")
        out["after_other_year"] = verdicts(settings)
        out["latest_after_other_year"] = os.readlink(settings.published / "latest")
        execute(settings, BREAK_2021.format(by=-1))
        out["repaired"] = run(partition_key="2024")
        out["after_repaired"] = verdicts(settings)
        yield out


def test_a_full_run_tests_and_records_every_year(runs):
    assert runs["full"].success and published_snapshot(runs["full"])
    assert check_result(runs["full"]) == (True, "every year")
    run_id = runs["full"].run_id
    assert sorted(runs["after_full"]) == year_numbers()
    for year, gates in runs["after_full"].items():
        assert {verdict for _, verdict, _ in gates} == {"passed"} and {r for _, _, r in gates} == {run_id}, year


def test_a_year_that_fails_its_check_is_not_published(runs):
    assert not runs["broken"].success and not published_snapshot(runs["broken"])
    assert check_result(runs["broken"]) == (False, [2021])  # the changed report's year


def test_a_run_for_another_year_tests_the_failed_year_again_and_publishes_nothing(runs):
    result = runs["other_year"]
    assert not result.success and not published_snapshot(result)
    passed, years = check_result(result)
    assert not passed
    # the failed year, whole (nothing arrived for 2024); 2022 (another agency) was not read
    assert years == [2021]
    assert runs["latest_after_other_year"] == runs["latest_after_full"]
    untouched = runs["after_other_year"][2019]
    assert {run_id for _, _, run_id in untouched} == {runs["full"].run_id}
    assert ("gx_fct_applications", "failed", result.run_id) in runs["after_other_year"][2021]


def test_after_the_repair_the_failed_year_is_tested_again_and_published(runs):
    result = runs["repaired"]
    assert result.success and published_snapshot(result)
    # the year run 3 checked failed with it (a failing check condemns its whole scope), so it
    # is tested whole again
    assert check_result(result) == (True, [2021])
    settings = runs["settings"]
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        assert blocked_years(con) == {}
    finally:
        con.close()
    # clean again: the next run tests only what arrives
    assert all(verdict == "passed" for gates in runs["after_repaired"].values() for _, verdict, _ in gates)
    path = settings.published / "latest" / parquet_source("fct_applications")
    assert duckdb.sql(f"select count(*) from '{path}' where year = 2021").fetchall() == [(25 * 7,)]


def test_publication_alone_refuses_while_a_year_is_blocked(runs, tmp_path):
    """The publish asset checks the record itself: a run that selects only publication
    (no tests, no checks) cannot publish a year that failed."""
    settings = runs["settings"]
    con = duckdb.connect(str(settings.warehouse))
    try:
        con.execute("update quality.checked_years set verdict = 'failed' where year = 2020 and gate = 'dbt'")
    finally:
        con.close()
    job = dg.define_asset_job("publish_only", selection=dg.AssetSelection.assets(dg.AssetKey(["published", "snapshot"])))
    only = dg.Definitions(assets=defs.assets, asset_checks=defs.asset_checks, jobs=[job],
                          resources=defs.resources, executor=dg.in_process_executor)
    latest = os.readlink(settings.published / "latest")
    result = only.resolve_job_def("publish_only").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    assert not result.success and not published_snapshot(result)
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "2020" in failure.step_failure_data.error.message + str(failure.step_failure_data.user_failure_data)
    assert os.readlink(settings.published / "latest") == latest


def test_the_dbt_build_leaves_out_unit_tests_and_the_scope_stays_with_it(runs):
    """A run's dbt build runs the models and data tests, not dbt's unit tests (fixed inputs:
    the test suite runs them); the run scope reaches dbt through its environment for that
    call only, so nothing after it is scoped by mistake."""
    [target] = (PROJECT_DIR / "dbt_project" / "target").glob(f"xxgk_dbt_models-{runs['repaired'].run_id[:7]}-*")
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    kinds = {result["unique_id"].split(".")[0] for result in results}
    assert {"model", "test"} <= kinds and "unit_test" not in kinds
    assert SCOPE_ENV not in os.environ
