"""The whole pipeline, in process, on the sample plus a copy that breaks R1 and R2."""

from __future__ import annotations

import hashlib
import json
import os
import shutil

import dagster as dg
import duckdb
import pytest
from samples import LINE_NEW_RECEIVED_NATURAL, SAMPLE, variant

from orchestration.definitions import defs
from orchestration.settings import Settings
from orchestration.stages.publish import MARTS, parquet_source
from orchestration.stages.publish_reuse import YEAR_MARTS

DIRTY_AGENCY = "某某县人民政府办公室"


def run_job(selection=None) -> dg.ExecuteInProcessResult:
    job = defs.resolve_job_def("warehouse_job")
    return job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False,
                                  asset_selection=selection)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    data = tmp_path_factory.mktemp("e2e") / "data"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("XXGK_DATA_DIR", str(data))
        env.delenv("XXGK_WAREHOUSE", raising=False)
        settings = Settings.from_env()
        settings.ensure_dirs()
        shutil.copy(SAMPLE, settings.inbox / SAMPLE.name)
        dirty = variant(DIRTY_AGENCY, {LINE_NEW_RECEIVED_NATURAL: "23\u00a0"})
        (settings.inbox / "dirty copy.txt").write_text(dirty, encoding="utf-8")
        result = run_job()
        yield settings, result


def published(settings, mart):
    return duckdb.sql(f"select * from '{settings.published / 'latest' / parquet_source(mart)}'").df()


def test_run_succeeds(pipeline):
    _, result = pipeline
    assert result.success
    checks = {e.asset_check_evaluation_data.asset_check_key.name: e.asset_check_evaluation_data.passed
              for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}
    assert checks["gx_fct_applications_invariants"] is True


def test_clean_report_is_published(pipeline):
    settings, _ = pipeline
    apps = published(settings, "fct_applications")
    assert set(apps.agency) == {"和田地区行署办公室"}
    row = apps[(apps.row_code == "new_received") & (apps.column_code == "total")]
    assert row.application_count.tolist() == [22]
    assert len(apps) == 25 * 7
    # dim_report lists every parsed report with its status; the current one is published
    current = published(settings, "dim_report").query("is_current")
    assert current.agency.tolist() == ["和田地区行署办公室"]


def test_dirty_report_is_held_with_findings(pipeline):
    settings, _ = pipeline
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        staged = con.execute("select r.report_id from main_staging.stg_raw__reports r where agency = ?",
                             [DIRTY_AGENCY]).fetchall()
        assert len(staged) == 1
        report_id = staged[0][0]
        n_values = con.execute("select count(*) from main_staging.stg_raw__values where report_id = ?",
                               [report_id]).fetchall()[0][0]
        assert n_values == 200
        findings = con.execute(
            "select rule_id, severity, table_code, row_code, column_code, expected, actual, line "
            "from quality.findings where report_id = ? order by rule_id", [report_id]).fetchall()
    finally:
        con.close()
    assert findings == [
        ("R1", "error", "B", "new_received", "total", 23.0, 22.0, 84),
        ("R2", "error", "B", "results_total", "natural_person", 23.0, 22.0, 326),
    ]
    apps = published(settings, "fct_applications")
    assert report_id not in set(apps.report_id)
    status = published(settings, "rpt_report_status")
    assert status.set_index("report_id").loc[report_id, "status"] == "held"


def test_latest_points_at_a_complete_snapshot(pipeline):
    settings, _ = pipeline
    latest = settings.published / "latest"
    assert latest.is_symlink()
    manifest = json.loads((latest / "manifest.json").read_text(encoding="utf-8"))
    # one file per mart, per report year for the fact marts (the sample is of 2021)
    assert set(manifest["files"]) == {f"{m}/2021.parquet" if m in YEAR_MARTS else f"{m}.parquet" for m in MARTS}
    for name, meta in manifest["files"].items():
        assert hashlib.sha256((latest / name).read_bytes()).hexdigest() == meta["sha256"]
    assert manifest["files"]["fct_applications/2021.parquet"]["rows"] == manifest["rows"]["fct_applications"] == 175
    assert [s["agency"] for s in manifest["source_reports"]] == ["和田地区行署办公室"]


def test_archive_keeps_every_file_by_hash(pipeline):
    settings, _ = pipeline
    archived = sorted(p.name for p in settings.archive.rglob("*") if p.is_file())
    digest = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert f"{digest}.txt" in archived and len(archived) == 2
    assert not any(settings.inbox.iterdir())


def test_gate_blocks_publication_of_a_broken_mart(pipeline, tmp_path):
    """A mart that breaks an invariant fails its blocking GX check and publish does not run."""
    settings, _ = pipeline
    latest_before = os.readlink(settings.published / "latest")
    con = duckdb.connect(str(settings.warehouse))
    con.execute("update main_marts.fct_applications set application_count = 999 "
                "where row_code = 'granted' and column_code = 'total'")
    con.close()
    selection = [dg.AssetKey(["published", "snapshot"])]
    job = dg.define_asset_job(
        "gate_only",
        selection=dg.AssetSelection.assets(*selection)
        | dg.AssetSelection.checks_for_assets(*[dg.AssetKey(["marts", m]) for m in MARTS]),
    )
    gate_defs = dg.Definitions(assets=defs.assets, asset_checks=defs.asset_checks, jobs=[job],
                               resources=defs.resources, executor=dg.in_process_executor)
    result = gate_defs.resolve_job_def("gate_only").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    checks = {e.asset_check_evaluation_data.asset_check_key.name: e.asset_check_evaluation_data.passed
              for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}
    assert checks["gx_fct_applications_invariants"] is False
    materialized = {e.asset_key for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"}
    assert dg.AssetKey(["published", "snapshot"]) not in materialized
    assert os.readlink(settings.published / "latest") == latest_before
