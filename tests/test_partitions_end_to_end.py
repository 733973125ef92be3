"""warehouse_job by report-year partition, in process, as the sensor and schedules launch it:
a run over a range of years, then a run for one year that rebuilds only it, then a run for a
file of no known year (no partition). Publication happens once per run and holds every year.
"""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest
from samples import LINE_NEW_RECEIVED_TOTAL, inbox_of_two_years, of_year, pipeline_settings

from orchestration.definitions import UNPARTITIONED, defs
from orchestration.defs.partitions import RANGE_END_TAG, RANGE_START_TAG
from orchestration.stages.publish import parquet_source

FACTS = ("fct_applications", "fct_active_disclosure", "fct_review_litigation")


def run(**kwargs) -> dg.ExecuteInProcessResult:
    job = defs.resolve_job_def("warehouse_job")
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, **kwargs)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    return result


def materialized(result: dg.ExecuteInProcessResult) -> dict[str, set]:
    out: dict[str, set] = {}
    for event in result.get_asset_materialization_events():
        m = event.event_specific_data.materialization
        out.setdefault(m.asset_key.to_user_string(), set()).add(m.partition)
    return out


def published(settings, mart: str, where: str = "true") -> list[tuple]:
    path = settings.published / "latest" / parquet_source(mart)
    return duckdb.sql(f"select * from '{path}' where {where} order by all").fetchall()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    data = tmp_path_factory.mktemp("partitions") / "data"
    with pytest.MonkeyPatch.context() as env:
        settings = pipeline_settings(env, data)
        out = {"settings": settings}
        # run 1: reports of 2021 and 2022, one run over the range (as the sensor asks)
        inbox_of_two_years(settings)
        out["first"] = run(tags={RANGE_START_TAG: "2021", RANGE_END_TAG: "2022"})
        out["after_first"] = {y: published(settings, "fct_applications", f"year = {y}") for y in (2021, 2022)}
        # run 2: a held correction of the 2022 report and a new 2023 report, for 2022..2023
        (settings.inbox / "b2.txt").write_text(
            of_year(2022, "乙县人民政府", {LINE_NEW_RECEIVED_TOTAL: "23"}), encoding="utf-8")
        (settings.inbox / "c.txt").write_text(of_year(2023, "丙县人民政府"), encoding="utf-8")
        out["second"] = run(tags={RANGE_START_TAG: "2022", RANGE_END_TAG: "2023"})
        out["after_second"] = {y: published(settings, "fct_applications", f"year = {y}")
                               for y in (2021, 2022, 2023)}
        # run 3: an unreadable file, no partition: everything but the yearly facts
        (settings.inbox / "broken.pdf").write_bytes(b"%PDF-1.7 truncated")
        out["third"] = run(asset_selection=UNPARTITIONED)
        yield out


def test_a_range_run_materializes_each_year_once_and_publishes_once(runs):
    done = materialized(runs["first"])
    for mart in FACTS:
        assert done[f"marts/{mart}"] == {"2021", "2022"}
    assert done["marts/dim_report"] == {None}  # cross-year: once per run, no partition
    assert done["published/snapshot"] == {None}
    assert len([e for e in runs["first"].get_asset_materialization_events()
                if e.asset_key == dg.AssetKey(["published", "snapshot"])]) == 1
    assert runs["first"].dagster_run.tags[RANGE_START_TAG] == "2021"
    assert len(runs["after_first"][2021]) == 25 * 7 and len(runs["after_first"][2022]) == 25 * 7


def test_a_year_run_rebuilds_only_its_years(runs):
    done = materialized(runs["second"])
    for mart in FACTS:
        assert done[f"marts/{mart}"] == {"2022", "2023"}
    after = runs["after_second"]
    assert after[2021] == runs["after_first"][2021]
    # the held correction leaves the accepted 2022 version published
    assert after[2022] == runs["after_first"][2022]
    assert {r[1] for r in after[2023]} == {"丙县人民政府"} and len(after[2023]) == 25 * 7


def test_a_file_of_no_known_year_is_processed_without_a_partition(runs):
    settings = runs["settings"]
    done = materialized(runs["third"])
    assert not any(f"marts/{mart}" in done for mart in FACTS)
    assert "published/snapshot" in done and "raw/files" in done
    statuses = published(settings, "rpt_report_status")
    assert any("unreadable" in str(row) for row in statuses)
    # the yearly facts are still in the snapshot, all three years
    assert {r[0] for r in duckdb.sql(
        f"select distinct year from '{settings.published / 'latest' / parquet_source('fct_applications')}'").fetchall()
    } == {2021, 2022, 2023} == {int(p.stem) for p in (settings.published / "latest" / "fct_applications").glob("*.csv")}


def test_submission_status_counts_are_asset_metadata(runs):
    settings = runs["settings"]
    events = [e for e in runs["second"].get_asset_materialization_events()
              if e.asset_key == dg.AssetKey(["marts", "fct_submission_status"])]
    assert len(events) == 1
    metadata = events[0].event_specific_data.materialization.metadata
    path = settings.published / "latest" / "fct_submission_status.parquet"
    expected = dict(duckdb.sql(f"select status, count(*) from '{path}' group by status").fetchall())
    assert metadata["submission_status"].value == expected
    assert sum(expected.values()) > 0
    for status, count in expected.items():
        assert metadata[f"status/{status}"].value == count
    by_year = metadata["submission_status_by_year"].value
    assert sum(n for year in by_year.values() for n in year.values()) == sum(expected.values())
